"""Running corpus utterances through Walker's own path, and scoring them (bench/understanding_bench.py, tests).

Each item is routed as the pipeline routes (agents.routing.route with the tenant and the conversation) and
answered by the built-in engine, after its `before` messages were asked and answered the same way.
Routing: the agent. Understood: the action proposed (actions) or the question family read (questions).
Slots: the proposal's data, or the row the question is about. An action whose item states more than the row it
acts on (an amount, a time, a keyword) counts only when proposed with it: asking back "to how much?" is not
understanding "by a quarter". Actions: the share of action items understood with their slots.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from agents.action_specs.phrasings import PHRASINGS
from agents.engines.base import EngineRequest, HistoryItem
from agents.engines.builtin import BuiltinEngine
from agents.models import AIAgent, AudienceSegment
from agents.routing import route
from agents.understanding import understand

ENTITY_SLOTS = {"campaign": "campaign_name", "title": "title", "keyword": "keyword", "name": "name"}
ROW_SLOTS = {"campaign", "title", "segment"}  # the row an action acts on: all an incomplete request can name


@dataclass
class Result:
    item: dict
    agent: str
    intent: str
    reply: str
    routed: bool
    understood: bool
    slots: bool
    problem: str = ""


def ask(user, text: str, history: list, current: str | None):
    agent_type = route(text, current=current, tenant=user.tenant, history=tuple(history))
    request = EngineRequest(
        tenant=user.tenant,
        user=user,
        agent=AIAgent.objects.get(is_system_agent=True, agent_type=agent_type),
        conversation_id="corpus",
        text=text,
        history=tuple(history),
    )
    return agent_type, BuiltinEngine().run(request)


def run(user, item: dict) -> Result:
    history, current = [], item.get("current")
    for earlier in item.get("before", []):
        current, reply = ask(user, earlier, history, current)
        history += [HistoryItem("user", earlier), HistoryItem("assistant", reply.text)]
    agent, reply = ask(user, item["text"], history, current)
    understood = understand(item["text"], user.tenant, tuple(history))
    routed = agent == item["agent"]
    wanted = item["intent"]
    slots_ok, problem = True, ""
    if reply.actions:
        action = reply.actions[0]
        intent = action.action_type
        slots_ok, problem = _action_slots(user.tenant, item.get("slots", {}), action.action_data)
    else:
        intent = understood.intent
        if wanted in ("unknown",) and not reply.understood:
            intent = "unknown"
        if wanted in PHRASINGS and set(item.get("slots", {})) - ROW_SLOTS:
            slots_ok, problem = False, "not proposed"
        for slot in ("campaign", "title", "keyword", "segment"):
            if expected := item.get("slots", {}).get(slot):
                named = understood.entity.name if understood.entity else ""
                if named.lower() != expected.lower() and not reply.text.lower().startswith(expected.lower()):
                    slots_ok, problem = False, f"{slot}: {named!r}"
    ok = intent == wanted
    return Result(item, agent, intent, reply.text, routed, ok, ok and slots_ok, problem)


def _action_slots(tenant, expected: dict, data: dict) -> tuple[bool, str]:
    for slot, value in expected.items():
        if slot in ENTITY_SLOTS:
            got = data.get(ENTITY_SLOTS[slot], "")
            if str(got).lower() != str(value).lower():
                return False, f"{slot}: {got!r}"
        elif slot == "daily_budget":
            if Decimal(str(data.get("daily_budget", "0"))) != Decimal(value):
                return False, f"daily_budget: {data.get('daily_budget')!r}"
        elif slot == "when":
            zone = ZoneInfo(tenant.timezone)
            local = datetime.fromisoformat(data["scheduled_for"]).astimezone(zone).strftime("%Y-%m-%dT%H:%M")
            if local != value:
                return False, f"when: {local}"
        elif slot == "basis":
            segment = AudienceSegment.objects.filter(pk=data.get("based_on_segment_id") or None).first()
            if segment is None or segment.name != value:
                return False, f"basis: {segment and segment.name!r}"
        elif slot in ("source", "lookback_days"):
            if data.get(slot) != value:
                return False, f"{slot}: {data.get(slot)!r}"
    return True, ""


def figures(results: list[Result]) -> dict:
    """{(language, agent or "all"): (count, routing %, understood %, slots %, actions %)}; actions: of the items
    asking for an action, the share understood with their slots (100 when the group has none)."""
    groups = defaultdict(list)
    for result in results:
        for key in ((result.item["lang"], "all"), (result.item["lang"], result.item["agent"]), ("all", "all")):
            groups[key].append(result)
    table = {}
    for key, group in sorted(groups.items()):
        count = len(group)
        actions = [r for r in group if r.item["intent"] in PHRASINGS]
        table[key] = (
            count,
            100 * sum(r.routed for r in group) / count,
            100 * sum(r.understood for r in group) / count,
            100 * sum(r.slots for r in group) / count,
            100 * sum(r.slots for r in actions) / len(actions) if actions else 100.0,
        )
    return table
