"""API errors carry a stable `code` beside `detail`, whatever raised them."""

from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import OperationalError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from psycopg_pool import PoolTimeout
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import WalkerError, http_status

# Answered as DRF answers its own refusals: `{"detail": ..., "code": ...}`; every other status `{"code", "detail"}`.
AS_DRF_REFUSALS = frozenset({HTTPStatus.NOT_FOUND, HTTPStatus.FORBIDDEN})
# Seconds a caller told Walker is busy waits before asking again (Retry-After).
BUSY_RETRY_AFTER = 5


def exception_handler(exc, context):
    """DRF's handler; a `{"detail": ...}` answer (parse errors, 403, 404, throttling...) also gets its `code`."""
    if isinstance(exc, WalkerError):  # Walker's refusals, at the status their code answers (core.errors)
        exc = _as_api_exception(exc)
    elif isinstance(exc, Http404):  # as DRF's handler does, so the code is known here too
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif _no_connection_in_time(exc):
        exc = _as_api_exception(WalkerError("busy", "Walker is busy: try again in a few seconds."))
        exc.wait = BUSY_RETRY_AFTER  # DRF's handler sends it as Retry-After
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and set(response.data) == {"detail"}:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        if isinstance(codes, str):
            response.data["code"] = codes
    return response


def _no_connection_in_time(exc) -> bool:
    """Django's error for a database pool that gave no connection within its timeout: overload, not a fault."""
    return isinstance(exc, OperationalError) and isinstance(exc.__cause__, PoolTimeout)


def _as_api_exception(error: WalkerError) -> exceptions.APIException:
    status = http_status(error.code)
    if status in AS_DRF_REFUSALS:
        answer = exceptions.APIException(error.detail, code=error.code)
    else:
        answer = exceptions.APIException({"code": error.code, "detail": error.detail})
    answer.status_code = status
    return answer


@csrf_exempt  # whatever the method: nothing happens here
def api_not_found(request):
    """An /api/ path that names no endpoint: JSON like every other API error, not Django's HTML page."""
    return JsonResponse({"code": "not_found", "detail": "No such endpoint or object."}, status=404)
