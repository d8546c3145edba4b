"""When rules run: hourly on the hour, daily at a time in the tenant's zone; the beat claims each due rule once and
a rule that fails leaves the others running."""

from datetime import UTC, datetime, time

import pytest

from adplatforms.rules import running
from adplatforms.rules.models import PerformanceRule
from adplatforms.tasks import run_due_rules
from hitl.models import HITLApproval
from tests.factories import CampaignFactory
from tests.performance_rules.helpers import NOW, figures, make_rule

pytestmark = pytest.mark.django_db


def test_hourly_runs_on_the_next_hour_and_daily_at_its_time_in_the_tenants_zone(tenant):
    hourly = make_rule(tenant, name="h", schedule="hourly", run_at=None)
    daily = make_rule(tenant, name="d", run_at=time(9, 0))  # Paris: 08:00 UTC in November

    assert running.next_run(hourly, datetime(2026, 11, 27, 10, 20, tzinfo=UTC)) == datetime(
        2026, 11, 27, 11, tzinfo=UTC
    )
    assert running.next_run(daily, datetime(2026, 11, 27, 7, 0, tzinfo=UTC)) == datetime(2026, 11, 27, 8, tzinfo=UTC)
    assert running.next_run(daily, datetime(2026, 11, 27, 8, 0, tzinfo=UTC)) == datetime(2026, 11, 28, 8, tzinfo=UTC)


def test_a_disabled_rule_has_no_next_run(tenant):
    rule = make_rule(tenant, enabled=False)
    running.schedule(rule, NOW)
    assert rule.next_run_at is None


def test_the_beat_claims_each_due_rule_once_and_moves_it_to_its_next_run(tenant):
    due = make_rule(tenant, name="due")
    later = make_rule(tenant, name="later")
    PerformanceRule.objects.filter(pk=later.pk).update(next_run_at=datetime(2026, 11, 28, 8, tzinfo=UTC))

    assert running.claim_due(NOW) == [due.pk]
    assert running.claim_due(NOW) == []
    due.refresh_from_db()
    assert due.next_run_at == datetime(2026, 11, 28, 8, tzinfo=UTC)  # 09:00 in Paris tomorrow


def test_a_failing_rule_leaves_the_others_running(tenant, monkeypatch, caplog):
    figures(CampaignFactory(tenant=tenant, name="Brand"), spend="180.43", conversions=2)
    broken = make_rule(tenant, name="broken")
    make_rule(tenant, name="works")
    real = running.run_rule

    def run_rule(pk, now):
        if pk == broken.pk:
            raise RuntimeError("boom")
        return real(pk, now=now)

    monkeypatch.setattr(running, "run_rule", run_rule)

    assert running.run_due(NOW) == 1
    assert HITLApproval.objects.count() == 1
    assert "performance rule" in caplog.text


def test_the_beat_task_runs_the_due_rules(tenant, time_machine):
    time_machine.move_to(NOW)
    figures(CampaignFactory(tenant=tenant, name="Brand"), spend="180.43", conversions=2)
    make_rule(tenant)

    assert run_due_rules() == 1
    assert HITLApproval.objects.count() == 1
