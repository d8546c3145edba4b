"""An approved recommendation applied on its platform exactly once, then read back (the steps of
adplatforms.executor, under the same campaign claim, lease and error handling):

1. the connection must be usable; the recommendation is read live: still offered with the values the approver saw,
   or stop (changed: ask for a fresh approval; no longer offered and never sent: nothing applied);
2. Google validates it (Google's `recommendations:apply` has no `validateOnly`, so the equivalent mutate is sent
   with it): a budget recommendation's live budget is still what the approver saw, the campaign's own, within the
   guardrails, and the amount passes `campaignBudgets:mutate`; a keyword passes `adGroupCriteria:mutate`, a bidding
   target `campaigns:mutate` (adplatforms.google.recommendations.validation); a refusal is final, nothing applied;
3. `apply_sent_at` is committed, then `recommendations:apply` is sent (all or nothing);
4. read back: Google no longer offers it, and a budget reads the recommended amount; Walker's copy and a
   `PlatformChange` follow, so the next sync does not list it as a change made outside Walker.

A retry after a lost answer finds the recommendation no longer offered with `apply_sent_at` set: its earlier attempt
applied it, so nothing is sent twice."""

from django.utils import timezone
from django.utils.translation import gettext_noop

from adplatforms import clients, money, refusals
from adplatforms.executor import CampaignChange, change_claimed, check_usable, platform_errors, sentence
from adplatforms.models import PlatformCampaign
from adplatforms.platform import BudgetLevel, RemoteRecommendation
from adplatforms.recommendations.models import PlatformRecommendation, Status
from adplatforms.recommendations.proposing import data_for, recommendation_for
from agents.action_specs.base import money as amount_of_data
from agents.action_specs.recommendations import APPLY, Kind, what_it_does
from agents.executors import ExecutionError, ExecutionRequest, ExecutionResult, ReadBack, Verdict
from core.sentence import Money, Sentence

# What the approver saw and what the live recommendation must still say (the proposal's data).
COMPARED = ("daily_budget", "previous_daily_budget", "keyword", "match_type", "target_cpa", "target_roas")


def route(request: ExecutionRequest):
    """hitl's executor for an approved recommendation of the tenant's (agents.executors.register_router); None for
    any other action, or an id that is not one of the tenant's (the ledger then refuses it)."""
    if request.action_type != APPLY:
        return None
    row = recommendation_for(request.tenant, request.action_data.get("recommendation_id"))
    return RecommendationExecutor(row.connection) if row is not None else None


class RecommendationExecutor:
    def __init__(self, connection):
        self.destination = refusals.platform_name(connection)

    def execute(self, request: ExecutionRequest) -> ExecutionResult:
        return self._holding(request, lambda apply: apply.run())

    def read_back(self, request: ExecutionRequest) -> ReadBack:
        """After a silent attempt: applied (no longer offered, its apply sent), not applied (still offered) or
        drifted (gone without Walker's apply)."""
        return self._holding(request, lambda apply: apply.read_back())

    def _holding(self, request, step):
        row = recommendation_for(request.tenant, request.action_data.get("recommendation_id"))
        if row is None:
            raise ExecutionError(Sentence(gettext_noop("That recommendation does not exist in this account")))
        connection = row.connection
        check_usable(connection, self.destination)
        link = PlatformCampaign.objects.filter(connection=connection, campaign=row.campaign).first()
        if link is None:
            unlinked = gettext_noop("%(campaign)s is no longer linked to its ad account")
            raise ExecutionError(Sentence(unlinked, campaign=row.campaign.name))
        with change_claimed(link, self.destination), platform_errors(connection, self.destination):
            link = PlatformCampaign.objects.select_related("connection", "campaign").get(pk=link.pk)
            return step(_Apply(request, link, clients.client_for(connection), self.destination, row))


