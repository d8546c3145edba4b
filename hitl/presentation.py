"""An approval in plain words for the people deciding it: what would change, before and after (the words of
each action type are its spec's, agents.action_specs)."""

import json
from dataclasses import asdict, dataclass
from datetime import UTC
from decimal import Decimal, InvalidOperation

from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _

from agents import action_specs
from agents.action_specs.base import field_label, moment, state_label, state_word, when
from agents.tenant_actions import schemas
from agents.tenant_actions.registry import TenantActionSpec
from conversations.delivery import display_name
from hitl import stakes
from hitl.models import Automation, HITLApproval
from hitl.risk import readable_factors
from tenants.pii import mask
from tenants.templatetags.walker_l10n import money

TEXT_KEYS = ("body", "text", "caption", "copy", "content", "message")  # wording an engine may attach to any action


def _state_value(key: str, value) -> str:
    return state_word(value) if key == "status" else str(value)


def publication(approval: HITLApproval) -> dict | None:
    """For actions that put content out (their spec's `publication`): what exactly goes out, where and when."""
    spec = approval.action_spec
    if spec is None or spec.publication is None:
        return None
    data = approval.action_data
    piece = spec.publication(approval.tenant, data)
    if piece is None:
        return None
    return {**asdict(piece), "texts": [(field_label(key), str(data[key])) for key in TEXT_KEYS if data.get(key)]}


def proposed_changes(approval: HITLApproval) -> list[tuple[str, str, str]]:
    """(what, now, after approval) rows. After execution, the recorded before/after is shown instead."""
    if approval.execution_result.get("before") or approval.execution_result.get("after"):
        before, after = approval.execution_result.get("before", {}), approval.execution_result.get("after", {})
        keys = [k for k in {**before, **after} if k != "id"]
        return [(state_label(k), _state_value(k, before.get(k, "—")), _state_value(k, after.get(k, "—"))) for k in keys]
    spec = approval.action_spec
    if spec is None:
        return []
    try:
        return spec.changes(approval.tenant, approval.action_data)
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return []  # malformed data: the raw action data is shown beside this


def action_label(approval: HITLApproval) -> str:
    """The action type in words ("Set a campaign's daily budget"), or as stored for a type Walker no longer has."""
    spec = approval.action_spec
    return str(spec.label) if spec else approval.action_type


def risk_factors(approval: HITLApproval) -> list[dict]:
    """The stored factors of the score, each with its name for people (the workflow preview's words)."""
    return readable_factors(approval.risk_factors, approval.action_type)


def action_details(approval: HITLApproval, *, revealed: bool = False) -> list[tuple[str, str]]:
    """The action's data in words; an id is left out where its name (the spec's `names`) is given beside it. An
    outside agent's args are free-form and may carry personal data: masked unless `revealed` (hitl.admin's reveal)."""
    data = approval.action_data
    spec = approval.action_spec
    named = {key for key, name in (spec.names if spec else {}).items() if name in data}
    currency = approval.currency
    hidden = approval.outside is not None and not revealed
    return [
        (field_label(key), mask(shown) if hidden else shown)
        for key, value in data.items()
        if key not in named
        for shown in [_detail(key, value, currency)]
    ]


def _detail(key: str, value, currency: str) -> str:
    amount = action_specs.base.money(value) if key in action_specs.MONEY_FIELDS else None
    if amount is not None:
        return money(amount, currency=currency)
    if key in action_specs.MOMENT_FIELDS:
        return when(value)
    return value if isinstance(value, str) else json.dumps(value)


def edit_fields(approval: HITLApproval) -> list[dict]:
    """The fields an approver may change, an amount's label naming its currency ("New daily budget (JPY)") and a
    time's its zone, each typed in as its JSON Schema says when the tenant registered the type (`_input_for`)."""
    spec = approval.action_spec
    return [_field(spec, field, approval) for field in (spec.editable if spec else ())]


def _field(spec, field, approval: HITLApproval) -> dict:
    value = approval.action_data.get(field.name, "")
    if field.moment:
        return _moment_field(field, value)
    label = _in_currency(field.label, approval.currency) if field.money else str(field.label)
    return {"name": field.name, "label": label, "value": _shown(value), **_input_for(_schema_of(spec, field.name))}


