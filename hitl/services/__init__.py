"""Operations on approvals. Every change of an approval goes through here, locked and recorded."""

from hitl.services.conflicts import AlreadyWaiting
from hitl.services.decisions import Decision, DecisionError, approve, cancel, decide, escalate, reject
from hitl.services.execution import abandon_execution, queue_execution, retry_execution, run_execution
from hitl.services.recovery import requeue_execution, requeue_stalled
from hitl.services.requests import request_approval

__all__ = [
    "AlreadyWaiting",
    "abandon_execution",
    "Decision",
    "DecisionError",
    "approve",
    "cancel",
    "decide",
    "escalate",
    "queue_execution",
    "reject",
    "request_approval",
    "requeue_execution",
    "requeue_stalled",
    "retry_execution",
    "run_execution",
]
