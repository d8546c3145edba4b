"""hitl's admin console, one module per page family. Importing them here is what registers them when Django's
admin autodiscovers this package."""

from hitl.admin import approvals, deadline_failures, risk_policy, standing, workflows

__all__ = ["approvals", "deadline_failures", "risk_policy", "standing", "workflows"]
