"""The console's first page is the viewer's own work (issue 50): titled Walker, what waits for their decision, their
conversations and the inbox's boxes, what needs attention; each section for those who may open its lists; a bounded
number of queries whatever the rows."""

import itertools
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from adplatforms.models import AdConnection
from analytics.events import record
from analytics.models import EventType
from conversations.models import Conversation
from hitl.models import HITLApproval
from tests.factories import ConversationFactory, HITLApprovalFactory, MessageFactory, UserFactory


def approval(tenant, *, status="pending", **fields):
    """An approval row as the services would leave it; its status is set past the state machine's guard."""
    row = HITLApprovalFactory(tenant=tenant, **fields)
    HITLApproval.objects.filter(pk=row.pk).update(status=status)
    return row


def held(support, since_minutes: int, *, replied=False):
    """A conversation `support` took over `since_minutes` ago; `replied`: they answered the customer since."""
    now = timezone.now()
    conversation = ConversationFactory(
        tenant=support.tenant,
        user=UserFactory(tenant=support.tenant),
        held_by=support,
        held_since=now - timedelta(minutes=since_minutes),
    )
    if replied:
        MessageFactory(conversation=conversation, direction="outbound", sender_type="human", created_at=now)
    return conversation


def change(conversation) -> str:
    return reverse("admin:conversations_conversation_change", args=[conversation.pk])


def work(client) -> dict:
    page = client.get(reverse("admin:index"))
    assert page.status_code == 200
    return page.context["work"]


def figures(section) -> dict[str, int]:
    return {figure.key: figure.value for figure in section}


@pytest.fixture
def approver_with_work(tenant, other_tenant, staff):
    approver, soon = staff["approver"], timezone.now() + timedelta(hours=1)
    approval(tenant, assigned_to=approver, reference="BR-000003", sla_deadline=soon + timedelta(hours=2))
    approval(tenant, assigned_to=approver, reference="BR-000001", sla_deadline=soon)
    approval(tenant, assigned_to=approver, reference="BR-000002", sla_deadline=soon + timedelta(hours=1))
    approval(tenant, assigned_to=staff["admin"], reference="BR-000004", sla_breached=True)  # pending, not theirs
    approval(tenant, assigned_to=approver, reference="BR-000005", status="approved")  # decided
    approval(tenant, reference="BR-000006", status="failed")  # approved, then failed to run
    approval(other_tenant, reference="BR-000007")
    return approver


def test_the_first_page_is_titled_walker_not_site_administration(console_as, staff):
    html = console_as(staff["approver"]).get(reverse("admin:index")).content.decode()
    assert re.search(r"<title>\s*Walker\s*</title>", html)
    assert 'data-testid="my-work"' in html
    assert "Site administration" not in html and 'data-live="dashboard"' not in html


def test_an_approver_sees_what_waits_for_their_decision_most_urgent_first(console_as, approver_with_work):
    client = console_as(approver_with_work)
    board = work(client)

    assert figures(board["approvals"]["counts"]) == {"mine": 3, "pending": 4}
    assert [a.reference for a, _link in board["approvals"]["waiting"]] == ["BR-000001", "BR-000002", "BR-000003"]
    assert figures(board["attention"]) == {"breached": 1, "failed": 1}
    assert board["conversations"] is None  # approvers see no conversations

    html = client.get(reverse("admin:index")).content.decode()
    assert '<a href="/admin/hitl/hitlapproval/?queue=mine" class="flex flex-col" data-figure="mine">' in html
    assert 'href="/admin/hitl/hitlapproval/?status__exact=failed" data-figure="failed"><strong>1</strong>' in html
    assert "BR-000007" not in html and "BR-000005" not in html


def test_compliance_sees_the_pending_approvals_and_decides_none(console_as, approver_with_work, staff):
    board = work(console_as(staff["compliance"]))

    assert figures(board["approvals"]["counts"]) == {"pending": 4}
    assert board["approvals"]["waiting"] == []
    assert figures(board["conversations"]["counts"]) == {"unassigned": 0, "all": 0}  # no "mine": holds none


