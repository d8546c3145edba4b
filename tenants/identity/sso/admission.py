"""Who a provider's sign-in lets in (SocialAccountAdapter.pre_social_login): the rules of docs/identity.md.

allauth has verified the ID token (tenants.identity.sso.provider) before these run. Refusals answer with a page
saying why;
nothing is created or linked.
"""

import logging

from allauth.core.exceptions import ImmediateHttpResponse
from django.db import IntegrityError, transaction
from django.shortcuts import render
from django.utils.translation import gettext as _

from tenants.identity import invitations
from tenants.identity.sso.domains import domain_of
from tenants.identity.sso.social_apps import TENANT_SETTING
from tenants.models import IdentityProvider, User

logger = logging.getLogger(__name__)


def refuse(request, reason: str, code: str):
    """Ends the sign-in with a page that says why (403). The log names the code, never the address."""
    logger.info("single sign-on refused: %s", code)
    response = render(request, "account/company_sign_in_refused.html", {"reason": reason}, status=403)
    raise ImmediateHttpResponse(response)


def admit(request, sociallogin) -> None:
    """Lets the sign-in go on (linking or preparing the account), or refuses it."""
    provider = IdentityProvider.objects.select_related("tenant").get(
        tenant_id=sociallogin.provider.app.settings[TENANT_SETTING]
    )
    address = sociallogin.email_addresses[0] if sociallogin.email_addresses else None
    if address is None:
        refuse(
            request,
            _("Your company's provider did not send your email address, so Walker cannot sign you in."),
            "no_email",
        )
    domain = domain_of(address.email)
    if not provider.domains.filter(domain=domain, verified_at__isnull=False).exists():  # proven domains only
        refuse(
            request, _("This provider does not sign in %(domain)s addresses.") % {"domain": domain}, "foreign_domain"
        )

    if sociallogin.is_existing:  # this provider account signed in before: its Walker account
        _check_account(request, sociallogin.user, provider)
        return
    person = User.objects.filter(email__iexact=address.email).first()
    if person is None:
        if not address.verified:
            refuse(
                request,
                _(
                    "Your company's provider has not verified your address, so Walker cannot make your account. Ask "
                    "your provider's admin to verify it."
                ),
                "unverified_email",
            )
        invitation = invitations.open_invitation(provider.tenant, address.email)
        sociallogin.user.tenant = provider.tenant
        sociallogin.user.role = invitation.role if invitation else provider.default_role
        if invitation:
            sociallogin.user.language = invitation.language
        sociallogin.user.email = address.email
        return  # allauth then makes the account (SocialAccountAdapter.save_user)
    _check_account(request, person, provider)
    if not address.verified:
        refuse(
            request,
            _(
                "A Walker account with this address exists, and your company's provider has not verified the address, "
                "so it cannot be linked. Ask your provider's admin to verify it, or sign in with your password."
            ),
            "unverified_email",
        )
    try:
        with transaction.atomic():
            sociallogin.connect(request, person)
    except IntegrityError:  # the same person's other sign-in linked it a moment ago
        refuse_raced(request)


def refuse_raced(request):
    refuse(
        request, _("Another sign-in of yours was setting up this account at the same moment: sign in again."), "raced"
    )


def _check_account(request, person, provider) -> None:
    if person.tenant_id != provider.tenant_id:
        refuse(
            request,
            _("The Walker account with this address does not belong to this company: sign in with your password."),
            "other_tenant",
        )
    if not person.is_active:
        refuse(request, _("This account is disabled. Ask an admin of your company to enable it."), "inactive")
