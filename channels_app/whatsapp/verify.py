"""Phone verification over WhatsApp: the code is sent when a number is added (by a worker: codes) and confirmed by
reply."""

from django.db import transaction

from channels_app.whatsapp.tasks import send_verification_code
from tenants import verification
from tenants.models import UserPhoneNumber


def send_code_after_commit(phone: UserPhoneNumber) -> None:
    phone_id = str(phone.pk)
    transaction.on_commit(lambda: send_verification_code.delay(phone_id))


def on_phone_saved(sender, instance: UserPhoneNumber, created: bool, **kwargs) -> None:
    """post_save: a number added unverified gets its code."""
    if created and not instance.verified and not kwargs.get("raw"):
        send_code_after_commit(instance)


def confirm_by_reply(phone: UserPhoneNumber, text: str) -> str:
    try:
        verification.confirm_code(phone.pk, text)
    except verification.VerificationError as error:
        return error.detail
    return "Thank you: this number is verified. You can now write to the Walker agents here."
