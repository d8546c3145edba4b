"""Who is trying to sign in, for django-axes' lockout: the account named and the client's address.

The address follows the API throttles' rule (DRF's NUM_PROXIES): X-Forwarded-For
counts only as far as our own proxies wrote it, so a client cannot rotate it.
"""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from rest_framework.throttling import BaseThrottle

from tenants.fields import hash_of


def client_ip(request) -> str | None:
    return BaseThrottle().get_ident(request) or None


def attempted_username(request, credentials: dict | None) -> str | None:
    """The email tried (`email` from allauth's sign-in form and the API, `login` when axes names a signed-in
    account), as its keyed hash: attempts are counted per address, case-insensitively, and axes' records hold
    no address."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    if value is None and request is not None:
        value = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    return hash_of("email", value) if isinstance(value, str) and value.strip() else None


LOCKED = "Too many wrong passwords for this account or from this address; sign-in is locked for a while."


def lockout_response(request, *args):
    """What a locked-out login gets: JSON with a code for the API, a page for the admin; both 429."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "locked_out", "detail": f"{LOCKED} Ask an administrator to unlock it."}, status=429
        )
    return render(request, "admin/locked_out.html", {"failure_limit": settings.AXES_FAILURE_LIMIT}, status=429)


# --- what the sign-in records hold of a person, for subject requests (tenants.privacy.personal_data) -----------------

SIGN_IN_RECORDS = (AccessAttempt, AccessFailureLog, AccessLog)


def export_sign_ins(person) -> list[dict]:
    """The failed sign-ins counted against the person's address (it is registered before the profile, which
    erasure anonymises: the records are found by the keyed hash of the address)."""
    theirs = hash_of("email", person.email)
    return [
        {"at": row.attempt_time.isoformat(), "kind": str(model._meta.verbose_name), "from": row.ip_address}
        for model in SIGN_IN_RECORDS
        for row in model.objects.filter(username=theirs).order_by("attempt_time")
    ]


def erase_sign_ins(person, now) -> int:
    theirs = hash_of("email", person.email)
    return sum(model.objects.filter(username=theirs).delete()[0] for model in SIGN_IN_RECORDS)
