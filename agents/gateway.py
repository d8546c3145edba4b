"""The tool gateway: every action an engine proposes passes here before it may wait for approval.

It checks, in order: the agent may propose this type (for this tenant), the
conversation is under its hourly limit, the data has the action type's shape (its spec's
schema), and it makes sense for the tenant's own rows (its spec's check). Each verdict is
audited with personal data redacted.
Nothing is executed here; execution happens only after a human approves.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from agents import action_specs, read_tools
from agents.actions import AGENT_ACTIONS, ProposedAction
from agents.models import ToolCallAudit
from tenants.pii import redact, redact_data

MAX_ESTIMATED_COST = Decimal("10000000")


@dataclass(frozen=True)
class Refusal:
    action: ProposedAction
    reason: str


@dataclass
class GatewayVerdict:
    accepted: list[ProposedAction]
    refused: list[Refusal]


def allowed_actions(agent) -> frozenset[str]:
    """The agent type's actions, narrowed by the agent's own `allowed_actions` configuration if it has one."""
    allowed = AGENT_ACTIONS.get(agent.agent_type, frozenset())
    configured = (agent.configuration or {}).get("allowed_actions")
    return allowed & set(configured) if isinstance(configured, list) else allowed


def _proposals_this_hour(conversation_id) -> int:
    since = timezone.now() - timedelta(hours=1)
    return ToolCallAudit.objects.filter(
        conversation_id=conversation_id, decision=ToolCallAudit.Decision.ACCEPTED, created_at__gte=since
    ).count()


def _reason_to_refuse(action: ProposedAction, *, tenant, agent, accepted_so_far: int) -> str | None:
    if action.action_type not in allowed_actions(agent):
        return _("the %(agent)s agent is not allowed to %(action)s") % {
            "agent": agent.name,
            "action": action.action_type.replace("_", " "),
        }
    if accepted_so_far >= settings.GATEWAY_MAX_ACTIONS_PER_HOUR:
        return _("this conversation reached its limit of %(count)s proposals an hour") % {
            "count": settings.GATEWAY_MAX_ACTIONS_PER_HOUR
        }
    if not Decimal("0") <= action.estimated_cost <= MAX_ESTIMATED_COST:
        return _("its estimated cost is out of range")
    spec = action_specs.spec_for(action.action_type)
    if not isinstance(action.action_data, dict):
        return _("its details are unreadable")
    if problem := action_specs.shape_problem(spec, action.action_data):
        return _("its details do not fit a %(action)s action (%(problem)s)") % {
            "action": str(spec.label).lower(),
            "problem": problem,
        }
    return action_specs.check(spec, tenant, action.action_data)


def review(actions: list[ProposedAction], *, tenant, agent, user, conversation_id) -> GatewayVerdict:
    """Sort proposals into accepted (to go to approval) and refused (with a reason), auditing each."""
    verdict = GatewayVerdict(accepted=[], refused=[])
    accepted_so_far = _proposals_this_hour(conversation_id)
    for action in actions:
        reason = _reason_to_refuse(action, tenant=tenant, agent=agent, accepted_so_far=accepted_so_far)
        ToolCallAudit.objects.create(
            tenant=tenant,
            agent=agent,
            user=user,
            conversation_id=conversation_id,
            action_type=action.action_type[:40],
            action_data=redact_data(action.action_data) if isinstance(action.action_data, dict) else {},
            summary=redact(action.summary)[:300],
            decision=ToolCallAudit.Decision.REFUSED if reason else ToolCallAudit.Decision.ACCEPTED,
            reason=reason or "",
        )
        if reason:
            verdict.refused.append(Refusal(action, reason))
        else:
            spec = action_specs.spec_for(action.action_type)
            action.action_data = action_specs.completed(spec, tenant, action.action_data)
            verdict.accepted.append(action)
            accepted_so_far += 1
    return verdict


class ReadRefused(Exception):
    """A read tool call the gateway will not run; the message is safe to hand back to the engine."""


def _reads_this_hour(conversation_id) -> int:
    since = timezone.now() - timedelta(hours=1)
    return ToolCallAudit.objects.filter(
        conversation_id=conversation_id, decision=ToolCallAudit.Decision.READ, created_at__gte=since
    ).count()


def read(name: str, arguments, *, tenant, agent, user, conversation_id) -> dict:
    """Run a read tool for an engine: allowed for this agent, under the hourly limit, audited (redacted). The tool
    answers `user`, the person the agent speaks for, with what they may see."""
    tool = read_tools.TOOLS.get(name)
    reason, result = None, None
    if tool is None or agent.agent_type not in tool.agents:
        reason = f"the {agent.name} agent has no read tool {name!r}"
    elif not isinstance(arguments, dict):
        reason = "the arguments must be a JSON object"
    elif _reads_this_hour(conversation_id) >= settings.GATEWAY_MAX_READS_PER_HOUR:
        reason = f"this conversation reached its limit of {settings.GATEWAY_MAX_READS_PER_HOUR} look-ups an hour"
    else:
        try:
            result = tool.call(tenant, user, arguments)
        except read_tools.ToolArgumentError as err:
            reason = str(err)[:300]
    ToolCallAudit.objects.create(
        tenant=tenant,
        agent=agent,
        user=user,
        conversation_id=conversation_id,
        action_type=name[:40],
        action_data=redact_data(arguments) if isinstance(arguments, dict) else {},
        decision=ToolCallAudit.Decision.READ_REFUSED if reason else ToolCallAudit.Decision.READ,
        reason=redact(reason or ""),
    )
    if reason:
        raise ReadRefused(reason)
    return result
