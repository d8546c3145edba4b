"""Invitations: an admin asks someone to join a tenant with a role; the link in the email makes the account."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.fields import EncryptedTextField, HashedFieldsMixin, KeyedHashField
from tenants.models.people import User
from tenants.models.tenant import Tenant
from tenants.pii import mask
from tenants.roles import Role
from tenants.scoping import TenantScopedQuerySet


class Invitation(HashedFieldsMixin, models.Model):
    """One person asked to join one tenant with one role. The address is stored as people's are (encrypted, with a
    keyed hash to find it). Status is derived from the dates: accepted, revoked, expired, else pending."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("tenant"))
    email = EncryptedTextField(max_length=254, kind="email", hash_field="email_hash", verbose_name=_("email"))
    email_hash = KeyedHashField(of="email", db_index=True, verbose_name=_("email hash"))
    role = models.CharField(max_length=20, choices=Role.choices, verbose_name=_("role"))
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        help_text=_("The language of the invitation email and of the new account."),
        verbose_name=_("language"),
    )
    invited_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last sent at"))
    sends = models.PositiveSmallIntegerField(default=0, verbose_name=_("emails sent"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    accepted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("accepted at"))
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("account")
    )
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["invited_by", "created_at"])]
        constraints = [
            # One open invitation per address and tenant: inviting again is "resend".
            models.UniqueConstraint(
                fields=["tenant", "email_hash"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_address",
                violation_error_message="This address already has an open invitation to the tenant.",
            ),
        ]

    def __str__(self):
        return mask(self.email)

    def status_at(self, now) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        return self.Status.EXPIRED if self.expires_at <= now else self.Status.PENDING

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())
