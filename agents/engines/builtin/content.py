"""Content: what performed (pieces published in the last 30 days), what is coming up, and publish/schedule proposals."""

import re
from datetime import UTC, timedelta

from django.db.models import Avg
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agents import formatting as fmt
from agents.actions import ActionType, ProposedAction
from agents.engines.base import EngineReply, EngineRequest
from agents.engines.builtin.common import APPROVAL_NOTE, capabilities, earlier_mention, local_now, zone
from agents.engines.builtin.parsing import (
    REQUEST_START,
    clean_phrase,
    find_name,
    is_greeting,
    mentions_when,
    parse_when,
    quoted,
)
from agents.models import ContentPiece

EXAMPLES = [
    "What's our best content?",
    "What's scheduled?",
    "Which drafts do we have?",
    "Publish 'Fall Gear Guide'",
    "Schedule 'Fall Gear Guide' for Friday 9am",
]
FILLER = frozenset({"the", "a", "an", "our", "my", "piece", "post", "article", "please"})
PERFORMANCE_DAYS = 30
MAX_AHEAD = timedelta(days=366)
SHOWN = 3
EXACT_CONFIDENCE, FUZZY_CONFIDENCE = 0.9, 0.7
WHEN_EXAMPLES = "'Friday 9am', 'tomorrow at 14:00' or a date like 'YYYY-MM-DD 09:30'"

SCHEDULE = re.compile(REQUEST_START + r"(?:re-?)?schedule\s+(.+)", re.I)
PUBLISH = re.compile(REQUEST_START + r"(?:publish|post|release|go live with)\s+(.+)", re.I)
WHEN_WORDS = re.compile(r"\s+(?:for|on|at|now|today|tonight|tomorrow|next|this|in)\b.*$", re.I)
UPCOMING = re.compile(r"\b(scheduled|upcoming|coming up|calendar|planned|queued?|next)\b", re.I)
DRAFTS = re.compile(r"\b(drafts?|unpublished|not (?:yet )?published|waiting|in progress)\b", re.I)
BEST = re.compile(r"\b(best|top|most|popular|perform\w*|engag\w*|worst|least|views?|content|posts)\b", re.I)
WORST = re.compile(r"\b(worst|least|lowest|weakest)\b", re.I)
CHANNELS = {
    r"blog": ContentPiece.Channel.BLOG,
    r"instagram|insta|ig": ContentPiece.Channel.INSTAGRAM,
    r"facebook|fb": ContentPiece.Channel.FACEBOOK,
    r"linkedin": ContentPiece.Channel.LINKEDIN,
    r"newsletters?|emails?": ContentPiece.Channel.NEWSLETTER,
    r"tiktok": ContentPiece.Channel.TIKTOK,
}


def respond(request: EngineRequest) -> EngineReply:
    text = request.text.strip()
    if not text or is_greeting(text):
        return capabilities("Content", EXAMPLES, text)
    pieces = list(ContentPiece.objects.for_tenant(request.tenant))
    by_title = {p.title: p for p in pieces}
    match = find_name(text, by_title, FILLER) or earlier_mention(request, by_title, FILLER)
    request_match = SCHEDULE.search(text) or PUBLISH.search(text)
    if request_match:
        if match is None:
            return _unknown(request_match.group(1), text, pieces)
        piece, confidence = by_title[match.name], EXACT_CONFIDENCE if match.exact else FUZZY_CONFIDENCE
        when_text = _without_title(text, piece.title)
        # "publish X today" means now; "publish X today at 5pm" or "... on Friday" means later.
        if SCHEDULE.search(text) or mentions_when(re.sub(r"\btoday\b", " ", when_text, flags=re.I)):
            return _schedule(request.tenant, piece, when_text, confidence)
        return _publish(request.tenant, piece, confidence)
    if match and match.exact:
        return EngineReply(_piece_report(request.tenant, by_title[match.name]))
    if UPCOMING.search(text):
        return EngineReply(_upcoming(request.tenant))
    if DRAFTS.search(text):
        return EngineReply(_drafts(pieces))
    if match:
        return EngineReply(_piece_report(request.tenant, by_title[match.name]))
    if BEST.search(text):
        return EngineReply(_best(request.tenant, text))
    return capabilities("Content", EXAMPLES, text)


def _unknown(spoken: str, text: str, pieces) -> EngineReply:
    title = (quoted(text) or [clean_phrase(WHEN_WORDS.sub("", spoken), FILLER)])[0]
    open_titles = [f"'{p.title}'" for p in pieces if p.status != ContentPiece.Status.PUBLISHED]
    reply = _("I can't find a piece called '%(title)s'.") % {"title": title}
    if open_titles:
        reply += " " + _("Drafts and scheduled pieces: %(titles)s.") % {"titles": fmt.name_list(open_titles)}
    return EngineReply(reply)


