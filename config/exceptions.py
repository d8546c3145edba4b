"""API errors carry a stable `code` beside `detail`, whatever raised them."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from tenants.access import AccessDenied


def exception_handler(exc, context):
    """DRF's handler; a `{"detail": ...}` answer (parse errors, 403, 404, throttling...) also gets its `code`."""
    if isinstance(exc, AccessDenied):  # the access layer's refusals: outside what you may see 404, not allowed 403
        refusal = {"not_found": exceptions.NotFound, "forbidden": exceptions.PermissionDenied}.get(exc.code)
        exc = (
            refusal(exc.detail, code=exc.code)
            if refusal
            else exceptions.ValidationError({"code": exc.code, "detail": exc.detail})
        )
    elif isinstance(exc, Http404):  # as DRF's handler does, so the code is known here too
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and set(response.data) == {"detail"}:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        if isinstance(codes, str):
            response.data["code"] = codes
    return response


@csrf_exempt  # whatever the method: nothing happens here
def api_not_found(request):
    """An /api/ path that names no endpoint: JSON like every other API error, not Django's HTML page."""
    return JsonResponse({"code": "not_found", "detail": "No such endpoint or object."}, status=404)
