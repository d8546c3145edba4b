"""Named, long-lived API tokens for integrations: scoped, expiring, revocable, never stored in clear."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.models.people import User
from tenants.models.tenant import Tenant
from tenants.roles import Role


class IntegrationTokenQuerySet(models.QuerySet):
    def for_user(self, user):
        """A tenant admin sees the tenant's tokens, anyone else their own; a platform superuser all."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        if user.role == Role.ADMIN and user.tenant_id is not None:
            return self.filter(tenant_id=user.tenant_id)
        return self.filter(owner=user)


class IntegrationToken(models.Model):
    """`wk_<random>`, shown once when made; only its keyed hash (tenants.identity.integration_tokens) is kept. It
    acts as its
    owner, never beyond: their role applies on every request, and its scopes narrow what it may do."""

    class Scope(models.TextChoices):
        READ = "read", _("read")
        WRITE = "write", _("write")
        DECIDE = "decide", _("decide approvals")
        REQUEST = "request", _("request approvals")  # an agent outside Walker asking (hitl.approval_requests_api)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )
    owner = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="integration_tokens", verbose_name=_("owner")
    )
    name = models.CharField(max_length=100, verbose_name=_("name"))
    scopes = models.JSONField(default=list, verbose_name=_("scopes"))
    prefix = models.CharField(max_length=16, editable=False, verbose_name=_("prefix"))
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False, verbose_name=_("created at"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("last used at"))
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("revoked at"))

    objects = IntegrationTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("integration token")
        verbose_name_plural = _("integration tokens")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "owner"])]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
