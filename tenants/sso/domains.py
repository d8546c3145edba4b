"""Which tenant's provider signs in an address, and whether that address may still sign in with a password."""

from django.utils.translation import gettext as _

from tenants.models import IdentityProvider, SignInDomain


def domain_of(email: str) -> str:
    return (email or "").rpartition("@")[2].strip().lower()


def provider_for_email(email: str) -> IdentityProvider | None:
    """The enabled provider that signs in this address's domain, if any (domains are unique across tenants)."""
    domain = domain_of(email)
    if not domain:
        return None
    found = (
        SignInDomain.objects.select_related("provider__tenant").filter(domain=domain, provider__enabled=True).first()
    )
    return found.provider if found else None


def password_refusal(user) -> str | None:
    """Why this person may not sign in with a password, or None. Only their own tenant's provider decides it, so a
    domain another tenant claimed never locks them out; asked after the password was right, so it tells a stranger
    nothing about who has an account."""
    if user.tenant_id is None:
        return None
    provider = provider_for_email(user.email)
    if provider is None or provider.tenant_id != user.tenant_id or not provider.password_sign_in_disabled:
        return None
    message = _("%(domain)s addresses sign in with their company account: use “Sign in with your company account”.")
    return message % {"domain": domain_of(user.email)}
