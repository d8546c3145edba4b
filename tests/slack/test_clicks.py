"""Approving and rejecting from Slack: one message per approval with the email's facts, decisions through the same
service and rules as every door (recorded as Slack, with Slack's ids), the reason asked in a modal, and every clicker
who may not decide told privately why."""

from datetime import timedelta

import pytest
from django.utils import timezone

from channels_app.slack import blocks
from channels_app.slack.models import SlackApprovalMessage
from conversations.delivery import display_name
from hitl.models import HITLApprovalHistory, HITLDecision
from hitl.presentation import the_ask
from hitl.services.closing import escalate
from hitl.services.decisions import approve
from hitl.services.sla import process_due
from tests.slack.conftest import APPROVER_SLACK_ID, CHANNEL, TEAM, button, submission
from tests.step_up.conftest import place_level


def buttons(body: dict) -> list[str]:
    return [
        element["action_id"] for block in body["blocks"] if block["type"] == "actions" for element in block["elements"]
    ]


def shown(body: dict) -> str:
    return str(body["blocks"])


def told(slack_api) -> list[str]:
    return [body["text"] for body in slack_api.called("chat.postEphemeral")]


def test_an_approval_is_posted_once_to_the_workflows_channel_with_the_emails_facts(posted, approver, slack_api):
    approval = posted()
    (body,) = slack_api.called("chat.postMessage")  # once, not once per approver
    assert body["channel"] == CHANNEL
    assert buttons(body) == [blocks.APPROVE, blocks.REJECT, blocks.DETAILS]
    assert approval.reference in body["blocks"][0]["text"]["text"]
    facts = [field["text"] for field in body["blocks"][1]["fields"]]
    ask = the_ask(approval)
    assert facts == [
        f"*Asked by*\n{display_name(approval.requested_by)}",
        *([f"*They said*\n{ask.said}"] if ask.said else []),
        "*Action*\nSet a campaign's daily budget",
        "*What this will do*\nAdds $200.00 a day of spend",  # $500 to $700
        "*Estimated cost*\n$6,000.00 over 30 days",
        f"*Risk*\n{ask.risk}",
    ]
    assert slack_api.calls[0][2] == "Bearer xoxb-acme"  # the workspace's own bot token
    row = SlackApprovalMessage.objects.get(approval=approval)
    assert (row.channel, row.ts) == (CHANNEL, "1700000000.000001")


@pytest.fixture
def post_where(ask, workflow, workspace, slack_api, django_capture_on_commit_callbacks):
    """File a request under a Slack workflow that names no channel (`fields` say how it is decided) and post it."""

    def file(default_channel="", **fields):
        workspace.default_channel = default_channel
        workspace.save(update_fields=["default_channel"])
        workflow(notification_channels=["slack"], slack_channel="", is_default=True, **fields)
        with django_capture_on_commit_callbacks(execute=True):
            return ask()

    return file


def test_a_workflow_that_names_no_channel_posts_to_the_workspaces_default_channel(post_where, slack_api):
    approval = post_where(default_channel="C0GENERAL", parallel_approval=False)  # assigned, but a channel wins
    (body,) = slack_api.called("chat.postMessage")
    assert body["channel"] == "C0GENERAL" and buttons(body) == [blocks.APPROVE, blocks.REJECT, blocks.DETAILS]
    assert SlackApprovalMessage.objects.get(approval=approval).channel == "C0GENERAL"


def test_with_no_channel_at_all_it_is_posted_to_its_assignee_in_direct_messages(
    post_where, linked, slack_api, django_capture_on_commit_callbacks
):
    approval = post_where(parallel_approval=False)  # one person at a time: the approver is assigned
    assert approval.assigned_to == linked.user
    (body,) = slack_api.called("chat.postMessage")
    assert body["channel"] == APPROVER_SLACK_ID  # Slack opens the bot's direct messages with them
    row = SlackApprovalMessage.objects.get(approval=approval)
    assert row.channel == "D" + APPROVER_SLACK_ID[1:]  # the channel Slack answered, which chat.update needs
    with django_capture_on_commit_callbacks(execute=True):
        approve(approval.pk, actor=linked.user)
    assert slack_api.called("chat.update")[-1]["channel"] == row.channel