def _without_title(text: str, title: str) -> str:
    """The message minus the title, so digits or month names in a title are not read as a date."""
    for phrase in quoted(text):
        text = text.replace(phrase, " ")
    return re.sub(re.escape(title), " ", text, flags=re.I)


def _average_views(tenant, channel: str) -> int:
    published = ContentPiece.objects.for_tenant(tenant).filter(channel=channel, status=ContentPiece.Status.PUBLISHED)
    average = published.aggregate(views=Avg("views"))["views"]
    return round(average) if average else 0


def _already_published(tenant, piece) -> EngineReply | None:
    if piece.status != ContentPiece.Status.PUBLISHED:
        return None
    if piece.published_at:
        return EngineReply(
            _("'%(title)s' was already published on %(day)s.")
            % {"title": piece.title, "day": fmt.local_day(piece.published_at, zone(tenant))}
        )
    return EngineReply(_("'%(title)s' was already published.") % {"title": piece.title})


def _publish(tenant, piece, confidence: float) -> EngineReply:
    if refusal := _already_published(tenant, piece):
        return refusal
    reach = _average_views(tenant, piece.channel)
    action = ProposedAction(
        action_type=ActionType.PUBLISH_CONTENT,
        action_data={"content_id": str(piece.id), "title": piece.title},
        summary=_("Publish '%(title)s' (%(channel)s) now")
        % {"title": piece.title, "channel": piece.get_channel_display()},
        estimated_reach=reach,
        confidence=confidence,
    )
    typical = (
        " "
        + _("%(channel)s pieces average %(views)s views.")
        % {"channel": piece.get_channel_display(), "views": fmt.number(reach)}
        if reach
        else ""
    )
    return EngineReply(
        _("Proposed: publish '%(title)s' now.") % {"title": piece.title} + f"{typical} {APPROVAL_NOTE}", [action]
    )


def _schedule(tenant, piece, when_text: str, confidence: float) -> EngineReply:
    if refusal := _already_published(tenant, piece):
        return refusal
    now = local_now(tenant)
    when = parse_when(when_text, now)
    if when is None:
        heard = clean_phrase(re.sub(r"\b(re-?)?schedule\b|\b(for|on|at|please)\b", " ", when_text, flags=re.I))
        said = f" ('{heard}')" if heard else ""
        return EngineReply(
            _("I couldn't understand when to schedule '%(title)s'%(heard)s. Try %(examples)s.")
            % {"title": piece.title, "heard": said, "examples": WHEN_EXAMPLES}
        )
    shown = f"{fmt.local_time(when.at, zone(tenant))} ({tenant.timezone})"
    if when.at <= now:
        return EngineReply(
            _("%(when)s is in the past. Pick a later time, e.g. %(examples)s.")
            % {"when": shown, "examples": WHEN_EXAMPLES}
        )
    if when.at > now + MAX_AHEAD:
        return EngineReply(
            _("%(when)s is more than a year ahead; content can be scheduled at most a year out.") % {"when": shown}
        )
    reach = _average_views(tenant, piece.channel)
    summary = _("Schedule '%(title)s' (%(channel)s) for %(when)s") % {
        "title": piece.title,
        "channel": piece.get_channel_display(),
        "when": shown,
    }
    action = ProposedAction(
        action_type=ActionType.SCHEDULE_CONTENT,
        action_data={
            "content_id": str(piece.id),
            "title": piece.title,
            "scheduled_for": when.at.astimezone(UTC).isoformat(),
        },
        summary=summary,
        estimated_reach=reach,
        confidence=confidence,
    )
    default = " " + _("No time given, so %(time)s.") % {"time": f"{when.at:%H:%M}"} if not when.time_given else ""
    return EngineReply(_("Proposed: %(summary)s.") % {"summary": summary} + f"{default} {APPROVAL_NOTE}", [action])


def _rate(piece) -> str:
    return fmt.percent(piece.engagement / piece.views * 100 if piece.views else None)


