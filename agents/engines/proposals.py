"""Turn an engine's untrusted action dicts into ProposedAction, checking shape only.

Whether this agent may propose the action, whether amounts are sensible and whether ids belong to the
tenant is decided later by the tool gateway; here we only make sure each field exists with the right type.
"""

import math
from decimal import Decimal

from agents.actions import ActionType, ProposedAction
from agents.engines.base import EngineError
from tenants.input_text import UnreadableInput, check_value

SUMMARY_MAX_CHARS = 300


def parse_actions(raw: object, where: str = "actions") -> list[ProposedAction]:
    if not isinstance(raw, list):
        raise EngineError(f"{where} must be a list, got {_describe(raw)}")
    return [parse_action(item, where=f"{where}[{index}]") for index, item in enumerate(raw)]


def parse_action(raw: object, where: str = "action", action_type: str | None = None) -> ProposedAction:
    """`action_type` is given when the caller already knows it (a tool call's name); otherwise it is read from raw."""
    if not isinstance(raw, dict):
        raise EngineError(f"{where} must be an object, got {_describe(raw)}")
    try:
        check_value(raw)  # what is stored of it (the audit, the approval) must be text PostgreSQL takes
    except UnreadableInput as exc:
        raise EngineError(f"{where}: {exc}") from None
    fields = {**raw, "action_type": action_type} if action_type is not None else raw

    def field(name, is_valid, expectation):
        if name not in fields:
            raise EngineError(f"{where}: {name} is missing")
        value = fields[name]
        if not is_valid(value):
            raise EngineError(f"{where}: {name} must be {expectation}, got {_describe(value)}")
        return value

    return ProposedAction(
        action_type=field("action_type", lambda v: v in ActionType.values, "one of " + ", ".join(ActionType.values)),
        action_data=field("action_data", lambda v: isinstance(v, dict), "an object"),
        summary=field(
            "summary",
            lambda v: isinstance(v, str) and 0 < len(v.strip()) <= SUMMARY_MAX_CHARS,
            f"a non-empty string of at most {SUMMARY_MAX_CHARS} characters",
        ).strip(),
        estimated_cost=Decimal(str(field("estimated_cost", lambda v: _is_number(v) and v >= 0, "a number >= 0"))),
        estimated_reach=field("estimated_reach", lambda v: _is_int(v) and v >= 0, "an integer >= 0"),
        confidence=float(field("confidence", lambda v: _is_number(v) and 0 <= v <= 1, "a number between 0 and 1")),
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    # json.loads accepts NaN and Infinity, so finiteness is checked too.
    return _is_int(value) or (isinstance(value, float) and math.isfinite(value))


def _describe(value: object) -> str:
    if value is None or isinstance(value, bool | int | float | str):
        text = repr(value)
        return text if len(text) <= 40 else text[:37] + "..."
    return type(value).__name__
