"""An approval in plain words for the people deciding it: what would change, before and after."""

from datetime import datetime
from datetime import timezone as dt_timezone
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format

from agents.engines.builtin.formatting import money_exact
from agents.models import Campaign, ContentPiece, TargetKeyword
from hitl.models import HITLApproval

# Fields an approver may change before approving, per action type (the type itself never changes).
EDITABLE_FIELDS = {
    "set_budget": [("daily_budget", "New daily budget ($)")],
    "schedule_content": [("scheduled_for", "Publish at (ISO date and time, UTC)")],
    "create_audience": [("name", "Audience name"), ("description", "Description")],
    "create_retargeting": [("name", "Audience name"), ("lookback_days", "Look back (days)")],
}
INTEGER_FIELDS = {"lookback_days"}


def summary_of(action_type: str, data: dict, fallback: str) -> str:
    """One line saying what an (edited) action does, from its data: the summary follows the edit."""
    if action_type == "set_budget":
        try:
            new, old = Decimal(str(data["daily_budget"])), Decimal(str(data.get("previous_daily_budget", "0")))
        except (KeyError, ArithmeticError, ValueError):
            return fallback
        verb = "Raise" if new > old else "Lower" if new < old else "Keep"
        name = data.get("campaign_name", "the campaign")
        return f"{verb} {name} daily budget from {money_exact(old)} to {money_exact(new)}"
    if action_type == "schedule_content":
        return f"Schedule '{data.get('title', 'the content')}' for {_when(data.get('scheduled_for'))}"
    if action_type == "create_audience":
        return f"Create audience '{data.get('name', '')}'"
    if action_type == "create_retargeting":
        return f"Create retargeting audience '{data.get('name', '')}' ({data.get('lookback_days', '?')}-day look-back)"
    return fallback


def _campaign(approval):
    return Campaign.objects.for_tenant(approval.tenant).filter(pk=approval.action_data.get("campaign_id")).first()


def _content(approval):
    return ContentPiece.objects.for_tenant(approval.tenant).filter(pk=approval.action_data.get("content_id")).first()


def _when(value) -> str:
    """An ISO time in the active zone (the tenant's, set by tenants.middleware), one format everywhere."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt_timezone.utc)
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT") + " " + timezone.localtime(moment).strftime("%Z")


TEXT_KEYS = ("body", "text", "caption", "copy", "content", "message")


def publication(approval: HITLApproval) -> dict | None:
    """For publish and schedule actions: what exactly goes out, where and when."""
    if approval.action_type not in ("publish_content", "schedule_content"):
        return None
    data = approval.action_data
    piece = _content(approval)
    return {
        "title": data.get("title") or (piece.title if piece else "—"),
        "channel": piece.get_channel_display() if piece else data.get("channel", "—"),
        "when": _when(data["scheduled_for"]) if data.get("scheduled_for") else "as soon as it is approved",
        "texts": [(key.capitalize(), str(data[key])) for key in TEXT_KEYS if data.get(key)],
        "status_now": piece.get_status_display() if piece else "not found",
    }


def proposed_changes(approval: HITLApproval) -> list[tuple[str, str, str]]:
    """(what, now, after approval) rows. After execution, the recorded before/after is shown instead."""
    if approval.execution_result.get("before") or approval.execution_result.get("after"):
        before, after = approval.execution_result.get("before", {}), approval.execution_result.get("after", {})
        keys = [k for k in {**before, **after} if k != "id"]
        return [(k.replace("_", " "), str(before.get(k, "—")), str(after.get(k, "—"))) for k in keys]
    data, kind = approval.action_data, approval.action_type
    try:
        if kind == "set_budget":
            campaign = _campaign(approval)
            now = f"${campaign.daily_budget:,.2f}" if campaign else "campaign not found"
            return [
                (f"{data.get('campaign_name', 'Campaign')} daily budget", now, f"${float(data['daily_budget']):,.2f}")
            ]
        if kind in ("pause_campaign", "resume_campaign"):
            campaign = _campaign(approval)
            after = "paused" if kind == "pause_campaign" else "active"
            return [
                (f"{data.get('campaign_name', 'Campaign')} status", campaign.status if campaign else "not found", after)
            ]
        if kind in ("publish_content", "schedule_content"):
            piece = _content(approval)
            after = "published" if kind == "publish_content" else f"scheduled for {_when(data.get('scheduled_for'))}"
            return [(f"“{data.get('title', 'Content')}”", piece.status if piece else "not found", after)]
        if kind in ("add_target_keyword", "remove_target_keyword"):
            keyword = data.get("keyword", "")
            present = TargetKeyword.objects.for_tenant(approval.tenant).filter(keyword__iexact=keyword).exists()
            after = "target" if kind == "add_target_keyword" else "not a target"
            return [(f"Keyword “{keyword}”", "target" if present else "not a target", after)]
        if kind in ("create_audience", "create_retargeting"):
            return [("Audience", "—", data.get("name", "new audience"))]
    except (KeyError, TypeError, ValueError):
        pass  # malformed data: the raw action data is shown beside this
    return []


def action_details(approval: HITLApproval) -> list[tuple[str, str]]:
    """The action's data in words; an id is left out where its name is given beside it."""
    data = approval.action_data
    named = {f"{key[:-5]}_id" for key in data if key.endswith("_name")} | ({"content_id"} if "title" in data else set())
    return [(key.replace("_", " ").capitalize(), str(value)) for key, value in data.items() if key not in named]


def edit_fields(approval: HITLApproval) -> list[dict]:
    return [
        {"name": name, "label": label, "value": approval.action_data.get(name, "")}
        for name, label in EDITABLE_FIELDS.get(approval.action_type, [])
    ]


def edits_from_form(approval: HITLApproval, post) -> dict | None:
    """The action_data changes an approver typed, or None when nothing changed."""
    changed = {}
    for name, _label in EDITABLE_FIELDS.get(approval.action_type, []):
        if f"edit_{name}" not in post:
            continue
        raw = post[f"edit_{name}"].strip()
        value = int(raw) if name in INTEGER_FIELDS and raw.lstrip("-").isdigit() else raw
        if value != approval.action_data.get(name):
            changed[name] = value
    return {"action_data": changed} if changed else None
