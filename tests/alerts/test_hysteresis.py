"""One notice when an incident opens, one when it clears, nothing in between; above again after the clearing is a new
incident. An incident clears only once the figure has stayed at or below the threshold for the rule's quiet period
(`clear_after_minutes`), so a figure hovering at the threshold opens one incident and tells once, not every minute.
A figure that cannot be measured changes nothing. Time is the evaluations' clock, stepped a minute at a time."""

from contextlib import contextmanager
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


@pytest.fixture
def clock():
    """`with clock(minute):` the evaluations' clock frozen `minute` minutes after the test's start."""
    start = timezone.now()

    @contextmanager
    def at(minute):
        with time_machine.travel(start + timedelta(minutes=minute), tick=False):
            yield

    at.start = start
    return at


@pytest.fixture
def runs(clock, monkeypatch, django_capture_on_commit_callbacks):
    """`runs(rule, {minute: figure})`: the rule evaluated at each minute with that figure (None: not measurable),
    each commit's sends run; the outcomes by minute."""

    def run(watched, figures_by_minute):
        outcomes = {}
        for minute, value in figures_by_minute.items():
            measured = None if value is None else Decimal(value)
            monkeypatch.setattr(figures, "figure", lambda rule, now, measured=measured: measured)
            with clock(minute), django_capture_on_commit_callbacks(execute=True):
                outcomes[minute] = evaluate(watched.pk)
        return outcomes

    return run


def notices(event):
    return AlertNotice.objects.filter(event=event)


@pytest.mark.slow
def test_a_figure_hovering_at_the_threshold_for_an_hour_tells_once_and_never_clears(
    rule, waiting, clock, tenant_admin, mailoutbox, django_capture_on_commit_callbacks
):
    watched = rule("approvals_waiting", "3")  # the default quiet period: 10 minutes
    steps = []
    for minute in range(60):
        with clock(minute):
            waiting(4 if minute % 2 == 0 else 3)  # above, at, above, at… every evaluation
            with django_capture_on_commit_callbacks(execute=True):
                steps.append(evaluate(watched.pk))
    assert steps == ["opened"] + ["clearing", "ongoing"] * 29 + ["clearing"]
    incident = AlertIncident.objects.get()
    assert incident.is_open and incident.opened_at == clock.start and incident.peak_value == 4
    assert (notices("opened").count(), notices("cleared").count(), len(mailoutbox)) == (1, 0, 1)


def test_it_clears_once_after_staying_at_or_below_for_the_quiet_period(rule, runs, clock, tenant_admin):
    watched = rule("sla_breaches", "2", clear_after_minutes=10)
    outcomes = runs(watched, {0: 5, **{minute: 2 for minute in range(1, 11)}, 11: 1, 12: 0})
    assert outcomes == {0: "opened", **{minute: "clearing" for minute in range(1, 11)}, 11: "cleared", 12: "quiet"}
    incident = AlertIncident.objects.get()
    assert incident.quiet_since == clock.start + timedelta(minutes=1)
    assert (incident.cleared_at, incident.cleared_value) == (clock.start + timedelta(minutes=11), 1)
    assert (notices("opened").count(), notices("cleared").count()) == (1, 1)


def test_a_breach_in_the_quiet_period_keeps_the_incident_and_starts_the_wait_over(rule, runs, clock, tenant_admin):
    watched = rule("sla_breaches", "2", clear_after_minutes=10)
    outcomes = runs(watched, {0: 5, 1: 1, 5: 2, 9: 7, 10: 2, 19: 0, 20: 0, 25: 1})
    assert outcomes == {
        0: "opened", 1: "clearing", 5: "clearing", 9: "ongoing", 10: "clearing", 19: "clearing", 20: "cleared",
        25: "quiet",
    }  # fmt: skip
    incident = AlertIncident.objects.get()
    assert (incident.peak_value, incident.quiet_since, incident.cleared_at) == (
        7,
        clock.start + timedelta(minutes=10),
        clock.start + timedelta(minutes=20),
    )
    assert (notices("opened").count(), notices("cleared").count()) == (1, 1)

    assert runs(watched, {40: 3, 41: 3}) == {40: "opened", 41: "ongoing"}  # after the clearing: a new incident
    first, second = AlertIncident.objects.order_by("opened_at")
    assert first.pk == incident.pk and second.is_open and second.quiet_since is None and second.opened_value == 3
    assert set(notices("opened").values_list("incident", flat=True)) == {first.pk, second.pk}
    assert notices("cleared").get().incident_id == first.pk


def test_minutes_that_cannot_be_measured_neither_break_nor_end_the_quiet_period(rule, runs, tenant_admin):
    watched = rule("sla_breaches", "2", clear_after_minutes=10)
    outcomes = runs(watched, {0: 5, 1: 1, 5: None, 11: None, 12: 1})
    assert outcomes == {0: "opened", 1: "clearing", 5: "unknown", 11: "unknown", 12: "cleared"}
    assert notices("cleared").count() == 1


def test_the_quiet_period_is_the_rules_as_it_is_now(rule, runs, tenant_admin):
    watched = rule("sla_breaches", "2", clear_after_minutes=30)
    assert runs(watched, {0: 5, 1: 2, 6: 2}) == {0: "opened", 1: "clearing", 6: "clearing"}
    watched.clear_after_minutes = 5
    watched.save()
    assert runs(watched, {7: 2}) == {7: "cleared"}


def test_rules_made_before_the_quiet_period_wait_ten_minutes(rule):
    assert rule("sla_breaches", "2").clear_after_minutes == 10


def test_with_no_quiet_period_it_clears_at_the_first_evaluation_at_or_below(
    rule, waiting, tenant_admin, django_capture_on_commit_callbacks
):
    watched = rule("approvals_waiting", "3", clear_after_minutes=0)
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


def test_a_rule_whose_threshold_is_raised_clears_at_the_new_one(rule, tenant, clock):
    watched = rule("sla_breaches", "1")
    events(tenant, EventType.SLA_BREACHED, 3)
    with clock(0):
        assert evaluate(watched.pk) == Outcome.OPENED
        watched.threshold = Decimal(5)
        watched.save()
        assert evaluate(watched.pk) == Outcome.CLEARING
    with clock(10):  # the breaches are 15 minutes old by then: still in the 60-minute window
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
