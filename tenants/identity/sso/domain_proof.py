"""Proving a sign-in domain: its tenant publishes `walker-verification=<token>` as a TXT record at the domain or at
`_walker.<domain>`, and Walker reads it through the resolver of settings (SSO_DNS_NAMESERVERS, SSO_DNS_PORT; the
system's when none is set). Until then the domain routes nobody (tenants.identity.sso.domains.provider_for_email)."""

import dns.exception
import dns.resolver
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenants.identity.sso.domains import claim_refusal
from tenants.models import SignInDomain
from tenants.models.identity_providers import TXT_RECORD_PREFIX

WALKER_LABEL = "_walker"


class DomainProofRefused(Exception):
    """The domain is not proven; the message says why, for the tenant's admin."""


def record_names(domain: str) -> list[str]:
    return [domain, f"{WALKER_LABEL}.{domain}"]


def prove(claim: SignInDomain) -> None:
    """Marks the domain proven, or DomainProofRefused saying why."""
    refusal = claim_refusal(claim.domain, claim.provider.tenant_id)
    if refusal:
        raise DomainProofRefused(refusal)
    found = [value for name in record_names(claim.domain) for value in _txt_values(name)]
    if claim.txt_record not in found:
        if any(value.startswith(TXT_RECORD_PREFIX) for value in found):
            raise DomainProofRefused(
                _("%(domain)s holds another Walker token: replace it with %(record)s.")
                % {"domain": claim.domain, "record": claim.txt_record}
            )
        raise DomainProofRefused(
            _("No TXT record %(record)s was found at %(names)s: add it at your DNS host, and try again once it shows.")
            % {"record": claim.txt_record, "names": _(" or ").join(record_names(claim.domain))}
        )
    try:
        with transaction.atomic():
            SignInDomain.objects.filter(pk=claim.pk).update(verified_at=timezone.now())
    except IntegrityError:  # another company proved it a moment ago
        raise DomainProofRefused(_("This domain already signs in through another provider.")) from None
    claim.refresh_from_db(fields=["verified_at"])


def _resolver() -> dns.resolver.Resolver:
    try:
        resolver = dns.resolver.Resolver(configure=not settings.SSO_DNS_NAMESERVERS)
    except dns.resolver.NoResolverConfiguration:
        raise DomainProofRefused(_("The domain could not be checked: Walker has no DNS resolver set up.")) from None
    if settings.SSO_DNS_NAMESERVERS:
        resolver.nameservers = list(settings.SSO_DNS_NAMESERVERS)
    resolver.port = settings.SSO_DNS_PORT
    resolver.lifetime = settings.SSO_DNS_TIMEOUT_SECONDS
    return resolver


def _txt_values(name: str) -> list[str]:
    """The TXT strings at `name` (a record's pieces joined), none when the name or the record does not exist."""
    try:
        answer = _resolver().resolve(name, "TXT")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except dns.exception.DNSException:  # a timeout, no nameserver answering, a malformed answer
        raise DomainProofRefused(
            _("%(name)s could not be checked: the DNS servers did not answer. Try again later.") % {"name": name}
        ) from None
    return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]