class _Apply(CampaignChange):
    def __init__(self, request, link, client, platform, row: PlatformRecommendation):
        super().__init__(request, link, client, platform)
        self.row = row
        self.seen = request.action_data

    def run(self) -> ExecutionResult:
        live = self.client.recommendation(self.row.resource_name)
        if live is None:
            return self._no_longer_offered()
        self._unchanged(live)
        before = None
        if live.kind == Kind.CAMPAIGN_BUDGET:
            before = self._checked_budget(live)
        else:
            self.client.validate_recommendation(live)
        self._within_lease()
        PlatformRecommendation.objects.filter(pk=self.row.pk).update(apply_sent_at=timezone.now())
        self.client.apply_recommendation(live)
        if self.client.recommendation(self.row.resource_name) is not None:
            offered = gettext_noop("%(platform)s answered success but still offers the recommendation")
            raise ExecutionError(Sentence(offered, platform=self.platform))
        return self._applied(before, written=True)

    def read_back(self) -> ReadBack:
        live = self.client.recommendation(self.row.resource_name)
        if live is not None:
            offered = gettext_noop(
                "%(platform)s still offers the recommendation: it was not applied, and it is safe to run it again"
            )
            return ReadBack(Verdict.NOT_APPLIED, Sentence(offered, platform=self.platform))
        if self.row.apply_sent_at is None:
            self._end(Status.GONE, str(self._gone_words()))
            return ReadBack(Verdict.DRIFTED, self._gone_words())
        result = self._applied(None, written=None)
        return ReadBack(Verdict.APPLIED, result.detail, result)

    # --- steps ------------------------------------------------------------------------

    def _no_longer_offered(self) -> ExecutionResult:
        if self.row.apply_sent_at is not None:  # an earlier attempt's apply went through; its answer was lost
            return self._applied(None, written=False)
        self._end(Status.GONE, str(self._gone_words()))
        raise ExecutionError(self._gone_words())

    def _gone_words(self) -> Sentence:
        gone = gettext_noop("%(platform)s no longer offers this recommendation; nothing was applied")
        return Sentence(gone, platform=self.platform)

    def _unchanged(self, live: RemoteRecommendation) -> None:
        now = data_for(self.row, live, self.link)
        moved = [key for key in COMPARED if _same(now.get(key)) != _same(self.seen.get(key))]
        if moved:
            changed = gettext_noop(
                "%(platform)s changed this recommendation since it was proposed (now: %(now)s); ask for a fresh "
                "approval"
            )
            raise ExecutionError(Sentence(changed, platform=self.platform, now=what_it_does(now)))

    def _checked_budget(self, live: RemoteRecommendation):
        campaign = self._read()
        currency = campaign.currency
        refusal = refusals.budget_level_refusal(
            self.link,
            level=campaign.budget_level if campaign.daily_budget_units is not None else BudgetLevel.AD_SET,
            shared=campaign.budget_shared or len(campaign.campaigns_sharing_budget) > 1,
            sharing=campaign.campaigns_sharing_budget,
        )
        if refusal:
            raise ExecutionError(sentence(refusal))
        now, seen = self._amount(campaign), amount_of_data(self.seen.get("previous_daily_budget"))
        target = amount_of_data(self.seen.get("daily_budget"))
        if seen is not None and now != seen:
            drifted = gettext_noop(
                "%(campaign)s's budget is %(now)s on %(platform)s now, not the %(seen)s the approver saw; "
                "ask for a fresh approval"
            )
            raise ExecutionError(
                Sentence(
                    drifted,
                    campaign=self.campaign.name,
                    now=Money(now, currency),
                    seen=Money(seen, currency),
                    platform=self.platform,
                )
            )
        refusal = refusals.guardrail_refusal(
            self.request.tenant, self.campaign, old=now, new=target, currency=currency, now=timezone.now()
        )
        if refusal:
            raise ExecutionError(sentence(refusal))
        try:
            units = money.to_micros(target, currency)
        except money.MoneyError as error:
            unheld = gettext_noop("%(amount)s is not a budget %(platform)s can hold in %(currency)s")
            raise ExecutionError(Sentence(unheld, amount=target, platform=self.platform, currency=currency)) from error
        self.client.set_daily_budget(campaign, units, validate_only=True)
        return campaign

    def _applied(self, before, *, written: bool | None) -> ExecutionResult:
        """Applied (read back as no longer offered): a budget is read back too, and Walker's copy follows it."""
        state = {"id": str(self.row.pk), "recommendation": self.row.kind}
        outcome = {"platform": self.kind, "account_id": self.link.connection.account_id, "written": written}
        if self.row.kind == Kind.CAMPAIGN_BUDGET:
            back = self._read()
            target = amount_of_data(self.seen.get("daily_budget"))
            if self._amount(back) != target:
                differs = gettext_noop("%(platform)s applied the recommendation but the budget reads back %(amount)s")
                raise ExecutionError(
                    Sentence(differs, platform=self.platform, amount=Money(self._amount(back), back.currency))
                )
            if before is not None:
                self._record_budget(
                    self._amount(before), target, before.daily_budget_units, back.daily_budget_units, back.currency
                )
            else:
                self._follow_budget(back, target)
            outcome = self._outcome(before, back, written=written) | {"recommendation": self.row.resource_name}
        detail = Sentence(
            gettext_noop("Applied the %(platform)s recommendation: %(change)s (read back)")
            if written is not False
            else gettext_noop(
                "The %(platform)s recommendation was already applied (%(change)s); nothing was sent again"
            ),
            platform=self.platform,
            change=what_it_does(self.seen),
        )
        self._end(Status.APPLIED, str(detail))
        return ExecutionResult(state, {**state, "applied": True}, detail, outcome)

    def _end(self, status: str, outcome: str) -> None:
        PlatformRecommendation.objects.filter(pk=self.row.pk).update(
            status=status, outcome=outcome[:500], ended_at=timezone.now()
        )


def _same(value) -> str:
    """A value as compared: money and numbers by amount, text as written ("" when absent)."""
    amount = amount_of_data(value) if value not in (None, "") else None
    return str(amount.normalize()) if amount is not None else str(value or "")