def _moment_field(field, value) -> dict:
    """A time typed in the active zone (the tenant's): a date-and-time box holding the stored time there, its label
    naming the zone ("Publish at (PST)"); a stored value that is no time is shown as it is, in a text box."""
    at = moment(value)
    if at is None or timezone.is_naive(at):
        return {"name": field.name, "label": str(field.label), "value": _shown(value), "kind": "text"}
    local = timezone.localtime(at)
    # Translators: an editable time's label and the time zone it is typed in, e.g. "Publish at (PST)".
    label = _("%(label)s (%(zone)s)") % {"label": field.label, "zone": local.strftime("%Z")}
    return {"name": field.name, "label": label, "value": f"{local:%Y-%m-%dT%H:%M}", "kind": "datetime"}


def _input_for(schema: dict) -> dict:
    """A list for an enum or a yes/no, a number with its bounds and step, else text with its longest length."""
    types = schemas.types_of(schema)
    if isinstance(schema.get("enum"), list):
        return {"kind": "select", "choices": [(_shown(value), _shown(value)) for value in schema["enum"]]}
    if types == {"boolean"}:
        return {"kind": "select", "choices": [("true", _("Yes")), ("false", _("No"))]}
    if types and types <= {"integer", "number"}:
        step = "1" if types == {"integer"} else "any"
        return {"kind": "number", "min": schema.get("minimum"), "max": schema.get("maximum"), "step": step}
    return {"kind": "text", "maxlength": schema.get("maxLength")}


def _in_currency(label, currency: str) -> str:
    # Translators: an editable amount's label and its currency's code, e.g. "New daily budget (JPY)".
    return _("%(label)s (%(currency)s)") % {"label": label, "currency": currency}


def edits_from_form(approval: HITLApproval, post) -> dict | None:
    """The action_data changes an approver typed, or None when nothing changed; each typed value read as its field's
    JSON type (an edit is then checked against the schema, hitl.services.edits)."""
    spec = approval.action_spec
    changed = {}
    for field in spec.editable if spec else ():
        if f"edit_{field.name}" not in post:
            continue
        raw = post[f"edit_{field.name}"].strip()
        stored = approval.action_data.get(field.name)
        if field.moment:
            value = _typed_moment(raw)
            if value is None or moment(value) != moment(stored):  # an unreadable time is the edit's check to refuse
                changed[field.name] = raw if value is None else value
            continue
        value = _typed(raw, _schema_of(spec, field.name), integer=field.integer)
        if value != stored:
            changed[field.name] = value
    return {"action_data": changed} if changed else None


def _typed(raw: str, schema: dict, *, integer: bool):
    """What the approver typed, as the JSON value the field holds; the text as typed when it reads as none."""
    if isinstance(schema.get("enum"), list):
        return next((value for value in schema["enum"] if _shown(value) == raw), raw)
    types = schemas.types_of(schema)
    if types == {"boolean"} and raw in ("true", "false"):
        return raw == "true"
    if (integer or types == {"integer"}) and raw.lstrip("-").isdigit():
        return int(raw)
    if types == {"number"} or types == {"integer", "number"}:
        try:
            number = Decimal(raw)
        except InvalidOperation:
            return raw
        return int(number) if number == number.to_integral_value() else float(number)
    return raw


def _typed_moment(raw: str) -> str | None:
    """A time typed in the active zone ("2026-12-01T09:30", as a date-and-time box sends it) as the ISO 8601 time in
    UTC the action holds; None when it reads as none."""
    at = moment(raw)
    if at is None:
        return None
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    return at.astimezone(UTC).isoformat()


def _shown(value) -> str:
    """A value as the form shows it: text as it is, anything else as JSON (true, 12, null)."""
    return value if isinstance(value, str) else json.dumps(value)


def _schema_of(spec, name: str) -> dict:
    properties = spec.args_schema.get("properties", {}) if isinstance(spec, TenantActionSpec) else {}
    field_schema = properties.get(name)
    return field_schema if isinstance(field_schema, dict) else {}


# --- the ask: who asked, what they said, what the agent proposes, for every channel ---------------


