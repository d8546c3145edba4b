from hitl.models.approval import (
    APPROVAL_CURRENCY,
    ApprovalStatus,
    Automation,
    ExecutionStatus,
    HITLApproval,
    RiskLevel,
)
from hitl.models.approval_request import Answer, ApprovalRequest
from hitl.models.deadline_failure import DeadlineFailure
from hitl.models.decision_callback import DecisionCallback
from hitl.models.level import WorkflowLevel
from hitl.models.records import HITLApprovalHistory, HITLDecision, HITLNotification, OneClickToken
from hitl.models.standing import StandingApproval
from hitl.models.workflow import HITLWorkflow, RiskPolicy

__all__ = [
    "Answer",
    "ApprovalRequest",
    "APPROVAL_CURRENCY",
    "ApprovalStatus",
    "Automation",
    "DeadlineFailure",
    "DecisionCallback",
    "ExecutionStatus",
    "HITLApproval",
    "HITLApprovalHistory",
    "HITLDecision",
    "HITLNotification",
    "HITLWorkflow",
    "OneClickToken",
    "RiskLevel",
    "RiskPolicy",
    "StandingApproval",
    "WorkflowLevel",
]