def test_support_sees_their_conversations_and_the_customers_waiting_past_the_reply_sla(
    console_as, support, other_tenant, settings
):
    settings.INBOX_REPLY_SLA_MINUTES = 15
    longest = held(support, 40)  # taken over 40 minutes ago, no reply yet: overdue
    MessageFactory(conversation=longest, text="Still there?")  # unread: written after the takeover
    recent = held(support, 5)  # taken over 5 minutes ago: not yet due
    answered = held(support, 40, replied=True)  # answered: the customer waits on nobody
    closed = held(support, 90)
    Conversation.objects.filter(pk=closed.pk).update(status=Conversation.Status.CLOSED)
    ConversationFactory(tenant=support.tenant, user=UserFactory(tenant=support.tenant))  # the agents answer it
    ConversationFactory(user=UserFactory(tenant=other_tenant))

    board = work(console_as(support))

    assert figures(board["conversations"]["counts"]) == {"mine": 4, "unassigned": 1, "all": 5}
    assert figures(board["attention"]) == {"overdue": 1}
    assert board["approvals"] is None
    listed = board["conversations"]["held"]  # open ones, the customer who waited longest first
    assert [row["link"] for row in listed] == [change(c) for c in (longest, recent, answered)]
    assert [row["unread"] for row in listed] == [1, 0, 0]
    assert listed[0]["name"] == f"{longest.user.first_name} {longest.user.last_name}".strip()
    assert listed[2]["reply_due"] is None


def test_a_tenant_admin_is_told_of_connections_needing_reauthorisation_failed_answers_and_exposed_settings(
    console_as, staff, tenant, other_tenant, time_machine
):
    AdConnection.objects.create(tenant=tenant, platform="google", account_id="1234567890", state="needs_reauth")
    AdConnection.objects.create(tenant=tenant, platform="meta", account_id="act_1", state="active")
    AdConnection.objects.create(tenant=other_tenant, platform="google", account_id="9876543210", state="needs_reauth")
    tenant.mfa_required_roles = []
    tenant.save(update_fields=["mfa_required_roles"])
    now = timezone.now()
    time_machine.move_to(now - timedelta(days=8), tick=False)
    record(EventType.ANSWER_FAILED, tenant=tenant, attempts=3, error="older than a week")
    time_machine.move_to(now, tick=False)
    record(EventType.ANSWER_FAILED, tenant=tenant, attempts=3, error="this week")
    record(EventType.ANSWER_FAILED, tenant=other_tenant, attempts=3, error="another tenant's")

    client = console_as(staff["admin"])
    board = work(client)

    assert figures(board["attention"]) == {"reauthorise": 1, "failed_answers": 1}
    assert "mfa-off" in [notice["key"] for notice in board["notices"]]
    html = client.get(reverse("admin:index")).content.decode()
    assert 'data-testid="mfa-off"' in html
    assert 'href="/admin/adplatforms/adconnection/?state__exact=needs_reauth"' in html


def test_nothing_waiting_says_so(console_as, staff):
    html = console_as(staff["approver"]).get(reverse("admin:index")).content.decode()
    assert "Nothing waits for your decision." in html
    assert 'data-testid="waiting-approvals"' not in html and 'data-figure="breached"' not in html


def test_the_first_page_costs_the_same_queries_whatever_the_rows(
    console_as, staff, tenant, django_assert_max_num_queries
):
    admin, support = staff["admin"], staff["support"]
    client = console_as(admin)

    accounts = itertools.count(1_000_000_000)

    def seed(count):
        for i in range(count):
            approval(tenant, assigned_to=admin, sla_breached=i % 2 == 0)
            approval(tenant, status="failed")
            held(admin, 30 + i)
            held(support, 30 + i)
            account = str(next(accounts))
            AdConnection.objects.create(tenant=tenant, platform="google", account_id=account, state="needs_reauth")
            record(EventType.ANSWER_FAILED, tenant=tenant, attempts=3, error="no engine")

    seed(2)
    # 15 with the inbox's all-conversations total counted (new conversations dropped its cached entry:
    # conversations.inbox_totals), apart from the boxes, so the boxes never read the tenant's every conversation;
    # the open boxes and the viewer's own are two (conversations.inbox.boxes: the open ones from their index alone).
    with django_assert_max_num_queries(15), CaptureQueriesContext(connection) as few:
        work(client)
    seed(20)
    with CaptureQueriesContext(connection) as many:
        board = work(client)

    assert figures(board["approvals"]["counts"])["mine"] == 22 and len(board["approvals"]["waiting"]) == 5
    assert len(many.captured_queries) == len(few.captured_queries)
