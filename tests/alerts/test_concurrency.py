"""Two evaluations of one rule at once (two beat processes, or a beat run beside a slow one) open one incident and
send one notice: the rule's row is locked for the evaluation, and one open incident per rule is a constraint."""

import time
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from alerts import figures
from alerts.evaluation import evaluate
from alerts.models import AlertIncident, AlertNotice
from alerts.tasks import evaluate_rules
from analytics.models import EventType
from tests.alerts.conftest import events
from tests.concurrency import at_once

pytestmark = pytest.mark.postgres("two evaluations at once, each on its own connection, with real row locks")


@pytest.fixture
def slow_figures(monkeypatch):
    """Each figure takes a while, so the two evaluations overlap."""
    real = figures.figure

    def slow(rule, now):
        time.sleep(0.3)
        return real(rule, now)

    monkeypatch.setattr(figures, "figure", slow)


def test_two_evaluations_at_once_open_one_incident_and_tell_once(postgres_only, rule, tenant, slow_figures):
    watched = rule("sla_breaches", "1")
    events(tenant, EventType.SLA_BREACHED, 2)
    outcomes = at_once(lambda: evaluate(watched.pk), lambda: evaluate(watched.pk))
    assert sorted(outcomes) == ["opened", "skipped"]
    assert AlertIncident.objects.count() == 1
    assert list(AlertNotice.objects.values_list("event", "status")) == [("opened", "sent")]


def test_two_evaluations_at_once_after_the_quiet_period_clear_once(postgres_only, rule, tenant, slow_figures):
    watched = rule("sla_breaches", "1", clear_after_minutes=10)
    events(tenant, EventType.SLA_BREACHED, 2)
    assert evaluate(watched.pk) == "opened"
    AlertIncident.objects.update(quiet_since=timezone.now() - timedelta(minutes=10))  # at or below for 10 minutes
    watched.threshold = 2
    watched.save()
    outcomes = at_once(lambda: evaluate(watched.pk), lambda: evaluate(watched.pk))
    assert sorted(outcomes) == ["cleared", "skipped"]
    assert list(AlertNotice.objects.order_by("created_at").values_list("event", flat=True)) == ["opened", "cleared"]


@pytest.mark.slow
def test_two_beat_runs_at_once_open_each_rules_incident_once(postgres_only, rule, tenant, slow_figures):
    watched = [rule("sla_breaches", "1"), rule("failed_executions", "0"), rule("approvals_waiting", "0")]
    events(tenant, EventType.SLA_BREACHED, 2)
    events(tenant, EventType.EXECUTION_FAILED, 1)
    first, second = at_once(evaluate_rules, evaluate_rules)
    assert first.get("opened", 0) + second.get("opened", 0) == 2
    assert AlertIncident.objects.filter(rule__in=watched[:2], cleared_at=None).count() == 2
    assert AlertNotice.objects.count() == 2
    assert evaluate_rules() == {"ongoing": 2, "quiet": 1}


def test_the_database_refuses_a_second_open_incident(postgres_only, rule):
    watched = rule("sla_breaches", "1")
    values = {"tenant_id": watched.tenant_id, "rule": watched, "threshold": 1, "opened_value": 2, "peak_value": 2}
    AlertIncident.objects.create(opened_at=timezone.now(), **values)
    with pytest.raises(IntegrityError), transaction.atomic():
        AlertIncident.objects.create(opened_at=timezone.now(), **values)
    AlertIncident.objects.update(cleared_at=timezone.now(), cleared_value=0)
    AlertIncident.objects.create(opened_at=timezone.now(), **values)  # a new one once the first has cleared
    assert AlertIncident.objects.count() == 2
