from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from hitl.models import HITLApproval, HITLNotification
from hitl.services.sla import process_due
from hitl.tasks import process_deadlines

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.fixture
def at():
    """Travel to START + offset and run the deadline scan there."""

    def scan(offset: timedelta):
        with time_machine.travel(START + offset, tick=False):
            return process_due()

    return scan


@pytest.fixture
def filed(ask, workflow):
    def make(**rules):
        base = dict(sla_hours=4, escalation_hours=None, reminder_frequency_hours=None, expire_hours=12)
        workflow(**{**base, **rules})
        with time_machine.travel(START, tick=False):
            return ask()

    return make


def fresh(approval):
    return HITLApproval.objects.get(pk=approval.pk)


def test_a_breach_is_marked_once_with_its_minutes(filed, at, approver):
    approval = filed()
    assert at(4 * H - timedelta(minutes=1))["breached"] == 0
    assert at(4 * H + timedelta(minutes=17))["breached"] == 1
    approval = fresh(approval)
    assert approval.sla_breached and approval.sla_breach_duration_minutes == 17
    assert at(5 * H)["breached"] == 0  # already marked
    assert approval.history.filter(event_type="sla_breached").count() == 1


def test_reminders_follow_the_frequency_up_to_the_maximum(filed, at, approver):
    approval = filed(reminder_frequency_hours=2, max_reminders=2, sla_hours=10, expire_hours=24)
    assert at(1 * H)["reminded"] == 0
    assert at(2 * H)["reminded"] == 1
    assert at(3 * H)["reminded"] == 0
    assert at(4 * H)["reminded"] == 1
    assert at(6 * H)["reminded"] == 0  # max_reminders reached
    approval = fresh(approval)
    assert approval.reminder_count == 2 and approval.next_reminder_at is None
    reminders = HITLNotification.objects.filter(approval=approval, is_reminder=True)
    assert sorted(reminders.values_list("reminder_number", flat=True)) == [1, 2]


def test_escalation_after_its_hours_moves_to_the_next_level(filed, at, approver, tenant_admin):
    approval = filed(
        escalation_hours=3,
        approval_levels=[
            {"name": "Approvers", "approvers": {"roles": ["approver"]}, "required_approvals": 1},
            {"name": "Admins", "approvers": {"roles": ["admin"]}, "required_approvals": 1},
        ],
    )
    assert at(3 * H)["escalated"] == 1
    approval = fresh(approval)
    assert approval.approval_level == 2 and approval.escalation_due_at is None
    assert at(4 * H)["escalated"] == 0


def test_escalation_past_the_last_level_goes_to_a_tenant_admin(filed, at, approver, tenant_admin):
    approval = filed(escalation_hours=3)
    at(3 * H)
    assert fresh(approval).escalated_to == tenant_admin


def test_without_anyone_to_escalate_to_the_approval_keeps_waiting_and_says_why(filed, at, approver):
    approval = filed(escalation_hours=3)
    at(3 * H)
    approval = fresh(approval)
    assert approval.status == "pending" and approval.escalation_due_at is None
    assert any("escalation failed" in flag for flag in approval.compliance_flags)


def test_it_expires_at_the_end_and_the_requester_is_told(filed, at, approver, campaign):
    approval = filed(expire_hours=12)
    assert at(12 * H - timedelta(seconds=1))["expired"] == 0
    assert at(12 * H)["expired"] == 1
    assert fresh(approval).status == "expired"
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("500.00")


def test_auto_approve_hours_approve_at_the_end(filed, at, approver, django_capture_on_commit_callbacks, campaign):
    approval = filed(auto_approve_hours=6)
    with django_capture_on_commit_callbacks(execute=True):
        assert at(6 * H)["auto_approved"] == 1
    approval = fresh(approval)
    assert approval.status == "executed" and approval.decided_automatically
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("700.00")


def test_a_critical_action_expires_instead_of_being_auto_approved(ask, workflow, at, approver, campaign):
    workflow(auto_approve_hours=6, expire_hours=12, sla_hours=4)
    with time_machine.travel(START, tick=False):
        approval = ask("50000.00", cost="1500000", reach=5_000_000, confidence=0.1)
    assert fresh(approval).risk_level == "critical"
    assert at(6 * H)["auto_approved"] == 0
    assert at(12 * H)["expired"] == 1
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("500.00")


def test_catching_up_after_hours_down_does_it_all_once(filed, at, approver, tenant_admin):
    approval = filed(sla_hours=4, escalation_hours=3, reminder_frequency_hours=1, max_reminders=5, expire_hours=48)
    done = at(10 * H)  # workers were down from START to START + 10 h
    assert done == {"breached": 1, "escalated": 1, "reminded": 1}
    approval = fresh(approval)
    assert approval.sla_breach_duration_minutes == 6 * 60
    assert approval.reminder_count == 1 and approval.next_reminder_at == START + 11 * H
    assert at(10 * H) == {}  # running again changes nothing


def test_after_a_long_outage_the_end_wins(filed, at, approver):
    approval = filed(sla_hours=4, escalation_hours=3, reminder_frequency_hours=1, expire_hours=12)
    assert at(30 * H) == {"breached": 1, "expired": 1}
    assert fresh(approval).status == "expired"
    assert not HITLNotification.objects.filter(approval=approval, is_reminder=True).exists()


def test_decided_approvals_are_left_alone(filed, at, approver):
    from hitl.services.decisions import reject

    approval = filed()
    reject(approval.pk, actor=approver, reason="No")
    assert at(48 * H) == {}
    assert fresh(approval).status == "rejected"


def test_the_beat_task_runs_the_scan(filed, approver):
    approval = filed()
    with time_machine.travel(START + 5 * H, tick=False):
        assert process_deadlines.delay().get() == {"breached": 1}
    assert fresh(approval).sla_breached
