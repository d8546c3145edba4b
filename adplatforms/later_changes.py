"""What hitl's "did it pay off" asks of the ad platforms (hitl.payoff.held): for each change Walker executed on a
campaign, the first later change of the same campaign and field within the days given: another change Walker
executed (`PlatformChange`) or one made outside Walker (`OutsideChange`, the campaign's own budget or status: an
ad set's does not undo the campaign's). Four queries whatever the number of executions."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from adplatforms.models import PlatformChange
from adplatforms.outside.models import OutsideChange
from hitl.models import HITLApproval
from hitl.payoff.held import Executed, LaterChange

FIELD_OF = {"set_budget": PlatformChange.Field.DAILY_BUDGET}  # the rest (pause, resume) change the status


def later_changes(tenant_id, executions: list[Executed], days: int) -> dict:
    campaigns = {e.campaign_id for e in executions}
    first = min(e.executed_at for e in executions) - timedelta(days=1)  # an execution's own record may precede it
    last = max(e.executed_at for e in executions) + timedelta(days=days)
    own = {
        change.approval_id: change
        for change in PlatformChange.objects.filter(
            tenant_id=tenant_id, approval_id__in=[e.approval_id for e in executions]
        ).order_by("at")
    }
    walker = list(
        PlatformChange.objects.filter(tenant_id=tenant_id, campaign_id__in=campaigns, at__range=(first, last)).order_by(
            "at"
        )
    )
    outside = list(
        OutsideChange.objects.filter(
            tenant_id=tenant_id, campaign_id__in=campaigns, at__range=(first, last), ad_set=""
        ).order_by("at")
    )
    found = {}
    for execution in executions:
        mine = own.get(execution.approval_id)
        field = mine.field if mine else FIELD_OF.get(execution.action_type, PlatformChange.Field.STATUS)
        since = mine.at if mine else execution.executed_at
        until = execution.executed_at + timedelta(days=days)
        candidates = [
            *(c for c in walker if c.approval_id != execution.approval_id and c.field == field),
            *(c for c in outside if c.kind == field),
        ]
        later = [c for c in candidates if c.campaign_id == execution.campaign_id and since < c.at <= until]
        if later:
            found[execution.approval_id] = min(later, key=lambda c: c.at)
    references = dict(
        HITLApproval.objects.filter(
            tenant_id=tenant_id, pk__in=[c.approval_id for c in found.values() if isinstance(c, PlatformChange)]
        ).values_list("pk", "reference")
    )
    return {approval_id: _later(change, own.get(approval_id), references) for approval_id, change in found.items()}


def _later(change, mine: PlatformChange | None, references: dict) -> LaterChange:
    by_walker = isinstance(change, PlatformChange)
    return LaterChange(
        at=change.at,
        by_walker=by_walker,
        reverted=mine is not None and _same(mine.before, mine.before_units, change.after, change.after_units),
        before=change.before,
        after=change.after,
        currency=change.currency,
        approval_reference=references.get(change.approval_id, "") if by_walker else "",
        actor="" if by_walker else change.actor,
        tool="" if by_walker else change.tool,
    )


def _same(value: str, units, other: str, other_units) -> bool:
    """A budget compared in the platform's units where both have them, else as amounts; a status as its word."""
    if units is not None and other_units is not None:
        return units == other_units
    try:
        return Decimal(value) == Decimal(other)
    except (InvalidOperation, ValueError):
        return value == other
