"""A click in Slack, decided in a worker through the same verbs, access rules, step-up gate and row lock as every
other door (`hitl.services.verbs.act`); the clicker is answered privately: how to link their account, why they may
not decide, or, when another door decided first, how it ended ("already approved by Ann Lee at …").

The message itself is updated by the approval's history (`channels_app.slack.hooks`), whichever door wins.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from channels_app.slack import blocks, linking
from channels_app.slack.models import SlackWorkspace
from hitl.access import get_approval_for_user
from hitl.errors import DecisionError, StepUpRequired
from hitl.models import HITLApproval, HITLDecision
from hitl.notifying import told
from hitl.services import step_up, verbs
from tenants.access import Need
from tenants.languages import speaking
from tenants.privacy.audit import Origin

RELATED = ("approved_by", "rejected_by", "tenant")


@dataclass(frozen=True)
class Click:
    """Who clicked what, where: what the interaction said, once its signature was verified."""

    team_id: str
    slack_user_id: str
    approval_id: str
    channel: str = ""
    message_ts: str = ""

    def origin(self) -> Origin:
        refs = (
            ("slack_team", self.team_id),
            ("slack_user", self.slack_user_id),
            ("slack_channel", self.channel),
            ("slack_message", self.message_ts),
        )
        return Origin(path="/slack/interactions", user_agent="Slack", via=HITLDecision.Via.SLACK, refs=refs)


class Answer(Exception):
    """Nothing decided: what the clicker is told privately."""


def invitation(workspace: SlackWorkspace, slack_user_id: str) -> str:
    return _(
        "Your Slack account is not linked to Walker yet, so nothing was decided. Link it (you sign in to Walker): "
        "%(url)s — the link works for %(minutes)s minutes. Then click again."
    ) % {"url": linking.make_link(workspace, slack_user_id), "minutes": settings.SLACK_LINK_MINUTES}


def late(approval: HITLApproval) -> str:
    return _("%(reference)s is already decided: %(outcome)s") % {
        "reference": approval.reference,
        "outcome": blocks.outcome(approval),
    }


def may_decide_here(workspace: SlackWorkspace, click: Click, *, before_step_up: bool = True):
    """The person and the approval when Slack may offer them the decision; Answer otherwise. A decision leaves the
    step-up level to `verbs.act` (`before_step_up=False`), whose gate records in the history that a factor was
    asked; the rejection's modal is not opened at all."""
    person = linking.person_of(workspace, click.slack_user_id)
    if person is None:
        raise Answer(invitation(workspace, click.slack_user_id))
    with speaking(person):
        try:
            approval = get_approval_for_user(person, click.approval_id, Need.DECIDE)
        except DecisionError as error:
            raise Answer(error.detail) from None
        if approval.tenant_id != workspace.tenant_id:
            raise Answer(_("No such approval."))
        if not approval.is_pending:
            raise Answer(late(approval))
        if before_step_up and step_up.needed(approval):
            raise Answer(step_up.explain(approval))
        if not responds(approval.workflow, person):
            raise Answer(
                _("Only the people the workflow “%(workflow)s” names may decide its requests from Slack.")
                % {"workflow": approval.workflow.name}
            )
    return person, approval


def decide(workspace: SlackWorkspace, click: Click, verb: str, reason: str = "") -> str:
    """Say `verb` ("approve" or "reject") as the clicker's Walker person; what they are told privately."""
    try:
        person, approval = may_decide_here(workspace, click, before_step_up=False)
    except Answer as answer:
        return str(answer)
    with speaking(person):
        try:
            approval = verbs.act(verb, approval.pk, actor=person, origin=click.origin(), note=reason)
        except StepUpRequired as error:
            return error.detail
        except DecisionError as error:
            if error.code == "not_pending":  # another door decided between the check and the lock
                return late(HITLApproval.objects.select_related(*RELATED).get(pk=approval.pk))
            return error.detail
        return told.decision_taken(approval)


def responds(workflow, person) -> bool:
    """The workflow's Slack responders, when it names any; else anyone the access rules let decide."""
    if workflow is None or not workflow.slack_responders.exists():
        return True
    return workflow.slack_responders.filter(pk=person.pk).exists()


def could_not_open(approval: HITLApproval) -> str:
    return _(
        "Slack did not open the form to reject %(reference)s in time; nothing was decided. Click Reject again."
    ) % {"reference": approval.reference}
