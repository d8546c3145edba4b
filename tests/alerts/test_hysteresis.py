"""One notice when an incident opens, one when it clears, nothing while the figure stays above; above again later is
a new incident. A figure that cannot be measured changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from alerts import figures
from alerts.evaluation import Outcome, evaluate, evaluate_all
from alerts.models import AlertIncident, AlertNotice
from analytics.models import EventType
from hitl.models import HITLApproval
from tests.alerts.conftest import ago, events, first_responses
from tests.analytics.conftest import approval
from tests.factories import UserFactory


@pytest.fixture
def waiting(tenant):
    """`waiting(n)`: n approvals pending now (the earlier ones decided)."""

    def set_to(count):
        HITLApproval.objects.filter(tenant=tenant).update(status="approved")
        for _ in range(count):
            approval(tenant, requested_at=ago(5))

    return set_to


def notices(event):
    return AlertNotice.objects.filter(event=event)


def test_open_once_stay_quiet_clear_once_reopen_as_new(rule, waiting, tenant_admin, django_capture_on_commit_callbacks):
    watched = rule("approvals_waiting", "3")
    steps = []
    for count in (2, 4, 5, 6, 3, 1, 7, 7):
        waiting(count)
        with django_capture_on_commit_callbacks(execute=True):
            steps.append(evaluate(watched.pk))
    assert steps == ["quiet", "opened", "ongoing", "ongoing", "cleared", "quiet", "opened", "ongoing"]

    first, second = AlertIncident.objects.order_by("opened_at")
    assert (first.opened_value, first.peak_value, first.cleared_value, first.threshold) == (4, 6, 3, 3)
    assert first.cleared_at is not None and second.cleared_at is None and second.opened_value == 7
    assert notices("opened").count() == 2 and notices("cleared").count() == 1  # one admin, by email
    assert set(notices("opened").values_list("incident", flat=True)) == {first.pk, second.pk}
    assert set(AlertNotice.objects.values_list("status", flat=True)) == {"sent"}


def test_a_figure_that_cannot_be_measured_keeps_the_incident_as_it_is(rule, tenant):
    watched = rule("first_response_p90", "2", window_minutes=30)
    first_responses(tenant, 600, minutes_ago=20)
    assert evaluate(watched.pk) == Outcome.OPENED
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):  # no conversation in the window
        assert evaluate(watched.pk) == Outcome.UNKNOWN
    assert AlertIncident.objects.get().is_open
    assert notices("cleared").count() == 0


def test_a_rule_whose_threshold_is_raised_clears_at_the_new_one(rule, tenant):
    watched = rule("sla_breaches", "1")
    events(tenant, EventType.SLA_BREACHED, 3)
    assert evaluate(watched.pk) == Outcome.OPENED
    watched.threshold = Decimal(5)
    watched.save()
    assert evaluate(watched.pk) == Outcome.CLEARED
    incident = AlertIncident.objects.get()
    assert (incident.threshold, incident.cleared_value) == (1, 3)  # the threshold it opened against stays on record


def test_disabled_rules_are_not_evaluated(rule, tenant):
    rule("sla_breaches", "0", enabled=False)
    events(tenant, EventType.SLA_BREACHED, 2)
    assert evaluate_all() == {}
    assert not AlertIncident.objects.exists()


def test_one_rules_failure_does_not_stop_the_others(rule, tenant, monkeypatch):
    broken = rule("approvals_waiting", "0")
    rule("sla_breaches", "0")
    events(tenant, EventType.SLA_BREACHED, 1)
    real = figures.FIGURES["approvals_waiting"]
    monkeypatch.setitem(figures.FIGURES, "approvals_waiting", lambda scope: 1 / 0)
    assert evaluate_all() == {"failed": 1, "opened": 1}
    monkeypatch.setitem(figures.FIGURES, "approvals_waiting", real)
    assert not AlertIncident.objects.filter(rule=broken).exists()


def test_people_who_left_or_belong_elsewhere_are_not_told(rule, tenant, other_tenant, tenant_admin):
    gone = UserFactory(tenant=tenant, role="admin", is_active=False)
    named = UserFactory(tenant=tenant, role="support")
    stranger = UserFactory(tenant=other_tenant, role="admin")
    watched = rule("sla_breaches", "0", people=[named, stranger])  # a stranger slipped past the form
    events(tenant, EventType.SLA_BREACHED, 1)
    assert evaluate(watched.pk) == Outcome.OPENED
    told = set(AlertNotice.objects.values_list("recipient", flat=True))
    assert told == {tenant_admin.pk, named.pk}
    assert gone.pk not in told and stranger.pk not in told
