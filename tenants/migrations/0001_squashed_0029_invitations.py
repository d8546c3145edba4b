"""The tenants app's tables as the old chain (31 migrations, up to 0029) left them, generated from the models, but
for the person's email: plain text here, encrypted with its keyed hash in 0002 (see there why). With them, the
access log's guards on PostgreSQL, which the models do not describe (SQLite relies on the models):

- `tenants_accesslog_append_only`: UPDATE and DELETE of access records are refused, except a DELETE made inside
  `tenants_accesslog_purge()` (once 0004, 0013, 0020);
- `tenants_accesslog_no_truncate`: TRUNCATE is refused too, row triggers do not fire for it (once 0006);
- `tenants_accesslog_purge(default_days)`: the only way records go, those older than their tenant's
  access_log_retention_days (never younger than 90 days); SECURITY DEFINER, so the application's role, which
  holds no DELETE on the log, may call it (once 0013, 0020).

Only a superuser or the tables' owner can step around the triggers: run the application as a non-owner role
(README, `manage.py grant_app_role`).

A database migrated by the old chain counts this one as applied (`replaces`: all the old names but 0016, which
0002 replaces). Dropped with the old files, as they only rewrote rows a new database does not have: 0009 (date
the numbers verified before codes), 0016, 0021 (encrypt existing values), 0017 (hash the access log's actor
emails), 0022 (repair role membership), 0023 (forget addresses in django-axes' records), and with it its
dependency on axes. Sign-in domains proven by DNS (0003) and allAuth's address rows forgotten (0004) came after the
last release of the old chain: they stay migrations of their own, for the databases that release left.
"""

import uuid

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import tenants.fields
import tenants.models.identity_providers
import tenants.models.people
import tenants.models.preferences
import tenants.models.tenant
import tenants.outbound
from core.postgresql import RunSQLOnPostgreSQL

ACCESS_LOG_PURGE = """
CREATE FUNCTION tenants_accesslog_purge(default_days integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    removed bigint;
BEGIN
    PERFORM set_config('walker.accesslog_purge', 'on', true);
    DELETE FROM public.tenants_accesslog AS log
     WHERE log.created_at < now() - make_interval(days => GREATEST(
             COALESCE((SELECT t.access_log_retention_days FROM public.tenants_tenant AS t WHERE t.id = log.tenant_id),
                      default_days),
             90));
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('walker.accesslog_purge', 'off', true);
    RETURN removed;
END;
$$;
"""

ACCESS_LOG_APPEND_ONLY = """
CREATE FUNCTION tenants_accesslog_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('walker.accesslog_purge', true) = 'on'
       AND current_user = (SELECT pg_get_userbyid(proowner) FROM pg_proc
                            WHERE oid = 'public.tenants_accesslog_purge(integer)'::regprocedure) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'access records are append-only (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER tenants_accesslog_append_only
    BEFORE UPDATE OR DELETE ON tenants_accesslog
    FOR EACH ROW EXECUTE FUNCTION tenants_accesslog_append_only();
"""

ACCESS_LOG_NO_TRUNCATE = """
CREATE FUNCTION tenants_accesslog_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'access records are append-only (TRUNCATE refused)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER tenants_accesslog_no_truncate
    BEFORE TRUNCATE ON tenants_accesslog
    FOR EACH STATEMENT EXECUTE FUNCTION tenants_accesslog_no_truncate();
"""


