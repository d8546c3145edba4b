"""SendGrid's two posts to Walker: Inbound Parse (HTTP basic auth) and the signed Event Webhook.

Plain Django views (not DRF): the bodies are multipart forms and raw signed JSON.
"""

from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from channels_app.email import route, status, verify
from channels_app.email.parse import MalformedEmail, parse
from core.errors import http_status
from tenants.input_text import UnreadableInput, load_json

SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"


def _error(code: str, detail: str) -> JsonResponse:
    answer_status = http_status(code)
    response = JsonResponse({"code": code, "detail": detail}, status=answer_status)
    if answer_status == HTTPStatus.UNAUTHORIZED:
        response["WWW-Authenticate"] = 'Basic realm="walker-inbound-email"'
    return response


@csrf_exempt
@require_POST
def inbound_parse(request: HttpRequest) -> JsonResponse:
    if not verify.inbound_authorized(request):
        return _error("unauthorized", "HTTP basic auth with the inbound parse credentials is required.")
    if not request.content_type.startswith("multipart/form-data"):
        return _error("not_multipart", "Inbound Parse posts multipart/form-data.")
    try:
        email = parse(request.POST, request.FILES)
    except TooManyFilesSent:
        return _error(
            "too_many_attachments",
            f"An email may carry at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES} attachments; nothing was taken.",
        )
    except (MultiPartParserError, RequestDataTooBig, TooManyFieldsSent) as error:
        return _error("malformed_multipart", f"The multipart body cannot be read: {error}")
    except MalformedEmail as error:
        return _error("malformed_email", str(error))
    return JsonResponse({"outcome": route.receive(email)})


@csrf_exempt
@require_POST
def delivery_event_webhook(request: HttpRequest) -> JsonResponse:
    try:
        body = request.body
    except RequestDataTooBig:
        return _error("too_large", "The post is larger than DATA_UPLOAD_MAX_MEMORY_SIZE; lower the batch size.")
    try:
        verify.signed_events(body, request.headers.get(SIGNATURE_HEADER, ""), request.headers.get(TIMESTAMP_HEADER, ""))
    except verify.Refused as refused:
        return _error(refused.code, refused.detail)
    try:
        events = load_json(body)
    except UnreadableInput as error:  # not JSON, nested too deep, or text PostgreSQL cannot store
        return _error("not_json", f"The body cannot be read: {error}")
    if not isinstance(events, list):
        return _error("not_a_list", "The Event Webhook posts a JSON array of events.")
    return JsonResponse({"applied": status.apply(events)})
