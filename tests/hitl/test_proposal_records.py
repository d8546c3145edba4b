"""Records tell what was executed after edits; a repeated proposal is not filed twice; a conflicting one supersedes
the request that waits, and the two are linked."""

import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.db import close_old_connections

from agents.actions import ProposedAction
from agents.engines.base import EngineReply
from conversations.normalized import InboundMessage
from conversations.services import with_current_status
from hitl.models import HITLApproval, HITLNotification
from hitl.services.conflicts import AlreadyWaiting
from hitl.services.decisions import approve, reject
from hitl.services.requests import request_approval
from tests.factories import UserFactory, budget_action
from tests.pipeline import exchange

EDITED = "Raise Summer Sale daily budget from $500.00 to $650.00"


def ask_in_chat(engine, user, action, text="Raise Summer Sale to 700"):
    engine.reply = EngineReply(text="Sure.", actions=[action])
    return exchange(InboundMessage(channel="chat", text=text, user_id=user.pk))


def test_after_edits_every_record_says_what_was_executed(engine, colleague, approver, campaign, run_on_commit):
    result = ask_in_chat(engine, colleague, budget_action(campaign, "700.00"))
    approval_id = result.actions[0].approval_id
    with run_on_commit():
        approve(approval_id, actor=approver, edits={"action_data": {"daily_budget": "650.00"}})
    approval = HITLApproval.objects.get(pk=approval_id)
    assert approval.status == "executed" and approval.action_summary == EDITED
    edit = approval.history.get(event_type="edited")
    assert edit.changes["summary"] == ["Raise Summer Sale daily budget to $700.00", EDITED]  # the original stays
    [chip] = with_current_status(result.reply.metadata["actions"])  # what the chat shows beside the reply
    assert chip["summary"] == EDITED and chip["status"] == "executed"
    told = result.conversation.messages.order_by("-created_at").first()
    assert "$650.00" in told.text and "$700" not in told.text


def test_an_edited_summary_given_by_the_approver_wins(ask, approver, run_on_commit):
    approval = ask("700.00")
    with run_on_commit():
        approve(approval.pk, actor=approver, edits={"action_data": {"daily_budget": "650.00"}, "summary": "Test $650"})
    assert HITLApproval.objects.get(pk=approval.pk).action_summary == "Test $650"


def test_asking_twice_files_one_approval_and_says_it_already_waits(engine, colleague, campaign):
    first = ask_in_chat(engine, colleague, budget_action(campaign, "700.00"))
    second = ask_in_chat(engine, colleague, budget_action(campaign, "700.00"), text="Raise Summer Sale to 700 again")
    assert HITLApproval.objects.count() == 1
    reference = first.actions[0].reference
    assert second.actions[0].reference == reference and second.actions[0].already_waiting
    assert f"already waiting for approval ({reference})" in second.reply.text
    assert "I did not ask again" in second.reply.text


def test_once_decided_the_same_action_may_be_asked_again(ask, approver):
    first = ask("700.00")
    reject(first.pk, actor=approver, reason="Not now")
    again = ask("700.00")
    assert again.pk != first.pk and again.status == "pending"


def test_a_conflicting_proposal_supersedes_the_waiting_one_and_is_linked_to_it(ask, campaign):
    first = ask("700.00")
    second = ask("800.00")
    first.refresh_from_db()
    assert first.status == "superseded" and first.resolved_at is not None
    assert second.status == "pending" and second.related_to == first and list(first.conflicting.all()) == [second]
    assert f"supersedes {first.reference}" in second.history.get(event_type="created").description
    closed = first.history.get(event_type="superseded")
    assert (closed.previous_status, closed.new_status) == ("pending", "superseded")
    assert second.reference in closed.description and closed.metadata["superseded_by"] == second.reference
    with pytest.raises(AlreadyWaiting) as waiting:  # identical to the one waiting
        ask("800.00")
    assert waiting.value.approval == second
    assert HITLApproval.objects.filter(status="pending").count() == 1


def test_two_identical_proposals_at_once_file_one_approval(postgres_only, tenant, requester, campaign, paid_ads):
    """Two workers filing the same proposal at the same moment: the unique index lets one through."""
    barrier, outcomes = threading.Barrier(2), []

    def file():
        try:
            barrier.wait()
            action = budget_action(campaign, "700.00", estimated_cost=Decimal("6000"))
            approval = request_approval(tenant=tenant, agent=paid_ads, action=action, requested_by=requester)
            outcomes.append(("filed", approval.reference))
        except AlreadyWaiting as waiting:
            outcomes.append(("waiting", waiting.approval.reference))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=file) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(kind for kind, _ in outcomes) == ["filed", "waiting"]
    assert len({reference for _, reference in outcomes}) == 1
    assert HITLApproval.objects.filter(status="pending").count() == 1


# --- the same proposal, spelled differently ------------------------------------------------------


def file(tenant, paid_ads, requester, action_type, action_data):
    action = ProposedAction(action_type, action_data, f"{action_type} {action_data}", confidence=0.9)
    return request_approval(tenant=tenant, agent=paid_ads, action=action, requested_by=requester)


