from hitl.models.approval import ApprovalStatus, ExecutionStatus, HITLApproval, RiskLevel
from hitl.models.records import HITLApprovalHistory, HITLDecision, HITLNotification, OneClickToken
from hitl.models.workflow import HITLWorkflow, RiskPolicy

__all__ = [
    "ApprovalStatus",
    "ExecutionStatus",
    "HITLApproval",
    "HITLApprovalHistory",
    "HITLDecision",
    "HITLNotification",
    "HITLWorkflow",
    "OneClickToken",
    "RiskLevel",
    "RiskPolicy",
]
