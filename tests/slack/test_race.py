"""A Slack click and a console decision at the same instant, on real PostgreSQL connections: one wins, the other is
told, and the Slack message ends showing how it ended, with no button that decides, whichever won. So does a
decision that lands while Slack is still taking the approval's post."""

import pytest
from django.db import connection

from channels_app.slack import blocks
from channels_app.slack.models import SlackApprovalMessage
from channels_app.slack.tasks import decide_click
from hitl.models import HITLApproval
from hitl.services.decisions import approve, reject
from tests.concurrency import at_once
from tests.slack.conftest import APPROVER_SLACK_ID, CHANNEL, TEAM

pytestmark = pytest.mark.usefixtures("postgres_only")
TS = "1700000000.000001"


def slack_click(approval, verb="approve", reason=""):
    return lambda: decide_click(TEAM, APPROVER_SLACK_ID, str(approval.pk), CHANNEL, TS, verb, reason)


def final_update(slack_api) -> dict:
    return [body for body in slack_api.called("chat.update") if body["ts"] == TS][-1]


def buttons(body):
    return [e["action_id"] for block in body["blocks"] if block["type"] == "actions" for e in block["elements"]]


@pytest.mark.parametrize("attempt", range(5))
def test_a_slack_approval_racing_a_console_rejection_gives_one_outcome(
    ask, on_slack, linked, second_approver, slack_api, attempt
):
    approval = ask()
    slack_said, console_said = at_once(
        slack_click(approval), lambda: reject(approval.pk, actor=second_approver, reason="Not this week").status
    )
    approval = HITLApproval.objects.get(pk=approval.pk)
    assert approval.decisions.count() == 1
    (answer,) = [body["text"] for body in slack_api.called("chat.postEphemeral")]
    if approval.status == "rejected":  # the console won: the Slack clicker is told by whom and when
        assert console_said == "rejected"
        assert answer == slack_said and answer.startswith(f"{approval.reference} is already decided: Rejected by ")
        assert approval.decisions.get().via == "admin"
    else:
        assert approval.status == "executed" and console_said == "not_pending"
        assert answer == f"You approved {approval.reference}. It will now be carried out."
        assert approval.decisions.get().via == "slack"
    last = final_update(slack_api)
    assert buttons(last) == [blocks.DETAILS]
    assert ("Rejected by" if approval.status == "rejected" else "Approved by") in str(last["blocks"])


@pytest.mark.parametrize("attempt", range(3))
def test_a_slack_rejection_racing_a_console_approval_gives_one_outcome(
    ask, on_slack, linked, second_approver, slack_api, attempt
):
    approval = ask()
    slack_said, console_said = at_once(
        slack_click(approval, "reject", "Too much"), lambda: approve(approval.pk, actor=second_approver).status
    )
    approval = HITLApproval.objects.get(pk=approval.pk)
    assert approval.decisions.count() == 1
    if approval.status == "rejected":
        assert console_said == "not_pending" and approval.rejection_reason == "Too much"
    else:
        assert approval.status == "executed" and "is already decided: Approved by " in slack_said
    last = final_update(slack_api)
    assert buttons(last) == [blocks.DETAILS]
    assert ("Rejected by" if approval.status == "rejected" else "Approved by") in str(last["blocks"])


def test_two_posts_of_one_approval_at_once_post_once(ask, on_slack, slack_api):
    from channels_app.slack.models import SlackApprovalMessage
    from channels_app.slack.tasks import post_approval

    approval = ask()  # posted once on commit
    SlackApprovalMessage.objects.filter(approval=approval).delete()  # as if that post had not happened
    results = at_once(lambda: post_approval(str(approval.pk)), lambda: post_approval(str(approval.pk)))
    assert sorted(results) == ["already posted", "posted"]
    assert len(slack_api.called("chat.postMessage")) == 2  # the first post, and one of the two


def test_a_decision_while_slack_takes_the_post_leaves_no_live_button(ask, on_slack, second_approver, slack_api):
    """The post's message row is not committed until Slack answers, so the decision's own update finds no message:
    the post itself must see that what it posted is no longer how the approval stands."""
    decided = []

    def approve_meanwhile(body):  # another connection, in the fake's thread, while the post waits on Slack
        (approval_id,) = {e["value"] for block in body["blocks"] if block["type"] == "actions"
                          for e in block["elements"] if e["action_id"] == blocks.APPROVE}  # fmt: skip
        try:
            decided.append(approve(approval_id, actor=second_approver).status)
        finally:
            connection.close()

    slack_api.while_answering("chat.postMessage", approve_meanwhile)
    approval = ask()  # posted on commit
    approval.refresh_from_db()
    assert decided and approval.status == "executed"
    (post,) = slack_api.called("chat.postMessage")
    assert buttons(post) == [blocks.APPROVE, blocks.REJECT, blocks.DETAILS]  # as it stood when posted
    updates = slack_api.called("chat.update")
    assert updates, "the message was left as posted, with buttons that decide"
    last = updates[-1]
    assert last["ts"] == SlackApprovalMessage.objects.get(approval=approval).ts
    assert buttons(last) == [blocks.DETAILS] and "Approved by" in str(last["blocks"])


def test_a_post_nothing_changed_during_is_not_updated(ask, on_slack, slack_api):
    ask()
    assert len(slack_api.called("chat.postMessage")) == 1 and slack_api.called("chat.update") == []
