"""The approval page reads as a record: what led to it, who decides now, and what happened, in words."""

from django.urls import reverse

from hitl.models import HITLApproval
from hitl.services.closing import escalate
from hitl.services.decisions import reject
from tenants.models import AccessLog
from tests.admin.test_approval_admin import decide_url
from tests.factories import ConversationFactory, MessageFactory


def page(client, approval):
    return client.get(reverse("admin:hitl_hitlapproval_change", args=[approval.pk])).content.decode()


def test_history_and_decisions_are_timelines_not_object_rows_or_json(console_as, staff, ask_as):
    approval = ask_as(staff["member"])
    reject(approval.pk, actor=staff["approver"], reason="Not this month")
    html = page(console_as(staff["admin"]), approval)
    assert 'data-testid="approval-timeline"' in html and 'data-testid="approval-decisions"' in html
    assert "HITLApprovalHistory object" not in html and "HITLDecision object" not in html
    assert "Requested" in html and "Rejected" in html and "Pending → Rejected" in html
    assert "Not this month" in html and str(staff["approver"]) in html
    assert '{"' not in html.split('data-testid="approval-record"')[1]  # no raw JSON in the record
    assert "HITLNotification object" not in html and 'data-testid="approval-notifications"' in html
    assert "Campaign id" not in html and "Campaign name" in html  # the name, not the id beside it


def test_who_decides_now_says_names_and_escalations(console_as, staff, ask_as):
    approval = ask_as(staff["member"])
    html = page(console_as(staff["approver"]), approval)
    assert "Waiting for" in html and "(level 1)" in html
    escalate(approval.pk, actor=staff["approver"], reason="Too big for me")
    html = page(console_as(staff["approver"]), HITLApproval.objects.get(pk=approval.pk))
    assert f"Escalated to {staff['admin']} (Too big for me)" in html


def test_the_words_that_led_to_it_are_shown_masked_with_a_link_for_those_who_may_open_them(
    console_as, staff, ask_as, tenant
):
    conversation = ConversationFactory(user=staff["member"])
    said = MessageFactory(conversation=conversation, text="Raise Summer Sale to $700, call me on +1 415 555 0142")
    approval = ask_as(staff["member"])
    HITLApproval.objects.filter(pk=approval.pk).update(conversation=conversation, source_message=said)
    approval.refresh_from_db()
    link = reverse("admin:conversations_conversation_change", args=[conversation.pk])

    approver_view = page(console_as(staff["approver"]), approval)
    assert 'data-testid="approval-excerpt"' in approver_view and "Raise Summer Sale to $700" in approver_view
    assert "415 555 0142" not in approver_view  # masked for everyone but the person who wrote it
    assert link not in approver_view  # approvers do not open conversations
    support_like = page(console_as(staff["admin"]), approval)
    assert link in support_like and "415 555 0142" not in support_like
    reads = AccessLog.objects.filter(object_type="conversations.conversation", object_id=str(conversation.pk))
    assert sorted(r.actor.role for r in reads) == ["admin", "approver"]  # showing the words is a read of them
    assert {(r.action, r.sensitivity) for r in reads} == {("viewed", "normal")}


def test_a_content_action_shows_what_goes_out_and_when_in_the_tenants_zone(console_as, staff, ask_as, tenant):
    from agents.models import ContentPiece

    tenant.timezone = "Europe/Paris"
    tenant.save(update_fields=["timezone"])
    piece = ContentPiece.objects.create(tenant=tenant, title="Trail guide", channel="blog")
    approval = ask_as(staff["member"])
    HITLApproval.objects.filter(pk=approval.pk).update(
        action_type="schedule_content",
        action_data={
            "content_id": str(piece.pk),
            "title": "Trail guide",
            "scheduled_for": "2026-12-01T09:00:00+00:00",
            "caption": "Ten trails for the first snow",
        },
    )
    html = page(console_as(staff["approver"]), HITLApproval.objects.get(pk=approval.pk))
    section = html.split('data-testid="approval-publication"')[1].split("</section>")[0]
    assert "Trail guide" in section and "Ten trails for the first snow" in section
    assert "10 a.m." in section and "CET" in section  # 09:00 UTC is 10:00 in Paris


def test_the_built_in_workflow_and_its_level_are_named_in_the_readers_language(console_as, staff, ask_as):
    """A Spanish approver read "Esperando a Approvers" and "flujo de aprobación Walker default": the built-in
    workflow's names are stored in English and told in the reader's language; a tenant's own names are as written."""
    approval = ask_as(staff["member"])
    staff["approver"].language = "es"
    staff["approver"].save(update_fields=["language"])
    html = page(console_as(staff["approver"]), approval)
    assert "Esperando a Aprobadores (nivel 1)" in html
    assert "flujo de aprobación Predeterminado de Walker" in html  # the timeline's filing line
    assert "Approvers" not in html and "Walker default" not in html
    assert "Waiting for Approvers (level 1)" in page(console_as(staff["admin"]), approval)


LATER = "2027-01-15T17:00:00+00:00"  # ask_to_schedule's time: 9 a.m. in Los Angeles


def test_a_time_to_publish_is_read_and_edited_in_the_tenants_zone(
    console_as, staff, ask_to_schedule, django_capture_on_commit_callbacks
):
    """Issue 50, point 6: the page said "Scheduled for 2027-01-15T17:00:00+00:00" and asked for the time as "ISO date
    and time, UTC"; a Los Angeles team reads 9 a.m. and types its own time."""
    approval = ask_to_schedule(staff["member"])
    html = page(console_as(staff["approver"]), approval)
    assert "+00:00" not in html and "UTC" not in html
    details = html.split('aria-label="Action details"')[1].split("</table>")[0]
    assert "Jan. 15, 2027, 9 a.m. PST" in details
    assert '<label for="edit_scheduled_for">Publish at (PST)</label>' in html
    assert 'type="datetime-local" value="2027-01-15T09:00"' in html

    client = console_as(staff["approver"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(decide_url(approval), {"decision": "approve", "edit_scheduled_for": "2027-01-15T10:30"})
    approval.refresh_from_db()
    assert approval.action_data["scheduled_for"] == "2027-01-15T18:30:00+00:00"  # 10:30 a.m. PST, in UTC
    assert approval.status == "executed"
    assert "Jan. 15, 2027, 10:30 a.m." in page(client, approval)  # the executed detail, in the zone


def test_the_time_as_it_was_is_no_edit(console_as, staff, ask_to_schedule, django_capture_on_commit_callbacks):
    approval = ask_to_schedule(staff["member"])
    client = console_as(staff["approver"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(decide_url(approval), {"decision": "approve", "edit_scheduled_for": "2027-01-15T09:00"})
    approval.refresh_from_db()
    assert approval.status == "executed" and approval.action_data["scheduled_for"] == LATER
    assert not approval.history.filter(event_type="edited").exists()


def test_a_time_that_reads_as_none_is_refused_and_nothing_changes(console_as, staff, ask_to_schedule):
    approval = ask_to_schedule(staff["member"])
    response = console_as(staff["approver"]).post(
        decide_url(approval), {"decision": "approve", "edit_scheduled_for": "next tuesday"}, follow=True
    )
    approval.refresh_from_db()
    assert approval.status == "pending" and approval.action_data["scheduled_for"] == LATER
    assert "the publication time is not a date and time" in response.content.decode()
