"""Requests filed at the same instant never use a standing approval more times than it allows (PostgreSQL, each
request on its own connection): its use is counted by one conditional update."""

from decimal import Decimal

import pytest

from hitl.models import HITLApproval, StandingApproval
from hitl.services import standing
from hitl.services.decisions import approve
from tests.concurrency import at_once


@pytest.mark.slow
def test_five_requests_at_once_use_a_grant_of_two_only_twice(postgres_only, ask, workflow, approver):
    workflow()
    first = ask("550.00")
    approve(first.pk, actor=approver)
    grant = standing.give(
        first.pk, actor=approver, bounds=standing.Bounds(hours=24, max_uses=2, max_change_percent=Decimal("20"))
    )
    # All five for the same campaign (the grant's target), each with its own amount, as rules on several workers.
    results = at_once(
        *(lambda amount=amount: ask(amount).pk for amount in ("551.00", "552.00", "553.00", "554.00", "555.00"))
    )
    filed = HITLApproval.objects.filter(pk__in=[r for r in results if not isinstance(r, str)])
    assert filed.filter(approved_under=grant).count() == 2
    assert StandingApproval.objects.get(pk=grant.pk).uses == 2
