"""Issue 30, point 4: decisions told as they were made. The requester hears who approved, what they changed (from
what to what), their note, and how far a request of several levels has come, in the same words on every channel
(the chat here; WhatsApp and email in their own test folders)."""

from decimal import Decimal

import pytest
from django.utils import translation

from agents.engines.base import EngineReply
from conversations.models import Conversation, ConversationEvent
from conversations.normalized import InboundMessage
from conversations.services import with_current_status
from hitl.models import HITLApproval
from hitl.notifying import told as words
from hitl.services.closing import escalate
from hitl.services.decisions import approve, reject
from tenants.models import User
from tenants.roles import Role
from tests.factories import HITLWorkflowFactory, UserFactory, budget_action, spend_history
from tests.pipeline import exchange

EDIT = {"action_data": {"daily_budget": "650.00"}}
NOTE = "Let's start at 650 and see how it does"


@pytest.fixture
def approver(tenant):
    return UserFactory(tenant=tenant, role=Role.APPROVER, email="dana@acme.test", first_name="Dana", last_name="Reyes")


@pytest.fixture
def lead(tenant):
    return UserFactory(tenant=tenant, role=Role.APPROVER, email="lee@acme.test", first_name="Lee", last_name="Park")


@pytest.fixture
def asked(engine, colleague, campaign):
    """The member asks for $700 a day on the chat; the agent files the request."""
    engine.reply = EngineReply(text="Sure.", actions=[budget_action(campaign)])
    return exchange(InboundMessage(channel="chat", text="Raise Summer Sale to $700", user_id=colleague.pk))


def told(conversation) -> list[str]:
    """What the requester was told by the system, in order."""
    return [m.text for m in conversation.messages.filter(sender_type="system").order_by("created_at")]


def updates(conversation) -> list[dict]:
    events = ConversationEvent.objects.filter(conversation=conversation, event_type="approval_update")
    return [event.frame() for event in events.order_by("seq")]


def test_an_edited_approval_tells_what_changed_who_changed_it_and_the_note(asked, approver, run_on_commit):
    (action,) = asked.actions
    with run_on_commit():
        approve(action.approval_id, actor=approver, notes=NOTE, edits=EDIT)
    decided, done = told(asked.conversation)
    assert decided == (
        "Approved by Dana Reyes: Raise Summer Sale daily budget from $500.00 to $650.00.\n"
        "Dana Reyes changed your request: Daily budget $700.00 → $650.00.\n"
        "Note from Dana Reyes: “Let's start at 650 and see how it does”"
    )
    assert done == "Approved and done: Summer Sale daily budget $500.00 -> $650.00"
    approved, executed = updates(asked.conversation)
    assert (approved["status"], approved["text"], approved["edited_by"]) == ("approved", decided, "Dana Reyes")
    assert approved["summary"] == "Raise Summer Sale daily budget from $500.00 to $650.00"
    assert executed["text"] == done and executed["edited_by"] == "Dana Reyes"


def test_a_note_without_an_edit_is_told_too(asked, approver, run_on_commit):
    (action,) = asked.actions
    with run_on_commit():
        approve(action.approval_id, actor=approver, notes="Fine for the sale")
    decided, done = told(asked.conversation)
    assert decided == (
        "Approved by Dana Reyes: Raise Summer Sale daily budget to $700.00.\nNote from Dana Reyes: “Fine for the sale”"
    )
    assert done.startswith("Approved and done:")
    assert "edited_by" not in updates(asked.conversation)[0]


def test_a_plain_approval_adds_nothing_to_the_outcome(asked, approver, run_on_commit):
    (action,) = asked.actions
    with run_on_commit():
        approve(action.approval_id, actor=approver)
    assert told(asked.conversation) == ["Approved and done: Summer Sale daily budget $500.00 -> $700.00"]


def test_an_approver_without_a_name_is_named_by_their_role_never_their_address(asked, tenant, run_on_commit):
    nameless = UserFactory(tenant=tenant, role=Role.APPROVER, email="quiet@acme.test", first_name="", last_name="")
    (action,) = asked.actions
    with run_on_commit():
        approve(action.approval_id, actor=nameless, notes=NOTE, edits=EDIT)
    decided = told(asked.conversation)[0]
    assert "Approver team changed your request" in decided and "Note from Approver team" in decided
    everything = " ".join(told(asked.conversation)) + str(updates(asked.conversation))
    assert "quiet" not in everything and "@" not in everything


