import secrets
import uuid
from datetime import time
from functools import cache
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tenants.fields import EncryptedTextField, HashedFieldsMixin, KeyedHashField, hash_of
from tenants.outbound import validate_outbound_url
from tenants.phones import normalize_phone
from tenants.pii import mask
from tenants.roles import STAFF_ROLES, Role
from tenants.scoping import TenantScopedQuerySet


@cache
def _known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_timezone(value: str) -> None:
    if value not in _known_timezones():
        raise ValidationError(f"“{value}” is not an IANA time zone (e.g. Europe/Paris, America/New_York).")


MAX_RETENTION_DAYS = 3650
MIN_ACCESS_LOG_DAYS = 90  # the database refuses to purge younger records whatever a tenant sets (migration 0013)


class TenantQuerySet(TenantScopedQuerySet):
    tenant_id_field = "pk"


class Tenant(models.Model):
    """A business using Walker. Creating one creates its role groups (see tenants.signals)."""

    class Tier(models.TextChoices):
        FREE = "free", "Free"
        STARTER = "starter", "Starter"
        PRO = "pro", "Pro"
        ENTERPRISE = "enterprise", "Enterprise"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    name = models.CharField(max_length=200, verbose_name=_("name"))
    slug = models.SlugField(max_length=64, unique=True, verbose_name=_("slug"))
    subscription_tier = models.CharField(
        max_length=20, choices=Tier.choices, default=Tier.FREE, verbose_name=_("subscription tier")
    )
    timezone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_timezone],
        help_text=_("Used to show and schedule times."),
        verbose_name=_("timezone"),
    )
    action_webhook_url = models.URLField(
        blank=True,
        validators=[validate_outbound_url],
        help_text=_("If set, approved actions are POSTed here (signed) instead of applied by Walker. https only."),
        verbose_name=_("action webhook URL"),
    )
    # Whoever holds the secret signs calls the tenant's receiver executes as approved, and the Slack URL posts
    # to the tenant's channel: both encrypted at rest, and write-only in the admin for those who manage the tenant.
    action_webhook_secret = EncryptedTextField(
        max_length=128,
        blank=True,
        help_text=_('Signs webhook calls: X-Walker-Signature is HMAC-SHA256 of "<X-Walker-Timestamp>.<body>".'),
        verbose_name=_("action webhook secret"),
    )
    slack_webhook_url = EncryptedTextField(
        max_length=200,
        blank=True,
        validators=[URLValidator(), validate_outbound_url],
        help_text=_("Slack incoming-webhook URL for approval notifications. https only."),
        verbose_name=_("Slack webhook URL"),
    )
    message_retention_days = models.PositiveIntegerField(
        default=365,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RETENTION_DAYS)],
        help_text=_("Days message content and media links are kept; then a nightly job removes them (counts stay)."),
        verbose_name=_("message retention days"),
    )
    access_log_retention_days = models.PositiveIntegerField(
        default=1095,
        validators=[MinValueValidator(MIN_ACCESS_LOG_DAYS), MaxValueValidator(MAX_RETENTION_DAYS)],
        help_text=format_lazy(
            _("Days access records are kept (at least {days}); older ones are removed nightly."),
            days=MIN_ACCESS_LOG_DAYS,
        ),
        verbose_name=_("access log retention days"),
    )
    share_personal_data_with_llm = models.BooleanField(
        default=False,
        help_text=(
            _(
                "Send phone numbers, emails, card numbers, IBANs and national ids in messages to an external LLM "
                "(OpenAI, Langflow) as written. Off: the engine receives placeholders such as [phone]."
            )
        ),
        verbose_name=_("share personal data with external AI engines"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("tenant")
        ordering = ["name"]
        permissions = [
            ("view_pii", "Can view unmasked personal data"),
            ("manage_users", "Can manage the tenant's users"),
        ]

    def __str__(self):
        return self.name

    def generate_action_webhook_secret(self) -> str:
        """Replace the signing secret with a new random one and return it: the only time it is shown."""
        self.action_webhook_secret = secrets.token_hex(32)
        self.save(update_fields=["action_webhook_secret"])
        return self.action_webhook_secret


class UserQuerySet(TenantScopedQuerySet):
    def for_user(self, user):
        scoped = super().for_user(user)
        # Platform superusers are never listed to, or editable by, a tenant's people.
        return scoped if getattr(user, "is_superuser", False) else scoped.filter(is_superuser=False)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=email, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_superuser=True, is_staff=True)
        return self.create_user(email, password, **fields)


class User(HashedFieldsMixin, AbstractBaseUser, PermissionsMixin):
    """A person: signs in with their email, belongs to one tenant with one role.

    Only platform superusers may have no tenant. `is_staff` follows the role.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    # Encrypted at rest; `email_hash` finds a person by address (see tenants.fields).
    email = EncryptedTextField(
        unique=True, max_length=254, kind="email", hash_field="email_hash", verbose_name=_("email")
    )
    email_hash = KeyedHashField(of="email", unique=True, verbose_name=_("email hash"))
    first_name = models.CharField(max_length=150, blank=True, verbose_name=_("first name"))
    last_name = models.CharField(max_length=150, blank=True, verbose_name=_("last name"))
    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.CASCADE, related_name="users", verbose_name=_("tenant")
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER, verbose_name=_("role"))
    language = models.CharField(
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The language of the console, the chat's pages and the emails; empty: the browser's."),
        verbose_name=_("language"),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))
    is_staff = models.BooleanField(
        default=False,
        editable=False,
        help_text=_("Set from the role: every role but member may sign in to the console."),
        verbose_name=_("is staff"),
    )
    date_joined = models.DateTimeField(default=timezone.now, verbose_name=_("date joined"))

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        ordering = ["first_name", "last_name", "date_joined"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_superuser=True) | models.Q(tenant__isnull=False),
                name="user_has_tenant_unless_superuser",
                violation_error_message="Every user except platform superusers belongs to a tenant.",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "role"])]

    def __str__(self):
        """Their name, else their address masked: this lands in logs and object names, never the address."""
        return self.get_full_name() if (self.first_name or self.last_name) else mask(self.email)

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        self.is_staff = self.is_superuser or self.role in STAFF_ROLES
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"role", "is_superuser"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "is_staff"}
        super().save(*args, **kwargs)

    def set_password(self, raw_password):
        """Also marks the credentials as changed: saving then revokes the API tokens (tenants.signals)."""
        super().set_password(raw_password)
        self.credentials_changed = True

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self):
        return self.first_name or self.email


class UserPhoneNumber(HashedFieldsMixin, models.Model):
    """A phone number a user writes from (WhatsApp); stored in E.164, unique within a tenant."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="+", editable=False, verbose_name=_("tenant")
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="phone_numbers", verbose_name=_("user"))
    # Wide enough for a number typed with spaces and brackets; stored values are E.164 (≤ 16).
    phone_number = EncryptedTextField(
        max_length=32,
        kind="phone",
        hash_field="phone_hash",
        help_text=_("With its country code, e.g. +1 415 555 0100."),
        verbose_name=_("phone number"),
    )
    phone_hash = KeyedHashField(of="phone_number", verbose_name=_("phone hash"))
    verified = models.BooleanField(
        default=False,
        editable=False,
        help_text=_("Confirmed with a code sent to the number (tenants.verification)."),
        verbose_name=_("verified"),
    )
    verified_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("verified at"))
    # The pending verification code: only its keyed hash is kept (tenants.verification).
    code_hash = models.CharField(max_length=64, blank=True, editable=False, verbose_name=_("code hash"))
    code_expires_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("code expires at"))
    code_attempts = models.PositiveSmallIntegerField(default=0, editable=False, verbose_name=_("code attempts"))
    code_sent_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("code sent at"))
    codes_sent = models.PositiveSmallIntegerField(
        default=0, editable=False, help_text=_("Codes sent since the last success."), verbose_name=_("codes sent")
    )
    code_delivery_error = models.CharField(
        max_length=300, blank=True, editable=False, verbose_name=_("code delivery error")
    )
    is_primary = models.BooleanField(_("primary"), default=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("user phone number")
        ordering = ["-is_primary", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "phone_hash"], name="phone_unique_per_tenant"),
            models.UniqueConstraint(fields=["user"], condition=models.Q(is_primary=True), name="one_primary_phone"),
        ]

    def __str__(self):
        return self.phone_number

    def clean(self):
        super().clean()
        self.phone_number = normalize_phone(self.phone_number)
        if self.user_id is None:
            return
        if self.user.tenant_id is None:
            raise ValidationError("Only people of a tenant have phone numbers; this user has no tenant.")
        taken = UserPhoneNumber.objects.filter(tenant_id=self.user.tenant_id, phone_number=self.phone_number)
        if taken.exclude(pk=self.pk).exists():
            raise ValidationError({"phone_number": f"{self.phone_number} already belongs to someone in this tenant."})

    def save(self, *args, **kwargs):
        self.phone_number = normalize_phone(self.phone_number)
        self.tenant_id = self.user.tenant_id
        if self.verified and self.verified_at is None:
            self.verified_at = timezone.now()
        if not self._state.adding and self.verified:
            stored = UserPhoneNumber.objects.filter(pk=self.pk).values_list("phone_number", flat=True).first()
            if stored is not None and stored != self.phone_number:  # a changed number must be verified again
                self.verified, self.verified_at = False, None
        with transaction.atomic():
            if self.is_primary:  # the number marked primary last wins
                self.user.phone_numbers.filter(is_primary=True).exclude(pk=self.pk).update(is_primary=False)
            super().save(*args, **kwargs)


