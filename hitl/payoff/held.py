"""Whether an executed change held: not reverted or changed again within `HELD_DAYS` of its execution.

The changes made to a campaign after Walker's (Walker's own later executions, and changes made outside Walker) are
recorded by the app that talks to the ad platforms, above hitl: it registers its reader here when it is ready
(`register_later_changes`), as conversations registers the approval page's excerpt (hitl.timeline).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class Executed:
    """What the reader is asked about: one executed change of a campaign."""

    approval_id: UUID
    campaign_id: UUID
    action_type: str
    executed_at: datetime


@dataclass(frozen=True)
class LaterChange:
    """The first change of the same campaign and field after an execution, within `HELD_DAYS` of it."""

    at: datetime
    by_walker: bool  # another approved change Walker executed; else made outside Walker
    reverted: bool  # it put back the value from before the execution
    before: str  # amounts in `currency`, or a status word as the platform's record keeps them
    after: str
    currency: str = ""
    approval_reference: str = ""  # by_walker: the later approval's reference
    actor: str = ""  # outside Walker: who, as the platform says
    tool: str = ""  # outside Walker: through what (the web interface, a script, Google's auto-apply…)


Reader = Callable[[object, Sequence[Executed], int], dict]  # (tenant id, executions, days) -> {approval id: change}
_reader: Reader | None = None


def register_later_changes(reader: Reader) -> None:
    """The app that records campaign changes gives its reader: for each execution, the first change of the same
    campaign and field after it within the days given, or nothing; a bounded number of queries for any number."""
    global _reader
    _reader = reader


def later_changes(tenant_id, executions: Sequence[Executed], days: int) -> dict | None:
    """{approval id: LaterChange} for those changed again; None when no reader is registered (it cannot be told)."""
    if _reader is None:
        return None
    return _reader(tenant_id, executions, days) if executions else {}
