"""An approver's note on a proposal instead of a decision ("propose a cheaper option"): the built-in agents revise
what they can (a budget: the amount the note names, else a cheaper one) and say so when they cannot."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from agents.actions import ActionType
from agents.engines.base import DecisionNote, EngineReply, EngineRequest, Outcome
from agents.engines.builtin import paid_ads
from agents.models import Campaign


def revision_asked(request: EngineRequest) -> DecisionNote | None:
    return next((note for note in request.decisions if note.outcome == Outcome.REVISION_ASKED), None)


def revise(request: EngineRequest, note: DecisionNote) -> EngineReply:
    asked = {"reference": note.reference, "note": note.detail}
    head = _("An approver looked at %(reference)s and asked: “%(note)s”.") % asked
    reply = _budget(request, note) if note.action_type == ActionType.SET_BUDGET else None
    if reply is None or not reply.actions:
        why = reply.text if reply is not None else ""
        nothing = _("I have no other proposal for it, so it waits for their decision as it stands.")
        return EngineReply(" ".join(part for part in (head, why, nothing) if part), understood=False)
    return EngineReply(f"{head} {reply.text}", reply.actions)


def _budget(request: EngineRequest, note: DecisionNote) -> EngineReply | None:
    data = note.action_data
    campaign = Campaign.objects.filter(tenant=request.tenant, pk=data.get("campaign_id")).first()
    try:
        asked = Decimal(str(data.get("daily_budget")))
    except InvalidOperation:
        return None
    if campaign is None:
        return None
    new = paid_ads.cheaper_budget(campaign, asked, note.detail)
    if new == asked:
        return EngineReply(_("The note names the amount already proposed."))
    return paid_ads.propose_budget(request.tenant, campaign, new, paid_ads.EXACT_CONFIDENCE)
