"""The agents app's tables as the 10 migrations up to 0010 left them, in one migration (generated from
the models). A database migrated by the old chain counts it as applied (`replaces`).

Dropped with the old files: 0002, which created the four system agents; agents.system_agents puts them
back after every migrate (a post_migrate receiver).
"""

import uuid

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import tenants.fields
import tenants.outbound


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("agents", "0001_initial"),
        ("agents", "0002_system_agents"),
        ("agents", "0003_toolcallaudit"),
        ("agents", "0004_friendly_names"),
        ("agents", "0005_read_tool_audit"),
        ("agents", "0006_engine_choice"),
        ("agents", "0007_tool_callback_run"),
        ("agents", "0008_content_body_and_drafted_audit"),
        ("agents", "0009_labels_in_the_readers_language"),
        ("agents", "0010_campaign_currency_campaign_synced_at"),
    ]

    dependencies = [
        ("tenants", "0001_squashed_0029_invitations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AIAgent",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                (
                    "agent_type",
                    models.CharField(
                        choices=[
                            ("paid_ads", "Paid Ads"),
                            ("seo", "SEO"),
                            ("content", "Content"),
                            ("audience", "Audience Intelligence"),
                        ],
                        max_length=20,
                        verbose_name="agent type",
                    ),
                ),
                ("is_system_agent", models.BooleanField(default=False, verbose_name="is system agent")),
                (
                    "configuration",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text='Optional: {"allowed_actions": [...]} narrows what the agent may propose for this tenant.',
                        verbose_name="configuration",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="is active")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "tenant",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="agents",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "AI agents",
                "verbose_name": "AI agent",
                "ordering": ["agent_type", "name"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("is_system_agent", True), ("tenant__isnull", True)),
                            models.Q(("is_system_agent", False), ("tenant__isnull", False)),
                            _connector="OR",
                        ),
                        name="agent_system_xor_tenant",
                        violation_error_message="A system agent has no tenant; any other agent belongs to one.",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("is_system_agent", True)),
                        fields=("agent_type",),
                        name="one_system_agent_per_type",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="AudienceSegment",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("size", models.PositiveIntegerField(verbose_name="size")),
                (
                    "weekly_growth",
                    models.DecimalField(
                        decimal_places=2,
                        help_text="Percent change over the last week.",
                        max_digits=6,
                        verbose_name="weekly growth",
                    ),
                ),
                ("description", models.TextField(blank=True, verbose_name="description")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="audience_segments",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "audience segments",
                "verbose_name": "audience segment",
                "ordering": ["name"],
                "constraints": [
                    models.UniqueConstraint(fields=("tenant", "name"), name="segment_name_unique_per_tenant")
                ],
            },
        ),
        migrations.CreateModel(
            name="Campaign",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "platform",
                    models.CharField(
                        choices=[("meta", "Meta"), ("google", "Google")], max_length=10, verbose_name="platform"
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "status",
                    models.CharField(
                        choices=[("active", "Active"), ("paused", "Paused")],
                        default="active",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "daily_budget",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=12,
                        validators=[django.core.validators.MinValueValidator(0)],
                        verbose_name="daily budget",
                    ),
                ),
                ("currency", models.CharField(default="USD", max_length=3, verbose_name="currency")),
                (
                    "synced_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When a sync from the ad platform last wrote it; empty for campaigns kept in Walker.",
                        null=True,
                        verbose_name="synced at",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="campaigns",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "campaigns",
                "verbose_name": "campaign",
                "ordering": ["name"],
                "constraints": [
                    models.UniqueConstraint(fields=("tenant", "name"), name="campaign_name_unique_per_tenant")
                ],
            },
        ),
        migrations.CreateModel(
            name="CampaignDailyStat",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(verbose_name="date")),
                ("spend", models.DecimalField(decimal_places=2, max_digits=12, verbose_name="spend")),
                ("impressions", models.PositiveIntegerField(verbose_name="impressions")),
                ("clicks", models.PositiveIntegerField(verbose_name="clicks")),
                ("conversions", models.PositiveIntegerField(verbose_name="conversions")),
                ("revenue", models.DecimalField(decimal_places=2, max_digits=12, verbose_name="revenue")),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="daily_stats",
                        to="agents.campaign",
                        verbose_name="campaign",
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
                "verbose_name_plural": "campaign daily stats",
                "verbose_name": "campaign daily stat",
                "ordering": ["campaign", "date"],
                "indexes": [models.Index(fields=["tenant", "date"], name="agents_camp_tenant__8bc8e7_idx")],
                "constraints": [models.UniqueConstraint(fields=("campaign", "date"), name="one_stat_per_campaign_day")],
            },
        ),
        migrations.CreateModel(
            name="ContentPiece",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=300, verbose_name="title")),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("blog", "Blog"),
                            ("instagram", "Instagram"),
                            ("facebook", "Facebook"),
                            ("linkedin", "LinkedIn"),
                            ("newsletter", "Newsletter"),
                            ("tiktok", "TikTok"),
                        ],
                        max_length=20,
                        verbose_name="channel",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("draft", "Draft"), ("scheduled", "Scheduled"), ("published", "Published")],
                        default="draft",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("scheduled_for", models.DateTimeField(blank=True, null=True, verbose_name="scheduled for")),
                ("published_at", models.DateTimeField(blank=True, null=True, verbose_name="published at")),
                ("views", models.PositiveIntegerField(default=0, verbose_name="views")),
                (
                    "engagement",
                    models.PositiveIntegerField(
                        default=0, help_text="Likes, comments, shares and clicks.", verbose_name="engagement"
                    ),
                ),
                (
                    "body",
                    models.TextField(
                        blank=True,
                        help_text="The text of the piece, such as a draft an AI engine wrote.",
                        verbose_name="body",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="content_pieces",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "content pieces",
                "verbose_name": "content piece",
                "ordering": ["title"],
                "indexes": [models.Index(fields=["tenant", "status"], name="agents_cont_tenant__1c4fef_idx")],
            },
        ),
        migrations.CreateModel(
            name="EngineChoice",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "engine",
                    models.CharField(
                        choices=[
                            ("builtin", "Built-in (rules on your own data)"),
                            ("langflow", "Langflow flow"),
                            ("openai", "OpenAI-compatible API"),
                        ],
                        max_length=10,
                        verbose_name="engine",
                    ),
                ),
                (
                    "endpoint",
                    models.URLField(
                        blank=True,
                        help_text="OpenAI: the API's base URL (empty: api.openai.com/v1). Langflow: the server's URL. https only.",
                        validators=[tenants.outbound.validate_outbound_url],
                        verbose_name="endpoint",
                    ),
                ),
                (
                    "model",
                    models.CharField(
                        blank=True,
                        help_text="OpenAI: the model. Langflow: the flow id.",
                        max_length=200,
                        verbose_name="model",
                    ),
                ),
                (
                    "api_key",
                    tenants.fields.EncryptedTextField(
                        blank=True,
                        help_text="Stored encrypted; never shown again after saving.",
                        verbose_name="API key",
                    ),
                ),
                (
                    "tools_component",
                    models.CharField(
                        blank=True,
                        help_text="Langflow: the component that receives the read tools URL (tweaks).",
                        max_length=100,
                        verbose_name="tools component",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "agent",
                    models.ForeignKey(
                        blank=True,
                        help_text="Only this agent; empty: every agent of the tenant without a choice of its own.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="agents.aiagent",
                        verbose_name="agent",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="engine_choices",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "engine choices",
                "verbose_name": "engine choice",
                "ordering": ["tenant", "agent"],
                "constraints": [
                    models.UniqueConstraint(fields=("tenant", "agent"), name="one_engine_choice_per_agent"),
                    models.UniqueConstraint(
                        condition=models.Q(("agent__isnull", True)),
                        fields=("tenant",),
                        name="one_engine_choice_per_tenant",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="KeywordRanking",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("keyword", models.CharField(max_length=200, verbose_name="keyword")),
                ("url", models.URLField(max_length=500, verbose_name="URL")),
                ("position", models.PositiveIntegerField(verbose_name="position")),
                (
                    "previous_position",
                    models.PositiveIntegerField(blank=True, null=True, verbose_name="previous position"),
                ),
                ("date", models.DateField(verbose_name="date")),
                (
                    "search_volume",
                    models.PositiveIntegerField(help_text="Monthly searches.", verbose_name="search volume"),
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
                "verbose_name_plural": "keyword rankings",
                "verbose_name": "keyword ranking",
                "ordering": ["keyword", "date"],
                "indexes": [models.Index(fields=["tenant", "date"], name="agents_keyw_tenant__66a1e1_idx")],
                "constraints": [
                    models.UniqueConstraint(fields=("tenant", "keyword", "date"), name="one_ranking_per_keyword_day")
                ],
            },
        ),
        migrations.CreateModel(
            name="TargetKeyword",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("keyword", models.CharField(max_length=200, verbose_name="keyword")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
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
                "verbose_name_plural": "target keywords",
                "verbose_name": "target keyword",
                "ordering": ["keyword"],
                "constraints": [models.UniqueConstraint(fields=("tenant", "keyword"), name="target_keyword_unique")],
            },
        ),
        migrations.CreateModel(
            name="ToolCallAudit",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("conversation_id", models.UUIDField(blank=True, null=True, verbose_name="conversation ID")),
                ("action_type", models.CharField(max_length=40, verbose_name="action type")),
                ("action_data", models.JSONField(default=dict, verbose_name="action data")),
                ("summary", models.CharField(blank=True, max_length=300, verbose_name="summary")),
                (
                    "decision",
                    models.CharField(
                        choices=[
                            ("accepted", "Accepted for approval"),
                            ("refused", "Refused"),
                            ("read", "Read data"),
                            ("read_refused", "Read refused"),
                            ("drafted", "Saved a draft"),
                        ],
                        max_length=12,
                        verbose_name="decision",
                    ),
                ),
                ("reason", models.CharField(blank=True, max_length=300, verbose_name="reason")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "agent",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="agents.aiagent",
                        verbose_name="agent",
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
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "tool call audits",
                "verbose_name": "tool call audit",
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(
                        fields=["conversation_id", "decision", "created_at"], name="agents_tool_convers_fbf733_idx"
                    ),
                    models.Index(fields=["tenant", "created_at"], name="agents_tool_tenant__b83f53_idx"),
                ],
            },
        ),
        migrations.CreateModel(
            name="ToolCallbackRun",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("conversation_id", models.UUIDField(blank=True, null=True, verbose_name="conversation ID")),
                ("expires_at", models.DateTimeField(db_index=True, verbose_name="expires at")),
                (
                    "agent",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="agents.aiagent",
                        verbose_name="agent",
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
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={"verbose_name_plural": "tool callback runs", "verbose_name": "tool callback run"},
        ),
    ]
