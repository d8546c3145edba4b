"""The conversations app's tables as the 10 migrations up to 0010 left them, in one migration (generated from
the models). A database migrated by the old chain counts it as applied (`replaces`).

Dropped with the old files: 0005's _seal (seal existing message text and events), which only rewrote rows a
new database does not have.
"""

import uuid

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import tenants.fields


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("conversations", "0001_initial"),
        ("conversations", "0002_conversation_events"),
        ("conversations", "0003_answering_queue"),
        ("conversations", "0004_message_content_removed"),
        ("conversations", "0005_seal_message_text"),
        ("conversations", "0006_human_takeover"),
        ("conversations", "0007_answer_attempts"),
        ("conversations", "0008_labels_in_the_readers_language"),
        ("conversations", "0009_satisfaction_survey"),
        ("conversations", "0010_inbox_labels_canned"),
    ]

    dependencies = [
        ("agents", "0001_squashed_0010_campaign_currency_campaign_synced_at"),
        ("tenants", "0001_squashed_0029_invitations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Conversation",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[("whatsapp", "WhatsApp"), ("email", "Email"), ("chat", "Chat"), ("api", "API")],
                        max_length=10,
                        verbose_name="channel",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("waiting_approval", "Waiting for approval"), ("closed", "Closed")],
                        default="open",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("started_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="started at")),
                (
                    "last_message_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="last message at"),
                ),
                ("ended_at", models.DateTimeField(blank=True, null=True, verbose_name="ended at")),
                ("metadata", models.JSONField(blank=True, default=dict, verbose_name="metadata")),
                (
                    "event_seq",
                    models.PositiveIntegerField(
                        default=0, help_text="Sequence number of the latest chat event.", verbose_name="event seq"
                    ),
                ),
                ("last_inbound_seq", models.PositiveIntegerField(default=0, verbose_name="last inbound seq")),
                ("answered_seq", models.PositiveIntegerField(default=0, verbose_name="answered seq")),
                ("answer_lease", models.UUIDField(blank=True, null=True, verbose_name="answer lease")),
                ("answer_lease_until", models.DateTimeField(blank=True, null=True, verbose_name="answer lease until")),
                ("answer_attempts", models.PositiveSmallIntegerField(default=0, verbose_name="answer attempts")),
                ("held_since", models.DateTimeField(blank=True, null=True, verbose_name="held since")),
                (
                    "agent",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="conversations",
                        to="agents.aiagent",
                        verbose_name="agent",
                    ),
                ),
                (
                    "held_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="held by",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="conversations",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="conversations",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "conversations",
                "verbose_name": "conversation",
                "ordering": ["-last_message_at"],
                "permissions": [("handle_conversation", "Take over, answer, assign and resolve conversations")],
                "indexes": [
                    models.Index(fields=["tenant", "-last_message_at"], name="conversatio_tenant__4e7e36_idx"),
                    models.Index(
                        fields=["tenant", "status", "-last_message_at"], name="conversatio_tenant__d4d017_idx"
                    ),
                    models.Index(fields=["user", "channel", "status"], name="conversatio_user_id_84a354_idx"),
                    models.Index(fields=["tenant", "channel", "started_at"], name="conversatio_tenant__f08576_idx"),
                    models.Index(
                        condition=models.Q(("last_inbound_seq__gt", models.F("answered_seq"))),
                        fields=["last_message_at"],
                        name="conversation_unanswered",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ConversationEvent",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.PositiveIntegerField(verbose_name="seq")),
                ("event_type", models.CharField(max_length=30, verbose_name="event type")),
                ("payload", models.JSONField(default=dict, verbose_name="payload")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="created at")),
                (
                    "conversation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="conversations.conversation",
                        verbose_name="conversation",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "conversation events",
                "verbose_name": "conversation event",
                "ordering": ["conversation", "seq"],
                "constraints": [models.UniqueConstraint(fields=("conversation", "seq"), name="one_event_per_seq")],
            },
        ),
        migrations.CreateModel(
            name="ConversationNote",
            fields=[
                ("sealed_text", models.TextField(blank=True, db_column="text")),
                (
                    "sealed_values",
                    tenants.fields.EncryptedTextField(
                        blank=True, help_text="The personal data lifted out of the text, encrypted."
                    ),
                ),
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="created at")),
                ("content_removed_at", models.DateTimeField(blank=True, null=True, verbose_name="content removed at")),
                (
                    "author",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="author",
                    ),
                ),
                (
                    "conversation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notes",
                        to="conversations.conversation",
                        verbose_name="conversation",
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
                "verbose_name_plural": "conversation notes",
                "verbose_name": "conversation note",
                "ordering": ["created_at"],
                "indexes": [
                    models.Index(fields=["conversation", "created_at"], name="conversatio_convers_1539ef_idx"),
                    models.Index(fields=["tenant", "created_at"], name="conversatio_tenant__ce66b8_idx"),
                ],
            },
        ),
        migrations.CreateModel(
            name="ConversationRead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("last_read_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="last read at")),
                (
                    "conversation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reads",
                        to="conversations.conversation",
                        verbose_name="conversation",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "conversation reads",
                "verbose_name": "conversation read",
                "constraints": [
                    models.UniqueConstraint(fields=("conversation", "user"), name="one_read_marker_per_person")
                ],
            },
        ),
        migrations.CreateModel(
            name="Label",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=40, verbose_name="name")),
                (
                    "colour",
                    models.CharField(
                        default="#4f46e5",
                        max_length=7,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^#[0-9a-fA-F]{6}$", "A colour as #rrggbb, for example #16a34a."
                            )
                        ],
                        verbose_name="colour",
                    ),
                ),
                (
                    "conversations",
                    models.ManyToManyField(
                        blank=True, related_name="labels", to="conversations.conversation", verbose_name="conversations"
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
                "verbose_name_plural": "labels",
                "verbose_name": "label",
                "ordering": ["name"],
                "constraints": [
                    models.UniqueConstraint(fields=("tenant", "name"), name="label_name_unique_per_tenant")
                ],
            },
        ),
        migrations.CreateModel(
            name="Message",
            fields=[
                ("sealed_text", models.TextField(blank=True, db_column="text")),
                (
                    "sealed_values",
                    tenants.fields.EncryptedTextField(
                        blank=True, help_text="The personal data lifted out of the text, encrypted."
                    ),
                ),
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[("whatsapp", "WhatsApp"), ("email", "Email"), ("chat", "Chat"), ("api", "API")],
                        max_length=10,
                        verbose_name="channel",
                    ),
                ),
                (
                    "direction",
                    models.CharField(
                        choices=[("inbound", "Inbound"), ("outbound", "Outbound")],
                        max_length=10,
                        verbose_name="direction",
                    ),
                ),
                (
                    "sender_type",
                    models.CharField(
                        choices=[
                            ("customer", "Customer"),
                            ("agent", "Agent"),
                            ("human", "Person of the tenant"),
                            ("system", "System"),
                        ],
                        max_length=10,
                        verbose_name="sender type",
                    ),
                ),
                (
                    "content_type",
                    models.CharField(
                        choices=[
                            ("text", "Text"),
                            ("image", "Image"),
                            ("audio", "Audio"),
                            ("video", "Video"),
                            ("document", "Document"),
                            ("interactive", "Interactive"),
                        ],
                        default="text",
                        max_length=12,
                        verbose_name="content type",
                    ),
                ),
                ("media_url", models.URLField(blank=True, max_length=1000, verbose_name="media URL")),
                (
                    "channel_message_id",
                    models.CharField(blank=True, max_length=255, null=True, verbose_name="channel message ID"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("sent", "Sent"),
                            ("delivered", "Delivered"),
                            ("read", "Read"),
                            ("failed", "Failed"),
                            ("blocked", "Blocked"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("error", models.TextField(blank=True, verbose_name="error")),
                ("metadata", models.JSONField(blank=True, default=dict, verbose_name="metadata")),
                (
                    "seq",
                    models.PositiveIntegerField(
                        blank=True, help_text="The seq of the event that announced it.", null=True, verbose_name="seq"
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="created at")),
                (
                    "content_removed_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When its content was removed (retention or erasure); the row and counts stay.",
                        null=True,
                        verbose_name="content removed at",
                    ),
                ),
                (
                    "conversation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="conversations.conversation",
                        verbose_name="conversation",
                    ),
                ),
                (
                    "in_reply_to",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="replies",
                        to="conversations.message",
                        verbose_name="in reply to",
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
                "verbose_name_plural": "messages",
                "verbose_name": "message",
                "ordering": ["created_at"],
                "indexes": [
                    models.Index(fields=["conversation", "created_at"], name="conversatio_convers_4b968d_idx"),
                    models.Index(fields=["tenant", "created_at"], name="conversatio_tenant__2dfee9_idx"),
                    models.Index(fields=["tenant", "status"], name="conversatio_tenant__07bc7c_idx"),
                    models.Index(
                        condition=models.Q(("content_removed_at__isnull", True)),
                        fields=["tenant", "created_at"],
                        name="message_content_held",
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("channel_message_id__isnull", False)),
                        fields=("channel", "channel_message_id"),
                        name="message_unique_per_channel_id",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SatisfactionSurvey",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[("whatsapp", "WhatsApp"), ("email", "Email"), ("chat", "Chat"), ("api", "API")],
                        max_length=10,
                        verbose_name="channel",
                    ),
                ),
                ("asked_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="asked at")),
                (
                    "score",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="From 1 (poor) to 5 (excellent); empty until the person rates.",
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(5),
                        ],
                        verbose_name="score",
                    ),
                ),
                ("rated_at", models.DateTimeField(blank=True, null=True, verbose_name="rated at")),
                (
                    "conversation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="satisfaction",
                        to="conversations.conversation",
                        verbose_name="conversation",
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
                "verbose_name_plural": "satisfaction surveys",
                "verbose_name": "satisfaction survey",
                "ordering": ["-asked_at"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("score__isnull", True), models.Q(("score__gte", 1), ("score__lte", 5)), _connector="OR"
                        ),
                        name="satisfaction_score_1_to_5",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="CannedResponse",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "shortcut",
                    models.SlugField(
                        help_text="Typed after a slash in the reply box, e.g. refund for /refund.",
                        max_length=30,
                        verbose_name="shortcut",
                    ),
                ),
                ("body", models.TextField(max_length=4000, verbose_name="text")),
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
                "verbose_name_plural": "canned responses",
                "verbose_name": "canned response",
                "ordering": ["shortcut"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("tenant", "shortcut"), name="canned_response_shortcut_unique_per_tenant"
                    )
                ],
            },
        ),
    ]
