"""Connections to the tenants' ad accounts, the link of each synced campaign to its platform object, and the
runs of the sync."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from agents.models import Campaign
from core.when import day, moment
from tenants.fields import EncryptedTextField
from tenants.scoping import TenantScopedQuerySet

# The fields holding credentials: encrypted at rest, written in forms and the API, never shown or logged again.
SECRET_FIELDS = ("developer_token", "client_secret", "refresh_token", "access_token")


class ConnectionState(models.TextChoices):
    ACTIVE = "active", _("Active")
    NEEDS_REAUTHORISATION = "needs_reauth", _("Needs re-authorisation")
    PAUSED_FOR_QUOTA = "paused_quota", _("Paused for quota")
    DISABLED = "disabled", _("Disabled")


class AdConnection(models.Model):
    """One ad account of one tenant on one platform, with the credentials Walker uses for it."""

    Platform = Campaign.Platform

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="ad_connections", verbose_name=_("tenant")
    )
    platform = models.CharField(max_length=10, choices=Platform.choices, verbose_name=_("platform"))
    account_id = models.CharField(
        max_length=40,
        verbose_name=_("ad account"),
        help_text=_("Google Ads: the customer id (10 digits). Meta: the ad account id, act_ followed by digits."),
    )
    login_customer_id = models.CharField(
        max_length=10,
        blank=True,
        verbose_name=_("manager account"),
        help_text=_("Google Ads only: the manager (MCC) customer id the access goes through, if any."),
    )
    name = models.CharField(max_length=200, blank=True, verbose_name=_("account name"))
    currency = models.CharField(max_length=3, blank=True, verbose_name=_("currency"))
    time_zone = models.CharField(max_length=64, blank=True, verbose_name=_("time zone"))

    # Credentials (write-only): Google's developer token, OAuth client and refresh token; Meta's system-user token.
    developer_token = EncryptedTextField(blank=True, verbose_name=_("developer token"))
    client_id = models.CharField(max_length=200, blank=True, verbose_name=_("OAuth client id"))
    client_secret = EncryptedTextField(blank=True, verbose_name=_("OAuth client secret"))
    refresh_token = EncryptedTextField(blank=True, verbose_name=_("refresh token"))
    access_token = EncryptedTextField(blank=True, verbose_name=_("access token"))
    app_id = models.CharField(
        max_length=40,
        blank=True,
        verbose_name=_("Meta app id"),
        help_text=_("Meta only: the app the system user belongs to (its rate limits are shared)."),
    )

    state = models.CharField(
        max_length=12, choices=ConnectionState.choices, default=ConnectionState.ACTIVE, verbose_name=_("state")
    )
    state_detail = models.CharField(max_length=500, blank=True, verbose_name=_("state detail"))
    paused_until = models.DateTimeField(null=True, blank=True, verbose_name=_("paused until"))
    admins_told_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("admins told at"),
        help_text=_("When the tenant's admins were told the connection needs re-authorisation (once)."),
    )

    sync_every_minutes = models.PositiveIntegerField(
        default=60, validators=[MinValueValidator(15), MaxValueValidator(24 * 60)], verbose_name=_("sync every")
    )
    lookback_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        verbose_name=_("days read again"),
        help_text=_("Days of figures read again on every sync, for late conversions (Google 14, Meta 28 if empty)."),
    )
    next_sync_at = models.DateTimeField(null=True, blank=True, db_index=True, verbose_name=_("next sync at"))
    synced_through = models.DateField(
        null=True,
        blank=True,
        verbose_name=_("complete through"),
        help_text=_("The last whole day (in the account's time zone) whose figures were read."),
    )
    last_synced_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last synced at"))
    reconciled_on = models.DateField(
        null=True,
        blank=True,
        verbose_name=_("reconciled on"),
        help_text=_("The day (UTC) the daily reconciliation last claimed this connection."),
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ad platform connection")
        verbose_name_plural = _("ad platform connections")
        ordering = ["platform", "account_id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "platform", "account_id"], name="one_connection_per_account"),
        ]

    def __str__(self):
        return f"{self.get_platform_display()} {self.name or self.account_id}"

    @property
    def is_usable(self) -> bool:
        """Syncs and executions may run on it (a quota pause passes by itself)."""
        return self.state in (ConnectionState.ACTIVE, ConnectionState.PAUSED_FOR_QUOTA)


class PlatformCampaign(models.Model):
    """A campaign of Walker's that a sync brought from an ad account, with what the platform calls it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    connection = models.ForeignKey(
        AdConnection, on_delete=models.CASCADE, related_name="campaigns", verbose_name=_("connection")
    )
    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="platform_link", verbose_name=_("campaign")
    )
    external_id = models.CharField(max_length=40, verbose_name=_("platform id"))
    effective_status = models.CharField(max_length=40, blank=True, verbose_name=_("platform status"))
    budget_id = models.CharField(max_length=40, blank=True, verbose_name=_("budget id"))
    budget_shared = models.BooleanField(default=False, verbose_name=_("shared budget"))
    budget_level = models.CharField(max_length=10, default="campaign", verbose_name=_("budget level"))
    daily_budget_units = models.BigIntegerField(null=True, blank=True, verbose_name=_("daily budget (platform units)"))
    synced_at = models.DateTimeField(verbose_name=_("synced at"))
    # The attempt applying an approved change to this campaign now (adplatforms.executor), claimed by a conditional
    # update rather than a row lock held across the platform's calls; a claim older than its lease is taken over.
    change_claim = models.UUIDField(null=True, blank=True, verbose_name=_("change in progress"))
    change_claimed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("change claimed at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("synced campaign")
        verbose_name_plural = _("synced campaigns")
        ordering = ["connection", "external_id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "external_id"], name="one_link_per_platform_campaign"),
        ]

    def __str__(self):
        return f"{self.connection}: {self.external_id}"


class SyncRun(models.Model):
    """One run of the sync of one connection: what it read and how it ended."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    connection = models.ForeignKey(
        AdConnection, on_delete=models.CASCADE, related_name="runs", verbose_name=_("connection")
    )
    started_at = models.DateTimeField(auto_now_add=True, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING, verbose_name=_("status"))
    first_day = models.DateField(null=True, blank=True, verbose_name=_("from"))
    last_day = models.DateField(null=True, blank=True, verbose_name=_("to"))
    campaigns = models.PositiveIntegerField(default=0, verbose_name=_("campaigns"))
    campaign_days = models.PositiveIntegerField(default=0, verbose_name=_("campaign days"))
    outside_changes = models.PositiveIntegerField(default=0, verbose_name=_("changes outside Walker found"))
    error = models.CharField(max_length=500, blank=True, verbose_name=_("error"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["connection", "-started_at"])]

    def __str__(self):
        return f"{self.connection}, {moment(self.started_at)}"


class AdGuardrails(models.Model):
    """A tenant's limits on the budget changes Walker makes on its ad platforms, checked when an agent proposes a
    change and again just before it is written (adplatforms.guardrails)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.OneToOneField(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="ad_guardrails", verbose_name=_("tenant")
    )
    max_change_percent = models.PositiveIntegerField(
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        verbose_name=_("largest change per action (%)"),
        help_text=_("How far one approved change may move a daily budget, as a percentage of the budget now."),
    )
    max_daily_change_percent = models.PositiveIntegerField(
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(10000)],
        verbose_name=_("largest change per 24 hours (%)"),
        help_text=_(
            "How far the changes of the last 24 hours, added up, may move a daily budget, as a percentage of the "
            "budget 24 hours ago."
        ),
    )
    min_daily_budget = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
        verbose_name=_("smallest daily budget"),
        help_text=_("In each account's own currency."),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ad guardrails")
        verbose_name_plural = _("ad guardrails")

    def __str__(self):
        return str(_("Guardrails of %(tenant)s") % {"tenant": self.tenant})

    @classmethod
    def for_tenant(cls, tenant) -> "AdGuardrails":
        """The tenant's guardrails, created with the defaults when first read."""
        guardrails, _created = cls.objects.get_or_create(tenant=tenant)
        return guardrails


