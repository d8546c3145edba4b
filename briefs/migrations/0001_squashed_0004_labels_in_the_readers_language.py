"""The briefs app's tables as the 4 migrations up to 0004 left them, in one migration (generated from
the models). A database migrated by the old chain counts it as applied (`replaces`).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("briefs", "0001_initial"),
        ("briefs", "0002_claim_token"),
        ("briefs", "0003_brief_retry"),
        ("briefs", "0004_labels_in_the_readers_language"),
    ]

    dependencies = [
        ("analytics", "0001_squashed_0012_metrics_rated_holder"),
        ("tenants", "0001_squashed_0029_invitations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DailyBrief",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "local_date",
                    models.DateField(help_text="The day in the user's own time zone.", verbose_name="local date"),
                ),
                (
                    "due_at",
                    models.DateTimeField(
                        help_text="When the user's delivery time came that day.", verbose_name="due at"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("sending", "Sending"),
                            ("sent", "Sent"),
                            ("skipped", "Skipped (missed by more than 6 hours)"),
                            ("failed", "Failed"),
                        ],
                        default="sending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent at")),
                ("detail", models.CharField(blank=True, max_length=300, verbose_name="detail")),
                ("attempts", models.PositiveSmallIntegerField(default=1, verbose_name="attempts")),
                (
                    "retry_after",
                    models.DateTimeField(
                        blank=True,
                        help_text="A send the provider could not take (an outage) is tried again from then.",
                        null=True,
                        verbose_name="retry after",
                    ),
                ),
                (
                    "claim",
                    models.UUIDField(
                        blank=True,
                        editable=False,
                        help_text="The run that created the row (a batch learns its own rows).",
                        null=True,
                        verbose_name="claim",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "email",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="analytics.emaildeliverylog",
                        verbose_name="email",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="daily_briefs",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "daily briefs",
                "verbose_name": "daily brief",
                "ordering": ["-local_date", "user_id"],
                "indexes": [
                    models.Index(fields=["local_date"], name="briefs_dail_local_d_71df1e_idx"),
                    models.Index(
                        condition=models.Q(("retry_after__isnull", False)), fields=["retry_after"], name="brief_retry"
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("user", "local_date"), name="one_brief_per_user_and_day")
                ],
            },
        )
    ]
