"""An approval as a person may reach it: locked, and only within their own tenant."""

from hitl.errors import DecisionError
from hitl.models import HITLApproval


def lock_for(actor, approval_id, *, nowait=False) -> HITLApproval:
    """The approval, row-locked; another tenant's answers "not found", as if it did not exist.

    With nowait, a row another transaction holds raises DatabaseError at once instead of waiting.
    """
    approval = HITLApproval.objects.select_for_update(nowait=nowait).filter(pk=approval_id).first()
    if approval is None or (not actor.is_superuser and approval.tenant_id != actor.tenant_id):
        raise DecisionError("not_found", "No such approval.")
    return approval
