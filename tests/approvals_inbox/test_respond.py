"""Respond without deciding: an approver's note goes to the agent, which answers the requester with a revised
proposal linked to the first; the first is closed as superseded; every step is in the history."""

import pytest
from django.urls import reverse

from conversations.models import ConversationEvent, Message
from hitl.errors import DecisionError
from hitl.models import HITLApproval
from hitl.services import verbs
from hitl.services.decisions import approve
from hitl.services.responses import respond
from tenants.privacy.audit import Origin
from tests.concurrency import at_once
from tests.factories import UserFactory

CONSOLE = Origin(via="admin")
CHEAPER = "Propose a cheaper option, please"


def decide_url(approval):
    return reverse("admin:hitl_hitlapproval_decide", args=[approval.pk])


def events_of(approval) -> list[str]:
    return list(approval.history.order_by("timestamp").values_list("event_type", flat=True))


@pytest.fixture
def first(asked):
    return asked("Raise the Summer Sale budget to $800 a day")


def test_a_note_from_the_page_brings_a_revised_proposal_that_supersedes_the_first(
    console_as, approver, first, run_on_commit
):
    with run_on_commit():
        response = console_as(approver).post(decide_url(first), {"decision": "respond", "note": CHEAPER})
    assert response.status_code == 302

    first.refresh_from_db()
    revision = HITLApproval.objects.get(revision_of=first)
    assert first.status == "superseded" and revision.status == "pending"
    assert revision.action_data["daily_budget"] == "650"  # half the raise the first asked for
    assert revision.summary == "Raise Summer Sale daily budget from $500.00 to $650.00"
    assert revision.conversation_id == first.conversation_id and revision.requested_by_id == first.requested_by_id

    # The history: the note (by whom), then superseded by the revision; the revision names what it revises.
    assert events_of(first) == ["created", "responded", "superseded"]
    note = first.history.get(event_type="responded")
    assert note.description == CHEAPER and note.actor == approver and note.new_status == "revising"
    closed = first.history.get(event_type="superseded")
    assert revision.reference in closed.description and closed.previous_status == "revising"
    assert f"revises {first.reference}" in revision.history.get(event_type="created").description

    # The requester is told on their channel, by the agent, with the new request's reference.
    told = Message.objects.filter(conversation=first.conversation, metadata__revision_of=first.reference).get()
    assert told.sender_type == "agent" and told.direction == "outbound"
    assert f"An approver looked at {first.reference} and asked: “{CHEAPER}”." in told.text
    assert f"Waiting for approval ({revision.reference})" in told.text
    event = ConversationEvent.objects.get(conversation=first.conversation, seq=told.seq)
    assert event.event_type == "agent_response"
    assert [a["reference"] for a in event.payload["actions"]] == [revision.reference]


def test_a_note_naming_an_amount_gets_that_amount(approver, first, run_on_commit):
    with run_on_commit():
        verbs.act("respond", first.pk, actor=approver, origin=CONSOLE, note="Make it $600 a day instead")
    assert HITLApproval.objects.get(revision_of=first).action_data["daily_budget"] == "600.00"


