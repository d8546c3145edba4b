"""Where Walker's events go beyond PostgreSQL: BigQuery destinations, how far each table has been sent to each, and
the ledger of the batches sent (docs/warehouse.md)."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenants.fields import EncryptedTextField
from tenants.scoping import TenantScopedQuerySet


class DestinationStatus(models.TextChoices):
    WAITING = "waiting", _("Not exported yet")
    EXPORTING = "exporting", _("Exporting")
    FAILING = "failing", _("Failing: tried again every run")
    STOPPED = "stopped", _("Stopped: permission denied")


class WarehouseDestination(models.Model):
    """A BigQuery dataset that receives one tenant's rows, or every tenant's (no tenant: the installation's)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey(
        "tenants.Tenant",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("tenant"),
        help_text=_("Empty: the installation's destination, which receives every tenant's rows."),
    )
    project = models.CharField(max_length=63, verbose_name=_("Google Cloud project"))
    dataset_name = models.CharField(max_length=1024, verbose_name=_("BigQuery dataset"))
    location = models.CharField(
        max_length=40,
        default="US",
        verbose_name=_("location"),
        help_text=_("Where the dataset is created if it does not exist yet (US, EU, europe-west1…)."),
    )
    # The service account's JSON key (write-only: typed in the console, stored encrypted, never shown again).
    service_account_key = EncryptedTextField(verbose_name=_("service account key"))
    enabled = models.BooleanField(default=True, verbose_name=_("enabled"))

    status = models.CharField(
        max_length=10, choices=DestinationStatus.choices, default=DestinationStatus.WAITING, verbose_name=_("status")
    )
    status_detail = models.CharField(max_length=1000, blank=True, verbose_name=_("status detail"))
    last_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last attempt at"))
    last_exported_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last export at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("warehouse destination")
        verbose_name_plural = _("warehouse destinations")
        ordering = ["project", "dataset_name"]
        constraints = [
            # Two destinations filling one dataset would write each row twice into the same tables.
            models.UniqueConstraint(fields=["project", "dataset_name"], name="one_destination_per_dataset"),
        ]

    def __str__(self):
        return f"{self.project}.{self.dataset_name}"


class CursorQuerySet(TenantScopedQuerySet):
    tenant_id_field = "destination__tenant_id"


class ExportCursor(models.Model):
    """How far one table has been sent to one destination: the position (time, id) of the last row sent.

    A run claims the cursor with a lease (a conditional UPDATE), so two runs never send the same table to the
    same destination at once; a run that died leaves the lease to expire.
    """

    id = models.BigAutoField(primary_key=True, verbose_name=_("ID"))
    destination = models.ForeignKey(
        WarehouseDestination, on_delete=models.CASCADE, related_name="cursors", verbose_name=_("destination")
    )
    table = models.CharField(max_length=40, verbose_name=_("table"))
    position_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent through"))
    position_id = models.UUIDField(null=True, blank=True, verbose_name=_("last row sent"))
    rows_sent = models.PositiveBigIntegerField(default=0, verbose_name=_("rows sent"))
    lease_token = models.UUIDField(null=True, blank=True, verbose_name=_("lease token"))
    lease_until = models.DateTimeField(null=True, blank=True, verbose_name=_("leased until"))

    objects = CursorQuerySet.as_manager()

    class Meta:
        verbose_name = _("export cursor")
        verbose_name_plural = _("export cursors")
        ordering = ["destination", "table"]
        constraints = [models.UniqueConstraint(fields=["destination", "table"], name="one_cursor_per_table")]

    def __str__(self):
        return f"{self.destination} {self.table}"


class BatchQuerySet(TenantScopedQuerySet):
    tenant_id_field = "cursor__destination__tenant_id"


class ExportBatch(models.Model):
    """One batch of rows sent, recorded before it is sent: rows after (after_at, after_id) through
    (through_at, through_id), loaded by one BigQuery load job whose id is derived from the batch's (`job_id`).
    BigQuery runs one job per id, so sending the batch again (after a crash between sending and recording) finds
    the job already there instead of adding the rows twice. Only a job that failed, which stored nothing, is
    followed by one with the next id (`failed_jobs`)."""

    class State(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("batch ID"))
    cursor = models.ForeignKey(ExportCursor, on_delete=models.CASCADE, related_name="batches", verbose_name=_("cursor"))
    after_at = models.DateTimeField(null=True, blank=True, verbose_name=_("after"))
    after_id = models.UUIDField(null=True, blank=True, verbose_name=_("after row"))
    through_at = models.DateTimeField(verbose_name=_("through"))
    through_id = models.UUIDField(verbose_name=_("through row"))
    rows = models.PositiveIntegerField(verbose_name=_("rows"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.SENDING, verbose_name=_("state"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    failed_jobs = models.PositiveSmallIntegerField(default=0, verbose_name=_("failed load jobs"))
    error = models.TextField(blank=True, verbose_name=_("error"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))

    objects = BatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("export batch")
        verbose_name_plural = _("export batches")
        ordering = ["-created_at"]
        constraints = [
            # A cursor moves through one batch at a time: the one being sent is finished before the next is cut.
            models.UniqueConstraint(
                fields=["cursor"], condition=Q(state="sending"), name="one_batch_sending_per_cursor"
            ),
        ]

    def __str__(self):
        return f"{self.cursor.table} batch {str(self.pk)[:8]}"

    @property
    def job_id(self) -> str:
        """The id of the batch's current load job: the same on every attempt until a job of it fails."""
        return f"walker_{self.pk.hex}_{self.failed_jobs}"
