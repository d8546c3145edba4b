"""allauth's login stages with the tenant's "trust this browser" days instead of one global lifetime."""

from allauth.mfa import stages
from allauth.mfa.webauthn.internal.flows import did_use_passwordless_login

from tenants.identity.signin.policy import browser_trusted, is_enrolled, trust_days

TRUST_DAYS_KEY = "walker_mfa_trust_days"


class AuthenticateStage(stages.AuthenticateStage):
    """Asks for the second factor unless a passkey signed in, or the browser is trusted within the tenant's days."""

    def _should_handle(self, request) -> bool:
        user = self.login.user
        if user is None or not is_enrolled(user):
            return False
        return not did_use_passwordless_login(request, user) and not browser_trusted(request, user)


class TrustStage(stages.TrustStage):
    """Offers "trust this browser" only where the tenant allows it (mfa_trust_days above 0)."""

    def handle(self) -> tuple:
        days = trust_days(self.login.user) if self.login.user is not None else 0
        if not days:
            return None, True
        self.request.session[TRUST_DAYS_KEY] = days  # what the offer says (templates/mfa/trust.html)
        return super().handle()
