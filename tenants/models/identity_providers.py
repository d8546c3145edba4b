"""Single sign-on: a tenant's OpenID Connect provider and the email domains it signs in (docs/identity.md)."""

import re
import secrets
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.fields import EncryptedTextField
from tenants.models.tenant import Tenant
from tenants.outbound import validate_outbound_url
from tenants.roles import Role
from tenants.scoping import TenantScopedQuerySet

# allauth's sub-provider id names the tenant, never its slug (which may change): the redirect URI the tenant registers
# at its provider and the SocialAccount rows keep it.
PROVIDER_ID_PREFIX = "tenant-"
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$", re.IGNORECASE)


def validate_domain(value: str) -> None:
    if not DOMAIN_RE.match(value):
        raise ValidationError(_("Enter a domain such as example.com (no @, no scheme)."), code="invalid_domain")


class IdentityProviderQuerySet(TenantScopedQuerySet):
    def enabled(self):
        return self.filter(enabled=True)


class IdentityProvider(models.Model):
    """One per tenant. The client secret is encrypted at rest and only ever decrypted in memory, into the unsaved
    allauth SocialApp a sign-in builds (tenants.identity.sso.apps)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.OneToOneField(
        Tenant, on_delete=models.CASCADE, related_name="identity_provider", verbose_name=_("tenant")
    )
    issuer = models.URLField(
        max_length=500,
        validators=[validate_outbound_url],
        help_text=_("The provider's issuer URL; Walker reads <issuer>/.well-known/openid-configuration. https only."),
        verbose_name=_("issuer URL"),
    )
    client_id = models.CharField(max_length=255, verbose_name=_("client ID"))
    client_secret = EncryptedTextField(max_length=500, verbose_name=_("client secret"))
    default_role = models.CharField(
        max_length=20,
        choices=Role.choices,
        default=Role.MEMBER,
        help_text=_("The role of an account made at its first sign-in through this provider."),
        verbose_name=_("role of new accounts"),
    )
    password_sign_in_disabled = models.BooleanField(
        default=False,
        help_text=_("People with an address in the domains below sign in through the provider only."),
        verbose_name=_("password sign-in disabled"),
    )
    enabled = models.BooleanField(default=True, verbose_name=_("enabled"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = IdentityProviderQuerySet.as_manager()

    class Meta:
        verbose_name = _("single sign-on provider")
        verbose_name_plural = _("single sign-on providers")

    def __str__(self):
        return str(self.tenant)

    @property
    def provider_id(self) -> str:
        return f"{PROVIDER_ID_PREFIX}{self.tenant_id}"

    def clean(self):
        super().clean()
        self.issuer = self.issuer.rstrip("/")


def new_verification_token() -> str:
    return secrets.token_urlsafe(24)


TXT_RECORD_PREFIX = "walker-verification="


class SignInDomain(models.Model):
    """An email domain whose people sign in through one tenant's provider, once the tenant has proven it owns it
    (tenants.identity.sso.domain_proof). Any tenant may claim a domain; only one may prove it (the partial unique
    constraint),
    so a claim never blocks the domain's real owner."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="domains", verbose_name=_("provider")
    )
    domain = models.CharField(max_length=253, validators=[validate_domain], verbose_name=_("email domain"))
    verification_token = models.CharField(
        max_length=64, default=new_verification_token, editable=False, verbose_name=_("verification token")
    )
    verified_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("proven at"))

    class Meta:
        verbose_name = _("email domain")
        verbose_name_plural = _("email domains")
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "domain"], name="tenants_signindomain_once_per_provider"),
            models.UniqueConstraint(
                fields=["domain"],
                condition=models.Q(verified_at__isnull=False),
                name="tenants_signindomain_one_proven_owner",
            ),
        ]

    def __str__(self):
        return self.domain

    def save(self, *args, **kwargs):
        """A domain changed is a new claim: unproven, with a new token (the old proof was for another domain)."""
        self.domain = self.domain.strip().lower()
        if self.pk and self.verified_at is not None:
            stored = SignInDomain.objects.filter(pk=self.pk).values_list("domain", flat=True).first()
            if stored is not None and stored != self.domain:
                self.verified_at, self.verification_token = None, new_verification_token()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.domain = self.domain.strip().lower()

    @property
    def txt_record(self) -> str:
        """The TXT record that proves the domain, at the domain itself or at _walker.<domain>."""
        return f"{TXT_RECORD_PREFIX}{self.verification_token}"
