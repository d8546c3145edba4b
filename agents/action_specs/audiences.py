"""Audience actions: a new segment (maybe a lookalike of one), a retargeting audience (the Audience agent's)."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from agents.action_specs.base import (
    MAX_NAME_LENGTH,
    TEXT,
    ActionSpec,
    Editable,
    Target,
    insert,
    required_text,
    row,
    state,
    text,
)
from agents.executors.base import ExecutionError, ExecutionResult
from agents.models import AgentType, AudienceSegment
from core.sentence import Number, Sentence

RETARGETING_SOURCES = ("site_visitors", "cart_abandoners", "purchasers", "engaged_social")
MAX_LOOKBACK_DAYS = 180
AUDIENCE = Target("audience", ("name",))  # two new audiences of one name conflict (names are unique)


def _new_name(tenant, data):
    name = text(data, "name")
    if not name or len(name) > MAX_NAME_LENGTH:
        return _("an audience needs a name of 1 to %(max)s characters") % {"max": MAX_NAME_LENGTH}
    if AudienceSegment.objects.for_tenant(tenant).filter(name__iexact=name).exists():
        return _("an audience called “%(name)s” already exists") % {"name": name}
    return None


def check_audience(tenant, data):
    reason = _new_name(tenant, data)
    base = data.get("based_on_segment_id")
    if reason is None and base is not None and row(AudienceSegment.objects.for_tenant(tenant), base) is None:
        reason = _("the audience it should be based on does not exist in your account")
    return reason


def _lookback_ok(days) -> bool:
    return isinstance(days, int) and not isinstance(days, bool) and 1 <= days <= MAX_LOOKBACK_DAYS


def check_retargeting(tenant, data):
    reason = _new_name(tenant, data)
    if reason:
        return reason
    if data.get("source") not in RETARGETING_SOURCES:
        return _("a retargeting audience draws on one of: %(sources)s") % {"sources": ", ".join(RETARGETING_SOURCES)}
    if not _lookback_ok(data.get("lookback_days")):
        return _("the look-back window must be 1 to %(max)s days") % {"max": MAX_LOOKBACK_DAYS}
    return None


def _new_segment(tenant, data, *, size: int, description: str) -> ExecutionResult:
    name = required_text(data, "name")
    taken = Sentence(gettext_noop("An audience called “%(name)s” already exists"), name=name)
    if AudienceSegment.objects.for_tenant(tenant).filter(name__iexact=name).exists():
        raise ExecutionError(taken)
    segment = insert(
        AudienceSegment,
        taken,
        tenant=tenant,
        name=name,
        size=size,
        weekly_growth=Decimal("0.00"),
        description=description,
    )
    after = state(segment, "name", "size", "weekly_growth", "description")
    detail = Sentence(gettext_noop("Created audience “%(name)s” (%(size)s people)"), name=name, size=Number(size))
    return ExecutionResult({}, after, detail)


def create_audience(tenant, data) -> ExecutionResult:
    """A lookalike of an existing segment starts at three times its size; otherwise empty."""
    base = row(AudienceSegment.objects.for_tenant(tenant), data.get("based_on_segment_id"))
    return _new_segment(tenant, data, size=3 * base.size if base else 0, description=text(data, "description"))


def create_retargeting(tenant, data) -> ExecutionResult:
    """Its people are gathered by the ad platform later, so it starts empty."""
    source, days = data.get("source"), data.get("lookback_days")
    if source not in RETARGETING_SOURCES:
        raise ExecutionError(
            _("A retargeting audience draws on one of: %(sources)s") % {"sources": ", ".join(RETARGETING_SOURCES)}
        )
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise ExecutionError(_("The look-back window must be a whole number of days, not %(value)r") % {"value": days})
    description = f"Retargeting: {source.replace('_', ' ')} from the last {days} days."
    return _new_segment(tenant, data, size=0, description=description)


def _new_audience(tenant, data):
    return [(_("Audience"), "—", data.get("name", _("new audience")))]


SPECS = [
    ActionSpec(
        action_type="create_audience",
        label=gettext_lazy("Create an audience"),
        agents=frozenset({AgentType.AUDIENCE}),
        properties={
            "name": TEXT,
            "description": TEXT,
            "based_on_segment_id": {"type": ["string", "null"], "description": "UUID of a segment, or null"},
        },
        required=("name",),
        check=check_audience,
        execute=create_audience,
        describe=lambda data: _("Create audience '%(name)s'") % {"name": data.get("name", "")},
        changes=_new_audience,
        base_risk=8,
        editable=(
            Editable("name", gettext_lazy("Audience name")),
            Editable("description", gettext_lazy("Description")),
        ),
        target=AUDIENCE,
    ),
    ActionSpec(
        action_type="create_retargeting",
        label=gettext_lazy("Create a retargeting audience"),
        agents=frozenset({AgentType.AUDIENCE}),
        properties={
            "name": TEXT,
            "source": {"type": "string", "enum": list(RETARGETING_SOURCES)},
            "lookback_days": {"type": "integer", "minimum": 1, "maximum": MAX_LOOKBACK_DAYS},
        },
        required=("name", "source", "lookback_days"),
        check=check_retargeting,
        execute=create_retargeting,
        describe=lambda data: (
            _("Create retargeting audience '%(name)s' (%(days)s-day look-back)")
            % {"name": data.get("name", ""), "days": data.get("lookback_days", "?")}
        ),
        changes=_new_audience,
        base_risk=12,  # uses visitors' data
        editable=(
            Editable("name", gettext_lazy("Audience name")),
            Editable("lookback_days", gettext_lazy("Look back (days)"), integer=True),
        ),
        target=AUDIENCE,
    ),
]
