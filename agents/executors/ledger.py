"""Applies an approved action to the tenant's own data in Walker's database.

hitl calls this inside the transaction that holds the approval's row lock, so nothing
here commits on its own: the row being changed is locked for the rest of that
transaction, and inserts run in a savepoint so that losing a uniqueness race raises
ExecutionError and leaves the caller's transaction usable for recording the failure.
"""

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from agents.actions import RETARGETING_SOURCES, ActionType
from agents.executors.base import ExecutionError, ExecutionRequest, ExecutionResult
from agents.models import AudienceSegment, Campaign, ContentPiece, TargetKeyword

CENT = Decimal("0.01")


class LedgerExecutor:
    def execute(self, request: ExecutionRequest) -> ExecutionResult:
        apply = ACTIONS.get(request.action_type)
        if apply is None:
            raise ExecutionError(f"Walker cannot carry out “{request.action_type}” actions itself")
        return apply(request.tenant, request.action_data)


# --- Helpers ---------------------------------------------------------------------------


def _json(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _state(row, *fields) -> dict:
    """The row's id and `fields`, as JSON-safe values."""
    return {"id": str(row.pk), **{name: _json(getattr(row, name)) for name in fields}}


def _row(queryset, raw_id):
    """The row of `queryset` with id `raw_id`, or None."""
    if not isinstance(raw_id, str):
        return None
    try:
        return queryset.get(pk=raw_id)
    except (queryset.model.DoesNotExist, ValidationError):  # ValidationError: not a UUID
        return None


def _locked(model, tenant, raw_id, what: str):
    """The tenant's row with id `raw_id`, locked until the caller's transaction ends."""
    row = _row(model.objects.for_tenant(tenant).select_for_update(), raw_id)
    if row is None:
        raise ExecutionError(f"{what} does not exist in this account")
    return row


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    value = value.strip() if isinstance(value, str) else ""
    if not value:
        raise ExecutionError(f"The action has no {key}")
    return value


def _insert(model, taken: str, **fields):
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError:  # created concurrently, after our check
        raise ExecutionError(taken) from None


# --- Campaigns -------------------------------------------------------------------------


def _budget(raw) -> Decimal:
    try:
        amount = Decimal(str(raw)).quantize(CENT)  # cents, as the column stores them
        if amount > 0:
            return amount
    except InvalidOperation:  # not a number, infinite or NaN
        pass
    raise ExecutionError(f"A daily budget must be an amount above zero, not {raw!r}")


def set_budget(tenant, data) -> ExecutionResult:
    campaign = _locked(Campaign, tenant, data.get("campaign_id"), "That campaign")
    budget = _budget(data.get("daily_budget"))
    previous, before = campaign.daily_budget, _state(campaign, "daily_budget")
    campaign.daily_budget = budget
    campaign.save(update_fields=["daily_budget", "updated_at"])
    detail = f"{campaign.name} daily budget ${previous:,.2f} -> ${budget:,.2f}"
    return ExecutionResult(before, _state(campaign, "daily_budget"), detail)


def _set_status(tenant, data, status: str, verb: str) -> ExecutionResult:
    campaign = _locked(Campaign, tenant, data.get("campaign_id"), "That campaign")
    if campaign.status == status:
        raise ExecutionError(f"{campaign.name} is already {status}")
    before = _state(campaign, "status")
    campaign.status = status
    campaign.save(update_fields=["status", "updated_at"])
    return ExecutionResult(before, _state(campaign, "status"), f"{verb} {campaign.name}")


def pause_campaign(tenant, data) -> ExecutionResult:
    return _set_status(tenant, data, Campaign.Status.PAUSED, "Paused")


def resume_campaign(tenant, data) -> ExecutionResult:
    return _set_status(tenant, data, Campaign.Status.ACTIVE, "Resumed")


# --- Content ---------------------------------------------------------------------------


def _unpublished(tenant, data) -> ContentPiece:
    piece = _locked(ContentPiece, tenant, data.get("content_id"), "That content")
    if piece.status == ContentPiece.Status.PUBLISHED:
        raise ExecutionError(f"“{piece.title}” is already published")
    return piece


def _future_time(raw) -> datetime:
    try:
        when = datetime.fromisoformat(raw)
    except (TypeError, ValueError):
        raise ExecutionError(f"The publication time {raw!r} is not an ISO 8601 date and time") from None
    if timezone.is_naive(when):
        raise ExecutionError(f"The publication time {raw!r} has no time zone")
    if when <= timezone.now():
        raise ExecutionError(f"The publication time {raw!r} has passed")
    return when.astimezone(UTC)


def publish_content(tenant, data) -> ExecutionResult:
    piece = _unpublished(tenant, data)
    fields = ["status", "published_at", "scheduled_for"]
    before = _state(piece, *fields)
    piece.status = ContentPiece.Status.PUBLISHED
    piece.published_at = timezone.now()
    piece.scheduled_for = None
    piece.save(update_fields=fields)
    return ExecutionResult(before, _state(piece, *fields), f"Published “{piece.title}”")


def schedule_content(tenant, data) -> ExecutionResult:
    piece = _unpublished(tenant, data)
    when = _future_time(data.get("scheduled_for"))
    fields = ["status", "scheduled_for"]
    before = _state(piece, *fields)
    piece.status = ContentPiece.Status.SCHEDULED
    piece.scheduled_for = when
    piece.save(update_fields=fields)
    return ExecutionResult(before, _state(piece, *fields), f"Scheduled “{piece.title}” for {when:%Y-%m-%d %H:%M} UTC")


# --- Audiences -------------------------------------------------------------------------


def _new_segment(tenant, data, *, size: int, description: str) -> ExecutionResult:
    name = _text(data, "name")
    taken = f"An audience called “{name}” already exists"
    if AudienceSegment.objects.for_tenant(tenant).filter(name__iexact=name).exists():
        raise ExecutionError(taken)
    segment = _insert(
        AudienceSegment,
        taken,
        tenant=tenant,
        name=name,
        size=size,
        weekly_growth=Decimal("0.00"),
        description=description,
    )
    after = _state(segment, "name", "size", "weekly_growth", "description")
    return ExecutionResult({}, after, f"Created audience “{name}” ({size:,} people)")


def create_audience(tenant, data) -> ExecutionResult:
    """A lookalike of an existing segment starts at three times its size; otherwise empty."""
    base = _row(AudienceSegment.objects.for_tenant(tenant), data.get("based_on_segment_id"))
    description = data.get("description")
    return _new_segment(
        tenant,
        data,
        size=3 * base.size if base else 0,
        description=description.strip() if isinstance(description, str) else "",
    )


def create_retargeting(tenant, data) -> ExecutionResult:
    """Its people are gathered by the ad platform later, so it starts empty."""
    source, days = data.get("source"), data.get("lookback_days")
    if source not in RETARGETING_SOURCES:
        raise ExecutionError(f"A retargeting audience draws on one of: {', '.join(RETARGETING_SOURCES)}")
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise ExecutionError(f"The look-back window must be a whole number of days, not {days!r}")
    description = f"Retargeting: {source.replace('_', ' ')} from the last {days} days."
    return _new_segment(tenant, data, size=0, description=description)


# --- Keywords --------------------------------------------------------------------------


def add_target_keyword(tenant, data) -> ExecutionResult:
    keyword = _text(data, "keyword")
    taken = f"“{keyword}” is already a target keyword"
    if TargetKeyword.objects.for_tenant(tenant).filter(keyword__iexact=keyword).exists():
        raise ExecutionError(taken)
    row = _insert(TargetKeyword, taken, tenant=tenant, keyword=keyword)
    return ExecutionResult({}, _state(row, "keyword"), f"Added target keyword “{keyword}”")


def remove_target_keyword(tenant, data) -> ExecutionResult:
    keyword = _text(data, "keyword")
    row = TargetKeyword.objects.for_tenant(tenant).select_for_update().filter(keyword__iexact=keyword).first()
    if row is None:
        raise ExecutionError(f"“{keyword}” is not one of this account's target keywords")
    before = _state(row, "keyword")
    row.delete()
    return ExecutionResult(before, {}, f"Dropped target keyword “{row.keyword}”")


ACTIONS = {
    ActionType.SET_BUDGET: set_budget,
    ActionType.PAUSE_CAMPAIGN: pause_campaign,
    ActionType.RESUME_CAMPAIGN: resume_campaign,
    ActionType.PUBLISH_CONTENT: publish_content,
    ActionType.SCHEDULE_CONTENT: schedule_content,
    ActionType.CREATE_AUDIENCE: create_audience,
    ActionType.CREATE_RETARGETING: create_retargeting,
    ActionType.ADD_TARGET_KEYWORD: add_target_keyword,
    ActionType.REMOVE_TARGET_KEYWORD: remove_target_keyword,
}
