import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.when import day, moment
from tenants.fields import EncryptedTextField
from tenants.outbound import validate_outbound_url
from tenants.scoping import TenantScopedQuerySet


class AgentType(models.TextChoices):
    PAID_ADS = "paid_ads", _("Paid Ads")
    SEO = "seo", "SEO"
    CONTENT = "content", _("Content")
    AUDIENCE = "audience", _("Audience Intelligence")


class AIAgentQuerySet(TenantScopedQuerySet):
    def for_user(self, user):
        """The tenant's own agents plus the system agents every tenant shares."""
        if getattr(user, "is_superuser", False):
            return self
        if not getattr(user, "is_authenticated", False) or user.tenant_id is None:
            return self.none()
        return self.filter(models.Q(tenant_id=user.tenant_id) | models.Q(is_system_agent=True))

    def serving(self, tenant, agent_type: str):
        """The agent that serves `agent_type` for `tenant`: its own active one (the oldest), else the system one.

        It comes with `applied_engine_choice`, the id of the tenant's engine choice that applies to it (its own,
        else the tenant's for every agent; None: the installation's engine), read in the same query: most tenants
        have none, and choosing the engine then costs no query (agents.engines.config)."""
        candidates = self.filter(is_active=True, agent_type=agent_type)
        candidates = candidates.filter(models.Q(tenant=tenant) | models.Q(is_system_agent=True))
        # One subquery, its own choice before the tenant's (a null agent sorts last): half the compiling of two.
        applies = models.Q(agent=models.OuterRef("pk")) | models.Q(agent__isnull=True)
        choice = EngineChoice.objects.filter(applies, tenant=tenant).order_by(models.F("agent").asc(nulls_last=True))
        applied = models.Subquery(choice.values("pk")[:1])
        return candidates.annotate(applied_engine_choice=applied).order_by("is_system_agent", "created_at").first()