def budget(campaign, **changes):
    data = {"campaign_id": str(campaign.pk), "campaign_name": campaign.name, "daily_budget": "700.00"}
    return {**data, "previous_daily_budget": "500.00", **changes}


@pytest.mark.parametrize(
    "respelled",
    [
        {"daily_budget": 700},
        {"daily_budget": 700.0},
        {"daily_budget": "700"},
        {"daily_budget": " 700.001 "},  # the same cents
        {"campaign_name": "summer sale campaign"},  # a name is for people, the id says which
        {"previous_daily_budget": 500},
    ],
)
def test_an_identical_proposal_spelled_differently_is_not_filed_again(tenant, paid_ads, requester, campaign, respelled):
    first = file(tenant, paid_ads, requester, "set_budget", budget(campaign))
    with pytest.raises(AlreadyWaiting) as waiting:
        file(tenant, paid_ads, requester, "set_budget", budget(campaign, **respelled))
    assert waiting.value.approval == first and HITLApproval.objects.count() == 1


def test_an_llm_asking_again_in_its_own_spelling_is_told_it_already_waits(engine, colleague, campaign):
    first = ask_in_chat(engine, colleague, budget_action(campaign, "700.00"))
    again = budget_action(campaign, 700)
    again.action_data["campaign_name"] = "the Summer Sale campaign"
    second = ask_in_chat(engine, colleague, again, text="Please set Summer Sale to 700 a day")
    reference = first.actions[0].reference
    assert HITLApproval.objects.count() == 1 and second.actions[0].already_waiting
    assert f"already waiting for approval ({reference})" in second.reply.text


def test_another_effect_on_the_same_target_is_a_conflict_not_a_twin(tenant, paid_ads, requester, campaign):
    first = file(tenant, paid_ads, requester, "set_budget", budget(campaign))
    other_amount = file(tenant, paid_ads, requester, "set_budget", budget(campaign, daily_budget="700.01"))
    pause = file(tenant, paid_ads, requester, "pause_campaign", {"campaign_id": str(campaign.pk).upper()})
    assert other_amount.related_to == first and pause.related_to == other_amount  # one campaign, whatever the action
    assert first.target_key == pause.target_key == f"campaign:{campaign.pk}"
    assert len({first.proposal_key, other_amount.proposal_key, pause.proposal_key}) == 3
    statuses = dict(HITLApproval.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "superseded", other_amount.pk: "superseded", pause.pk: "pending"}


def test_keywords_are_compared_as_the_tenant_stores_them(tenant, requester):
    from agents.models import AIAgent

    seo = AIAgent.objects.get(is_system_agent=True, agent_type="seo")
    first = file(tenant, seo, requester, "add_target_keyword", {"keyword": "Trail Shoes"})
    with pytest.raises(AlreadyWaiting):
        file(tenant, seo, requester, "add_target_keyword", {"keyword": " trail shoes "})
    dropping = file(tenant, seo, requester, "remove_target_keyword", {"keyword": "trail shoes"})
    assert dropping.related_to == first


# --- the approver sees both ------------------------------------------------------------------------


def linked(approval, status):
    return {"id": str(approval.pk), "reference": approval.reference, "status": status}


def test_the_api_shows_the_link_on_both_approvals(ask, api_as, approver):
    first, second = ask("700.00"), ask("800.00")
    client = api_as(approver)
    detail = client.get(f"/api/hitl/approvals/{second.pk}/").json()
    assert {k: detail["related_to"][k] for k in ("id", "reference", "status")} == linked(first, "superseded")
    assert detail["related_to"]["action_summary"] == first.action_summary and detail["conflicting"] == []
    listed = {a["reference"]: a for a in client.get("/api/hitl/approvals/").json()["results"]}
    assert listed[first.reference]["related_to"] is None and listed[first.reference]["status"] == "superseded"
    assert [{k: c[k] for k in ("id", "reference", "status")} for c in listed[first.reference]["conflicting"]] == [
        linked(second, "pending")
    ]
    assert [a["reference"] for a in client.get("/api/hitl/approvals/?status=superseded").json()["results"]] == [
        first.reference
    ]


def test_the_api_does_not_show_a_conflict_the_caller_may_not_see(ask, api_as, requester, tenant):
    ask("700.00", by=UserFactory(tenant=tenant))
    mine = ask("800.00")  # by `requester`, a member: they see only their own requests
    body = api_as(requester).get(f"/api/hitl/approvals/{mine.pk}/").json()
    assert mine.related_to_id is not None and body["related_to"] is None


def test_the_approvers_email_names_the_request_it_replaces(ask, workflow, approver, run_on_commit):
    workflow(notification_channels=["email", "in_app"])
    first = ask("700.00")
    mail.outbox.clear()
    with run_on_commit():
        second = ask("800.00")
    row = HITLNotification.objects.get(approval=second, channel="in_app", recipient=approver)
    assert f"Replaces {first.reference}, which waited for the same target: {first.action_summary}" in row.message
    asking = [m for m in mail.outbox if second.action_summary in m.subject]
    (email,) = asking
    html = email.alternatives[0][0]
    assert f"Replaces {first.reference}" in email.body  # the text part
    assert first.reference in html and first.action_summary in html and "same target" in html
    assert "Replaces" not in HITLNotification.objects.filter(approval=first, event="created").first().message
    (closed,) = HITLNotification.objects.filter(approval=first, event="decided", channel="in_app", recipient=approver)
    assert closed.subject.startswith("Superseded: ")


