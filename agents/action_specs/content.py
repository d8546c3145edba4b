"""Content actions: publish now, or schedule (the Content agent's)."""

from datetime import UTC, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from agents.action_specs.base import (
    ID,
    MOMENT,
    TEXT,
    ActionSpec,
    Editable,
    Publication,
    Target,
    locked,
    moment,
    row,
    state,
    state_word,
    when,
)
from agents.executors.base import ExecutionError, ExecutionResult
from agents.models import AgentType, ContentPiece
from core.sentence import Sentence

MAX_SCHEDULE_AHEAD = timedelta(days=366)
IDS = {"content_id": ID, "title": TEXT}
PIECE = Target("content", ("content_id",))  # publishing and scheduling one piece conflict
NAMES = {"content_id": "title"}


def _title(data) -> str:
    return data.get("title") or _("the content")


def check_publish(tenant, data):
    piece = row(ContentPiece.objects.for_tenant(tenant), data.get("content_id"))
    if piece is None:
        return _("that content does not exist in your account")
    if piece.status == ContentPiece.Status.PUBLISHED:
        return _("“%(title)s” is already published") % {"title": piece.title}
    return None


def check_schedule(tenant, data):
    reason = check_publish(tenant, data)
    if reason:
        return reason
    at = moment(data.get("scheduled_for"))
    if at is None:
        return _("the publication time is not a date and time")
    if timezone.is_naive(at):
        return _("the publication time has no time zone")
    now = timezone.now()
    if at <= now:
        return _("the publication time is in the past")
    if at > now + MAX_SCHEDULE_AHEAD:
        return _("content can be scheduled at most a year ahead")
    return None


def publication(tenant, data) -> Publication:
    """The piece as approvers should see it before it goes out (its current title, channel and state)."""
    piece = row(ContentPiece.objects.for_tenant(tenant), data.get("content_id"))
    at = data.get("scheduled_for")
    return Publication(
        title=data.get("title") or (piece.title if piece else "—"),
        channel=piece.get_channel_display() if piece else str(data.get("channel") or "—"),
        when=when(at) if at else _("as soon as it is approved"),
        status_now=piece.get_status_display() if piece else _("not found"),
    )


def _changes(after):
    def changes(tenant, data):
        piece = row(ContentPiece.objects.for_tenant(tenant), data.get("content_id"))
        # Translators: a content piece's title in quotes, as a row of the approval page's before and after.
        what = _("“%(title)s”") % {"title": data.get("title", _("Content"))}
        return [(what, state_word(piece.status) if piece else _("not found"), after(data))]

    return changes


def _unpublished(tenant, data) -> ContentPiece:
    missing = Sentence(gettext_noop("That content does not exist in this account"))
    piece = locked(ContentPiece, tenant, data.get("content_id"), missing)
    if piece.status == ContentPiece.Status.PUBLISHED:
        raise ExecutionError(Sentence(gettext_noop("“%(title)s” is already published"), title=piece.title))
    return piece


def publish(tenant, data) -> ExecutionResult:
    piece = _unpublished(tenant, data)
    fields = ["status", "published_at", "scheduled_for"]
    before = state(piece, *fields)
    piece.status = ContentPiece.Status.PUBLISHED
    piece.published_at = timezone.now()
    piece.scheduled_for = None
    piece.save(update_fields=fields)
    return ExecutionResult(
        before, state(piece, *fields), Sentence(gettext_noop("Published “%(title)s”"), title=piece.title)
    )


def schedule(tenant, data) -> ExecutionResult:
    piece = _unpublished(tenant, data)
    raw = data.get("scheduled_for")
    at = moment(raw)
    if at is None:
        raise ExecutionError(_("The publication time %(value)r is not an ISO 8601 date and time") % {"value": raw})
    if timezone.is_naive(at):
        raise ExecutionError(_("The publication time %(value)r has no time zone") % {"value": raw})
    if at <= timezone.now():
        raise ExecutionError(_("The publication time %(value)r has passed") % {"value": raw})
    at = at.astimezone(UTC)
    fields = ["status", "scheduled_for"]
    before = state(piece, *fields)
    piece.status = ContentPiece.Status.SCHEDULED
    piece.scheduled_for = at
    piece.save(update_fields=fields)
    # The time kept as data: each reader is told it in their language and zone.
    detail = Sentence(gettext_noop("Scheduled “%(title)s” for %(when)s"), title=piece.title, when=at)
    return ExecutionResult(before, state(piece, *fields), detail)


SPECS = [
    ActionSpec(
        action_type="publish_content",
        label=gettext_lazy("Publish content"),
        agents=frozenset({AgentType.CONTENT}),
        properties=IDS,
        required=("content_id",),
        check=check_publish,
        execute=publish,
        describe=lambda data: _("Publish '%(title)s'") % {"title": _title(data)},
        changes=_changes(lambda data: state_word(ContentPiece.Status.PUBLISHED)),
        base_risk=15,  # public at once, hard to take back
        target=PIECE,
        names=NAMES,
        publication=publication,
    ),
    ActionSpec(
        action_type="schedule_content",
        label=gettext_lazy("Schedule content"),
        agents=frozenset({AgentType.CONTENT}),
        properties={**IDS, "scheduled_for": MOMENT},
        required=("content_id", "scheduled_for"),
        check=check_schedule,
        execute=schedule,
        describe=lambda data: (
            _("Schedule '%(title)s' for %(when)s") % {"title": _title(data), "when": when(data.get("scheduled_for"))}
        ),
        changes=_changes(lambda data: _("scheduled for %(when)s") % {"when": when(data.get("scheduled_for"))}),
        base_risk=10,
        editable=(Editable("scheduled_for", gettext_lazy("Publish at"), moment=True),),
        target=PIECE,
        names=NAMES,
        publication=publication,
    ),
]
