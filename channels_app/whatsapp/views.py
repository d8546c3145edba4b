"""Twilio's webhooks: inbound messages and delivery statuses. Plain Django views, form-encoded, signed.

Order of checks: the signature first (a forged or unsigned request stores nothing and
learns nothing: 403), then the form (400 with the reason), then the work, which is short:
the agent's answer is produced by a worker and sent from there, so Twilio gets empty TwiML
at once.
"""

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from channels_app.whatsapp import status, verify
from channels_app.whatsapp.parse import SID, BadPayload, parse
from channels_app.whatsapp.route import UnknownNumber, receive
from core.errors import http_status

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _error(code: str, detail: str) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=http_status(code))


def _forbidden() -> JsonResponse:
    return _error("bad_signature", "X-Twilio-Signature is missing or does not match this request.")


@csrf_exempt
@require_POST
def webhook(request):
    if not verify.is_signed(request):
        return _forbidden()
    try:
        message = parse(request.POST)
        receive(message)
    except BadPayload as error:
        return _error(error.code, error.detail)
    except UnknownNumber as error:
        return _error("unknown_number", str(error))
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


@csrf_exempt
@require_POST
def status_callback(request):
    if not verify.is_signed(request):
        return _forbidden()
    sid = request.POST.get("MessageSid", "")
    twilio_status = request.POST.get("MessageStatus", "")
    if not SID.match(sid):
        return _error("bad_sid", "MessageSid is missing or not a Twilio message SID.")
    if twilio_status not in status.TWILIO_STATUSES:
        return _error("bad_status", f"Unknown MessageStatus {twilio_status[:40]!r}.")
    error_code = request.POST.get("ErrorCode", "")
    if error_code and not error_code.isdigit():
        return _error("bad_error_code", "ErrorCode must be a number.")
    status.apply(sid, twilio_status, error_code)
    return HttpResponse(status=204)
