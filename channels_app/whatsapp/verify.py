"""Phone verification over WhatsApp: the code is asked for when a number is added (code_requests), sent by a worker
(codes) and confirmed by reply (here)."""

from tenants import verification
from tenants.models import UserPhoneNumber


def confirm_by_reply(phone: UserPhoneNumber, text: str) -> str:
    try:
        verification.confirm_code(phone.pk, text)
    except verification.VerificationError as error:
        return error.detail
    return "Thank you: this number is verified. You can now write to the Walker agents here."
