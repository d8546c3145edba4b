"""Standing approvals (issue 51, point 3): an approver who approved a change may let the same kind of change on the
same target go ahead again without asking, within bounds, for a time, a number of times.

A later request is approved under a grant only when all of these hold, checked as it is filed:
- the same action type and target, and, for a budget, a new daily budget within the grant's percentage of the
  budget its giver saw before the change they approved;
- below the tenant's step-up level and never critical (what needs a second factor needs a person);
- no wider than its giver's own right today: active, still deciding in this tenant, an approver of the request's
  one level, which needs one approval; never their own request;
- not revoked, not past its end, a use left: the use is counted by one conditional update, so two requests filed
  at once never use a grant more times than it allows.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from agents import action_specs
from core.money import money_exact
from core.sentence import Sentence
from core.when import moment
from hitl import rules
from hitl.access import may_decide
from hitl.errors import DecisionError
from hitl.history import Event, log
from hitl.models import HITLApproval, HITLDecision, RiskLevel, StandingApproval
from hitl.services import step_up
from hitl.services.levels import deciders
from tenants.models import Tenant

MAX_HOURS = 7 * 24
MAX_USES = 20


@dataclass(frozen=True)
class Bounds:
    hours: int
    max_uses: int
    max_change_percent: Decimal | None = None


def give(approval_id, *, actor, bounds: Bounds) -> StandingApproval:
    """Let later requests like `approval` (approved, with `actor`'s approval) go ahead within `bounds`."""
    with transaction.atomic():
        approval = HITLApproval.objects.select_for_update().select_related("tenant").get(pk=approval_id)
        _check_giving(approval, actor, bounds)
        grant = StandingApproval.objects.create(
            tenant_id=approval.tenant_id,
            granted_by=actor,
            given_on=approval,
            action_type=approval.action_type,
            target_key=approval.target_key,
            max_change_percent=bounds.max_change_percent,
            expires_at=timezone.now() + timedelta(hours=bounds.hours),
            max_uses=bounds.max_uses,
        )
        Tenant.objects.filter(pk=approval.tenant_id).update(
            standing_approvals_until=Greatest(Coalesce("standing_approvals_until", grant.expires_at), grant.expires_at)
        )
        log(
            approval,
            Event.STANDING_GIVEN,
            Sentence(
                gettext_noop("%(actor)s let the same change go ahead again: %(bounds)s."),
                actor=actor,
                bounds=describe(grant),
            ),
            actor=actor,
            standing_approval=str(grant.pk),
        )
    return grant


def _check_giving(approval: HITLApproval, actor, bounds: Bounds) -> None:
    if approval.tenant_id != actor.tenant_id:
        raise DecisionError("not_found", "No such approval.")
    if (
        approval.approved_at is None
        or not approval.decisions.filter(approver=actor, decision=HITLDecision.Decision.APPROVE).exists()
    ):
        raise DecisionError("not_yours", "Only a person who approved this request may let it go ahead again.")
    if not approval.target_key:
        raise DecisionError("no_target", "This kind of change names no target to allow again.")
    if active(approval.standing_given.filter(granted_by=actor)).exists():
        raise DecisionError("already_given", "You already let this change go ahead again; revoke that one first.")
    if not 1 <= bounds.hours <= MAX_HOURS:
        raise DecisionError("bad_hours", f"A standing approval lasts from 1 to {MAX_HOURS} hours.")
    if not 1 <= bounds.max_uses <= MAX_USES:
        raise DecisionError("bad_uses", f"A standing approval is used from 1 to {MAX_USES} times.")
    percent = bounds.max_change_percent
    if action_specs.moves_budgets(approval.action_type):
        if percent is None or not Decimal("0") < percent <= Decimal("100"):
            raise DecisionError("bad_percent", "A budget's standing approval needs a largest change from 1 to 100 %.")
        if _before(approval) is None:
            raise DecisionError("no_previous_budget", "This request does not say the budget before the change.")
    elif percent is not None:
        raise DecisionError("no_measure", "Only a budget change is bounded by a percentage.")


def revoke(grant_id, *, actor) -> StandingApproval:
    """End the grant now; what it approved stays approved."""
    with transaction.atomic():
        grant = StandingApproval.objects.select_for_update().select_related("given_on").get(pk=grant_id)
        if grant.tenant_id != actor.tenant_id:
            raise DecisionError("not_found", "No such standing approval.")
        if grant.revoked_at is None:
            grant.revoked_at, grant.revoked_by = timezone.now(), actor
            grant.save(update_fields=["revoked_at", "revoked_by"])
            log(
                grant.given_on,
                Event.STANDING_REVOKED,
                Sentence(gettext_noop("%(actor)s revoked the standing approval given here."), actor=actor),
                actor=actor,
                standing_approval=str(grant.pk),
            )
    return grant


def active(grants):
    """Those of `grants` that may still approve: not revoked, not past their end, a use left."""
    return grants.filter(revoked_at__isnull=True, expires_at__gt=timezone.now(), uses__lt=F("max_uses"))


def use(approval: HITLApproval) -> StandingApproval | None:
    """The grant that approves the new `approval` (filed, not yet granted to anyone), its use counted; or None."""
    until = approval.tenant.standing_approvals_until
    if until is None or until <= timezone.now():
        return None  # none given, or all ended: no query
    if approval.risk_level == RiskLevel.CRITICAL or step_up.needed(approval):
        return None
    if approval.total_levels != 1 or approval.required_approvals != 1:
        return None
    candidates = (
        active(StandingApproval.objects.filter(tenant_id=approval.tenant_id))
        .filter(action_type=approval.action_type, target_key=approval.target_key)
        .exclude(granted_by_id=approval.requested_by_id)
        .select_related("granted_by", "given_on")
        .order_by("granted_at")
    )
    for grant in candidates:
        if not (_within(grant, approval) and _may_still(grant.granted_by, approval)):
            continue
        taken = active(StandingApproval.objects.filter(pk=grant.pk)).update(uses=F("uses") + 1)
        if taken:
            return grant
    return None


def _within(grant: StandingApproval, approval: HITLApproval) -> bool:
    if grant.max_change_percent is None:
        return True
    before, moved = _before(grant.given_on), action_specs.daily_budgets(approval.action_type, approval.action_data)
    if before is None or moved is None or before <= 0:
        return False
    new = moved[1]
    return abs(new - before) * 100 <= grant.max_change_percent * before


def _may_still(person, approval: HITLApproval) -> bool:
    if not person.is_active or person.tenant_id != approval.tenant_id or not may_decide(person):
        return False
    level = rules.parse_levels(approval.workflow_snapshot["approval_levels"])[0]
    return deciders(approval.tenant, level, requested_by_id=approval.requested_by_id).filter(pk=person.pk).exists()


def _before(approval: HITLApproval) -> Decimal | None:
    """The daily budget before the change `approval` asked for."""
    moved = action_specs.daily_budgets(approval.action_type, approval.action_data)
    return moved[0] if moved is not None else None


def describe(grant: StandingApproval) -> str:
    """The bounds in words: "a daily budget between $425.00 and $637.50, until Nov. 28, 2026, 10:05 a.m., at most 3
    times"."""
    until = ngettext("until %(end)s, at most once", "until %(end)s, at most %(uses)s times", grant.max_uses) % {
        "end": moment(grant.expires_at),
        "uses": grant.max_uses,
    }
    if grant.max_change_percent is None:
        return until
    before = _before(grant.given_on)
    currency = grant.given_on.currency
    share = grant.max_change_percent / 100
    return _("a daily budget between %(low)s and %(high)s, %(until)s") % {
        "low": money_exact(before * (1 - share), currency),
        "high": money_exact(before * (1 + share), currency),
        "until": until,
    }


def approved_under(grant: StandingApproval) -> str:
    """The history's words: "Approved under Priya Shah's standing approval (given Nov. 27, 2026, 10:05 a.m.)"."""
    return _("Approved under %(person)s's standing approval (given %(when)s)") % {
        "person": grant.granted_by,
        "when": moment(grant.granted_at),
    }
