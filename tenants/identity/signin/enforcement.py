"""The tenant's MFA policy in front of every request (docs/identity.md, "Enforcement").

A signed-in person whose role needs a second factor and who has none is sent to enrol; one who has a factor
but whose session never showed it (a session from before enrolment, or made another way) is sent to
re-authenticate with it. allauth's own login asks enrolled people for their factor, so a normal sign-in never
meets this middleware's redirects.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from tenants.identity.signin.policy import ENROLMENT_REQUIRED, unmet

# Pages a person must reach to satisfy the policy, or that carry no session of theirs (probes, webhooks, signed
# links, static files, the chat widget's assets and the translations every page loads).
EXEMPT_PREFIXES = (
    "/healthz",
    "/readyz",
    "/favicon.ico",
    "/jsi18n/",
    "/i18n/setlang/",
    "/channels/",  # WhatsApp and email webhooks
    "/agents/tools/",  # engines' signed read-tool calls
    "/briefs/unsubscribe/",  # the brief's signed unsubscribe link
)
# allauth's sign-in, sign-out and re-authentication pages, and every MFA page (names starting with "mfa_").
EXEMPT_NAMES = frozenset({"login", "logout", "account_login", "account_logout", "account_reauthenticate"})


def _exempt(request) -> bool:
    path = request.path_info
    if path.startswith((f"/{settings.STATIC_URL.lstrip('/')}", *EXEMPT_PREFIXES)):
        return True
    match = request.resolver_match
    name = match.url_name if match else None
    return bool(name) and (name in EXEMPT_NAMES or name.startswith("mfa_"))


def _refuse(request, code: str, message: str, page: str):
    if request.path_info.startswith("/api/"):
        return JsonResponse({"code": code, "detail": message}, status=403)  # a script cannot enrol; say why
    messages.warning(request, message)
    return HttpResponseRedirect(f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}")


class MFAEnforcementMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or _exempt(request):
            return None  # API token callers are anonymous here: DRF authenticates them in the view
        owed = unmet(request, user)
        if owed is None:
            return None
        if owed == ENROLMENT_REQUIRED:
            message = _("Your role needs a second factor: add an authenticator app or a passkey to continue.")
            return _refuse(request, owed, message, "mfa_index")
        message = _("Confirm it is you with your second factor to continue.")
        return _refuse(request, owed, message, "mfa_reauthenticate")