def test_the_api_takes_the_note_too(api_as, approver, first, run_on_commit):
    with run_on_commit():
        response = api_as(approver).post(f"/api/hitl/approvals/{first.pk}/respond/", {"note": CHEAPER}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "revising"
    assert HITLApproval.objects.get(pk=first.pk).status == "superseded"
    revision = HITLApproval.objects.get(revision_of=first)
    shown = api_as(approver).get(f"/api/hitl/approvals/{revision.pk}/").json()
    assert shown["revision_of"]["reference"] == first.reference
    original = api_as(approver).get(f"/api/hitl/approvals/{first.pk}/").json()
    assert [r["reference"] for r in original["revisions"]] == [revision.reference]


def test_the_api_refuses_a_note_without_words(api_as, approver, first):
    response = api_as(approver).post(f"/api/hitl/approvals/{first.pk}/respond/", {}, format="json")
    assert response.status_code == 400 and "note" in response.json().get("fields", response.json())


def test_a_decided_request_cannot_be_answered(approver, second_approver, first):
    approve(first.pk, actor=second_approver)
    with pytest.raises(DecisionError) as refused:
        respond(first.pk, actor=approver, note=CHEAPER)
    assert refused.value.code == "not_pending"
    assert "responded" not in events_of(HITLApproval.objects.get(pk=first.pk))


def test_a_request_being_revised_cannot_be_decided(approver, second_approver, first):
    respond(first.pk, actor=approver, note=CHEAPER)  # the agent's task is not run here
    with pytest.raises(DecisionError) as refused:
        approve(first.pk, actor=second_approver)
    assert refused.value.code == "not_pending"


def test_another_tenant_cannot_answer_it(console_as, outsider, first):
    with pytest.raises(DecisionError) as refused:
        respond(first.pk, actor=outsider, note=CHEAPER)
    assert refused.value.code == "not_found"
    response = console_as(outsider).post(decide_url(first), {"decision": "respond", "note": CHEAPER})
    assert response.status_code in (302, 404)
    assert HITLApproval.objects.get(pk=first.pk).status == "pending"


@pytest.mark.parametrize(
    ("who", "note", "code"),
    [
        ("requester", CHEAPER, "self_approval"),  # nobody answers their own request for the approvers
        ("compliance", CHEAPER, "forbidden"),  # sees it, does not decide
        ("approver", "   ", "note_required"),
        ("approver", "x" * 1001, "note_too_long"),
    ],
)
def test_who_may_answer_and_what_a_note_needs(tenant, first, requester, approver, who, note, code):
    people = {"requester": requester, "approver": approver, "compliance": UserFactory(tenant=tenant, role="compliance")}
    with pytest.raises(DecisionError) as refused:
        respond(first.pk, actor=people[who], note=note)
    assert refused.value.code == code
    assert HITLApproval.objects.get(pk=first.pk).status == "pending"


def test_a_request_filed_without_a_conversation_has_no_agent_to_answer(approver, ask):
    approval = ask()
    with pytest.raises(DecisionError) as refused:
        respond(approval.pk, actor=approver, note=CHEAPER)
    assert refused.value.code == "no_conversation"


def test_when_the_agent_proposes_nothing_the_first_waits_again_and_the_requester_is_told(
    approver, first, run_on_commit, monkeypatch
):
    class Failing:
        external = False

        def run(self, request):
            raise RuntimeError("engine down")

    monkeypatch.setattr("conversations.pipeline.revisions.get_engine", lambda *args: Failing())
    with run_on_commit():
        respond(first.pk, actor=approver, note=CHEAPER)
    first.refresh_from_db()
    assert first.status == "pending" and not first.revisions.exists()
    assert events_of(first) == ["created", "responded", "revision_failed"]
    told = Message.objects.get(conversation=first.conversation, metadata__revision_of=first.reference)
    assert "could not revise" in told.text and first.reference in told.text
    approve(first.pk, actor=approver)  # and it can be decided as it stands
    assert HITLApproval.objects.get(pk=first.pk).status in ("approved", "executing", "executed")


def test_the_revision_runs_once_however_often_its_task_does(approver, first, run_on_commit):
    from conversations.pipeline import revisions

    with run_on_commit():
        respond(first.pk, actor=approver, note=CHEAPER)
    revisions.revise(str(first.pk))  # a redelivered task
    assert HITLApproval.objects.filter(revision_of=first).count() == 1


@pytest.mark.usefixtures("postgres_only")
@pytest.mark.parametrize("attempt", range(3))
def test_a_note_and_an_approval_at_the_same_instant_one_wins(approver, second_approver, asked, attempt):
    first = asked("Raise the Summer Sale budget to $800 a day")
    results = at_once(
        lambda: respond(first.pk, actor=approver, note=CHEAPER).status,
        lambda: approve(first.pk, actor=second_approver).status,
    )
    first = HITLApproval.objects.get(pk=first.pk)
    assert sorted(results) in (["not_pending", "revising"], ["approved", "not_pending"])
    if "revising" in results:
        assert first.decisions.count() == 0 and first.status in ("revising", "superseded")
    else:
        assert first.decisions.count() == 1 and "responded" not in events_of(first)
        assert first.status in ("approved", "executing", "executed")