@dataclass(frozen=True)
class Ask:
    """An approval as an approver first reads it, in plain data: each channel (email, WhatsApp, Slack) lays it out."""

    reference: str
    who: str  # the requester by name ("Dana Reyes"), their address masked when they have none
    said: str  # the words of the message that led to it, personal data as placeholders; "" when filed by the API
    proposes: str  # the agent's summary, in the reader's language
    agent: str
    cost: str  # "$6,000.00 over 30 days", or "not estimated" (never "$0.00")
    effect: str  # what this will do: "Pauses Brand Search: about 42 conversions and …", or "" when nothing to tell
    reach: str  # "120,000", or "" when not estimated
    risk: str  # "High risk (62/100)"


def the_ask(approval: HITLApproval) -> Ask:
    """In the active language (the reader's)."""
    return Ask(
        reference=approval.reference,
        who=requester_name(approval),
        said=requester_words(approval),
        proposes=approval.summary,
        agent=_agent_name(approval),
        cost=cost_in_money(approval),
        effect=effect(approval),
        reach=floatformat(approval.estimated_reach, "g") if approval.estimated_reach else "",
        risk=_("%(level)s risk (%(score)s/100)")
        % {"level": approval.get_risk_level_display(), "score": floatformat(approval.risk_score, -1)},
    )


def _agent_name(approval: HITLApproval) -> str:
    outside = approval.outside
    if outside is not None:
        return outside.agent_name
    return approval.agent.name if approval.agent_id else approval.get_agent_type_display()


def requester_name(approval: HITLApproval) -> str:
    """A person by name; an agent outside Walker by its integration token's name (it asked, nobody else); a
    performance rule by its name; a platform's recommendations by the name they were filed under ("Google Ads
    recommendations")."""
    outside = approval.outside
    if outside is not None:
        return outside.agent_name
    if approval.requested_by_automation == Automation.RECOMMENDATION:
        return approval.requested_by_rule
    if approval.requested_by_rule:
        return _("the rule “%(name)s”") % {"name": approval.requested_by_rule}
    person = approval.requested_by
    if person is None:
        return _("the %(agent)s agent on its own") % {"agent": approval.get_agent_type_display()}
    if (person.first_name or person.last_name).strip():
        return display_name(person)
    return mask(person.email) or display_name(person)


def requester_words(approval: HITLApproval) -> str:
    """The asking message's text as a reader without the right to personal data sees it (nothing decrypted); an
    agent outside Walker's description of what it wants and why."""
    outside = approval.outside
    if outside is not None:
        return mask(outside.description)
    message = approval.source_message
    return message.masked_text if message is not None else ""


def cost_in_money(approval: HITLApproval) -> str:
    if not approval.estimated_cost:
        return _("not estimated")
    return _("%(cost)s over 30 days") % {"cost": money(approval.estimated_cost, currency=approval.currency)}


def effect(approval: HITLApproval) -> str:
    """What the action will do, told beside what it costs: the results a pause or a cut puts at stake, as its risk
    was scored (the factor keeps them, hitl.stakes), or the spend a raise adds a day; "" when there is nothing to
    tell. In the active language, money in the campaign's currency."""
    stake = stakes.kept(approval.risk_factors)
    if stake is not None:
        return stakes.words(stake)
    moved = action_specs.daily_budgets(approval.action_type, approval.action_data)
    if moved is not None and moved[1] > moved[0]:
        return _("Adds %(amount)s a day of spend") % {"amount": money(moved[1] - moved[0], currency=approval.currency)}
    return ""


def excerpt(text: str, length: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else f"{text[: length - 1]}…"


def ask_lines(ask: Ask) -> list[str]:
    """The ask as lines of plain text (an email's body, a WhatsApp message, a Slack message's text)."""
    if ask.said:
        asked = _("%(who)s asked: “%(said)s”") % {"who": ask.who, "said": excerpt(ask.said, 300)}
    else:
        asked = _("Asked by %(who)s") % {"who": ask.who}
    cost = _("Cost: %(cost)s") % {"cost": ask.cost}
    if ask.reach:
        cost += " · " + _("reach about %(reach)s") % {"reach": ask.reach}
    does = [_("What this will do: %(effect)s") % {"effect": ask.effect}] if ask.effect else []
    return [
        asked,
        _("%(agent)s proposes: %(summary)s") % {"agent": ask.agent, "summary": ask.proposes},
        *does,
        cost,
        f"{ask.reference} · {ask.risk}",
    ]
