"""Creating an approval: score the risk, choose the workflow, set the deadlines, apply automatic rules."""

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from agents.actions import ProposedAction
from analytics.events import record
from analytics.models import EventType
from core import currencies
from core.sentence import Sentence
from hitl import rules
from hitl.duplicates import proposal_key, target_key
from hitl.history import Event, log
from hitl.models import ApprovalRequest, Automation, HITLApproval, HITLDecision, RiskLevel
from hitl.notifying.approvers import Notice, notify
from hitl.risk import assess, priority_for
from hitl.services import standing
from hitl.services.conflicts import Superseded, supersede_waiting, tell_superseded
from hitl.services.decisions import approve_under, decide_automatically
from hitl.services.levels import deciders, grant, level_fields
from hitl.services.timing import deadlines
from hitl.summaries import request_language

REFERENCE_ATTEMPTS = 10


def _new_reference() -> str:
    return f"BR-{secrets.randbelow(900_000) + 100_000}"


def _create(tenant, asking=None, **fields) -> tuple[HITLApproval, list[Superseded]]:
    """Insert the request once the one waiting for its target is superseded (AlreadyWaiting if it is a twin,
    OwnRequestWaiting if it is the request of `asking`)."""
    superseded = []
    for _attempt in range(REFERENCE_ATTEMPTS):
        superseded += supersede_waiting(
            tenant.pk, target=fields["target_key"], key=fields["proposal_key"], asking=asking
        )
        replaced = max((closed.approval for closed in superseded), key=lambda a: (a.requested_at, a.pk), default=None)
        try:
            with transaction.atomic():
                approval = HITLApproval.objects.create(
                    tenant=tenant, reference=_new_reference(), related_to=replaced, **fields
                )
            return approval, superseded
        except IntegrityError:
            # The reference is taken in this tenant, or a request for the same proposal or target was filed
            # a moment ago by a concurrent request (the unique indexes): look again.
            continue
    raise RuntimeError("Could not file the approval: no free reference, or requests for its target kept arriving")


def automatic_outcome(approval: HITLApproval, config: dict) -> HITLDecision.Decision | None:
    """The decision a workflow's automatic rule makes, or None (a person decides). The rules were validated when
    the workflow was chosen."""
    facts = {
        "risk_level": approval.risk_level,
        "risk_score": approval.risk_score,
        "estimated_cost": float(approval.estimated_cost),
        "estimated_reach": approval.estimated_reach,
        "action_type": approval.action_type,
        "agent_type": approval.agent_type,
        "confidence": approval.confidence,
    }
    reject_when = rules.parse_conditions(config.get("auto_reject_conditions"))
    approve_when = rules.parse_conditions(config.get("auto_approve_conditions"))
    if rules.conditions_hold(reject_when, facts):
        return HITLDecision.Decision.REJECT
    if rules.conditions_hold(approve_when, facts) and not rules.is_critical(approval.risk_level):
        return HITLDecision.Decision.APPROVE
    return None


