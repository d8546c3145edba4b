"""Settings that leave a tenant exposed, for its people to put right: each a sentence and a link to the setting, or
None; `key` names it in the page. The console's first page lists them under "Needs attention" (config.landing)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from tenants.models import SignInDomain
from tenants.roles import Role


def mfa_off_notice(user) -> dict | None:
    """The demo tenant, and tenants that existed before MFA came, start with it off: the console says so and
    links the setting (docs/identity.md)."""
    tenant = user.tenant if user.tenant_id else None
    if tenant is None or tenant.mfa_required_roles:
        return None
    return {
        "key": "mfa-off",
        "text": _("MFA is off for this tenant: anyone signs in with a password alone."),
        "link": reverse("admin:tenants_tenant_change", args=[tenant.pk]) + "#mfa_required_roles",
        "link_text": _("Turn it on in the tenant's settings (roles that need a second factor)"),
    }


def step_up_off_notice(user) -> dict | None:
    """Like MFA's: the demo tenant and tenants from before step-up start without it, and the console says so."""
    tenant = user.tenant if user.tenant_id else None
    if tenant is None or tenant.step_up_risk_level:
        return None
    return {
        "key": "step-up-off",
        "text": _("Step-up is off: risky decisions and reveals of personal data need no fresh second factor."),
        "link": reverse("admin:tenants_tenant_change", args=[tenant.pk]) + "#step_up_risk_level",
        "link_text": _("Turn it on in the tenant's settings (step-up from risk level)"),
    }


def unproven_domains_notice(user) -> dict | None:
    """A tenant's single sign-on domains sign nobody in until proven (tenants migration 0030 made every existing one
    unproven): the console names them to its admins, linking the provider's page, where "Verify domains" proves them."""
    if not user.tenant_id or user.role != Role.ADMIN:
        return None
    unproven = list(
        SignInDomain.objects.filter(provider__tenant_id=user.tenant_id, verified_at__isnull=True).values_list(
            "domain", "provider_id"
        )
    )
    if not unproven:
        return None
    return {
        "key": "sso-domains-unproven",
        "text": _("Single sign-on does not sign in %(domains)s addresses until your company proves it owns them.")
        % {"domains": ", ".join(domain for domain, _provider in unproven)},
        "link": reverse("admin:tenants_identityprovider_change", args=[unproven[0][1]]),
        "link_text": _("Publish each domain's TXT record, then “Verify domains”"),
    }