class AIAgent(models.Model):
    """A Walker agent. System agents (no tenant) serve every tenant unless it configures its own."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey(
        "tenants.Tenant",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="agents",
        verbose_name=_("tenant"),
    )
    name = models.CharField(max_length=100, verbose_name=_("name"))
    agent_type = models.CharField(max_length=20, choices=AgentType.choices, verbose_name=_("agent type"))
    is_system_agent = models.BooleanField(default=False, verbose_name=_("is system agent"))
    configuration = models.JSONField(
        default=dict,
        blank=True,
        help_text=_('Optional: {"allowed_actions": [...]} narrows what the agent may propose for this tenant.'),
        verbose_name=_("configuration"),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = AIAgentQuerySet.as_manager()

    class Meta:
        ordering = ["agent_type", "name"]
        verbose_name = _("AI agent")
        verbose_name_plural = _("AI agents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_system_agent=True, tenant__isnull=True)
                | models.Q(is_system_agent=False, tenant__isnull=False),
                name="agent_system_xor_tenant",
                violation_error_message="A system agent has no tenant; any other agent belongs to one.",
            ),
            models.UniqueConstraint(
                fields=["agent_type"], condition=models.Q(is_system_agent=True), name="one_system_agent_per_type"
            ),
        ]

    def __str__(self):
        return self.name


class EngineChoice(models.Model):
    """Which engine answers for a tenant (or one of its agents), with its own endpoint, model and key.

    Without one, the environment's AGENT_ENGINE applies. The key is encrypted at rest and never shown again.
    """

    class Engine(models.TextChoices):
        BUILTIN = "builtin", _("Built-in (rules on your own data)")
        LANGFLOW = "langflow", _("Langflow flow")
        OPENAI = "openai", _("OpenAI-compatible API")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="engine_choices", verbose_name=_("tenant")
    )
    agent = models.ForeignKey(
        AIAgent,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Only this agent; empty: every agent of the tenant without a choice of its own."),
        verbose_name=_("agent"),
    )
    engine = models.CharField(max_length=10, choices=Engine.choices, verbose_name=_("engine"))
    endpoint = models.URLField(
        blank=True,
        validators=[validate_outbound_url],
        help_text=_("OpenAI: the API's base URL (empty: api.openai.com/v1). Langflow: the server's URL. https only."),
        verbose_name=_("endpoint"),
    )
    model = models.CharField(
        max_length=200, blank=True, help_text=_("OpenAI: the model. Langflow: the flow id."), verbose_name=_("model")
    )
    api_key = EncryptedTextField(
        blank=True, help_text=_("Stored encrypted; never shown again after saving."), verbose_name=_("API key")
    )
    tools_component = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("Langflow: the component that receives the read tools URL (tweaks)."),
        verbose_name=_("tools component"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["tenant", "agent"]
        verbose_name = _("engine choice")
        verbose_name_plural = _("engine choices")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "agent"], name="one_engine_choice_per_agent"),
            models.UniqueConstraint(
                fields=["tenant"], condition=models.Q(agent__isnull=True), name="one_engine_choice_per_tenant"
            ),
        ]

    def __str__(self):
        return f"{self.get_engine_display()} for {self.agent or 'every agent'}"

    def clean(self):
        super().clean()
        if self.agent_id and self.agent.tenant_id not in (None, self.tenant_id):
            raise ValidationError({"agent": "That agent belongs to another tenant."})
        missing = {
            self.Engine.OPENAI: [("model", self.model), ("api_key", self.api_key)],
            self.Engine.LANGFLOW: [("endpoint", self.endpoint), ("model", self.model)],
        }.get(self.engine, [])
        errors = {field: f"Required for {self.get_engine_display()}." for field, value in missing if not value}
        if errors:
            raise ValidationError(errors)


# --- Marketing data the agents read ---------------------------------------------------


class Campaign(models.Model):
    class Platform(models.TextChoices):
        META = "meta", "Meta"
        GOOGLE = "google", "Google"

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="campaigns", verbose_name=_("tenant")
    )
    platform = models.CharField(max_length=10, choices=Platform.choices, verbose_name=_("platform"))
    name = models.CharField(max_length=200, verbose_name=_("name"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, verbose_name=_("status"))
    daily_budget = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(0)], verbose_name=_("daily budget")
    )
    currency = models.CharField(max_length=3, default="USD", verbose_name=_("currency"))
    synced_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("synced at"),
        help_text=_("When a sync from the ad platform last wrote it; empty for campaigns kept in Walker."),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="campaign_name_unique_per_tenant")]

    def __str__(self):
        return self.name


class CampaignDailyStat(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="daily_stats", verbose_name=_("campaign")
    )
    date = models.DateField(verbose_name=_("date"))
    spend = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("spend"))
    impressions = models.PositiveIntegerField(verbose_name=_("impressions"))
    clicks = models.PositiveIntegerField(verbose_name=_("clicks"))
    conversions = models.PositiveIntegerField(verbose_name=_("conversions"))
    revenue = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("revenue"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign daily stat")
        verbose_name_plural = _("campaign daily stats")
        ordering = ["campaign", "date"]
        constraints = [models.UniqueConstraint(fields=["campaign", "date"], name="one_stat_per_campaign_day")]
        indexes = [models.Index(fields=["tenant", "date"])]

    def __str__(self):
        return f"{self.campaign}, {day(self.date)}"


class KeywordRanking(models.Model):
    """One day's search position of a keyword (1 is the top result)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    keyword = models.CharField(max_length=200, verbose_name=_("keyword"))
    url = models.URLField(max_length=500, verbose_name=_("URL"))
    position = models.PositiveIntegerField(verbose_name=_("position"))
    previous_position = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("previous position"))
    date = models.DateField(verbose_name=_("date"))
    search_volume = models.PositiveIntegerField(help_text=_("Monthly searches."), verbose_name=_("search volume"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("keyword ranking")
        verbose_name_plural = _("keyword rankings")
        ordering = ["keyword", "date"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "keyword", "date"], name="one_ranking_per_keyword_day")
        ]
        indexes = [models.Index(fields=["tenant", "date"])]

    def __str__(self):
        return f"{self.keyword}, {day(self.date)}"


