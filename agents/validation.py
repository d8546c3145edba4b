"""Business checks on a proposed action's data, per action type.

Each check returns a reason the user can read, or None when the action may go
to a human for approval. Ids must name rows of the caller's tenant.
"""

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from agents.actions import RETARGETING_SOURCES, ActionType
from agents.models import AudienceSegment, Campaign, ContentPiece, TargetKeyword

MAX_NAME_LENGTH = 200
MAX_LOOKBACK_DAYS = 180
MAX_SCHEDULE_AHEAD = timedelta(days=366)


def _row(model, tenant, raw_id):
    if not isinstance(raw_id, str):
        return None
    try:
        return model.objects.for_tenant(tenant).filter(pk=raw_id).first()
    except ValidationError:  # not a UUID
        return None


def _money(raw) -> Decimal | None:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _text(data, key) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def _campaign(tenant, data, *, status=None):
    campaign = _row(Campaign, tenant, data.get("campaign_id"))
    if campaign is None:
        return None, "that campaign does not exist in your account"
    if status and campaign.status != status:
        return campaign, f"{campaign.name} is already {campaign.status}"
    return campaign, None


def check_set_budget(tenant, data):
    campaign, reason = _campaign(tenant, data)
    if reason:
        return reason
    budget = _money(data.get("daily_budget"))
    if budget is None:
        return "the new daily budget is not a number"
    if budget <= 0:
        return "a daily budget must be more than zero"
    if budget > settings.GATEWAY_MAX_DAILY_BUDGET:
        return f"a daily budget above ${settings.GATEWAY_MAX_DAILY_BUDGET:,} needs to be set by hand"
    if budget == campaign.daily_budget:
        return f"{campaign.name} already has a ${budget:,.2f} daily budget"
    return None


def check_pause(tenant, data):
    return _campaign(tenant, data, status=Campaign.Status.ACTIVE)[1]


def check_resume(tenant, data):
    return _campaign(tenant, data, status=Campaign.Status.PAUSED)[1]


def check_publish(tenant, data):
    piece = _row(ContentPiece, tenant, data.get("content_id"))
    if piece is None:
        return "that content does not exist in your account"
    if piece.status == ContentPiece.Status.PUBLISHED:
        return f"“{piece.title}” is already published"
    return None


def check_schedule(tenant, data):
    reason = check_publish(tenant, data)
    if reason:
        return reason
    try:
        when = datetime.fromisoformat(str(data.get("scheduled_for")))
    except ValueError:
        return "the publication time is not a date and time"
    if timezone.is_naive(when):
        return "the publication time has no time zone"
    now = timezone.now()
    if when <= now:
        return "the publication time is in the past"
    if when > now + MAX_SCHEDULE_AHEAD:
        return "content can be scheduled at most a year ahead"
    return None


def _new_audience_name(tenant, data):
    name = _text(data, "name")
    if not name or len(name) > MAX_NAME_LENGTH:
        return f"an audience needs a name of 1 to {MAX_NAME_LENGTH} characters"
    if AudienceSegment.objects.for_tenant(tenant).filter(name__iexact=name).exists():
        return f"an audience called “{name}” already exists"
    return None


def check_create_audience(tenant, data):
    reason = _new_audience_name(tenant, data)
    base = data.get("based_on_segment_id")
    if reason is None and base is not None and _row(AudienceSegment, tenant, base) is None:
        reason = "the audience it should be based on does not exist in your account"
    return reason


def check_create_retargeting(tenant, data):
    reason = _new_audience_name(tenant, data)
    if reason:
        return reason
    if data.get("source") not in RETARGETING_SOURCES:
        return f"a retargeting audience draws on one of: {', '.join(RETARGETING_SOURCES)}"
    days = data.get("lookback_days")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_LOOKBACK_DAYS:
        return f"the look-back window must be 1 to {MAX_LOOKBACK_DAYS} days"
    return None


def check_add_keyword(tenant, data):
    keyword = _text(data, "keyword")
    if not keyword or len(keyword) > MAX_NAME_LENGTH:
        return f"a keyword must be 1 to {MAX_NAME_LENGTH} characters"
    if TargetKeyword.objects.for_tenant(tenant).filter(keyword__iexact=keyword).exists():
        return f"“{keyword}” is already a target keyword"
    return None


def check_remove_keyword(tenant, data):
    keyword = _text(data, "keyword")
    if not TargetKeyword.objects.for_tenant(tenant).filter(keyword__iexact=keyword).exists():
        return f"“{keyword}” is not one of your target keywords"
    return None


CHECKS = {
    ActionType.SET_BUDGET: check_set_budget,
    ActionType.PAUSE_CAMPAIGN: check_pause,
    ActionType.RESUME_CAMPAIGN: check_resume,
    ActionType.PUBLISH_CONTENT: check_publish,
    ActionType.SCHEDULE_CONTENT: check_schedule,
    ActionType.CREATE_AUDIENCE: check_create_audience,
    ActionType.CREATE_RETARGETING: check_create_retargeting,
    ActionType.ADD_TARGET_KEYWORD: check_add_keyword,
    ActionType.REMOVE_TARGET_KEYWORD: check_remove_keyword,
}