def _piece_report(tenant, piece) -> str:
    channel = piece.get_channel_display()
    if piece.status == ContentPiece.Status.PUBLISHED:
        figures = {
            "title": piece.title,
            "channel": channel,
            "views": fmt.number(piece.views),
            "engagements": fmt.number(piece.engagement),
            "rate": _rate(piece),
        }
        if piece.published_at:
            figures["day"] = fmt.local_day(piece.published_at, zone(tenant))
            return (
                _(
                    "'%(title)s' (%(channel)s), published on %(day)s: %(views)s views, "
                    "%(engagements)s engagements (%(rate)s)."
                )
                % figures
            )
        return (
            _("'%(title)s' (%(channel)s), published: %(views)s views, %(engagements)s engagements (%(rate)s).")
            % figures
        )
    if piece.status == ContentPiece.Status.SCHEDULED:
        shown = fmt.local_time(piece.scheduled_for, zone(tenant)) if piece.scheduled_for else _("a time not set yet")
        return _("'%(title)s' (%(channel)s) is scheduled for %(when)s (%(zone)s).") % {
            "title": piece.title,
            "channel": channel,
            "when": shown,
            "zone": tenant.timezone,
        }
    return _(
        "'%(title)s' (%(channel)s) is a draft. Say \"publish '%(title)s'\" or \"schedule '%(title)s' for Friday 9am\"."
    ) % {"title": piece.title, "channel": channel}


def _channel(text: str) -> str | None:
    return next((channel for pattern, channel in CHANNELS.items() if re.search(rf"\b({pattern})\b", text, re.I)), None)


def _best(tenant, text: str) -> str:
    since = timezone.now() - timedelta(days=PERFORMANCE_DAYS)
    published = ContentPiece.objects.for_tenant(tenant).filter(
        status=ContentPiece.Status.PUBLISHED, published_at__gte=since
    )
    channel = _channel(text)
    if channel:
        published = published.filter(channel=channel)
    pieces = list(published)
    label = ContentPiece.Channel(channel).label if channel else ""
    if not pieces:
        if channel:
            return _("No %(channel)s pieces were published in the last %(days)s days.") % {
                "channel": label,
                "days": PERFORMANCE_DAYS,
            }
        return _("No pieces were published in the last %(days)s days.") % {"days": PERFORMANCE_DAYS}
    worst = bool(WORST.search(text))
    pieces.sort(key=lambda p: (p.engagement if worst else -p.engagement, p.title))
    views, engagement = sum(p.views for p in pieces), sum(p.engagement for p in pieces)
    overall = fmt.percent(engagement / views * 100 if views else None)
    figures = {
        "count": fmt.number(len(pieces)),
        "channel": label,
        "days": PERFORMANCE_DAYS,
        "views": fmt.number(views),
        "engagements": fmt.number(engagement),
        "rate": overall,
    }
    if channel:
        published_line = ngettext(
            "%(count)s %(channel)s piece published in the last %(days)s days: %(views)s views, "
            "%(engagements)s engagements (%(rate)s).",
            "%(count)s %(channel)s pieces published in the last %(days)s days: %(views)s views, "
            "%(engagements)s engagements (%(rate)s).",
            len(pieces),
        )
    else:
        published_line = ngettext(
            "%(count)s piece published in the last %(days)s days: %(views)s views, "
            "%(engagements)s engagements (%(rate)s).",
            "%(count)s pieces published in the last %(days)s days: %(views)s views, "
            "%(engagements)s engagements (%(rate)s).",
            len(pieces),
        )
    lines = [published_line % figures, _("Lowest by engagement:") if worst else _("Top by engagement:")]
    for place, piece in enumerate(pieces[:SHOWN], start=1):
        lines.append(
            _("%(place)s. '%(title)s' (%(channel)s): %(engagements)s engagements, %(rate)s of %(views)s views")
            % {
                "place": place,
                "title": piece.title,
                "channel": piece.get_channel_display(),
                "engagements": fmt.number(piece.engagement),
                "rate": _rate(piece),
                "views": fmt.number(piece.views),
            }
        )
    return "\n".join(lines)


def _upcoming(tenant) -> str:
    scheduled = ContentPiece.objects.for_tenant(tenant).filter(
        status=ContentPiece.Status.SCHEDULED, scheduled_for__gte=timezone.now()
    )
    pieces = list(scheduled.order_by("scheduled_for")[:8])
    if not pieces:
        return _("Nothing is scheduled. Say \"schedule 'Title' for Friday 9am\" to plan a piece.")
    lines = [_("Scheduled (times in %(zone)s):") % {"zone": tenant.timezone}]
    lines += [
        f"- {fmt.local_time(p.scheduled_for, zone(tenant))}: '{p.title}' ({p.get_channel_display()})" for p in pieces
    ]
    return "\n".join(lines)


def _drafts(pieces) -> str:
    drafts = [f"'{p.title}' ({p.get_channel_display()})" for p in pieces if p.status == ContentPiece.Status.DRAFT]
    if not drafts:
        return _("There are no drafts.")
    return _("Drafts (%(count)s): %(titles)s.") % {"count": len(drafts), "titles": fmt.name_list(drafts)}
