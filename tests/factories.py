from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth.models import Group
from django.db.models import Q
from django.utils import timezone
from factory.django import DjangoModelFactory

from agents.actions import ProposedAction
from tenants.models import Tenant, User, UserEmailPreference, UserPhoneNumber
from tenants.roles import Role

PASSWORD = "correct-horse-battery"
WEBHOOK_SECRET = "whsec-test-secret"  # the tenant action webhook secret of the `hooked` fixture


class TenantFactory(DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Tenant {n}")
    slug = factory.Sequence(lambda n: f"tenant-{n}")
    timezone = "Europe/Paris"
    # MFA and step-up off, so force_login sessions of every role work and decide; the tests of tests/mfa turn them on.
    mfa_required_roles = factory.LazyFunction(list)
    step_up_risk_level = ""


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    tenant = factory.SubFactory(TenantFactory)
    role = Role.MEMBER
    password = factory.django.Password(PASSWORD)


class PhoneFactory(DjangoModelFactory):
    class Meta:
        model = UserPhoneNumber

    user = factory.SubFactory(UserFactory)
    phone_number = factory.Sequence(lambda n: f"+1415555{n % 10000:04d}")
    verified = True  # only verified numbers identify a sender; verification tests pass verified=False


class EmailPreferenceFactory(DjangoModelFactory):
    class Meta:
        model = UserEmailPreference

    user = factory.SubFactory(UserFactory)


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = "agents.Campaign"

    tenant = factory.SubFactory(TenantFactory)
    platform = "meta"
    name = factory.Sequence(lambda n: f"Campaign {n}")
    status = "active"
    daily_budget = Decimal("500.00")


class CampaignDailyStatFactory(DjangoModelFactory):
    class Meta:
        model = "agents.CampaignDailyStat"

    campaign = factory.SubFactory(CampaignFactory)
    tenant = factory.SelfAttribute("campaign.tenant")
    date = factory.LazyFunction(lambda: timezone.localdate())
    spend = Decimal("480.00")
    impressions = 60000
    clicks = 1200
    conversions = 40
    revenue = Decimal("1900.00")


class KeywordRankingFactory(DjangoModelFactory):
    class Meta:
        model = "agents.KeywordRanking"

    tenant = factory.SubFactory(TenantFactory)
    keyword = factory.Sequence(lambda n: f"keyword {n}")
    url = "https://acme.test/hiking-boots"
    position = 8
    previous_position = 10
    date = factory.LazyFunction(lambda: timezone.localdate())
    search_volume = 5400


class ContentPieceFactory(DjangoModelFactory):
    class Meta:
        model = "agents.ContentPiece"

    tenant = factory.SubFactory(TenantFactory)
    title = factory.Sequence(lambda n: f"Story {n}")
    channel = "blog"
    status = "draft"


class AudienceSegmentFactory(DjangoModelFactory):
    class Meta:
        model = "agents.AudienceSegment"

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Segment {n}")
    size = 12000
    weekly_growth = Decimal("3.50")


class ConversationFactory(DjangoModelFactory):
    """A conversation of `user` (a member of a new tenant unless given) on the chat, open."""

    class Meta:
        model = "conversations.Conversation"

    user = factory.SubFactory(UserFactory)
    tenant = factory.SelfAttribute("user.tenant")
    channel = "chat"


class MessageFactory(DjangoModelFactory):
    """A customer's message in `conversation`, on its channel. Agents' replies pass direction="outbound",
    sender_type="agent" (and `metadata={"agent_type": ...}` where the reader looks for it)."""

    class Meta:
        model = "conversations.Message"

    conversation = factory.SubFactory(ConversationFactory)
    tenant = factory.SelfAttribute("conversation.tenant")
    channel = factory.SelfAttribute("conversation.channel")
    direction = "inbound"
    sender_type = "customer"
    text = "hello"


class HITLWorkflowFactory(DjangoModelFactory):
    """One level of the tenant's approvers, one approval needed, told in the console. Other levels are given as
    the API takes them (`approval_levels=[{"name", "approvers": {"roles", "groups", "users"}, ...}]`, people by
    id or email) and made rows."""

    class Meta:
        model = "hitl.HITLWorkflow"
        skip_postgeneration_save = True

    tenant = factory.SubFactory(TenantFactory)
    name = "Budget changes"
    notification_channels = factory.LazyFunction(lambda: ["in_app"])

    @factory.post_generation
    def approval_levels(workflow, create, levels, **kwargs):
        if levels is None:
            levels = [{"name": "Approvers", "approvers": {"roles": ["approver"]}, "required_approvals": 1}]
        for position, item in enumerate(levels, start=1):
            approvers = item.get("approvers") or {}
            named = approvers.get("users") or []
            ids = [name for name in named if "@" not in name]
            emails = [name.lower() for name in named if "@" in name]
            level = workflow.levels.create(
                position=position,
                name=item.get("name") or "",
                roles=list(approvers.get("roles") or []),
                required_approvals=item.get("required_approvals", 1),
            )
            level.users.set(User.objects.filter(Q(pk__in=ids) | Q(email__in=emails)) if named else [])
            level.groups.set(Group.objects.filter(name__in=approvers.get("groups") or []))


class HITLApprovalFactory(DjangoModelFactory):
    """An approval row as stored, without the services (no workflow, risk, history or notifications): for readers
    of approvals (lists, reports, analytics). Requests filed as the pipeline files them go through
    hitl.services.requests.request_approval (the `ask` fixtures)."""

    class Meta:
        model = "hitl.HITLApproval"

    tenant = factory.SubFactory(TenantFactory)
    # Six digits below the services' range (hitl.services.requests: 100000 and up), so never one of theirs.
    reference = factory.Sequence(lambda n: f"BR-{n % 100_000:06d}")
    agent_type = "paid_ads"
    action_type = "set_budget"
    action_summary = "Raise Summer Sale daily budget"


def budget_action(campaign, amount="700.00", **overrides) -> ProposedAction:
    """What an engine proposes for "raise <campaign>'s budget to <amount> a day"."""
    fields = dict(
        action_type="set_budget",
        action_data={
            "campaign_id": str(campaign.pk),
            "campaign_name": campaign.name,
            "daily_budget": amount,
            "previous_daily_budget": str(campaign.daily_budget),
        },
        summary=f"Raise {campaign.name} daily budget to ${amount}",
        estimated_cost=Decimal("6000"),
        estimated_reach=120_000,
        confidence=0.9,
    )
    return ProposedAction(**{**fields, **overrides})


def schedule_action(piece, at: str) -> ProposedAction:
    """What the content agent proposes for "schedule <piece> for <at>" (an ISO 8601 time in UTC)."""
    return ProposedAction(
        action_type="schedule_content",
        action_data={"content_id": str(piece.pk), "title": piece.title, "scheduled_for": at},
        summary=f"Schedule '{piece.title}'",
        estimated_reach=2_000,
        confidence=0.9,
    )


def spend_history(campaign, *, days: int, spend: str) -> None:
    """`days` of identical daily stats ending yesterday in the tenant's zone (as the agents count days), so risk and
    answers have a baseline whatever the hour."""
    today = timezone.localdate(timezone=ZoneInfo(campaign.tenant.timezone))
    for back in range(1, days + 1):
        CampaignDailyStatFactory(campaign=campaign, date=today - timedelta(days=back), spend=Decimal(spend))