# --- after edits, the outcome says what was done --------------------------------------------------


def test_after_edits_the_outcome_email_and_the_requesters_message_give_the_executed_values(
    engine, colleague, approver, campaign, workflow, run_on_commit
):
    workflow(notification_channels=["email", "in_app"])
    result = ask_in_chat(engine, colleague, budget_action(campaign, "700.00"))
    approval_id = result.actions[0].approval_id
    mail.outbox.clear()
    with run_on_commit():
        approve(approval_id, actor=approver, edits={"action_data": {"daily_budget": "650.00"}})
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("650.00")  # what was executed
    outcome = HITLNotification.objects.filter(approval_id=approval_id, event="decided")
    assert outcome.exists()
    for row in outcome:
        assert EDITED in row.subject and EDITED in row.message and "$700" not in row.subject + row.message
    emails = [m for m in mail.outbox if EDITED in m.subject]
    assert emails and all("$650.00" in m.body and "$700" not in m.body for m in emails)
    told = result.conversation.messages.order_by("-created_at").first()
    assert "$650.00" in told.text and "$700" not in told.text


def test_a_request_superseded_at_its_second_level_leaves_that_levels_queue(
    ask, workflow, approver, tenant_admin, api_as
):
    workflow(
        approval_levels=[
            {"name": "Approvers", "approvers": {"roles": ["approver"]}, "required_approvals": 1},
            {"name": "Admins", "approvers": {"roles": ["admin"]}, "required_approvals": 1},
        ]
    )
    first = ask("700.00")
    approve(first.pk, actor=approver)  # level 1 of 2: now the admins'
    assert api_as(tenant_admin).get("/api/hitl/approvals/?assigned_to_me=true").json()["count"] == 1
    second = ask("800.00")  # the newer request for the campaign starts again from level 1
    assert HITLApproval.objects.get(pk=first.pk).status == "superseded"
    mine = api_as(tenant_admin).get("/api/hitl/approvals/?assigned_to_me=true").json()["results"]
    assert [a["reference"] for a in mine] == []
    told = HITLNotification.objects.filter(approval=first, recipient=tenant_admin).latest("created_at")
    assert told.event == "decided" and told.subject.startswith("Superseded: ")
    response = api_as(tenant_admin).post(f"/api/hitl/approvals/{first.pk}/approve/", {}, format="json")
    assert (
        response.status_code == 409
        and response.json()["detail"] == f"{first.reference} is already superseded; nothing changed."
    )
    assert HITLApproval.objects.get(pk=second.pk).approval_level == 1


def test_an_edit_that_stays_pending_is_compared_by_what_it_now_asks(
    ask, workflow, approver, api_as, campaign, other_campaign
):
    workflow(
        approval_levels=[
            {"name": "Approvers", "approvers": {"roles": ["approver"]}, "required_approvals": 1},
            {"name": "Admins", "approvers": {"roles": ["admin"]}, "required_approvals": 1},
        ]
    )
    edited, other = ask("700.00"), ask("650.00", of=other_campaign)
    before = edited.proposal_key
    response = api_as(approver).post(
        f"/api/hitl/approvals/{edited.pk}/approve/",
        {"edits": {"action_data": {"campaign_id": str(other_campaign.pk), "daily_budget": "650.00"}}},
        format="json",
    )
    assert response.status_code == 409 and response.json()["code"] == "duplicate_edit"
    assert other.reference in response.json()["detail"]
    edited.refresh_from_db()
    assert (edited.status, edited.proposal_key, edited.action_data["daily_budget"]) == ("pending", before, "700.00")
    assert HITLApproval.objects.get(pk=other.pk).status == "pending"
    approve(edited.pk, actor=approver, edits={"action_data": {"daily_budget": "600.00"}})  # level 1 of 2: still waiting
    edited.refresh_from_db()
    assert edited.status == "pending" and edited.proposal_key != before
    with pytest.raises(AlreadyWaiting):
        ask("600.00")  # the same as what the edited request now asks


def test_an_edit_onto_a_target_another_request_waits_for_supersedes_that_request(
    ask, approver, campaign, other_campaign, run_on_commit
):
    edited, other = ask("700.00"), ask("650.00", of=other_campaign)
    with run_on_commit():
        approve(edited.pk, actor=approver, edits={"action_data": {"campaign_id": str(other_campaign.pk)}})
    edited.refresh_from_db()
    other.refresh_from_db()
    assert edited.status == "executed" and edited.target_key == f"campaign:{other_campaign.pk}"
    assert other.status == "superseded" and edited.reference in other.history.get(event_type="superseded").description
    other_campaign.refresh_from_db()
    assert other_campaign.daily_budget == Decimal("700.00")
