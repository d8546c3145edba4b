"""Walker's allauth adapters: no signup, one lockout per form, the tenant's policy in the login stages, password
sign-in refused where the tenant's provider alone signs in, allauth's emails (the password reset) through Walker's
provider in the person's language, and second-factor secrets encrypted like every other secret Walker keeps."""

from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django import forms
from django.conf import settings
from django.utils import translation

from tenants import crypto
from tenants.identity.sso.domains import password_refusal

# allauth's MFA step and its "trust this browser" offer, replaced by ones that read the tenant's policy.
STAGE_OVERRIDES = {
    "allauth.mfa.stages.AuthenticateStage": "tenants.identity.signin.stages.AuthenticateStage",
    "allauth.mfa.stages.TrustStage": "tenants.identity.signin.stages.TrustStage",
}


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False  # accounts are made by admins

    def pre_authenticate(self, request, **credentials) -> None:
        """allauth counts wrong passwords here; django-axes already does (its backend runs first), so two
        lockouts would fight over one form. allauth's limit still counts wrong codes (the MFA step)."""

    def authenticate(self, request, **credentials):
        """A right password is still refused where the person's tenant signs its domain in through its provider
        only (tenants.identity.sso.domains): the form says so."""
        user = super().authenticate(request, **credentials)
        if user is not None and (refusal := password_refusal(user)):
            raise forms.ValidationError(refusal, code="password_sign_in_disabled")
        return user

    def get_login_stages(self) -> list[str]:
        return [STAGE_OVERRIDES.get(path, path) for path in super().get_login_stages()]

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's email in the person's language, sent by Walker's provider backend with a delivery log row for
        the person (channels_app.email.backend reads `message.walker`). allauth finds the person for a password
        reset by `User.email`, which Walker compares by keyed hash (tenants.fields): its EmailAddress table stays
        empty."""
        person = context.get("user")
        language = getattr(person, "language", "") or translation.get_language()
        with translation.override(language):
            site = SimpleNamespace(name="Walker", domain=urlsplit(settings.PUBLIC_BASE_URL).netloc)
            ctx = {"request": self.request, "email": email, "current_site": site, **context}
            message = self.render_mail(template_prefix, email, ctx)
        if person is not None:
            message.walker = {"tenant_id": person.tenant_id, "user_id": person.pk}
        message.send()


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are Fernet tokens under ENCRYPTION_KEYS (rotated with the rest:
    tenants.apps registers their JSON keys)."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)