@transaction.atomic
def request_approval(
    *,
    tenant,
    agent,
    action: ProposedAction,
    requested_by=None,
    conversation=None,
    source_message=None,
    revision_of: HITLApproval | None = None,
    outside: ApprovalRequest | None = None,
    currency: str = "",
    expires_at=None,
    ask_before_replacing_own: bool = False,
    rule: str = "",
    automation: str = Automation.RULE,
) -> HITLApproval:
    """Record a proposed action for human approval. Nothing is executed here.

    Automatic rules may decide it at once (recorded as automatic); a critical
    action is never approved automatically. Raises AlreadyWaiting when the same action already waits;
    a request waiting to change the same target differently is superseded by this one, which links it as
    `related_to` (hitl.services.conflicts). `revision_of`: the request an approver answered with a note, which this
    one revises (the caller closes it, hitl.services.responses).

    `outside`: an agent outside Walker asked (hitl.services.outside), with no `agent` of Walker's; its row is linked to
    the approval before anyone reads it. `currency`, when the action's data does not name it (a registered type's own);
    `expires_at`, the requester's own deadline, which ends the request rejected, never approved (hitl.services.sla).
    `ask_before_replacing_own`: raise OwnRequestWaiting instead of superseding a request of `requested_by`'s own.
    `rule`: the name of the tenant's automation that asked, its named requester; `automation`, which kind it is (a
    performance rule, or a platform's recommendations: adplatforms).
    """
    key = proposal_key(action.action_type, action.action_data)
    target = target_key(action.action_type, action.action_data)
    currency = currency or currencies.of_action(action.action_data)
    risk = assess(
        tenant=tenant,
        action_type=action.action_type,
        estimated_cost=action.estimated_cost,
        estimated_reach=action.estimated_reach,
        confidence=action.confidence,
        requested_by=requested_by,
        asked_through=outside.token_id if outside is not None else None,
        currency=currency,
        action_data=action.action_data,
    )
    choice = rules.choose_workflow(
        tenant,
        action_type=action.action_type,
        risk_level=risk.level,
        cost=action.estimated_cost,
        currency=currency,
    )
    now = timezone.now()
    first_level = rules.parse_levels(choice.rules["approval_levels"])[0]
    people = list(
        deciders(tenant, first_level, requested_by_id=requested_by.pk if requested_by else None)
        .select_related("tenant")
        .order_by("date_joined", "pk")
    )
    ends = deadlines(choice.rules, now, critical=rules.is_critical(risk.level))
    if expires_at is not None:
        ends["expires_at"] = expires_at
    approval, superseded = _create(
        tenant,
        asking=requested_by if ask_before_replacing_own else None,
        agent=agent,
        agent_type=agent.agent_type if agent else "",
        conversation=conversation,
        source_message=source_message,
        action_type=action.action_type,
        action_data=action.action_data,
        action_summary=action.summary[:300],
        language=request_language(source_message, requested_by),
        proposal_key=key,
        target_key=target,
        estimated_cost=action.estimated_cost,
        estimated_reach=action.estimated_reach,
        confidence=action.confidence,
        risk_level=risk.level,
        filed_risk_level=risk.level,
        risk_score=risk.score,
        risk_factors=risk.factors,
        workflow=choice.workflow,
        workflow_snapshot=choice.rules,
        total_levels=len(choice.rules["approval_levels"]),
        priority=priority_for(risk.level),
        requested_by=requested_by,
        requested_by_rule=rule[:200],
        requested_by_automation=automation if rule else "",
        revision_of=revision_of,
        compliance_flags=choice.problems,
        **level_fields(choice.rules, 1, people),
        **ends,
    )
    if outside is not None:
        approval.outside_request = outside  # both ways: whoever reads the approval next finds it without a query
        outside.save(update_fields=["approval"])
    replaced = approval.related_to
    proposed = Sentence(
        gettext_noop("%(agent)s proposed: %(summary)s (risk %(level)s, %(score)s); workflow %(workflow)s"),
        agent=agent.name if agent else outside.agent_name,
        summary=approval.action_summary,
        level=RiskLevel(risk.level).label,
        score=f"{risk.score:g}",
        workflow=rules.told_name(choice.rules["name"]),
    )
    if replaced:
        proposed = Sentence(
            gettext_noop("%(proposed)s; supersedes %(reference)s, which waited for the same target"),
            proposed=proposed,
            reference=replaced.reference,
        )
    if revision_of is not None:
        proposed = Sentence(
            gettext_noop("%(proposed)s; revises %(reference)s after an approver's note"),
            proposed=proposed,
            reference=revision_of.reference,
        )
    log(
        approval,
        Event.CREATED,
        proposed,
        actor=requested_by,
        risk_factors=risk.factors,
    )
    tell_superseded(superseded, approval, actor=requested_by)
    record(
        EventType.APPROVAL_REQUESTED,
        tenant=tenant,
        user=requested_by,
        conversation_id=conversation.pk if conversation else None,
        subject_id=approval.pk,
        action_type=action.action_type,
        reference=approval.reference,
        risk_level=risk.level,
    )

    outcome = automatic_outcome(approval, choice.rules)
    if outcome is not None:
        decide_automatically(approval, outcome)
        return approval
    under = standing.use(approval)
    if under is not None:
        approve_under(approval, under, standing.approved_under(under))
        return approval

    grant(approval, people)
    notify(approval, Notice.CREATED, people=people)
    return approval