def test_the_chip_after_a_reload_names_who_changed_the_request(asked, approver, run_on_commit):
    (action,) = asked.actions
    with run_on_commit():
        approve(action.approval_id, actor=approver, edits=EDIT)
    (chip,) = with_current_status(asked.reply.metadata["actions"])
    assert chip["edited_by"] == "Dana Reyes" and chip["summary"].endswith("to $650.00")


def test_a_rejection_is_told_with_its_reason(asked, approver, run_on_commit):
    (action,) = asked.actions
    with run_on_commit():
        reject(action.approval_id, actor=approver, reason="Budget freeze")
    assert told(asked.conversation) == ["Rejected: Raise Summer Sale daily budget to $700.00. Reason: Budget freeze"]


@pytest.mark.parametrize(
    "setting, text, expected",
    [
        ("en", "Sube el presupuesto de Summer Sale a 700 dólares al día", "Presupuesto diario 700,00 US$ → 650,00 US$"),
        ("es", "Raise Summer Sale to $700", "Daily budget $700.00 → $650.00"),
    ],
    ids=["an English member asking in Spanish", "a Spanish member asking in English"],
)
def test_the_outcome_is_told_in_the_language_the_request_was_made_in(
    engine, colleague, campaign, approver, run_on_commit, setting, text, expected
):
    """Issue 31, point 3: the words of the message that asked decide, whatever the person's setting."""
    colleague.language = setting
    colleague.save(update_fields=["language"])
    engine.reply = EngineReply(text="Sure.", actions=[budget_action(campaign)])
    (action,) = exchange(InboundMessage(channel="chat", text=text, user_id=colleague.pk)).actions
    colleague.language = "es" if setting == "en" else "en"  # a setting changed since does not move it either
    colleague.save(update_fields=["language"])
    with translation.override("en" if setting == "es" else "es"), run_on_commit():  # the approver's own language
        approve(action.approval_id, actor=approver, edits=EDIT)
    conversation = Conversation.objects.get(user=colleague)
    assert expected in told(conversation)[0]


def test_without_a_message_the_outcome_follows_the_requesters_setting(asked, colleague, approver, run_on_commit):
    """A request filed before its language was kept reads in its requester's setting."""
    colleague.language = "es"
    colleague.save(update_fields=["language"])
    (action,) = asked.actions
    HITLApproval.objects.filter(pk=action.approval_id).update(language="")
    with translation.override("en"), run_on_commit():  # the approver's request
        approve(action.approval_id, actor=approver, edits=EDIT)
    assert "Presupuesto diario 700,00 US$ → 650,00 US$" in told(asked.conversation)[0]


# --- several levels ---------------------------------------------------------------------


@pytest.fixture
def two_levels(tenant, lead):
    return HITLWorkflowFactory(
        tenant=tenant,
        approval_levels=[
            {"name": "Approvers", "approvers": {"roles": ["approver"]}, "required_approvals": 1},
            {"name": "Leads", "approvers": {"users": [lead.email]}, "required_approvals": 1},
        ],
    )


def test_each_level_approved_is_told_and_shown_on_the_chip(two_levels, asked, approver, lead, run_on_commit):
    (action,) = asked.actions
    assert (action.levels, action.approved_levels) == (2, 0)  # the chip beside the proposal: "0 of 2 approved"
    with run_on_commit():
        approve(action.approval_id, actor=approver, notes="Fine by me", edits=EDIT)
    (first,) = told(asked.conversation)
    assert first == (
        "1 of 2 approved: Dana Reyes approved “Raise Summer Sale daily budget from $500.00 to $650.00”; "
        "it now waits for the next level.\n"
        "Dana Reyes changed your request: Daily budget $700.00 → $650.00.\n"
        "Note from Dana Reyes: “Fine by me”"
    )
    (update,) = updates(asked.conversation)
    assert (update["status"], update["levels"], update["approved_levels"]) == ("pending", 2, 1)
    assert update["text"] == first and update["edited_by"] == "Dana Reyes"
    (chip,) = with_current_status(asked.reply.metadata["actions"])
    assert (chip["status"], chip["levels"], chip["approved_levels"]) == ("pending", 2, 1)

    with run_on_commit():
        approve(action.approval_id, actor=lead)
    assert told(asked.conversation)[1:] == ["Approved and done: Summer Sale daily budget $500.00 -> $650.00"]


def test_an_escalated_level_is_not_counted_as_approved(two_levels, asked, approver):
    (action,) = asked.actions
    escalate(action.approval_id, actor=approver, reason="Needs a lead")
    (chip,) = with_current_status(asked.reply.metadata["actions"])
    assert (chip["status"], chip["levels"], chip["approved_levels"]) == ("pending", 2, 0)