@pytest.mark.parametrize("parallel", [False, True], ids=["assignee not linked", "nobody assigned"])
def test_with_no_channel_and_nobody_to_message_nothing_is_posted(post_where, approver, slack_api, parallel):
    from channels_app.slack.tasks import post_approval

    approval = post_where(parallel_approval=parallel)
    assert (approval.assigned_to is None) == parallel
    assert post_approval(str(approval.pk)) == "nowhere to post"
    assert slack_api.called("chat.postMessage") == [] and not SlackApprovalMessage.objects.exists()


def test_a_second_post_of_the_same_approval_posts_nothing(posted, slack_api):
    from channels_app.slack.tasks import post_approval

    approval = posted()
    assert post_approval(str(approval.pk)) == "already posted"
    assert len(slack_api.called("chat.postMessage")) == 1


def test_approving_from_slack_records_the_surface_and_slacks_ids_and_updates_the_message(
    posted, linked, approver, interact, slack_api
):
    approval = posted()
    assert interact(button(approval)).status_code == 200
    decision = HITLDecision.objects.get(approval=approval)
    assert (decision.approver, decision.via) == (approver, "slack")
    assert decision.surface_ids == {
        "slack_team": TEAM,
        "slack_user": APPROVER_SLACK_ID,
        "slack_channel": CHANNEL,
        "slack_message": "1700000000.000001",
    }
    approval.refresh_from_db()
    assert approval.status == "executed"
    last = slack_api.called("chat.update")[-1]
    assert last["ts"] == "1700000000.000001" and buttons(last) == [blocks.DETAILS]  # no live button left
    assert "Approved by" in shown(last)
    assert told(slack_api) == [f"You approved {approval.reference}. It will now be carried out."]


def test_reject_opens_a_modal_and_the_reason_given_there_is_recorded(posted, linked, interact, slack_api):
    approval = posted()
    assert interact(button(approval, blocks.REJECT)).status_code == 200
    (opened,) = slack_api.called("views.open")
    assert opened["view"]["callback_id"] == blocks.REJECT_MODAL
    assert opened["trigger_id"] == button(approval)["trigger_id"]
    approval.refresh_from_db()
    assert approval.is_pending  # nothing decided before the reason

    response = interact(submission(approval, "   "))
    assert response.json() == {"response_action": "errors", "errors": {"reason": "Say why you reject it."}}
    approval.refresh_from_db()
    assert approval.is_pending

    assert interact(submission(approval, "Too much for a test week")).status_code == 200
    approval.refresh_from_db()
    assert approval.status == "rejected" and approval.rejection_reason == "Too much for a test week"
    assert HITLDecision.objects.get(approval=approval).via == "slack"
    last = slack_api.called("chat.update")[-1]
    assert "Too much for a test week" in shown(last) and buttons(last) == [blocks.DETAILS]


def test_an_unlinked_clicker_is_told_privately_how_to_link_and_nothing_is_decided(posted, interact, slack_api):
    approval = posted()
    interact(button(approval, user="U0NOBODY"))
    interact(button(approval, blocks.REJECT, user="U0NOBODY"))
    approval.refresh_from_db()
    assert approval.is_pending and not approval.decisions.exists()
    assert slack_api.called("views.open") == []  # no form for someone Walker does not know
    first, second = slack_api.called("chat.postEphemeral")
    assert first["user"] == "U0NOBODY" and first["channel"] == CHANNEL
    assert "not linked to Walker" in first["text"] and "/slack/link/" in first["text"]


def test_an_unauthorised_clicker_is_told_privately(posted, workspace, colleague, interact, slack_api):
    from channels_app.slack.models import SlackUserLink

    SlackUserLink.objects.create(workspace=workspace, slack_user_id="U0MEMBER", user=colleague)
    approval = posted()
    interact(button(approval, user="U0MEMBER"))
    approval.refresh_from_db()
    assert approval.is_pending and not approval.decisions.exists()
    assert told(slack_api) == ["No such approval."]  # a member sees only their own requests (hitl.access)


