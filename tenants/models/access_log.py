"""The append-only record of who read what personal data."""

import uuid

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.models.people import User
from tenants.models.tenant import Tenant
from tenants.scoping import TenantScopedQuerySet


class AccessLogQuerySet(TenantScopedQuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("Access records cannot be changed.")

    def delete(self):
        raise PermissionDenied("Access records cannot be deleted.")


class AccessLog(models.Model):
    """Who looked at what personal data, when, from where. Append-only: nothing changes or deletes a row.

    Foreign keys carry no database constraint and do nothing on delete, so removing a user
    or a tenant never rewrites the record; the keyed hash of the actor's email is kept beside their id, so
    their records are found by address even after their account is erased, with no address stored.
    """

    class Action(models.TextChoices):
        VIEWED = "viewed", _("Viewed")
        EXPORTED = "exported", _("Exported (masked)")
        PII_ACCESSED = "pii_accessed", _("Revealed personal data")

    class Sensitivity(models.TextChoices):
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey(
        Tenant, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("tenant")
    )
    actor = models.ForeignKey(
        User, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("actor")
    )
    actor_ref = models.CharField(
        max_length=64, db_index=True, help_text=_("Keyed hash of the actor's email."), verbose_name=_("actor ref")
    )
    action = models.CharField(max_length=20, choices=Action.choices, verbose_name=_("action"))
    sensitivity = models.CharField(
        max_length=10, choices=Sensitivity.choices, default=Sensitivity.NORMAL, verbose_name=_("sensitivity")
    )
    object_type = models.CharField(max_length=100, help_text=_("app.model"), verbose_name=_("object type"))
    object_id = models.CharField(max_length=64, verbose_name=_("object ID"))
    object_repr = models.CharField(max_length=200, verbose_name=_("object"))
    object_ids = models.JSONField(
        default=list, blank=True, help_text=_("The rows a list read showed."), verbose_name=_("object IDs")
    )
    reason = models.TextField(
        blank=True, help_text=_("Why, as the reader said when revealing personal data."), verbose_name=_("reason")
    )
    path = models.CharField(max_length=500, verbose_name=_("path"))
    ip_address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("IP address"))
    user_agent = models.CharField(max_length=300, blank=True, verbose_name=_("user agent"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("when"))

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log")
        verbose_name_plural = _("access log")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "-created_at"]), models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.actor or 'someone'} {self.get_action_display().lower()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied("Access records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Access records cannot be deleted.")
