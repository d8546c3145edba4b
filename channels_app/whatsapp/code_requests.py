"""When a number gets its verification code: added unverified, or asked again from the admin. Apart from
channels_app.whatsapp.codes, which the task that sends the code runs."""

from channels_app.whatsapp.tasks import send_verification_code
from core.commit import after_commit
from tenants.models import UserPhoneNumber


def send_code_after_commit(phone: UserPhoneNumber) -> None:
    after_commit(send_verification_code, str(phone.pk))


def on_phone_saved(sender, instance: UserPhoneNumber, created: bool, **kwargs) -> None:
    """post_save: a number added unverified gets its code."""
    if created and not instance.verified and not kwargs.get("raw"):
        send_code_after_commit(instance)