class PlatformChange(models.Model):
    """A change Walker made on an ad platform for an approved action: what the guardrails add up over 24 hours,
    and the record of what was written."""

    class Field(models.TextChoices):
        DAILY_BUDGET = "daily_budget", _("daily budget")
        STATUS = "status", _("status")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    connection = models.ForeignKey(
        AdConnection, on_delete=models.CASCADE, related_name="changes", verbose_name=_("connection")
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="platform_changes", verbose_name=_("campaign")
    )
    field = models.CharField(max_length=20, choices=Field.choices, verbose_name=_("field"))
    before_units = models.BigIntegerField(null=True, blank=True, verbose_name=_("before (platform units)"))
    after_units = models.BigIntegerField(null=True, blank=True, verbose_name=_("after (platform units)"))
    before = models.CharField(max_length=40, verbose_name=_("before"))  # an amount of `currency`, or a status
    after = models.CharField(max_length=40, verbose_name=_("after"))
    currency = models.CharField(max_length=3, blank=True, verbose_name=_("currency"))
    approval_id = models.UUIDField(verbose_name=_("approval id"))
    at = models.DateTimeField(verbose_name=_("at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("change made on a platform")
        verbose_name_plural = _("changes made on platforms")
        ordering = ["-at"]
        indexes = [models.Index(fields=["campaign", "field", "-at"])]

    def __str__(self):
        return f"{self.campaign}: {self.field} {self.before} -> {self.after}"


def _difference(name: str) -> models.GeneratedField:
    return models.GeneratedField(
        expression=models.F(f"platform_{name}") - models.F(f"walker_{name}"),
        output_field=models.BigIntegerField(),
        db_persist=True,
    )


class AccountReconciliation(models.Model):
    """One day of one ad account reconciled (adplatforms.reconcile): the sum of Walker's synced campaign rows
    beside the account's own total read from the platform, and the differences. Money in the platform's integer
    units (Google micros, Meta's units of `currency`); upserted on (connection, date)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    connection = models.ForeignKey(
        AdConnection, on_delete=models.CASCADE, related_name="reconciliations", verbose_name=_("connection")
    )
    date = models.DateField(verbose_name=_("date"))
    currency = models.CharField(max_length=3, verbose_name=_("currency"))
    walker_cost = models.BigIntegerField(verbose_name=_("Walker's cost (platform units)"))
    platform_cost = models.BigIntegerField(verbose_name=_("platform's cost (platform units)"))
    walker_conversion_value = models.BigIntegerField(verbose_name=_("Walker's conversion value (platform units)"))
    platform_conversion_value = models.BigIntegerField(verbose_name=_("platform's conversion value (platform units)"))
    walker_conversions = models.BigIntegerField(verbose_name=_("Walker's conversions"))
    platform_conversions = models.BigIntegerField(verbose_name=_("platform's conversions"))
    walker_clicks = models.BigIntegerField(verbose_name=_("Walker's clicks"))
    platform_clicks = models.BigIntegerField(verbose_name=_("platform's clicks"))
    walker_impressions = models.BigIntegerField(verbose_name=_("Walker's impressions"))
    platform_impressions = models.BigIntegerField(verbose_name=_("platform's impressions"))
    cost_difference = _difference("cost")
    conversion_value_difference = _difference("conversion_value")
    conversions_difference = _difference("conversions")
    clicks_difference = _difference("clicks")
    impressions_difference = _difference("impressions")
    campaign_rows = models.PositiveIntegerField(verbose_name=_("Walker's campaign rows"))
    campaigns_missing = models.PositiveIntegerField(
        verbose_name=_("campaigns missing"), help_text=_("Campaigns with figures on the platform and none in Walker.")
    )
    campaigns_changed = models.PositiveIntegerField(
        verbose_name=_("campaigns changed"),
        help_text=_("Campaigns whose figures on the platform differ from Walker's (since the last sync)."),
    )
    matches = models.BooleanField(verbose_name=_("matches"))
    told_at = models.DateTimeField(null=True, blank=True, verbose_name=_("admins told at"))
    checked_at = models.DateTimeField(verbose_name=_("checked at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("account reconciliation")
        verbose_name_plural = _("account reconciliations")
        ordering = ["connection", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "date"], name="one_reconciliation_per_account_day"),
        ]
        indexes = [models.Index(fields=["connection", "matches"])]

    def __str__(self):
        return f"{self.connection}, {day(self.date)}"


# The performance rules', the outside changes' and the recommendations' models live with their packages; imported here
# so Django finds them.
from adplatforms.outside.models import OutsideChange  # noqa: E402, F401
from adplatforms.recommendations.models import PlatformRecommendation  # noqa: E402, F401
from adplatforms.rules.models import PerformanceRule, RuleFiring  # noqa: E402, F401
