"""Alert rules on a tenant's own figures, the incidents they open and close, and the notices sent about them."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from channels_app.slack.models import SlackWorkspace
from tenants.roles import Role
from tenants.scoping import TenantScopedQuerySet

MAX_WINDOW_MINUTES = 7 * 24 * 60
MAX_CLEAR_AFTER_MINUTES = 24 * 60


class AlertKind(models.TextChoices):
    FIRST_RESPONSE_P90 = "first_response_p90", _("First response time, 90th percentile (minutes)")
    SLA_BREACHES = "sla_breaches", _("Approval SLA breaches")
    APPROVALS_WAITING = "approvals_waiting", _("Approvals waiting")
    OLDEST_WAITING_APPROVAL = "oldest_waiting_approval", _("Oldest waiting approval (minutes)")
    EMAIL_BOUNCE_RATE = "email_bounce_rate", _("Email bounce rate (%)")
    FAILED_EXECUTIONS = "failed_executions", _("Failed executions")
    CHANNEL_FAILURES = "channel_failures", _("Failed sends on a channel")
    AD_REAUTHORISATION = "ad_reauthorisation", _("Ad platform connections needing re-authorisation")
    AD_OUTSIDE_CHANGES = "ad_outside_changes", _("Ad platform changes made outside Walker")


# The kinds measured over the rule's window; the others are a figure of the moment (what waits now).
WINDOWED = frozenset(
    {
        AlertKind.FIRST_RESPONSE_P90,
        AlertKind.SLA_BREACHES,
        AlertKind.EMAIL_BOUNCE_RATE,
        AlertKind.FAILED_EXECUTIONS,
        AlertKind.CHANNEL_FAILURES,
        AlertKind.AD_OUTSIDE_CHANGES,
    }
)


class WatchedChannel(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("Email")
    SLACK = "slack", _("Slack")


class NoticeChannel(models.TextChoices):
    """How people are told. A channel adds its choice here and registers its sender (`alerts.sending.register_sender`).
    Slack is told once per event in a channel of the tenant's workspace, not once per person."""

    EMAIL = "email", _("Email")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SLACK = "slack", _("Slack")


# The channels that tell each person; the others (Slack) post once per event where the tenant's people read it.
PERSONAL_CHANNELS = frozenset({NoticeChannel.EMAIL, NoticeChannel.WHATSAPP})


