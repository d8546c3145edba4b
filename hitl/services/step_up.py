"""The step-up gate every decision door passes through (`hitl.services.verbs.act`; docs/identity.md, "Step-up").

At or above the tenant's step-up risk level, approving or rejecting needs a second factor the deciding session
showed within the tenant's window (`Origin.factor`). The doors that carry no session of the approver (one-click
links, email and WhatsApp replies, API tokens, and Slack's buttons) never have one: they are refused with
the console's link, and the approval's history records that a second factor was asked. The console sends its
person through allauth's MFA re-authentication and back.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.sentence import Sentence
from hitl.access import approvals_for, may_decide
from hitl.errors import DecisionError, StepUpRequired
from hitl.history import Event, log
from hitl.links import approval_url
from hitl.services.edits import RISK_RANK, score_edits
from tenants.identity.signin import step_up
from tenants.privacy.audit import Origin


def bar(approval, *levels: str) -> str:
    """The risk a decision on `approval` is judged at: the highest of the risk as filed, as it stands and any of
    `levels` (as an edit would make it). An edit never lowers the bar the filed request set."""
    candidates = [approval.filed_risk_level, approval.risk_level, *levels]
    return max((level for level in candidates if level), key=RISK_RANK.__getitem__)


def needed(approval, *levels: str) -> bool:
    """Whether deciding `approval` (pending) needs a fresh second factor under its tenant's policy."""
    return approval.is_pending and step_up.reaches(approval.tenant, bar(approval, *levels))


def edited_level(approval, edits) -> tuple[str, ...]:
    """The risk level the edits would give the action, or nothing when they are refused (the service then refuses
    them in its own words)."""
    if not edits:
        return ()
    try:
        return (score_edits(approval, edits).risk.level,)
    except DecisionError:
        return ()


def demand(verb: str, approval_id, *, actor, origin: Origin, edits=None) -> None:
    """Raise StepUpRequired, recorded in the history, unless `origin` carries a fresh enough factor for the
    approval as it would be decided (after `edits`). An approval the actor may not see or decide is left to the
    service, which refuses it in its own words."""
    if actor.tenant_id is not None and not step_up.is_on(actor.tenant):
        return  # a person decides their own tenant's approvals only: its policy is off, and no query is spent
    approval = approvals_for(actor).select_related("tenant").filter(pk=approval_id).first()
    if approval is None or not may_decide(actor, approval):
        return
    if not needed(approval, *edited_level(approval, edits)) or step_up.is_fresh(origin.factor, approval.tenant):
        return
    shown = {"last_factor": origin.factor.as_record()} if origin.factor else {}
    log(
        approval,
        Event.STEP_UP_ASKED,
        Sentence(gettext_noop("A second factor was asked of %(actor)s before deciding."), actor=actor),
        actor=actor,
        ip=origin.ip,
        previous_status=approval.status,
        verb=verb,
        via=origin.via,
        **shown,
    )
    raise StepUpRequired(explain(approval), url=approval_url(approval))


def enforce(approval, origin: Origin, *levels: str) -> None:
    """The same bar inside the decision's transaction, on the locked row as it will be decided: a decision that
    reached it without the gate above (a door that skipped it, an edit that landed in between) is refused and
    rolled back. `levels`: what the row was at before this decision changed it."""
    if needed(approval, *levels) and not step_up.is_fresh(origin.factor, approval.tenant):
        raise StepUpRequired(explain(approval), url=approval_url(approval))


def explain(approval) -> str:
    """Why nothing was decided, and where to decide, in the active language (the doors speak the person's)."""
    return _(
        "%(reference)s is %(risk)s risk: deciding it needs a second factor shown in the last %(minutes)s minutes, "
        "so nothing was decided here. Decide it in Walker, which asks for your second factor: %(url)s"
    ) % {
        "reference": approval.reference,
        "risk": approval.get_risk_level_display().lower(),
        "minutes": approval.tenant.step_up_minutes,
        "url": approval_url(approval),
    }
