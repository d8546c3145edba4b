"""Filing a request for approval from an agent outside Walker (`/api/v1/approval-requests/`), through the one
`request_approval`: risk, workflow, levels, SLA, automatic rules, conflicts and notifications as for Walker's agents.

The integration token that asks is the agent: its name is the requester approvers see. An idempotency key is
claimed first, by inserting the request's row under a unique (token, key) index, so two requests sent at once with
one key file one approval: the second waits on the index for the first to commit, then answers with its request
(the same args) or a conflict (other args). The args are bound to what the approver sees by their SHA-256
(`args_sha256`, canonical JSON).
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from agents.action_specs import WALKER_SPECS
from agents.actions import ProposedAction
from agents.tenant_actions.models import MAX_EXPIRY, MIN_EXPIRY
from agents.tenant_actions.registry import TenantActionSpec, spec_for
from core.errors import WalkerError
from hitl.models import Answer, ApprovalRequest, ApprovalStatus
from hitl.services.conflicts import AlreadyWaiting
from hitl.services.requests import request_approval
from tenants import outbound
from tenants.models import Tenant

TEXT_MAX = 2000  # characters of a description or a context: what an approver reads, not a document
KEY_MAX = 200
CALLBACK_URL_MAX = 2000
LARGEST_COST = Decimal("999999999999.99")  # HITLApproval.estimated_cost's 14 digits
LARGEST_REACH = 2_147_483_647  # HITLApproval.estimated_reach's column


class Refused(WalkerError):
    """The request as sent is refused; `field` names what was wrong (None: the request as a whole)."""

    def __init__(self, code: str, detail: str, field: str | None = None):
        super().__init__(code, detail)
        self.field = field


@dataclass(frozen=True)
class Ask:
    action: str
    args: dict
    description: str
    context: str = ""
    idempotency_key: str = ""
    expires_in: int | None = None  # seconds; the type's default expiry when None
    allowed_decisions: tuple[str, ...] | None = None  # every answer the type allows when None
    callback_url: str = ""  # where each decision is POSTed (hitl.callbacks); none when empty


@dataclass(frozen=True)
class Filed:
    request: ApprovalRequest
    created: bool  # False: the same key and args were sent before, and this is that request


def args_sha256(args) -> str:
    """SHA-256 of `args` as canonical JSON: json.dumps(args, sort_keys=True, separators=(",", ":"))."""
    return hashlib.sha256(json.dumps(args, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@transaction.atomic
def file_request(token, ask: Ask) -> Filed:
    """File `ask` for `token`'s tenant; the request it repeats when its idempotency key was used with the same args.
    Raises Refused (400: field by field; 409: the key with other args, or the same action already waiting; 429: the
    tenant's cap on waiting requests)."""
    tenant = token.tenant
    spec = _spec(tenant, ask.action)
    _check(spec, ask)
    _check_callback(tenant, ask.callback_url)
    digest = args_sha256(ask.args)
    if ask.idempotency_key and (earlier := _keyed(token, ask.idempotency_key)) is not None:
        return _repeated(earlier, digest)
    _hold_to_the_cap(tenant, _waiting(tenant) + 1)  # refused before any work when the tenant is at its cap
    try:
        with transaction.atomic():
            row = ApprovalRequest.objects.create(
                tenant=tenant,
                token=token,
                agent_name=token.name,
                idempotency_key=ask.idempotency_key,
                args_sha256=digest,
                description=ask.description,
                context=ask.context,
                allowed_decisions=list(_allowed(spec, ask)),
                callback_url=ask.callback_url,
            )
    except IntegrityError:  # the same key, sent at once: the other request committed first
        return _repeated(_keyed(token, ask.idempotency_key), digest)
    expires_in = timedelta(seconds=ask.expires_in) if ask.expires_in is not None else spec.default_expiry
    try:
        request_approval(
            tenant=tenant,
            agent=None,
            action=_proposed(spec, ask),
            outside=row,
            currency=spec.currency_of(ask.args),
            expires_at=timezone.now() + expires_in,
        )
    except AlreadyWaiting as twin:
        raise Refused(
            "already_waiting",
            f"The same action with the same args already waits for a decision: {twin.approval.pk}.",
        ) from None
    # Counted again under the tenant's row lock, this request included: filings at once each see the others only
    # once they commit, so without it each would find room under the cap. Held only from here to the commit.
    Tenant.objects.lock(tenant.pk)
    _hold_to_the_cap(tenant, _waiting(tenant))
    return Filed(row, created=True)


def _waiting(tenant) -> int:
    """The tenant's requests from outside that wait for a decision (an approver's note, respond, ends the wait:
    the note is the agent's answer, and a new request its next step)."""
    return ApprovalRequest.objects.filter(tenant=tenant, approval__status=ApprovalStatus.PENDING).count()


def _hold_to_the_cap(tenant, waiting: int) -> None:
    """Refuse (429) when `waiting` requests would be more than the tenant may have waiting at once."""
    if waiting > settings.APPROVAL_REQUESTS_MAX_WAITING:
        raise Refused(
            "too_many_waiting",
            f"{settings.APPROVAL_REQUESTS_MAX_WAITING} requests of this tenant wait for a decision, the most allowed "
            "(APPROVAL_REQUESTS_MAX_WAITING): ask again once some are decided.",
        )


def _spec(tenant, action: str) -> TenantActionSpec:
    if action in WALKER_SPECS:
        raise Refused(
            "builtin_action_type",
            f"“{action}” is one of Walker's own actions, which its own agents propose; register an action type "
            "for your agent (/api/v1/action-types/).",
            "action",
        )
    spec = spec_for(action, tenant)
    if spec is None:
        raise Refused(
            "unknown_action_type", f"This tenant has no action type “{action}” (/api/v1/action-types/).", "action"
        )
    return spec


def _check(spec: TenantActionSpec, ask: Ask) -> None:
    if not isinstance(ask.args, dict):
        raise Refused("invalid_args", "The args must be a JSON object.", "args")
    if (problem := spec.args_problem(ask.args)) is not None:
        raise Refused("invalid_args", problem, "args")
    if (cost := spec.cost(ask.args)) is not None and abs(cost) > LARGEST_COST:
        raise Refused("invalid_args", f"“{spec.money_field}” is larger than {LARGEST_COST}.", "args")
    if not ask.description.strip():
        raise Refused("required", "Say what the agent wants and why: approvers read it.", "description")
    for name in ("description", "context"):
        if len(getattr(ask, name)) > TEXT_MAX:
            raise Refused("too_long", f"At most {TEXT_MAX} characters.", name)
    if len(ask.idempotency_key) > KEY_MAX:
        raise Refused("too_long", f"At most {KEY_MAX} characters.", "idempotency_key")
    if ask.expires_in is not None and not MIN_EXPIRY <= timedelta(seconds=ask.expires_in) <= MAX_EXPIRY:
        low, high = int(MIN_EXPIRY.total_seconds()), int(MAX_EXPIRY.total_seconds())
        raise Refused("out_of_range", f"From {low} to {high} seconds.", "expires_in")
    _allowed(spec, ask)


def _check_callback(tenant, url: str) -> None:
    """A callback goes only where the action webhook may (tenants.outbound), signed with the same secret."""
    if not url:
        return
    if len(url) > CALLBACK_URL_MAX:
        raise Refused("too_long", f"At most {CALLBACK_URL_MAX} characters.", "callback_url")
    try:
        outbound.check_url(url)
    except outbound.OutboundURLRefused as refused:
        raise Refused("callback_url_refused", f"Walker cannot send to this URL: {refused}.", "callback_url") from None
    if not tenant.action_webhook_secret:
        raise Refused(
            "callback_unsigned",
            "Callbacks are signed with the tenant's action webhook secret, and it has none: an admin sets one first.",
            "callback_url",
        )


def _allowed(spec: TenantActionSpec, ask: Ask) -> tuple[str, ...]:
    """The answers the request allows, in Answer's order; edit only for a type with editable fields."""
    possible = [answer for answer in Answer.values if answer != Answer.EDIT or spec.editable]
    if ask.allowed_decisions is None:
        return tuple(possible)
    asked = ask.allowed_decisions
    if not asked or len(set(asked)) != len(asked) or not set(asked) <= set(Answer.values):
        raise Refused("invalid_choice", f"One or more of {', '.join(Answer.values)}, each once.", "allowed_decisions")
    if Answer.EDIT in asked and not spec.editable:
        raise Refused("invalid_choice", f"“{spec.action_type}” has no field an approver may edit.", "allowed_decisions")
    return tuple(answer for answer in Answer.values if answer in asked)


def _proposed(spec: TenantActionSpec, ask: Ask) -> ProposedAction:
    cost = spec.cost(ask.args) or Decimal("0")
    reach = spec.reach(ask.args) or 0
    return ProposedAction(
        action_type=spec.action_type,
        action_data=ask.args,
        summary=spec.describe(ask.args),
        estimated_cost=max(cost, Decimal("0")).quantize(Decimal("0.01")),
        estimated_reach=min(max(reach, 0), LARGEST_REACH),
    )


def _keyed(token, key: str) -> ApprovalRequest | None:
    return ApprovalRequest.objects.select_related("approval").filter(token=token, idempotency_key=key).first()


def _repeated(earlier: ApprovalRequest, digest: str) -> Filed:
    if earlier.args_sha256 != digest:
        raise Refused(
            "idempotency_key_reused",
            "This idempotency key was used with other args: send a new key for a new request.",
        )
    return Filed(earlier, created=False)
