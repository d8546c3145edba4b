"""Step-up: whether a session showed a second factor recently enough for a risky step (docs/identity.md, "Step-up").

A tenant names the risk level from which a decision needs it (`Tenant.step_up_risk_level`, empty: off) and how
recent the factor must be (`Tenant.step_up_minutes`). The evidence is allauth's record of the session's sign-in
steps (`allauth.account.authentication`), where a code, a recovery code or a passkey is a "mfa" entry with its type
and time; a trusted browser skips the factor at sign-in and so leaves no such entry: it never counts here.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import PermissionDenied

from tenants.identity.signin.policy import is_enrolled
from tenants.models.tenant import StepUpLevel

LEVELS = [level for level in StepUpLevel.values if level]  # lowest first


@dataclass(frozen=True)
class Factor:
    """The newest second factor a session showed: allauth's type (totp, recovery_codes, webauthn) and when."""

    type: str
    at: datetime

    def as_record(self) -> dict:
        """What the approval's history keeps of it."""
        return {"type": self.type, "at": self.at.isoformat()}


def last_factor(request, user) -> Factor | None:
    """The newest second factor `user` showed in this request's session, at sign-in or re-authenticating."""
    shown = [r for r in get_authentication_records(request, user) if r.get("method") == "mfa" and "at" in r]
    if not shown:
        return None
    newest = max(shown, key=lambda record: record["at"])
    return Factor(str(newest.get("type", "")), datetime.fromtimestamp(newest["at"], tz=UTC))


def api_factor(request) -> Factor | None:
    """An API call's factor: its session's when the session authenticated it; a token never carries one."""
    if not isinstance(request.successful_authenticator, SessionAuthentication):
        return None
    return last_factor(request, request.user)


def is_on(tenant) -> bool:
    return bool(tenant.step_up_risk_level)


def reaches(tenant, risk_level: str) -> bool:
    """Whether a decision at `risk_level` needs a fresh factor under the tenant's policy."""
    if not is_on(tenant) or risk_level not in LEVELS:
        return False
    return LEVELS.index(risk_level) >= LEVELS.index(tenant.step_up_risk_level)


def is_fresh(factor: Factor | None, tenant, *, now: datetime | None = None) -> bool:
    """Shown within the tenant's window; a factor from the future (a clock that moved back) does not count."""
    if factor is None:
        return False
    age = (now or timezone.now()) - factor.at
    return timedelta(0) <= age <= timedelta(minutes=tenant.step_up_minutes)


def satisfied(request, user, tenant) -> bool:
    """For steps that always need it while the tenant's step-up is on (revealing personal data, changing secrets)."""
    return not is_on(tenant) or is_fresh(last_factor(request, user), tenant)


def asked_to_show(user, then: str) -> str:
    """What a step-up wall says before sending `user` on: show your second factor, then `then`; or, to one with no
    factor yet (step_up_url sends them to add one, which counts as showing it), that they must add one first."""
    if is_enrolled(user):
        return _("Confirm it is you with your second factor, then %(then)s.") % {"then": then}
    return _(
        "This needs a second factor, and you have none yet: add one on the next page (an authenticator app or a "
        "security key), then %(then)s."
    ) % {"then": then}


def step_up_url(user, next_url: str) -> str:
    """Where a person shows a second factor and comes back to `next_url`: allauth's MFA re-authentication, or,
    with no factor yet, the MFA page to add one (adding one counts as showing it: tenants.identity.signin.receivers)."""
    page = "mfa_reauthenticate" if is_enrolled(user) else "mfa_index"
    return f"{reverse(page)}?{urlencode({'next': next_url})}"


def require_for_api(request, tenant) -> None:
    """An API call that reveals personal data or changes secrets: 403 `step_up_required` unless its session showed
    a second factor within the tenant's window. A token cannot show one (docs/api.md): the console can."""
    if tenant is None or not is_on(tenant) or is_fresh(api_factor(request), tenant):
        return
    detail = _(
        "This needs a second factor shown in the last %(minutes)s minutes, which an API token cannot show. "
        "Do it in the console, which asks for your second factor."
    ) % {"minutes": tenant.step_up_minutes}
    raise PermissionDenied(
        {"code": "step_up_required", "detail": detail, "console_url": f"{settings.PUBLIC_BASE_URL}/admin/"}
    )