class AlertRule(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    name = models.CharField(max_length=120, verbose_name=_("name"))
    kind = models.CharField(max_length=30, choices=AlertKind.choices, verbose_name=_("figure"))
    threshold = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_(
            "An incident opens when the figure is above this, and clears once it has stayed at or below it for the "
            "quiet period."
        ),
        verbose_name=_("threshold"),
    )
    clear_after_minutes = models.PositiveIntegerField(
        default=10,
        validators=[MaxValueValidator(MAX_CLEAR_AFTER_MINUTES)],
        help_text=_(
            "Quiet period: an open incident clears only once the figure has stayed at or below the threshold this "
            "many minutes. Going above again in the meantime keeps the same incident open, with no new notice, and "
            "the wait starts over, so a figure hovering at the threshold is told once, not every minute. 0: it "
            "clears at the first evaluation at or below."
        ),
        verbose_name=_("clear after (minutes)"),
    )
    window_minutes = models.PositiveIntegerField(
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_WINDOW_MINUTES)],
        help_text=_("The figure covers this many minutes up to now (not used for what is waiting now)."),
        verbose_name=_("window (minutes)"),
    )
    channel = models.CharField(
        max_length=10,
        choices=WatchedChannel.choices,
        blank=True,
        help_text=_("For failed sends: the channel watched."),
        verbose_name=_("watched channel"),
    )
    enabled = models.BooleanField(default=True, verbose_name=_("enabled"))
    notify_roles = models.JSONField(default=list, blank=True, verbose_name=_("notify roles"))
    notify_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("notify people")
    )
    notify_channels = models.JSONField(default=list, verbose_name=_("notify by"))
    slack_channel = models.CharField(
        max_length=32,
        blank=True,
        validators=[RegexValidator(r"^[CG][A-Z0-9]{2,31}$", _("A Slack channel id, e.g. C0123ABCD."))],
        help_text=_("Slack channel id (C0123ABCD) the notices are posted to; empty: the workspace's default channel."),
        verbose_name=_("Slack channel"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.kind == AlertKind.CHANNEL_FAILURES and not self.channel:
            errors["channel"] = _("Pick the channel whose failed sends this rule counts.")
        if self.kind != AlertKind.CHANNEL_FAILURES and self.channel:
            errors["channel"] = _("Only a rule on failed sends watches a channel.")
        if self.kind == AlertKind.EMAIL_BOUNCE_RATE and self.threshold is not None and self.threshold > 100:
            errors["threshold"] = _("A rate is at most 100 %.")
        roles = self.notify_roles if isinstance(self.notify_roles, list) else None
        if roles is None or set(roles) - set(Role.values):
            errors["notify_roles"] = _("Roles are among: %(roles)s.") % {"roles": ", ".join(Role.values)}
        channels = self.notify_channels if isinstance(self.notify_channels, list) else None
        if not channels or set(channels) - set(NoticeChannel.values):
            errors["notify_channels"] = _("Pick at least one way to notify: %(channels)s.") % {
                "channels": ", ".join(NoticeChannel.values)
            }
        elif NoticeChannel.SLACK in channels:
            errors.update(self._slack_errors())
        elif self.slack_channel:
            errors["slack_channel"] = _("Only a rule that notifies on Slack names a Slack channel.")
        if errors:
            raise ValidationError(errors)

    def _slack_errors(self) -> dict:
        """Slack needs the rule's tenant's own workspace, and a channel: the rule's, else the workspace's default."""
        workspace = SlackWorkspace.objects.filter(tenant_id=self.tenant_id).first() if self.tenant_id else None
        if workspace is None:
            return {
                "notify_channels": _(
                    "The tenant has no Slack workspace connected: connect it under Slack workspaces to notify on Slack."
                )
            }
        if not (self.slack_channel or workspace.default_channel):
            return {"slack_channel": _("Name the Slack channel: the tenant's Slack workspace has no default channel.")}
        return {}

    @property
    def windowed(self) -> bool:
        return self.kind in WINDOWED


class AlertIncident(models.Model):
    """A span from a rule's figure going above its threshold until it has stayed at or below it for the rule's quiet
    period (`clear_after_minutes`): opened once, cleared once, whatever the figure does in between."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="incidents", verbose_name=_("rule"))
    threshold = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("threshold at opening"))
    opened_at = models.DateTimeField(verbose_name=_("opened at"))
    opened_value = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("figure at opening"))
    peak_value = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("highest figure"))
    # The first evaluation at or below since the figure was last above: the quiet period counts from it.
    quiet_since = models.DateTimeField(null=True, blank=True, verbose_name=_("within the threshold since"))
    cleared_at = models.DateTimeField(null=True, blank=True, verbose_name=_("cleared at"))
    cleared_value = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, verbose_name=_("figure at clearing")
    )

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert incident")
        verbose_name_plural = _("alert incidents")
        ordering = ["-opened_at"]
        constraints = [
            # Two evaluations at once may both find the rule quiet; only one of them opens an incident.
            models.UniqueConstraint(
                fields=["rule"], condition=models.Q(cleared_at__isnull=True), name="one_open_incident_per_rule"
            )
        ]
        indexes = [models.Index(fields=["tenant", "-opened_at"])]

    def __str__(self):
        """The rule and when it opened, on the viewer's clock (the tenant's zone in the console)."""
        return f"{self.rule} · {formats.date_format(timezone.localtime(self.opened_at), 'SHORT_DATETIME_FORMAT')}"

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None


class AlertNotice(models.Model):
    """One message about an incident's opening or clearing: to one person on one channel (email, WhatsApp), or, with
    no recipient, the one post of the event in the tenant's Slack workspace."""

    class Event(models.TextChoices):
        OPENED = "opened", _("Opened")
        CLEARED = "cleared", _("Cleared")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    incident = models.ForeignKey(
        AlertIncident, on_delete=models.CASCADE, related_name="notices", verbose_name=_("incident")
    )
    event = models.CharField(max_length=10, choices=Event.choices, verbose_name=_("event"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recipient"),
    )
    channel = models.CharField(max_length=20, choices=NoticeChannel.choices, verbose_name=_("channel"))
    subject = models.CharField(max_length=300, verbose_name=_("subject"))
    message = models.TextField(verbose_name=_("message"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    provider = models.CharField(max_length=30, blank=True, verbose_name=_("provider"))
    provider_message_id = models.CharField(max_length=255, blank=True, verbose_name=_("provider message ID"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    failure_reason = models.TextField(blank=True, verbose_name=_("failure reason"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert notice")
        verbose_name_plural = _("alert notices")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "event", "recipient", "channel"], name="one_alert_notice_per_person_and_channel"
            ),
            # A post with no recipient (Slack): one per event (NULLs never clash in the constraint above).
            models.UniqueConstraint(
                fields=["incident", "event", "channel"],
                condition=models.Q(recipient__isnull=True),
                name="one_alert_post_per_event_and_channel",
            ),
        ]

    def __str__(self):
        return f"{self.get_event_display()} · {self.get_channel_display()}"
