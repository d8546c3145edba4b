"""Who is trying to sign in, for django-axes' lockout: the account named and the client's address.

The address follows the API throttles' rule (DRF's NUM_PROXIES): X-Forwarded-For
counts only as far as our own proxies wrote it, so a client cannot rotate it.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from rest_framework.throttling import BaseThrottle

from tenants.fields import hash_of


def client_ip(request) -> str | None:
    return BaseThrottle().get_ident(request) or None


def attempted_username(request, credentials: dict | None) -> str | None:
    """The email tried (`username` from the admin form, `email` from the API), as its keyed hash: attempts
    are counted per address, case-insensitively, and axes' records hold no address."""
    credentials = credentials or {}
    value = credentials.get("username") or credentials.get("email")
    if value is None and request is not None:
        value = request.POST.get("username")
    return hash_of("email", value) if isinstance(value, str) and value.strip() else None


LOCKED = "Too many wrong passwords for this account or from this address; sign-in is locked for a while."


def lockout_response(request, *args):
    """What a locked-out login gets: JSON with a code for the API, a page for the admin; both 429."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "locked_out", "detail": f"{LOCKED} Ask an administrator to unlock it."}, status=429
        )
    return render(request, "admin/locked_out.html", {"failure_limit": settings.AXES_FAILURE_LIMIT}, status=429)
