"""The actions agents may propose: their types, which agent proposes which, and what they carry.

`action_data` shapes (ids are UUID strings, money a decimal string, times ISO 8601 in UTC):

    set_budget            {"campaign_id", "campaign_name", "daily_budget", "previous_daily_budget"}
    pause_campaign        {"campaign_id", "campaign_name"}
    resume_campaign       {"campaign_id", "campaign_name"}
    publish_content       {"content_id", "title"}
    schedule_content      {"content_id", "title", "scheduled_for"}
    create_audience       {"name", "description", "based_on_segment_id" (or null)}
    create_retargeting    {"name", "source" (one of RETARGETING_SOURCES), "lookback_days"}
    add_target_keyword    {"keyword"}
    remove_target_keyword {"keyword"}
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models

from agents.models import AgentType


class ActionType(models.TextChoices):
    SET_BUDGET = "set_budget", "Set a campaign's daily budget"
    PAUSE_CAMPAIGN = "pause_campaign", "Pause a campaign"
    RESUME_CAMPAIGN = "resume_campaign", "Resume a campaign"
    PUBLISH_CONTENT = "publish_content", "Publish content"
    SCHEDULE_CONTENT = "schedule_content", "Schedule content"
    CREATE_AUDIENCE = "create_audience", "Create an audience"
    CREATE_RETARGETING = "create_retargeting", "Create a retargeting audience"
    ADD_TARGET_KEYWORD = "add_target_keyword", "Add a target keyword"
    REMOVE_TARGET_KEYWORD = "remove_target_keyword", "Drop a target keyword"


AGENT_ACTIONS: dict[str, frozenset[str]] = {
    AgentType.PAID_ADS: frozenset({ActionType.SET_BUDGET, ActionType.PAUSE_CAMPAIGN, ActionType.RESUME_CAMPAIGN}),
    AgentType.SEO: frozenset({ActionType.ADD_TARGET_KEYWORD, ActionType.REMOVE_TARGET_KEYWORD}),
    AgentType.CONTENT: frozenset({ActionType.PUBLISH_CONTENT, ActionType.SCHEDULE_CONTENT}),
    AgentType.AUDIENCE: frozenset({ActionType.CREATE_AUDIENCE, ActionType.CREATE_RETARGETING}),
}

RETARGETING_SOURCES = ("site_visitors", "cart_abandoners", "purchasers", "engaged_social")


@dataclass
class ProposedAction:
    """What an engine wants done. Nothing runs until a human approves it (hitl)."""

    action_type: str
    action_data: dict
    summary: str  # one line, shown to the user and the approver
    estimated_cost: Decimal = Decimal("0")  # extra money committed over the next 30 days
    estimated_reach: int = 0  # people or impressions touched
    confidence: float = 0.5  # 0..1: how sure the engine is that this is what was asked
    notes: dict = field(default_factory=dict)
