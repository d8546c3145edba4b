"""The beat tasks: every tenant, one tenant's failure logged and the others done."""

from datetime import timedelta

from django.conf import settings

from analytics.events import record
from analytics.models import ConversationMetrics, EventType, HITLAnalytics
from reports import conversation_metrics
from reports.tasks import aggregate_approvals, refresh_conversation_metrics
from tests.analytics.conftest import approval, conversation, utc


def test_both_jobs_are_scheduled():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"analytics.tasks.refresh_conversation_metrics", "analytics.tasks.aggregate_approvals"} <= tasks


def test_one_tenants_failure_does_not_stop_the_others(colleague, outsider, tenant, other_tenant, monkeypatch, caplog):
    for user in (colleague, outsider):
        conv = conversation(user, started_at=utc(2025, 3, 21, 9))
        record(EventType.CONVERSATION_OPENED, tenant=user.tenant, conversation_id=conv.pk)
    real = conversation_metrics.refresh_tenant

    def broken_for_acme(tenant_id, **kwargs):
        if tenant_id == tenant.pk:
            raise RuntimeError("bad row")
        return real(tenant_id, **kwargs)

    monkeypatch.setattr(conversation_metrics, "refresh_tenant", broken_for_acme)
    done = refresh_conversation_metrics.delay().get()
    assert done == {str(other_tenant.pk): 1}
    assert list(ConversationMetrics.objects.values_list("tenant", flat=True)) == [other_tenant.pk]
    assert "Conversation metrics failed for tenant" in caplog.text


def test_approval_periods_of_every_tenant(tenant, other_tenant, time_machine):
    time_machine.move_to(utc(2025, 3, 21, 12), tick=False)
    for each in (tenant, other_tenant):
        row = approval(each, requested_at=utc(2025, 3, 21, 9) - timedelta(days=3), status="expired")
        record(EventType.APPROVAL_EXPIRED, tenant=each, subject_id=row.pk)
    done = aggregate_approvals.delay().get()
    # the request's day (18 March) and today, their week and their month
    assert done == {str(tenant.pk): 4, str(other_tenant.pk): 4}
    assert HITLAnalytics.objects.filter(period_type="day", total_expired=1).count() == 2
