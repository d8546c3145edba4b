"""The channels_app app's tables as the 10 migrations up to 0010 left them, in one migration (generated from
the models). A database migrated by the old chain counts it as applied (`replaces`).

Dropped with the old files, as they only rewrote rows a new database does not have: 0003, 0004 (encrypt
WhatsApp contacts' and sends' numbers), 0007 (encrypt inbound emails' attachment names), 0008 (forget WhatsApp
profile names).
"""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import tenants.fields


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("channels_app", "0001_processed_inbound_email"),
        ("channels_app", "0002_whatsapp"),
        ("channels_app", "0003_encrypt_whatsapp_contacts"),
        ("channels_app", "0004_encrypt_whatsapp_sends"),
        ("channels_app", "0005_whatsapp_receipt_brief"),
        ("channels_app", "0006_email_answers_once_a_day"),
        ("channels_app", "0007_encrypt_email_attachment_names"),
        ("channels_app", "0008_forget_whatsapp_profile_names"),
        ("channels_app", "0009_labels_in_the_readers_language"),
        ("channels_app", "0010_rating_receipt"),
    ]

    dependencies = [
        ("conversations", "0001_squashed_0010_inbox_labels_canned"),
        ("hitl", "0001_squashed_0031_slack_message_failures_and_refused_token"),
        ("tenants", "0001_squashed_0029_invitations"),
    ]

    operations = [
        migrations.CreateModel(
            name="AnsweredSender",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("address_hash", models.CharField(max_length=64, verbose_name="address hash")),
                ("day", models.DateField(verbose_name="day")),
            ],
            options={
                "verbose_name_plural": "answered senders",
                "verbose_name": "answered sender",
                "constraints": [models.UniqueConstraint(fields=("address_hash", "day"), name="one_auto_answer_a_day")],
            },
        ),
        migrations.CreateModel(
            name="ProcessedInboundEmail",
            fields=[
                (
                    "message_id",
                    models.CharField(max_length=255, primary_key=True, serialize=False, verbose_name="message ID"),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("command", "Command"),
                            ("unknown_sender", "Unknown sender"),
                            ("unverified", "Known address, sender not proven (no aligned SPF or DKIM pass)"),
                            ("ignored", "Ignored (automatic reply)"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("received_at", models.DateTimeField(auto_now_add=True, verbose_name="received at")),
                (
                    "tenant",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "processed inbound emails",
                "verbose_name": "processed inbound email",
                "ordering": ["-received_at"],
            },
        ),
        migrations.CreateModel(
            name="WhatsAppReceipt",
            fields=[
                (
                    "message_sid",
                    models.CharField(max_length=64, primary_key=True, serialize=False, verbose_name="message SID"),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("unknown_sender", "Unknown or unverified sender"),
                            ("verification", "Verification code"),
                            ("decision", "Approval decision"),
                            ("brief", "Daily brief asked for"),
                            ("rating", "Satisfaction rating"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("outcome", models.CharField(blank=True, max_length=300, verbose_name="outcome")),
                ("received_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="received at")),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={"verbose_name_plural": "WhatsApp receipts", "verbose_name": "WhatsApp receipt"},
        ),
        migrations.CreateModel(
            name="WhatsAppSender",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "number",
                    models.CharField(
                        help_text="The WhatsApp-enabled Twilio number, with its country code.",
                        max_length=32,
                        unique=True,
                        verbose_name="number",
                    ),
                ),
                (
                    "messaging_service_sid",
                    models.CharField(
                        blank=True,
                        help_text="Optional Twilio Messaging Service (MG…) to send through instead.",
                        max_length=34,
                        verbose_name="messaging service SID",
                    ),
                ),
                (
                    "tenant",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="whatsapp_sender",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={"verbose_name_plural": "WhatsApp numbers", "verbose_name": "WhatsApp number"},
        ),
        migrations.CreateModel(
            name="WhatsAppContact",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "phone",
                    tenants.fields.EncryptedTextField(
                        hash_field="phone_hash", kind="phone", max_length=32, verbose_name="phone"
                    ),
                ),
                ("phone_hash", tenants.fields.KeyedHashField(of="phone", verbose_name="phone hash")),
                ("last_inbound_at", models.DateTimeField(verbose_name="last inbound at")),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "WhatsApp contacts",
                "verbose_name": "WhatsApp contact",
                "constraints": [
                    models.UniqueConstraint(fields=("tenant", "phone_hash"), name="one_whatsapp_contact_per_phone")
                ],
            },
            bases=(tenants.fields.HashedFieldsMixin, models.Model),
        ),
        migrations.CreateModel(
            name="WhatsAppSend",
            fields=[
                ("sid", models.CharField(max_length=64, primary_key=True, serialize=False, verbose_name="SID")),
                ("part", models.PositiveSmallIntegerField(default=1, verbose_name="part")),
                ("to", tenants.fields.EncryptedTextField(kind="phone", max_length=32, verbose_name="to")),
                ("template_sid", models.CharField(blank=True, max_length=34, verbose_name="template SID")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "Queued"),
                            ("sent", "Sent"),
                            ("delivered", "Delivered"),
                            ("read", "Read"),
                            ("failed", "Failed"),
                        ],
                        default="queued",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("error_code", models.CharField(blank=True, max_length=10, verbose_name="error code")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="created at")),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="updated at")),
                (
                    "message",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="whatsapp_sends",
                        to="conversations.message",
                        verbose_name="message",
                    ),
                ),
                (
                    "notification",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="hitl.hitlnotification",
                        verbose_name="notification",
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
            ],
            options={
                "verbose_name_plural": "WhatsApp sends",
                "verbose_name": "WhatsApp send",
                "ordering": ["-created_at"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("message__isnull", False)),
                        fields=("message", "part"),
                        name="one_send_per_message_part",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="WhatsAppTemplate",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "purpose",
                    models.CharField(
                        choices=[
                            ("verification", "Verification code"),
                            ("notification", "Approval notification"),
                            ("outcome", "Approval outcome"),
                        ],
                        max_length=20,
                        verbose_name="purpose",
                    ),
                ),
                (
                    "content_sid",
                    models.CharField(
                        help_text="The approved template's Content SID (HX…).",
                        max_length=34,
                        verbose_name="content SID",
                    ),
                ),
                (
                    "variables",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text='Template variable number to field, e.g. {"1": "reference", "2": "summary"}. Fields: code (verification); reference, subject, summary (notification); reference, status, summary, text (outcome).',
                        verbose_name="variables",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="whatsapp_templates",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "WhatsApp templates",
                "verbose_name": "WhatsApp template",
                "constraints": [
                    models.UniqueConstraint(fields=("tenant", "purpose"), name="one_whatsapp_template_per_purpose")
                ],
            },
        ),
    ]
