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
from agents.engines.builtin.common import APPROVAL_NOTE, capabilities, local_now, which_one, zone
from agents.engines.builtin.examples import examples
from agents.engines.builtin.parsing import REQUEST_START, clean_phrase, quoted
from agents.models import ContentPiece
from agents.understanding import Understanding
from agents.understanding.text import fold
from agents.understanding.times import mentions_when, parse_when

# What the built-in engine answers to "write a post about …"; an LLM engine may act on it instead (it drafts).
NEEDS_DRAFTING = "write_content"
FILLER = frozenset({"the", "a", "an", "our", "my", "piece", "post", "article", "please"})
PERFORMANCE_DAYS = 30
MAX_AHEAD = timedelta(days=366)
SHOWN = 3
EXACT_CONFIDENCE, FUZZY_CONFIDENCE = 0.9, 0.7
WHEN_EXAMPLES = "'Friday 9am', 'tomorrow at 14:00' or a date like 'YYYY-MM-DD 09:30'"

# The request's verb, left out when quoting back a title that matches nothing.
ACTION_WORDS = re.compile(
    REQUEST_START + r"(?:(?:re-?)?schedule|publish|post|release|go live with|queue|line up|push"
    r"|publica|programa|publicar|programar|saca|agenda)\s+",
    re.I,
)
WHEN_WORDS = re.compile(r"\s+(?:for|on|at|now|today|tonight|tomorrow|next|this|in)\b.*$", re.I)
WORST = re.compile(r"\b(worst|least|lowest|weakest|peor(es)?|menos)\b", re.I)
CHANNELS = {
    r"blog": ContentPiece.Channel.BLOG,
    r"instagram|insta|ig": ContentPiece.Channel.INSTAGRAM,
    r"facebook|fb": ContentPiece.Channel.FACEBOOK,
    r"linkedin": ContentPiece.Channel.LINKEDIN,
    r"newsletters?|emails?|correos?|boletin": ContentPiece.Channel.NEWSLETTER,
    r"tiktok": ContentPiece.Channel.TIKTOK,
}


def respond(request: EngineRequest, understood: Understanding) -> EngineReply:
    text = request.text.strip()
    intent = understood.intent
    pieces = list(ContentPiece.objects.for_tenant(request.tenant))
    if understood.slots.get("open"):  # "what should we post this week?": what is planned, then what it can do
        return EngineReply(f"{_plan(request.tenant, pieces)}\n{capabilities(request, understood).text}")
    if intent in ("greeting", "thanks", "help") or not text:
        return capabilities(request, understood)
    if understood.ambiguous:
        return which_one(understood.ambiguous)
    if intent == NEEDS_DRAFTING:
        return _drafting_needs_an_engine(request)
    by_title = {p.title: p for p in pieces}
    piece = by_title.get(understood.name("content"))
    if intent in (ActionType.PUBLISH_CONTENT, ActionType.SCHEDULE_CONTENT):
        if piece is None:
            return _unknown(text, pieces)
        exact = understood.entity.exact and not understood.from_context
        confidence = EXACT_CONFIDENCE if exact else FUZZY_CONFIDENCE
        when_text = _without_title(text, understood)
        # "publish X today" means now; "publish X today at 5pm" or "... on Friday" means later.
        if intent == ActionType.SCHEDULE_CONTENT or mentions_when(
            re.sub(r"\b(today|hoy|now|ya|ahora)\b", " ", when_text)
        ):
            return _schedule(request.tenant, piece, when_text, confidence, understood.language)
        return _publish(request.tenant, piece, confidence)
    if piece is not None and intent in ("content_report", "unknown"):
        return EngineReply(_piece_report(request.tenant, piece))
    if intent == "content_upcoming":
        return EngineReply(_upcoming(request.tenant))
    if intent == "content_drafts":
        return EngineReply(_drafts(pieces))
    if intent == "content_best":
        return EngineReply(_best(request.tenant, text))
    return capabilities(request, understood)


def _drafting_needs_an_engine(request) -> EngineReply:
    """Asked to write: the built-in engine writes nothing, and says so, with what it can do instead."""
    lines = [
        _(
            "Writing new content needs an LLM engine, and this agent runs on the built-in one, which only "
            "reads your data. Your admin can connect an LLM engine in the console's engine settings."
        ),
        _("Meanwhile I can:"),
    ]
    lines += [f"- {example}" for example in examples(request.agent.agent_type, request.tenant)]
    return EngineReply("\n".join(lines), understood=True)


def _unknown(text: str, pieces) -> EngineReply:
    spoken = ACTION_WORDS.sub("", text.strip(), count=1)
    title = (quoted(text) or [clean_phrase(WHEN_WORDS.sub("", spoken), FILLER)])[0]
    open_titles = [f"'{p.title}'" for p in pieces if p.status != ContentPiece.Status.PUBLISHED]
    reply = _("I can't find a piece called '%(title)s'.") % {"title": title}
    if open_titles:
        reply += " " + _("Drafts and scheduled pieces: %(titles)s.") % {"titles": fmt.name_list(open_titles)}
    return EngineReply(reply, understood=False)  # a misreading as likely as a missing piece: no suggestion


def _without_title(text: str, understood: Understanding) -> str:
    """The message minus the title, so digits or month names in a title are not read as a date."""
    said = fold(text).split()
    if understood.entity is not None and not understood.from_context:
        said = said[: understood.entity.start] + said[understood.entity.end :]
    return " ".join(said)


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


def _schedule(tenant, piece, when_text: str, confidence: float, language: str | None = None) -> EngineReply:
    if refusal := _already_published(tenant, piece):
        return refusal
    now = local_now(tenant)
    when = parse_when(when_text, now, language)
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


def _plan(tenant, pieces) -> str:
    """What is scheduled and what drafts could go out: the answer to "what should we post?"."""
    return f"{_upcoming(tenant)}\n{_drafts(pieces)}"


def _drafts(pieces) -> str:
    drafts = [f"'{p.title}' ({p.get_channel_display()})" for p in pieces if p.status == ContentPiece.Status.DRAFT]
    if not drafts:
        return _("There are no drafts.")
    return _("Drafts (%(count)s): %(titles)s.") % {"count": len(drafts), "titles": fmt.name_list(drafts)}