ACCESS_LOG_DROP = [
    """
DROP TRIGGER IF EXISTS tenants_accesslog_no_truncate ON tenants_accesslog;
DROP FUNCTION IF EXISTS tenants_accesslog_no_truncate();
DROP TRIGGER IF EXISTS tenants_accesslog_append_only ON tenants_accesslog;
DROP FUNCTION IF EXISTS tenants_accesslog_append_only();
DROP FUNCTION IF EXISTS tenants_accesslog_purge(integer);
"""
]


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("tenants", "0001_initial"),
        ("tenants", "0002_tenant_action_webhook_secret_and_more"),
        ("tenants", "0003_accesslog"),
        ("tenants", "0004_accesslog_append_only"),
        ("tenants", "0005_access_log_exports"),
        ("tenants", "0005_outbound_urls_checked"),
        ("tenants", "0006_accesslog_no_truncate"),
        ("tenants", "0007_merge_20261122_1051"),
        ("tenants", "0008_slack_url_checked"),
        ("tenants", "0009_phone_verification"),
        ("tenants", "0009_undeliverable_address"),
        ("tenants", "0010_merge_20261122_1148"),
        ("tenants", "0011_accesslog_lists_and_reasons"),
        ("tenants", "0012_retention_periods"),
        ("tenants", "0013_accesslog_purge"),
        ("tenants", "0014_subject_requests"),
        ("tenants", "0015_tenant_share_personal_data_with_llm"),
        ("tenants", "0017_accesslog_actor_ref"),
        ("tenants", "0018_user_language"),
        ("tenants", "0019_translatable_labels"),
        ("tenants", "0020_accesslog_purge_only_by_its_function"),
        ("tenants", "0021_encrypt_tenant_webhook_secrets"),
        ("tenants", "0022_repair_role_membership"),
        ("tenants", "0023_sign_in_records_without_addresses"),
        ("tenants", "0024_labels_in_the_readers_language"),
        ("tenants", "0025_integration_tokens"),
        ("tenants", "0026_mfa_policy"),
        ("tenants", "0027_single_sign_on"),
        ("tenants", "0028_step_up_policy"),
        ("tenants", "0029_invitations"),
    ]

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.CreateModel(
            name="Tenant",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("slug", models.SlugField(max_length=64, unique=True, verbose_name="slug")),
                (
                    "subscription_tier",
                    models.CharField(
                        choices=[
                            ("free", "Free"),
                            ("starter", "Starter"),
                            ("pro", "Pro"),
                            ("enterprise", "Enterprise"),
                        ],
                        default="free",
                        max_length=20,
                        verbose_name="subscription tier",
                    ),
                ),
                (
                    "timezone",
                    models.CharField(
                        default="UTC",
                        help_text="Used to show and schedule times.",
                        max_length=64,
                        validators=[tenants.models.tenant.validate_timezone],
                        verbose_name="timezone",
                    ),
                ),
                (
                    "action_webhook_url",
                    models.URLField(
                        blank=True,
                        help_text="If set, approved actions are POSTed here (signed) instead of applied by Walker. https only.",
                        validators=[tenants.outbound.validate_outbound_url],
                        verbose_name="action webhook URL",
                    ),
                ),
                (
                    "action_webhook_secret",
                    tenants.fields.EncryptedTextField(
                        blank=True,
                        help_text='Signs webhook calls: X-Walker-Signature is HMAC-SHA256 of "<X-Walker-Timestamp>.<body>".',
                        max_length=128,
                        verbose_name="action webhook secret",
                    ),
                ),
                (
                    "slack_webhook_url",
                    tenants.fields.EncryptedTextField(
                        blank=True,
                        help_text="Slack incoming-webhook URL for approval notifications. https only.",
                        max_length=200,
                        validators=[django.core.validators.URLValidator(), tenants.outbound.validate_outbound_url],
                        verbose_name="Slack webhook URL",
                    ),
                ),
                (
                    "message_retention_days",
                    models.PositiveIntegerField(
                        default=365,
                        help_text="Days message content and media links are kept; then a nightly job removes them (counts stay).",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(3650),
                        ],
                        verbose_name="message retention days",
                    ),
                ),
                (
                    "access_log_retention_days",
                    models.PositiveIntegerField(
                        default=1095,
                        help_text="Days access records are kept (at least 90); older ones are removed nightly.",
                        validators=[
                            django.core.validators.MinValueValidator(90),
                            django.core.validators.MaxValueValidator(3650),
                        ],
                        verbose_name="access log retention days",
                    ),
                ),
                (
                    "share_personal_data_with_llm",
                    models.BooleanField(
                        default=False,
                        help_text="Send phone numbers, emails, card numbers, IBANs and national ids in messages to an external LLM (OpenAI, Langflow) as written. Off: the engine receives placeholders such as [phone].",
                        verbose_name="share personal data with external AI engines",
                    ),
                ),
                (
                    "mfa_required_roles",
                    models.JSONField(
                        blank=True,
                        default=tenants.models.tenant.default_mfa_roles,
                        help_text="People with these roles must sign in with a second factor (an authenticator app or a passkey).",
                        validators=[tenants.models.tenant.validate_roles],
                        verbose_name="roles that need a second factor",
                    ),
                ),
                (
                    "mfa_trust_days",
                    models.PositiveSmallIntegerField(
                        default=30,
                        help_text="Days a browser its person chose to trust skips the second factor; 0: ask at every sign-in.",
                        validators=[django.core.validators.MaxValueValidator(90)],
                        verbose_name="trust a browser for (days)",
                    ),
                ),
                (
                    "step_up_risk_level",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Never (off)"),
                            ("low", "Low and above (every decision)"),
                            ("medium", "Medium and above"),
                            ("high", "High and above"),
                            ("critical", "Critical only"),
                        ],
                        default="high",
                        help_text="Approving or rejecting a request of this risk or above needs a second factor shown within the window below (one-click links and replies by email or WhatsApp then send the approver to the console). Off: no step-up anywhere, neither for decisions nor for revealing personal data or changing secrets.",
                        max_length=10,
                        verbose_name="step-up from risk level",
                    ),
                ),
                (
                    "step_up_minutes",
                    models.PositiveSmallIntegerField(
                        default=15,
                        help_text="How recent the second factor must be for a step-up decision, revealing personal data or changing channel and ad platform secrets; a trusted browser never counts.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(1440),
                        ],
                        verbose_name="step-up window (minutes)",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
            ],
            options={
                "verbose_name_plural": "tenants",
                "verbose_name": "tenant",
                "ordering": ["name"],
                "permissions": [
                    ("view_pii", "Can view unmasked personal data"),
                    ("manage_users", "Can manage the tenant's users"),
                ],
            },
        ),
        migrations.CreateModel(
            name="UndeliverableAddress",
            fields=[
                (
                    "address_hash",
                    models.CharField(
                        editable=False, max_length=64, primary_key=True, serialize=False, verbose_name="address hash"
                    ),
                ),
                (
                    "email",
                    tenants.fields.EncryptedTextField(
                        hash_field="address_hash", kind="email", max_length=254, verbose_name="email"
                    ),
                ),
                (
                    "reason",
                    models.CharField(
                        choices=[("bounce", "Hard bounce"), ("spamreport", "Spam report")],
                        max_length=12,
                        verbose_name="reason",
                    ),
                ),
                ("detail", models.TextField(blank=True, verbose_name="detail")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
            ],
            options={
                "verbose_name_plural": "undeliverable addresses",
                "verbose_name": "undeliverable address",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="User",
            fields=[
                ("password", models.CharField(max_length=128, verbose_name="password")),
                ("last_login", models.DateTimeField(blank=True, null=True, verbose_name="last login")),
                (
                    "is_superuser",
                    models.BooleanField(
                        default=False,
                        help_text="Designates that this user has all permissions without explicitly assigning them.",
                        verbose_name="superuser status",
                    ),
                ),
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                # Plain text here; encrypted, with its keyed hash, from 0002 on: see there.
                ("email", models.TextField(max_length=254, unique=True, verbose_name="email")),
                ("first_name", models.CharField(blank=True, max_length=150, verbose_name="first name")),
                ("last_name", models.CharField(blank=True, max_length=150, verbose_name="last name")),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("admin", "Admin"),
                            ("approver", "Approver"),
                            ("support", "Support"),
                            ("compliance", "Compliance"),
                            ("member", "Member"),
                        ],
                        default="member",
                        max_length=20,
                        verbose_name="role",
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        blank=True,
                        choices=[("en", "English"), ("es", "Español")],
                        help_text="The language of the console, the chat's pages and the emails; empty: the browser's.",
                        max_length=8,
                        verbose_name="language",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="is active")),
                (
                    "is_staff",
                    models.BooleanField(
                        default=False,
                        editable=False,
                        help_text="Set from the role: every role but member may sign in to the console.",
                        verbose_name="is staff",
                    ),
                ),
                ("date_joined", models.DateTimeField(default=django.utils.timezone.now, verbose_name="date joined")),
                (
                    "groups",
                    models.ManyToManyField(
                        blank=True,
                        help_text="The groups this user belongs to. A user will get all permissions granted to each of their groups.",
                        related_name="user_set",
                        related_query_name="user",
                        to="auth.group",
                        verbose_name="groups",
                    ),
                ),
                (
                    "user_permissions",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Specific permissions for this user.",
                        related_name="user_set",
                        related_query_name="user",
                        to="auth.permission",
                        verbose_name="user permissions",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="users",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "users",
                "verbose_name": "user",
                "ordering": ["first_name", "last_name", "date_joined"],
                "indexes": [models.Index(fields=["tenant", "role"], name="tenants_use_tenant__7167cc_idx")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("is_superuser", True), ("tenant__isnull", False), _connector="OR"),
                        name="user_has_tenant_unless_superuser",
                        violation_error_message="Every user except platform superusers belongs to a tenant.",
                    )
                ],
            },
            bases=(tenants.fields.HashedFieldsMixin, models.Model),
            managers=[("objects", tenants.models.people.UserManager())],
        ),
        migrations.CreateModel(
            name="IdentityProvider",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "issuer",
                    models.URLField(
                        help_text="The provider's issuer URL; Walker reads <issuer>/.well-known/openid-configuration. https only.",
                        max_length=500,
                        validators=[tenants.outbound.validate_outbound_url],
                        verbose_name="issuer URL",
                    ),
                ),
                ("client_id", models.CharField(max_length=255, verbose_name="client ID")),
                ("client_secret", tenants.fields.EncryptedTextField(max_length=500, verbose_name="client secret")),
                (
                    "default_role",
                    models.CharField(
                        choices=[
                            ("admin", "Admin"),
                            ("approver", "Approver"),
                            ("support", "Support"),
                            ("compliance", "Compliance"),
                            ("member", "Member"),
                        ],
                        default="member",
                        help_text="The role of an account made at its first sign-in through this provider.",
                        max_length=20,
                        verbose_name="role of new accounts",
                    ),
                ),
                (
                    "password_sign_in_disabled",
                    models.BooleanField(
                        default=False,
                        help_text="People with an address in the domains below sign in through the provider only.",
                        verbose_name="password sign-in disabled",
                    ),
                ),
                ("enabled", models.BooleanField(default=True, verbose_name="enabled")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "tenant",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="identity_provider",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={"verbose_name": "single sign-on provider", "verbose_name_plural": "single sign-on providers"},
        ),
        migrations.CreateModel(
            name="UserEmailPreference",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("enabled", models.BooleanField(default=True, verbose_name="enabled")),
                (
                    "delivery_time",
                    models.TimeField(
                        default=tenants.models.preferences.eight_am,
                        help_text="Local time in the time zone below.",
                        verbose_name="delivery time",
                    ),
                ),
                (
                    "timezone",
                    models.CharField(
                        blank=True,
                        max_length=64,
                        validators=[tenants.models.tenant.validate_timezone],
                        verbose_name="timezone",
                    ),
                ),
                (
                    "include_sections",
                    models.JSONField(
                        default=tenants.models.preferences.all_brief_sections,
                        help_text="The sections the daily brief holds.",
                        verbose_name="include sections",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "tenant",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="email_preference",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "user email preferences",
                "verbose_name": "user email preference",
                "ordering": ["user__first_name", "user__last_name", "user_id"],
            },
        ),
        migrations.CreateModel(
            name="UserPhoneNumber",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "phone_number",
                    tenants.fields.EncryptedTextField(
                        hash_field="phone_hash",
                        help_text="With its country code, e.g. +1 415 555 0100.",
                        kind="phone",
                        max_length=32,
                        verbose_name="phone number",
                    ),
                ),
                ("phone_hash", tenants.fields.KeyedHashField(of="phone_number", verbose_name="phone hash")),
                (
                    "verified",
                    models.BooleanField(
                        default=False,
                        editable=False,
                        help_text="Confirmed with a code sent to the number (tenants.verification).",
                        verbose_name="verified",
                    ),
                ),
                (
                    "verified_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="verified at"),
                ),
                ("code_hash", models.CharField(blank=True, editable=False, max_length=64, verbose_name="code hash")),
                (
                    "code_expires_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="code expires at"),
                ),
                (
                    "code_attempts",
                    models.PositiveSmallIntegerField(default=0, editable=False, verbose_name="code attempts"),
                ),
                (
                    "code_sent_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="code sent at"),
                ),
                (
                    "codes_sent",
                    models.PositiveSmallIntegerField(
                        default=0,
                        editable=False,
                        help_text="Codes sent since the last success.",
                        verbose_name="codes sent",
                    ),
                ),
                (
                    "code_delivery_error",
                    models.CharField(blank=True, editable=False, max_length=300, verbose_name="code delivery error"),
                ),
                ("is_primary", models.BooleanField(default=False, verbose_name="primary")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "tenant",
                    models.ForeignKey(
                        editable=False,
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
                        related_name="phone_numbers",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "user phone numbers",
                "verbose_name": "user phone number",
                "ordering": ["-is_primary", "created_at"],
                "constraints": [
                    models.UniqueConstraint(fields=("tenant", "phone_hash"), name="phone_unique_per_tenant"),
                    models.UniqueConstraint(
                        condition=models.Q(("is_primary", True)), fields=("user",), name="one_primary_phone"
                    ),
                ],
            },
            bases=(tenants.fields.HashedFieldsMixin, models.Model),
        ),
        migrations.CreateModel(
            name="SignInDomain",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "domain",
                    models.CharField(
                        error_messages={"unique": "This domain already signs in through another provider."},
                        max_length=253,
                        unique=True,
                        validators=[tenants.models.identity_providers.validate_domain],
                        verbose_name="email domain",
                    ),
                ),
                (
                    "provider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="domains",
                        to="tenants.identityprovider",
                        verbose_name="provider",
                    ),
                ),
            ],
            options={
                "verbose_name": "email domain",
                "verbose_name_plural": "email domains",
                "ordering": ["domain"],
            },
        ),
        migrations.CreateModel(
            name="SubjectRequest",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("export", "Export (subject access)"), ("erasure", "Erasure")],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                (
                    "subject_ref",
                    models.CharField(
                        help_text="The person's id, kept after erasure.", max_length=64, verbose_name="subject ref"
                    ),
                ),
                (
                    "requested_by_email",
                    tenants.fields.EncryptedTextField(kind="email", max_length=254, verbose_name="requested by email"),
                ),
                ("reason", models.TextField(verbose_name="reason")),
                (
                    "status",
                    models.CharField(
                        choices=[("running", "Running"), ("done", "Done")],
                        default="running",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "counts",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text="Rows found (export) or changed (erasure), by kind.",
                        verbose_name="counts",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("completed_at", models.DateTimeField(blank=True, null=True, verbose_name="completed at")),
                (
                    "requested_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="requested by",
                    ),
                ),
                (
                    "subject",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="subject_requests",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="subject",
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
                "verbose_name_plural": "subject requests",
                "verbose_name": "subject request",
                "ordering": ["-created_at"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("kind", "erasure"), ("status", "running")),
                        fields=("subject_ref",),
                        name="one_running_erasure_per_person",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Invitation",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "email",
                    tenants.fields.EncryptedTextField(
                        hash_field="email_hash", kind="email", max_length=254, verbose_name="email"
                    ),
                ),
                ("email_hash", tenants.fields.KeyedHashField(db_index=True, of="email", verbose_name="email hash")),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("admin", "Admin"),
                            ("approver", "Approver"),
                            ("support", "Support"),
                            ("compliance", "Compliance"),
                            ("member", "Member"),
                        ],
                        max_length=20,
                        verbose_name="role",
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[("en", "English"), ("es", "Español")],
                        help_text="The language of the invitation email and of the new account.",
                        max_length=8,
                        verbose_name="language",
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="created at")),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="last sent at")),
                ("sends", models.PositiveSmallIntegerField(default=0, verbose_name="emails sent")),
                ("expires_at", models.DateTimeField(verbose_name="expires at")),
                ("accepted_at", models.DateTimeField(blank=True, null=True, verbose_name="accepted at")),
                ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="revoked at")),
                (
                    "accepted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="account",
                    ),
                ),
                (
                    "invited_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="invited by",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="invitations",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "invitations",
                "verbose_name": "invitation",
                "ordering": ["-created_at"],
                "indexes": [models.Index(fields=["invited_by", "created_at"], name="tenants_inv_invited_4a2a2c_idx")],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("accepted_at__isnull", True), ("revoked_at__isnull", True)),
                        fields=("tenant", "email_hash"),
                        name="one_open_invitation_per_address",
                        violation_error_message="This address already has an open invitation to the tenant.",
                    )
                ],
            },
            bases=(tenants.fields.HashedFieldsMixin, models.Model),
        ),
        migrations.CreateModel(
            name="IntegrationToken",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("scopes", models.JSONField(default=list, verbose_name="scopes")),
                ("prefix", models.CharField(editable=False, max_length=16, verbose_name="prefix")),
                ("secret_hash", models.CharField(editable=False, max_length=64, unique=True)),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="created at"),
                ),
                ("expires_at", models.DateTimeField(verbose_name="expires at")),
                (
                    "last_used_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="last used at"),
                ),
                ("revoked_at", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="revoked at")),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="integration_tokens",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
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
                "verbose_name": "integration token",
                "verbose_name_plural": "integration tokens",
                "ordering": ["-created_at"],
                "indexes": [models.Index(fields=["tenant", "owner"], name="tenants_int_tenant__331049_idx")],
            },
        ),
        migrations.CreateModel(
            name="AccessLog",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "actor_ref",
                    models.CharField(
                        db_index=True,
                        help_text="Keyed hash of the actor's email.",
                        max_length=64,
                        verbose_name="actor ref",
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("viewed", "Viewed"),
                            ("exported", "Exported (masked)"),
                            ("pii_accessed", "Revealed personal data"),
                        ],
                        max_length=20,
                        verbose_name="action",
                    ),
                ),
                (
                    "sensitivity",
                    models.CharField(
                        choices=[("normal", "Normal"), ("high", "High")],
                        default="normal",
                        max_length=10,
                        verbose_name="sensitivity",
                    ),
                ),
                ("object_type", models.CharField(help_text="app.model", max_length=100, verbose_name="object type")),
                ("object_id", models.CharField(max_length=64, verbose_name="object ID")),
                ("object_repr", models.CharField(max_length=200, verbose_name="object")),
                (
                    "object_ids",
                    models.JSONField(
                        blank=True, default=list, help_text="The rows a list read showed.", verbose_name="object IDs"
                    ),
                ),
                (
                    "reason",
                    models.TextField(
                        blank=True,
                        help_text="Why, as the reader said when revealing personal data.",
                        verbose_name="reason",
                    ),
                ),
                ("path", models.CharField(max_length=500, verbose_name="path")),
                ("ip_address", models.GenericIPAddressField(blank=True, null=True, verbose_name="IP address")),
                ("user_agent", models.CharField(blank=True, max_length=300, verbose_name="user agent")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="when")),
                (
                    "actor",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "access log",
                "verbose_name": "access log",
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(fields=["tenant", "-created_at"], name="tenants_acc_tenant__157050_idx"),
                    models.Index(fields=["object_type", "object_id"], name="tenants_acc_object__38eecb_idx"),
                ],
            },
        ),
        RunSQLOnPostgreSQL([ACCESS_LOG_PURGE, ACCESS_LOG_APPEND_ONLY, ACCESS_LOG_NO_TRUNCATE], ACCESS_LOG_DROP),
    ]
