"""The step-up gate every decision door passes through (`hitl.services.verbs.act`; docs/identity.md, "Step-up").

At or above the tenant's step-up risk level, approving or rejecting needs a second factor the deciding session
showed within the tenant's window (`Origin.factor`). The doors that carry no session of the approver (one-click
links, email and WhatsApp replies, API tokens, and Slack's buttons) never have one: they are refused with
the console's link, and the approval's history records that a second factor was asked. The console sends its
person through allauth's MFA re-authentication and back.
"""

from django.utils.translation import gettext as _

from hitl.access import approvals_for, may_decide
from hitl.errors import StepUpRequired
from hitl.history import Event, log
from hitl.links import approval_url
from tenants.audit import Origin
from tenants.signin import step_up


def needed(approval) -> bool:
    """Whether deciding `approval` (pending) needs a fresh second factor under its tenant's policy."""
    return approval.is_pending and step_up.reaches(approval.tenant, approval.risk_level)


def demand(verb: str, approval_id, *, actor, origin: Origin) -> None:
    """Raise StepUpRequired, recorded in the history, unless `origin` carries a fresh enough factor. An approval
    the actor may not see or decide is left to the service, which refuses it in its own words."""
    if actor.tenant_id is not None and not step_up.is_on(actor.tenant):
        return  # a person decides their own tenant's approvals only: its policy is off, and no query is spent
    approval = approvals_for(actor).select_related("tenant").filter(pk=approval_id).first()
    if approval is None or not needed(approval) or not may_decide(actor, approval):
        return
    if step_up.is_fresh(origin.factor, approval.tenant):
        return
    shown = {"last_factor": origin.factor.as_record()} if origin.factor else {}
    log(
        approval,
        Event.STEP_UP_ASKED,
        _("A second factor was asked of %(actor)s before deciding.") % {"actor": actor},
        actor=actor,
        ip=origin.ip,
        previous_status=approval.status,
        verb=verb,
        via=origin.via,
        **shown,
    )
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