class TargetKeyword(models.Model):
    """A keyword the tenant has chosen to pursue; the SEO agent proposes adding and dropping these."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    keyword = models.CharField(max_length=200, verbose_name=_("keyword"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("target keyword")
        verbose_name_plural = _("target keywords")
        ordering = ["keyword"]
        constraints = [models.UniqueConstraint(fields=["tenant", "keyword"], name="target_keyword_unique")]

    def __str__(self):
        return self.keyword


class ContentPiece(models.Model):
    class Channel(models.TextChoices):
        BLOG = "blog", "Blog"
        INSTAGRAM = "instagram", "Instagram"
        FACEBOOK = "facebook", "Facebook"
        LINKEDIN = "linkedin", "LinkedIn"
        NEWSLETTER = "newsletter", _("Newsletter")
        TIKTOK = "tiktok", "TikTok"

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="content_pieces", verbose_name=_("tenant")
    )
    title = models.CharField(max_length=300, verbose_name=_("title"))
    channel = models.CharField(max_length=20, choices=Channel.choices, verbose_name=_("channel"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, verbose_name=_("status"))
    scheduled_for = models.DateTimeField(null=True, blank=True, verbose_name=_("scheduled for"))
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("published at"))
    views = models.PositiveIntegerField(default=0, verbose_name=_("views"))
    engagement = models.PositiveIntegerField(
        default=0, help_text=_("Likes, comments, shares and clicks."), verbose_name=_("engagement")
    )
    body = models.TextField(
        blank=True, help_text=_("The text of the piece, such as a draft an AI engine wrote."), verbose_name=_("body")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("content piece")
        verbose_name_plural = _("content pieces")
        ordering = ["title"]
        indexes = [models.Index(fields=["tenant", "status"])]

    def __str__(self):
        return self.title


class AudienceSegment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="audience_segments", verbose_name=_("tenant")
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    size = models.PositiveIntegerField(verbose_name=_("size"))
    weekly_growth = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        help_text=_("Percent change over the last week."),
        verbose_name=_("weekly growth"),
    )
    description = models.TextField(blank=True, verbose_name=_("description"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("audience segment")
        verbose_name_plural = _("audience segments")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="segment_name_unique_per_tenant")]

    def __str__(self):
        return self.name


# --- The tool gateway's audit ----------------------------------------------------------


class ToolCallAudit(models.Model):
    """One proposed action as the gateway saw it, accepted or refused, with personal data redacted."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted for approval")
        REFUSED = "refused", _("Refused")
        READ = "read", _("Read data")
        READ_REFUSED = "read_refused", _("Read refused")
        DRAFTED = "drafted", _("Saved a draft")  # agents.drafts: the one write made without approval

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    agent = models.ForeignKey(AIAgent, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("agent"))
    user = models.ForeignKey(
        "tenants.User", null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("user")
    )
    conversation_id = models.UUIDField(
        null=True, blank=True, verbose_name=_("conversation ID")
    )  # a plain id: agents sit below conversations
    action_type = models.CharField(max_length=40, verbose_name=_("action type"))
    action_data = models.JSONField(default=dict, verbose_name=_("action data"))
    summary = models.CharField(max_length=300, blank=True, verbose_name=_("summary"))
    decision = models.CharField(max_length=12, choices=Decision.choices, verbose_name=_("decision"))
    reason = models.CharField(max_length=300, blank=True, verbose_name=_("reason"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("tool call audit")
        verbose_name_plural = _("tool call audits")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["conversation_id", "decision", "created_at"]),  # the rate limit's count
            models.Index(fields=["tenant", "created_at"]),
        ]

    def __str__(self):
        return f"{self.get_decision_display()}: {self.summary or self.action_type}"


class ToolCallbackRun(models.Model):
    """An engine run whose flow may call the read tools back (agents.tool_callback). The row lives while the run
    does: its tools URL names it, and once the run ends (the row deleted) or `expires_at` passes, the URL is
    refused. Who the run answers is read from here, never from the URL."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    agent = models.ForeignKey(AIAgent, on_delete=models.CASCADE, related_name="+", verbose_name=_("agent"))
    user = models.ForeignKey("tenants.User", on_delete=models.CASCADE, related_name="+", verbose_name=_("user"))
    conversation_id = models.UUIDField(
        null=True, blank=True, verbose_name=_("conversation ID")
    )  # a plain id: agents sit below conversations
    expires_at = models.DateTimeField(db_index=True, verbose_name=_("expires at"))

    class Meta:
        verbose_name = _("tool callback run")
        verbose_name_plural = _("tool callback runs")

    def __str__(self) -> str:
        return _("Tools run until %(time)s") % {"time": moment(self.expires_at)}


# Registered here so Django finds it with the agents app; its module keeps its rules beside it.
from agents.tenant_actions.models import TenantActionType  # noqa: E402, F401
