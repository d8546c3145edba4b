"""SendGrid's two posts to Walker: Inbound Parse (HTTP basic auth) and the signed Event Webhook.

Plain Django views (not DRF): the bodies are multipart forms and raw signed JSON.
"""

import base64
import binascii
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from channels_app.email import delivery_events, inbound
from channels_app.email.parsing import MalformedEmail, parse
from core.errors import http_status
from tenants.input_text import UnreadableInput, load_json

SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"


def _error(code: str, detail: str) -> JsonResponse:
    status = http_status(code)
    response = JsonResponse({"code": code, "detail": detail}, status=status)
    if status == HTTPStatus.UNAUTHORIZED:
        response["WWW-Authenticate"] = 'Basic realm="walker-inbound-email"'
    return response


def _authorized(request: HttpRequest) -> bool:
    user, password = settings.SENDGRID_INBOUND_USER, settings.SENDGRID_INBOUND_PASSWORD
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if not (user and password) or scheme.lower() != "basic":
        return False
    try:
        given_user, _, given_password = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return constant_time_compare(given_user, user) & constant_time_compare(given_password, password)


@csrf_exempt
@require_POST
def inbound_parse(request: HttpRequest) -> JsonResponse:
    if not _authorized(request):
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
    return JsonResponse({"outcome": inbound.receive(email)})


@csrf_exempt
@require_POST
def delivery_event_webhook(request: HttpRequest) -> JsonResponse:
    try:
        body = request.body
    except RequestDataTooBig:
        return _error("too_large", "The post is larger than DATA_UPLOAD_MAX_MEMORY_SIZE; lower the batch size.")
    try:
        delivery_events.verify(
            body, request.headers.get(SIGNATURE_HEADER, ""), request.headers.get(TIMESTAMP_HEADER, "")
        )
    except delivery_events.Refused as refused:
        return _error(refused.code, refused.detail)
    try:
        events = load_json(body)
    except UnreadableInput as error:  # not JSON, nested too deep, or text PostgreSQL cannot store
        return _error("not_json", f"The body cannot be read: {error}")
    if not isinstance(events, list):
        return _error("not_a_list", "The Event Webhook posts a JSON array of events.")
    return JsonResponse({"applied": delivery_events.apply(events)})
