"""The tenant: a business using Walker, and the time zones and retention bounds its settings obey."""

import secrets
import uuid
from datetime import time
from functools import cache
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tenants.fields import EncryptedTextField
from tenants.outbound import validate_outbound_url
from tenants.roles import Role
from tenants.scoping import TenantScopedQuerySet

# Who must sign in with a second factor in a NEW tenant: the roles that move money, decide or read personal data.
MFA_DEFAULT_ROLES = (Role.ADMIN, Role.APPROVER, Role.COMPLIANCE)
MAX_MFA_TRUST_DAYS = 90  # the trust cookie's lifetime (MFA_TRUST_COOKIE_AGE); a tenant may only shorten it
MAX_STEP_UP_MINUTES = 24 * 60


class StepUpLevel(models.TextChoices):
    """From which risk level a decision needs a fresh second factor: the values of hitl's RiskLevel (which this
    lower app cannot import; tests/mfa/test_step_up_policy.py keeps the two alike), or off."""

    OFF = "", _("Never (off)")
    LOW = "low", _("Low and above (every decision)")
    MEDIUM = "medium", _("Medium and above")
    HIGH = "high", _("High and above")
    CRITICAL = "critical", _("Critical only")


class SupportNotice(models.TextChoices):
    """How support hears that a customer asked for a person, besides the console (docs/console.md)."""

    EMAIL = "email", _("Email to support and admins")
    SLACK = "slack", _("Slack")


def default_support_days() -> list[int]:
    return [0, 1, 2, 3, 4]  # Monday to Friday


# Clock-time defaults are callables: Django warns (fields.W161) about a fixed time default whenever the check runs
# within seconds of that time of day, which failed `check --deploy --fail-level WARNING` in CI at 07:59:50.
def nine_am() -> time:
    return time(9)


def five_pm() -> time:
    return time(17)


def validate_weekdays(value) -> None:
    if not isinstance(value, list) or not all(isinstance(day, int) and 0 <= day <= 6 for day in value):
        raise ValidationError(_("Give days as numbers from 0 (Monday) to 6 (Sunday)."))


def default_mfa_roles() -> list[str]:
    return [str(role) for role in MFA_DEFAULT_ROLES]


def validate_roles(value) -> None:
    known = set(Role.values)
    if not isinstance(value, list) or not all(isinstance(role, str) and role in known for role in value):
        raise ValidationError(_("Pick roles among: %(roles)s."), params={"roles": ", ".join(Role.values)})


@cache
def _known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_timezone(value: str) -> None:
    if value not in _known_timezones():
        raise ValidationError(f"“{value}” is not an IANA time zone (e.g. Europe/Paris, America/New_York).")


MAX_RETENTION_DAYS = 3650
# The database refuses to purge younger records whatever a tenant sets (tenants/migrations/0001).
MIN_ACCESS_LOG_DAYS = 90


class TenantQuerySet(TenantScopedQuerySet):
    tenant_id_field = "pk"

    def lock(self, tenant_id) -> None:
        """Hold the tenant's row until the transaction ends, so that work of one tenant waits for the other at this
        point (FOR NO KEY UPDATE: rows referring to the tenant can still be written meanwhile)."""
        list(self.select_for_update(no_key=True).filter(pk=tenant_id).values_list("pk"))


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
    # The MFA policy (docs/identity.md): on the tenant row, which every console request already loads with the user.
    mfa_required_roles = models.JSONField(
        default=default_mfa_roles,
        blank=True,
        validators=[validate_roles],
        help_text=_("People with these roles must sign in with a second factor (an authenticator app or a passkey)."),
        verbose_name=_("roles that need a second factor"),
    )
    mfa_trust_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MaxValueValidator(MAX_MFA_TRUST_DAYS)],
        help_text=_("Days a browser its person chose to trust skips the second factor; 0: ask at every sign-in."),
        verbose_name=_("trust a browser for (days)"),
    )
    # Step-up (docs/identity.md, "Step-up"): decisions from this risk level need a second factor shown this recently.
    step_up_risk_level = models.CharField(
        max_length=10,
        choices=StepUpLevel.choices,
        default=StepUpLevel.HIGH,
        blank=True,
        help_text=_(
            "Approving or rejecting a request of this risk or above needs a second factor shown within the window "
            "below (one-click links and replies by email or WhatsApp then send the approver to the console). Off: no "
            "step-up anywhere, neither for decisions nor for revealing personal data or changing secrets."
        ),
        verbose_name=_("step-up from risk level"),
    )
    step_up_minutes = models.PositiveSmallIntegerField(
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_STEP_UP_MINUTES)],
        help_text=_(
            "How recent the second factor must be for a step-up decision, revealing personal data or changing "
            "channel and ad platform secrets; a trusted browser never counts."
        ),
        verbose_name=_("step-up window (minutes)"),
    )
    # When the last standing approval given in the tenant ends (hitl.services.standing): until then a new request is
    # checked against them; after it, a request costs no query for them.
    standing_approvals_until = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("standing approvals until")
    )
    # When a person of the team answers (conversations.person_asked), in the tenant's time zone: what a customer who
    # asks for a person is told, and whom support hears it on besides the console.
    support_days = models.JSONField(
        default=default_support_days,
        blank=True,
        validators=[validate_weekdays],
        help_text=_("Days the team answers: 0 is Monday, 6 is Sunday."),
        verbose_name=_("support days"),
    )
    support_opens = models.TimeField(default=nine_am, verbose_name=_("support opens at"))
    support_closes = models.TimeField(default=five_pm, verbose_name=_("support closes at"))
    support_notify_by = models.CharField(
        max_length=10,
        choices=SupportNotice.choices,
        default=SupportNotice.EMAIL,
        help_text=_(
            "Besides the console: how support and admins hear that a customer asked for a person. Slack posts in the "
            "connected workspace's default channel."
        ),
        verbose_name=_("tell support by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        ordering = ["name"]
        permissions = [
            ("view_pii", "Can view unmasked personal data"),
            ("manage_users", "Can manage the tenant's users"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.support_opens and self.support_closes and self.support_closes <= self.support_opens:
            raise ValidationError({"support_closes": _("Support closes after it opens, on the same day.")})

    def generate_action_webhook_secret(self) -> str:
        """Replace the signing secret with a new random one and return it: the only time it is shown."""
        self.action_webhook_secret = secrets.token_hex(32)
        self.save(update_fields=["action_webhook_secret"])
        return self.action_webhook_secret
