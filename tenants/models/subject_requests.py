"""Data-protection requests (export, erasure): carried out and recorded."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.when import day
from tenants.fields import EncryptedTextField
from tenants.models.people import User
from tenants.models.tenant import Tenant
from tenants.scoping import TenantScopedQuerySet


class SubjectRequest(models.Model):
    """A person's request under data-protection law, carried out and recorded: an export of everything held
    about them (subject access) or its erasure. The record names who asked, when and why, never the data."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Export (subject access)")
        ERASURE = "erasure", _("Erasure")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    subject = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="subject_requests", verbose_name=_("subject")
    )
    subject_ref = models.CharField(
        max_length=64, help_text=_("The person's id, kept after erasure."), verbose_name=_("subject ref")
    )
    requested_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("requested by")
    )
    requested_by_email = EncryptedTextField(max_length=254, kind="email", verbose_name=_("requested by email"))
    reason = models.TextField(verbose_name=_("reason"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING, verbose_name=_("status"))
    counts = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Rows found (export) or changed (erasure), by kind."),
        verbose_name=_("counts"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("completed at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("subject request")
        verbose_name_plural = _("subject requests")
        ordering = ["-created_at"]
        constraints = [  # one erasure at a time per person: a re-run after a crash resumes the same record
            models.UniqueConstraint(
                fields=["subject_ref"],
                condition=models.Q(kind="erasure", status="running"),
                name="one_running_erasure_per_person",
            )
        ]

    def __str__(self):
        return _("%(kind)s for person %(id)s (%(date)s)") % {
            "kind": self.get_kind_display(),
            "id": self.subject_ref[:8],
            "date": day(self.created_at),
        }
