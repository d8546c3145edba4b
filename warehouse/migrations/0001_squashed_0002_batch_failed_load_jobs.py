"""The warehouse app's tables as the 2 migrations up to 0002 left them, in one migration (generated from
the models). A database migrated by the old chain counts it as applied (`replaces`).
"""

import uuid

import django.db.models.deletion
from django.db import migrations, models

import tenants.fields


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("warehouse", "0001_initial"),
        ("warehouse", "0002_batch_failed_load_jobs"),
    ]

    dependencies = [
        ("tenants", "0001_squashed_0029_invitations"),
    ]

    operations = [
        migrations.CreateModel(
            name="WarehouseDestination",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("project", models.CharField(max_length=63, verbose_name="Google Cloud project")),
                ("dataset_name", models.CharField(max_length=1024, verbose_name="BigQuery dataset")),
                (
                    "location",
                    models.CharField(
                        default="US",
                        help_text="Where the dataset is created if it does not exist yet (US, EU, europe-west1…).",
                        max_length=40,
                        verbose_name="location",
                    ),
                ),
                ("service_account_key", tenants.fields.EncryptedTextField(verbose_name="service account key")),
                ("enabled", models.BooleanField(default=True, verbose_name="enabled")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("waiting", "Not exported yet"),
                            ("exporting", "Exporting"),
                            ("failing", "Failing: tried again every run"),
                            ("stopped", "Stopped: permission denied"),
                        ],
                        default="waiting",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("status_detail", models.CharField(blank=True, max_length=1000, verbose_name="status detail")),
                ("last_attempt_at", models.DateTimeField(blank=True, null=True, verbose_name="last attempt at")),
                ("last_exported_at", models.DateTimeField(blank=True, null=True, verbose_name="last export at")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "tenant",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty: the installation's destination, which receives every tenant's rows.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "warehouse destinations",
                "verbose_name": "warehouse destination",
                "ordering": ["project", "dataset_name"],
                "constraints": [
                    models.UniqueConstraint(fields=("project", "dataset_name"), name="one_destination_per_dataset")
                ],
            },
        ),
        migrations.CreateModel(
            name="ExportCursor",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False, verbose_name="ID")),
                ("table", models.CharField(max_length=40, verbose_name="table")),
                ("position_at", models.DateTimeField(blank=True, null=True, verbose_name="sent through")),
                ("position_id", models.UUIDField(blank=True, null=True, verbose_name="last row sent")),
                ("rows_sent", models.PositiveBigIntegerField(default=0, verbose_name="rows sent")),
                ("lease_token", models.UUIDField(blank=True, null=True, verbose_name="lease token")),
                ("lease_until", models.DateTimeField(blank=True, null=True, verbose_name="leased until")),
                (
                    "destination",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="cursors",
                        to="warehouse.warehousedestination",
                        verbose_name="destination",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "export cursors",
                "verbose_name": "export cursor",
                "ordering": ["destination", "table"],
                "constraints": [models.UniqueConstraint(fields=("destination", "table"), name="one_cursor_per_table")],
            },
        ),
        migrations.CreateModel(
            name="ExportBatch",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="batch ID"
                    ),
                ),
                ("after_at", models.DateTimeField(blank=True, null=True, verbose_name="after")),
                ("after_id", models.UUIDField(blank=True, null=True, verbose_name="after row")),
                ("through_at", models.DateTimeField(verbose_name="through")),
                ("through_id", models.UUIDField(verbose_name="through row")),
                ("rows", models.PositiveIntegerField(verbose_name="rows")),
                (
                    "state",
                    models.CharField(
                        choices=[("sending", "Sending"), ("sent", "Sent")],
                        default="sending",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                ("failed_jobs", models.PositiveSmallIntegerField(default=0, verbose_name="failed load jobs")),
                ("error", models.TextField(blank=True, verbose_name="error")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent at")),
                (
                    "cursor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="batches",
                        to="warehouse.exportcursor",
                        verbose_name="cursor",
                    ),
                ),
            ],
            options={
                "verbose_name": "export batch",
                "verbose_name_plural": "export batches",
                "ordering": ["-created_at"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("state", "sending")),
                        fields=("cursor",),
                        name="one_batch_sending_per_cursor",
                    )
                ],
            },
        ),
    ]
