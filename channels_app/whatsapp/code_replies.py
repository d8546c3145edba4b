"""Phone verification over WhatsApp: the code is asked for when a number is added (code_requests), sent by a worker
(codes) and confirmed by reply (here)."""

from django.utils.translation import gettext

from tenants.identity import verification
from tenants.languages import speaking
from tenants.models import UserPhoneNumber


def confirm_by_reply(phone: UserPhoneNumber, text: str) -> str:
    """The answer to a code sent back, in the number's owner's language."""
    with speaking(phone.user):
        try:
            verification.confirm_code(phone.pk, text)
        except verification.VerificationError as error:
            return error.detail
        return gettext("Thank you: this number is verified. You can now write to the Walker agents here.")