def test_a_level_needing_two_approvals_tells_each_approvers_edit_and_note(
    tenant, engine, colleague, campaign, approver, second_approver, run_on_commit
):
    HITLWorkflowFactory(
        tenant=tenant,
        name="Two approvers",
        approval_levels=[{"name": "Approvers", "approvers": {"roles": ["approver"]}, "required_approvals": 2}],
    )
    engine.reply = EngineReply(text="Sure.", actions=[budget_action(campaign)])
    asked = exchange(InboundMessage(channel="chat", text="Raise Summer Sale to $700", user_id=colleague.pk))
    (action,) = asked.actions
    with run_on_commit():
        approve(action.approval_id, actor=approver, notes=NOTE, edits=EDIT)
    (first,) = told(asked.conversation)
    assert first.startswith("Dana Reyes approved “Raise Summer Sale daily budget from $500.00 to $650.00”; ")
    assert "it needs 1 more approval." in first and "Daily budget $700.00 → $650.00" in first and NOTE in first
    with run_on_commit():
        approve(action.approval_id, actor=second_approver)
    assert told(asked.conversation)[1] == "Approved and done: Summer Sale daily budget $500.00 -> $650.00"
    assert Decimal(campaign.__class__.objects.get(pk=campaign.pk).daily_budget) == Decimal("650.00")


def test_an_edit_that_makes_the_request_riskier_is_told_as_a_new_approval_round(
    tenant, engine, colleague, campaign, workflow, approver, tenant_admin, run_on_commit
):
    spend_history(campaign, days=30, spend="500.00")
    workflow(name="Routine", risk_levels=["low", "medium"])
    workflow(
        name="Risky",
        risk_levels=["high", "critical"],
        approval_levels=[{"name": "Admins", "approvers": {"roles": ["admin"]}, "required_approvals": 1}],
    )
    small = budget_action(campaign, "510.00", estimated_cost=Decimal("300"), estimated_reach=1000, confidence=0.95)
    engine.reply = EngineReply(text="Sure.", actions=[small])
    asked = exchange(InboundMessage(channel="chat", text="Raise Summer Sale to $510", user_id=colleague.pk))
    (action,) = asked.actions
    bigger = {"action_data": {"daily_budget": "9000.00"}, "estimated_reach": 2_000_000}
    with run_on_commit():
        approve(action.approval_id, actor=approver, notes="Go big", edits=bigger)
    assert told(asked.conversation) == [
        "As changed by Dana Reyes, your request needs approval again: "
        "Raise Summer Sale daily budget from $500.00 to $9,000.00.\n"
        "Dana Reyes changed your request: Daily budget $510.00 → $9,000.00; Estimated reach 1,000 → 2,000,000."
    ]
    (update,) = updates(asked.conversation)
    assert update["status"] == "pending" and update["edited_by"] == "Dana Reyes"
    with run_on_commit():
        approve(action.approval_id, actor=tenant_admin)
    assert told(asked.conversation)[1:] == ["Approved and done: Summer Sale daily budget $500.00 -> $9,000.00"]


@pytest.mark.parametrize(
    ("summary", "head"),
    [
        ("Raise Summer Sale to 700 a day.", "Raise Summer Sale to 700 a day."),
        ("Raise Summer Sale to 700 a day?", "Raise Summer Sale to 700 a day?"),
        ("Raise Summer Sale to 700 a day!", "Raise Summer Sale to 700 a day!"),
        ("Raise Summer Sale to 700 a day…", "Raise Summer Sale to 700 a day…"),
    ],
)
def test_a_summary_ending_in_its_own_punctuation_is_told_without_another_full_stop(summary, head):
    """Issue 50: told sentences doubled their punctuation ("…a day..", "…a day?."): an outside agent's description,
    the summary approvers and requesters read, often ends with a full stop, a question or exclamation mark or an
    ellipsis of its own."""
    approval = HITLApproval(action_summary=summary, language="en", reference="BR-1", total_levels=2)
    approval.required_approvals, approval.received_approvals = 2, 1
    person = User(first_name="Dana", last_name="Reyes")
    with translation.override("en"):
        said = [
            words.approved(approval, person, {}, ""),
            words.level_approved(approval, person, 1, {}, ""),
            words.approval_counted(approval, person, {}, ""),
            words.rerouted(approval, person, {}),
            words.rejected(approval, "Too much."),
            words.superseded(approval, approval),
            words.not_done(approval, "The campaign is gone."),
            words.not_confirmed(approval),
        ]
    assert said[0] == f"Approved by Dana Reyes: {head}"
    doubled = ("..", ".;", "?.", "!.", "….", "?;", "!;", "…;")
    assert not [sentence for sentence in said if any(twice in sentence for twice in doubled)], said
