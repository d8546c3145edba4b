"""Walker's answers as typed values."""

from dataclasses import dataclass, field
from typing import Literal

DecisionType = Literal["accept", "edit", "respond", "reject"]
DECISIONS: tuple[DecisionType, ...] = ("accept", "edit", "respond", "reject")


@dataclass(frozen=True)
class Decision:
    """An approver's answer (or Walker's own: an expired request is a `reject` with "No decision in time.")."""

    type: DecisionType
    args: dict
    args_sha256: str
    note: str
    decided_by: str
    decided_at: str | None

    @property
    def approved(self) -> bool:
        """Act only then, and only with `args` (an `edit` changed them)."""
        return self.type in ("accept", "edit")

    @classmethod
    def from_json(cls, body: dict) -> "Decision":
        return cls(
            type=body["type"],
            args=body["args"],
            args_sha256=body["args_sha256"],
            note=body.get("note") or "",
            decided_by=body.get("decided_by") or "",
            decided_at=body.get("decided_at"),
        )


@dataclass(frozen=True)
class ApprovalRequest:
    """A request as Walker holds it; `decision` is None while it waits."""

    id: str
    status: str
    action: str
    args_sha256: str
    risk: dict
    decision: Decision | None
    result: dict | None = None
    created: bool = False  # filed by this call (202), not found again by its idempotency key (200)
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, body: dict, created: bool = False) -> "ApprovalRequest":
        decision = body.get("decision")
        return cls(
            id=body["id"],
            status=body["status"],
            action=body["action"],
            args_sha256=body["args_sha256"],
            risk=body.get("risk") or {},
            decision=Decision.from_json(decision) if decision else None,
            result=body.get("result"),
            created=created,
            raw=body,
        )