class UndeliverableAddress(models.Model):
    """An email address the provider reported as a hard bounce or spam complaint: Walker sends it nothing more.

    Keyed on the address, not a tenant: the provider's suppression is per address. Deleting the row
    (after the person fixes their mailbox) lets email flow again.
    """

    class Reason(models.TextChoices):
        BOUNCE = "bounce", _("Hard bounce")
        SPAM = "spamreport", _("Spam report")

    # Keyed on the address's keyed hash; the address itself is encrypted (see tenants.fields).
    address_hash = models.CharField(max_length=64, primary_key=True, editable=False, verbose_name=_("address hash"))
    email = EncryptedTextField(max_length=254, kind="email", hash_field="address_hash", verbose_name=_("email"))
    reason = models.CharField(max_length=12, choices=Reason.choices, verbose_name=_("reason"))
    detail = models.TextField(blank=True, verbose_name=_("detail"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("undeliverable address")
        ordering = ["-created_at"]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.address_hash = hash_of("email", self.email)
        super().save(*args, **kwargs)

    @classmethod
    def includes(cls, address: str) -> bool:
        return cls.objects.filter(email=address).exists()

    @classmethod
    def among(cls, addresses: list[str]) -> set[str]:
        """Those of `addresses` that are undeliverable, in one query."""
        hashes = set(cls.objects.filter(email__in=addresses).values_list("address_hash", flat=True))
        return {address for address in addresses if hash_of("email", address) in hashes}


BRIEF_SECTIONS = ("approvals", "campaigns", "seo", "content", "audiences", "conversations")
BRIEF_SECTION_NAMES = {
    "approvals": _("Approvals"), "campaigns": _("Paid ads"), "seo": _("SEO"), "content": _("Content"),
    "audiences": _("Audiences"), "conversations": _("Conversations"),
}  # fmt: skip


def all_brief_sections() -> list[str]:
    return list(BRIEF_SECTIONS)


class UserEmailPreference(models.Model):
    """When and what a user's daily email brief holds; times are in the user's own time zone."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="+", editable=False, verbose_name=_("tenant")
    )
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="email_preference", verbose_name=_("user"))
    enabled = models.BooleanField(default=True, verbose_name=_("enabled"))
    delivery_time = models.TimeField(
        default=time(8, 0), help_text=_("Local time in the time zone below."), verbose_name=_("delivery time")
    )
    timezone = models.CharField(max_length=64, blank=True, validators=[validate_timezone], verbose_name=_("timezone"))
    include_sections = models.JSONField(
        default=all_brief_sections,
        help_text=_("The sections the daily brief holds."),
        verbose_name=_("include sections"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("user email preference")
        ordering = ["user__first_name", "user__last_name", "user_id"]

    def __str__(self):
        return f"Email brief for {self.user}"

    def clean(self):
        super().clean()
        sections = self.include_sections
        if not isinstance(sections, list) or not all(isinstance(s, str) for s in sections):
            raise ValidationError({"include_sections": "Give a list of section names."})
        unknown = sorted(set(sections) - set(BRIEF_SECTIONS))
        if unknown:
            raise ValidationError(
                {"include_sections": f"Unknown section(s): {', '.join(unknown)}. Known: {', '.join(BRIEF_SECTIONS)}."}
            )

    def save(self, *args, **kwargs):
        self.tenant_id = self.user.tenant_id
        if not self.timezone:
            self.timezone = self.user.tenant.timezone
        super().save(*args, **kwargs)


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
        ordering = ["-created_at"]
        constraints = [  # one erasure at a time per person: a re-run after a crash resumes the same record
            models.UniqueConstraint(
                fields=["subject_ref"],
                condition=models.Q(kind="erasure", status="running"),
                name="one_running_erasure_per_person",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for person {self.subject_ref[:8]} ({self.created_at:%Y-%m-%d})"