def test_the_requester_cannot_approve_their_own_request_from_slack(posted, workspace, requester, interact, slack_api):
    from channels_app.slack.models import SlackUserLink

    SlackUserLink.objects.create(workspace=workspace, slack_user_id="U0REQ", user=requester)
    approval = posted()
    interact(button(approval, user="U0REQ"))
    approval.refresh_from_db()
    assert approval.is_pending
    assert told(slack_api) == ["You may not decide this approval."]  # a member's role decides nothing


def test_only_the_workflows_slack_responders_decide_from_slack(
    posted, on_slack, linked, second_approver, interact, slack_api
):
    on_slack.slack_responders.set([second_approver])
    approval = posted()
    interact(button(approval))
    approval.refresh_from_db()
    assert approval.is_pending
    assert "Only the people the workflow" in told(slack_api)[0]


def test_a_late_click_is_answered_with_who_decided_and_when(posted, linked, second_approver, interact, slack_api):
    approval = posted()
    approve(approval.pk, actor=second_approver)
    interact(button(approval))
    approval.refresh_from_db()
    assert approval.decisions.count() == 1
    (answer,) = told(slack_api)
    assert answer.startswith(f"{approval.reference} is already decided: Approved by ")
    assert f"<!date^{int(approval.approved_at.timestamp())}^" in answer


def test_above_the_step_up_level_slack_links_to_the_console_and_decides_nothing(
    posted, tenant, linked, interact, slack_api
):
    place_level(tenant, "low")  # every request is at or above it
    approval = posted()
    (body,) = slack_api.called("chat.postMessage")
    assert buttons(body) == [blocks.DETAILS] and "second factor" in shown(body)
    assert body["blocks"][-1]["elements"][0]["text"]["text"] == "Decide in Walker"
    interact(button(approval))  # an old message, or a forged button: the worker refuses too
    interact(button(approval, blocks.REJECT))
    approval.refresh_from_db()
    assert approval.is_pending and not approval.decisions.exists()
    assert slack_api.called("views.open") == []
    assert all("second factor" in text for text in told(slack_api)) and len(told(slack_api)) == 2
    asked = HITLApprovalHistory.objects.get(
        approval=approval, event_type="step_up_asked"
    )  # the click's, not the form's
    assert (asked.metadata["verb"], asked.metadata["via"]) == ("approve", "slack")


def test_step_up_below_the_level_leaves_the_buttons(posted, tenant, linked, slack_api):
    place_level(tenant, "critical")
    approval = posted()
    if approval.risk_level == "critical":
        pytest.skip("critical is the top level")
    assert blocks.APPROVE in buttons(slack_api.called("chat.postMessage")[0])


def test_decisions_through_other_doors_update_the_message(
    posted, approver, second_approver, django_capture_on_commit_callbacks, slack_api
):
    console = posted()
    with django_capture_on_commit_callbacks(execute=True):
        approve(console.pk, actor=approver)
    updates = [body for body in slack_api.called("chat.update") if body["ts"] == "1700000000.000001"]
    assert updates and buttons(updates[-1]) == [blocks.DETAILS] and "Approved by" in shown(updates[-1])


def test_an_escalation_and_an_expiry_update_the_message(
    posted, other_campaign, tenant_admin, django_capture_on_commit_callbacks, slack_api
):
    first, second = posted(), posted(of=other_campaign)
    with django_capture_on_commit_callbacks(execute=True):
        escalate(first.pk, actor=tenant_admin, reason="Needs the director")
    escalated = slack_api.called("chat.update")[-1]
    assert escalated["ts"] == "1700000000.000001" and "Escalated" in shown(escalated)
    with django_capture_on_commit_callbacks(execute=True):
        process_due(now=timezone.now() + timedelta(days=30))
    ended = {body["ts"]: body for body in slack_api.called("chat.update")}
    for row in SlackApprovalMessage.objects.filter(approval__in=[first, second]):
        row.approval.refresh_from_db()
        assert row.approval.status in ("expired", "executed", "approved")
        assert buttons(ended[row.ts]) == [blocks.DETAILS]


def test_the_history_records_no_step_up_asked_for_a_plain_slack_decision(posted, linked, interact, slack_api):
    approval = posted()
    interact(button(approval))
    assert not HITLApprovalHistory.objects.filter(approval=approval, event_type="step_up_asked").exists()
