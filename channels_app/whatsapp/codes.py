"""Sending a verification code over WhatsApp (the worker's side of channels_app.whatsapp.code_replies), in the number's
owner's language."""

from django.utils.translation import gettext_lazy

from channels_app.whatsapp import deliver, send, twilio_api
from channels_app.whatsapp.models import TemplatePurpose
from tenants.identity import verification
from tenants.languages import speaking

CODE_TEXT = gettext_lazy(
    "Your Walker verification code is %(code)s. It expires in %(minutes)s minutes. "
    "Reply with it here, or give it to your Walker admin, to confirm this number."
)


def send_code(phone_id) -> None:
    """Issue a new code and send it; a refusal (rate limit, no template, Twilio) is recorded on the number."""
    try:
        phone, code = verification.issue_code(phone_id)
    except verification.VerificationError as error:
        verification.record_delivery_error(phone_id, error.detail)
        return
    minutes = int(verification.CODE_TTL.total_seconds() // 60)
    with speaking(phone.user):
        text = str(CODE_TEXT) % {"code": code, "minutes": minutes}
    try:
        deliver.send_direct(
            phone.phone_number,
            text,
            tenant_id=phone.tenant_id,
            purpose=TemplatePurpose.VERIFICATION,
            values={"code": code},
        )
    except (send.Blocked, twilio_api.TwilioSendError, twilio_api.TransientTwilioError) as error:
        # Not retried: the code is not kept in clear, so a retry would need a new one (and the resend limit).
        verification.record_delivery_error(phone_id, f"The code could not be sent: {error}")
