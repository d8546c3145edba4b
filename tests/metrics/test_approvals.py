"""walker_approvals_waiting and walker_approval_oldest_waiting_seconds, read from the database at each scrape."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from hitl.metrics import ApprovalsWaiting
from hitl.models import HITLApproval
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def collected() -> dict:
    return {
        (s.name, s.labels["risk_level"]): s.value for family in ApprovalsWaiting().collect() for s in family.samples
    }


def test_waiting_approvals_by_risk_level_and_the_age_of_the_oldest(ask, other_campaign, tenant):
    now = timezone.now()
    with time_machine.travel(now - timedelta(minutes=30), tick=False):
        first = ask()
    second = ask(amount="450.00", of=other_campaign)  # another target: neither supersedes the other
    decided = ask(amount="200.00", of=CampaignFactory(tenant=tenant))
    HITLApproval.objects.filter(pk=decided.pk).update(status="rejected")
    HITLApproval.objects.filter(pk=second.pk).update(risk_level=first.risk_level)
    with time_machine.travel(now, tick=False):
        got = collected()
    level = first.risk_level
    assert got[("walker_approvals_waiting", level)] == 2
    assert got[("walker_approval_oldest_waiting_seconds", level)] == pytest.approx(1800, abs=2)
    for other in {"low", "medium", "high", "critical"} - {level}:
        assert got[("walker_approvals_waiting", other)] == 0
        assert got[("walker_approval_oldest_waiting_seconds", other)] == 0


def test_one_query_per_scrape(django_assert_num_queries, ask):
    ask()
    with django_assert_num_queries(1):
        collected()
