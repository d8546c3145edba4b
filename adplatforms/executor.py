"""Approved budget, pause and resume actions on a synced campaign, carried out on the ad platform it came from.

For each action, holding the campaign's change claim (a conditional update of the link's `change_claim`, so two
approved changes of one campaign never interleave and the guardrails' 24-hour sum counts every change before it,
while no row lock is held across the platform's calls; a change that finds another's claim is retried shortly):

1. the connection must be usable (disabled or needing re-authorisation: final);
2. the live campaign is read; already at the target: done, nothing written (a retry after a timeout lands here);
   different from what the approver saw: final, asking for a fresh approval;
3. the budget must be the campaign's own and the change within the guardrails, checked again on the live figures;
4. the platform validates the change (`validate_only`), then the absolute target is written (never a delta);
5. the campaign is read back: equal, applied (Walker's copy and a `PlatformChange` record follow); different,
   failed as drifted.

Each attempt has a lease (PLATFORM_CHANGE_LEASE_SECONDS, hitl's `ExecutionRequest.deadline`): the write is not
started with less than one call's timeout (AD_PLATFORM_TIMEOUT) of it left, so once the lease has run out nothing of
that attempt can still land. An attempt silent past it (its worker killed) is read back by hitl's sweep
(`PlatformExecutor.read_back`): the live campaign says whether the change was applied, not applied (safe to run
again) or drifted (changed elsewhere), and Walker's copy follows what it reads.

A timeout or a 5xx is retried by hitl's task (the platform may have applied it, so the retry's read decides); a
quota refusal is retried after the delay the platform asked for; anything else is final. Exactly once: hitl claims
the execution, this module claims the campaign, the pre-read finds a write that already went through, and what
was written is recorded in one transaction after the read back.
"""

import uuid
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from adplatforms import clients, errors, money, refusals, states
from adplatforms.models import AdConnection, PlatformCampaign, PlatformChange
from adplatforms.platform import BudgetLevel, CampaignStatus, RemoteCampaign
from adplatforms.proposals import link_for
from agents.action_specs.base import STATES
from agents.action_specs.base import money as amount_of_data
from agents.executors import (
    ExecutionError,
    ExecutionRequest,
    ExecutionResult,
    ReadBack,
    RetryableExecutionError,
    Verdict,
)
from agents.models import Campaign
from core.sentence import Money, Sentence, Word

STATUS_TARGETS = {"pause_campaign": CampaignStatus.PAUSED, "resume_campaign": CampaignStatus.ACTIVE}
ACTIONS = frozenset({"set_budget", *STATUS_TARGETS})
# A platform campaign's status, translated when read.
STATUS_WORDS = {
    CampaignStatus.ACTIVE: STATES["active"],
    CampaignStatus.PAUSED: STATES["paused"],
    CampaignStatus.REMOVED: Word("a campaign's state", "removed"),
}
CLAIM_RETRY_SECONDS = 15  # the wait before a change that found the campaign claimed tries again (at most)


def route(request: ExecutionRequest):
    """hitl's executor for this action (agents.executors.register_router): a budget, pause or resume of one of the
    tenant's campaigns that is linked to an ad platform; None for everything else."""
    if request.action_type not in ACTIONS:
        return None
    link = link_for(request.tenant, request.action_data.get("campaign_id"))
    return PlatformExecutor(link.connection) if link is not None else None


def units_of(platform: str, amount, currency: str) -> int:
    if platform == AdConnection.Platform.GOOGLE:
        return money.to_micros(amount, currency)
    return money.to_meta_units(amount, currency)


def amount_of(platform: str, units: int, currency: str):
    if platform == AdConnection.Platform.GOOGLE:
        return money.from_micros(units, currency)
    return money.from_meta_units(units, currency)


class PlatformExecutor:
    def __init__(self, connection: AdConnection):
        self.destination = refusals.platform_name(connection)  # for hitl's history: "Sending to Google Ads"

    def execute(self, request: ExecutionRequest) -> ExecutionResult:
        link = link_for(request.tenant, request.action_data.get("campaign_id"))
        if link is None:
            raise ExecutionError(Sentence(gettext_noop("That campaign does not exist in this account")))
        connection = link.connection
        check_usable(connection, self.destination)
        with change_claimed(link, self.destination), platform_errors(connection, self.destination):
            client = clients.client_for(connection)
            link = PlatformCampaign.objects.select_related("connection", "campaign").get(pk=link.pk)
            change = CampaignChange(request, link, client, self.destination)
            return change.set_budget() if request.action_type == "set_budget" else change.set_status()

    def read_back(self, request: ExecutionRequest) -> ReadBack:
        """What the platform holds of `request`'s change, under the campaign's claim (taken over from the dead
        attempt once its lease ran out); Walker's copy follows it. RetryableExecutionError when it cannot be read
        now (another change holds the campaign, the platform refused or did not answer)."""
        link = link_for(request.tenant, request.action_data.get("campaign_id"))
        if link is None:
            raise ExecutionError(Sentence(gettext_noop("That campaign does not exist in this account")))
        if refusal := refusals.connection_refusal(link.connection):
            raise ExecutionError(sentence(refusal))
        token = claim_campaign(link)
        if token is None:
            raise RetryableExecutionError(
                _("Another change of %(campaign)s is being applied on %(platform)s; it is read back after that one")
                % {"campaign": link.campaign.name, "platform": self.destination}
            )
        try:
            client = clients.client_for(link.connection)
            link = PlatformCampaign.objects.select_related("connection", "campaign").get(pk=link.pk)
            return CampaignChange(request, link, client, self.destination).read_back()
        except errors.PlatformError as error:
            if isinstance(error, errors.AuthorizationExpired):
                states.record_failure(link.connection, error)
            raise RetryableExecutionError(
                _("%(platform)s could not be read: %(detail)s") % {"platform": self.destination, "detail": error.detail}
            ) from error
        finally:
            release_campaign(link, token)


def check_usable(connection: AdConnection, destination: str) -> None:
    """Disabled or waiting for re-authorisation: final; paused for quota: retried after the pause."""
    if refusal := refusals.connection_refusal(connection):
        raise ExecutionError(sentence(refusal))
    if connection.paused_until and connection.paused_until > timezone.now():
        wait = (connection.paused_until - timezone.now()).total_seconds()
        paused = gettext_noop("The %(platform)s connection is paused for quota until %(when)s UTC")
        until = f"{connection.paused_until:%Y-%m-%d %H:%M}"  # digits, which every language reads alike
        raise RetryableExecutionError(Sentence(paused, platform=destination, when=until), retry_after=wait)


@contextmanager
def platform_errors(connection: AdConnection, destination: str):
    """The platform's refusals as hitl's execution errors: retried (quota, outage, a retryable refusal) or final,
    in the platform's words; an expired authorisation moves the connection to "needs re-authorisation"."""
    try:
        yield
    except errors.AuthorizationExpired as error:
        states.record_failure(connection, error)  # needs re-authorisation; the admins are told once
        expired = gettext_noop("The %(platform)s connection needs re-authorisation: %(detail)s")
        raise ExecutionError(Sentence(expired, platform=destination, detail=error.detail)) from error
    except errors.RateLimited as error:  # refused before anything was done: safe to send again
        wait = gettext_noop("%(platform)s asked Walker to wait (quota): %(detail)s")
        raise RetryableExecutionError(
            Sentence(wait, platform=destination, detail=error.detail), retry_after=error.retry_after
        ) from error
    except errors.Unavailable as error:
        silent = gettext_noop(
            "%(platform)s did not answer (%(detail)s); the campaign is read again before anything is resent"
        )
        raise RetryableExecutionError(Sentence(silent, platform=destination, detail=error.detail)) from error
    except errors.PlatformError as error:
        if error.retryable:
            said = Sentence(gettext_noop("%(platform)s: %(detail)s"), platform=destination, detail=error.detail)
            raise RetryableExecutionError(said) from error
        refused = gettext_noop("%(platform)s refused the change: %(detail)s")
        raise ExecutionError(Sentence(refused, platform=destination, detail=error.detail)) from error


def claim_lease() -> timedelta:
    """How long a change's claim on its campaign lasts: the attempt's own lease, past which it writes nothing (it
    claims after its lease began), so a claim this old is a dead worker's and is taken over."""
    return timedelta(seconds=settings.PLATFORM_CHANGE_LEASE_SECONDS)


def claim_campaign(link: PlatformCampaign) -> uuid.UUID | None:
    """Claim `link`'s campaign for one change (a compare-and-set, no lock kept): the claim's token, or None when
    another change holds it and its lease has not run out."""
    token, now = uuid.uuid4(), timezone.now()
    free = Q(change_claim__isnull=True) | Q(change_claimed_at__lt=now - claim_lease())
    claimed = PlatformCampaign.objects.filter(free, pk=link.pk).update(change_claim=token, change_claimed_at=now)
    return token if claimed else None


def release_campaign(link: PlatformCampaign, token: uuid.UUID) -> None:
    """Give the claim back, unless it was taken over after its lease."""
    PlatformCampaign.objects.filter(pk=link.pk, change_claim=token).update(change_claim=None, change_claimed_at=None)


@contextmanager
def change_claimed(link: PlatformCampaign, destination: str):
    """Hold `link`'s campaign for one approved change, released after it; while another change holds it, this one
    is retried once that one had time to finish."""
    token = claim_campaign(link)
    if token is None:
        held = gettext_noop(
            "Another approved change of %(campaign)s is being applied on %(platform)s; this one follows it"
        )
        raise RetryableExecutionError(
            Sentence(held, campaign=link.campaign.name, platform=destination), retry_after=CLAIM_RETRY_SECONDS
        )
    try:
        yield
    finally:
        release_campaign(link, token)


class CampaignChange:
    """One approved change of one campaign, while this attempt holds its claim."""

    def __init__(self, request: ExecutionRequest, link: PlatformCampaign, client, platform: str):
        self.request, self.link, self.client, self.platform = request, link, client, platform
        self.campaign: Campaign = link.campaign
        self.kind = link.connection.platform

    def _within_lease(self) -> None:
        """Refuse to start the write without one call's timeout of the attempt's lease left: past the lease the
        sweep reads the campaign, and a write landing after that read would go unseen."""
        deadline = self.request.deadline
        if deadline is None or deadline - timezone.now() >= timedelta(seconds=settings.AD_PLATFORM_TIMEOUT):
            return
        slow = gettext_noop("%(platform)s answered too slowly to write within this attempt's time; nothing was written")
        raise RetryableExecutionError(Sentence(slow, platform=self.platform))

    def _read(self) -> RemoteCampaign:
        return self.client.campaign(self.link.external_id)

    def _amount(self, live: RemoteCampaign):
        return amount_of(self.kind, live.daily_budget_units, live.currency)

    def _outcome(self, before: RemoteCampaign | None, after: RemoteCampaign, *, written: bool | None) -> dict:
        """What the platform reported; `before` None and `written` None: read back after a silent attempt, which
        may or may not have written."""
        return {
            "platform": self.kind,
            "account_id": self.link.connection.account_id,
            "external_id": self.link.external_id,
            "currency": after.currency,
            "before_units": before.daily_budget_units if before else None,
            "after_units": after.daily_budget_units,
            "before_status": before.status if before else None,
            "after_status": after.status,
            "written": written,
            "read_back": True,
        }

    # --- the budget -------------------------------------------------------------------

    def set_budget(self) -> ExecutionResult:
        data, name = self.request.action_data, self.campaign.name
        target = amount_of_data(data.get("daily_budget"))
        if target is None or target <= 0:
            raise ExecutionError(
                _("A daily budget must be an amount above zero, not %(value)r") % {"value": data.get("daily_budget")}
            )
        live = self._read()
        currency = live.currency
        if currency != self.campaign.currency:
            moved = gettext_noop(
                "%(campaign)s is in %(now)s on %(platform)s now, not %(then)s; ask for a fresh approval"
            )
            raise ExecutionError(
                Sentence(moved, campaign=name, now=currency, then=self.campaign.currency, platform=self.platform)
            )
        sharing = live.campaigns_sharing_budget
        refusal = refusals.budget_level_refusal(
            self.link,
            level=live.budget_level if live.daily_budget_units is not None else BudgetLevel.AD_SET,
            shared=live.budget_shared or len(sharing) > 1,
            sharing=sharing,
        )
        if refusal:
            raise ExecutionError(sentence(refusal))
        now = self._amount(live)
        if now == target:
            return self._budget_already(live, target)
        seen = amount_of_data(data.get("previous_daily_budget"))
        if seen is not None and now != seen:
            drifted = gettext_noop(
                "%(campaign)s's budget is %(now)s on %(platform)s now, not the %(seen)s the approver saw; "
                "ask for a fresh approval"
            )
            raise ExecutionError(
                Sentence(
                    drifted,
                    campaign=name,
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
            units = units_of(self.kind, target, currency)
        except money.MoneyError as error:
            unheld = gettext_noop("%(amount)s is not a budget %(platform)s can hold in %(currency)s")
            raise ExecutionError(Sentence(unheld, amount=target, platform=self.platform, currency=currency)) from error
        self.client.set_daily_budget(live, units, validate_only=True)
        self._within_lease()
        self.client.set_daily_budget(live, units)
        back = self._read()
        if back.daily_budget_units != units:
            shown = Money(self._amount(back), currency) if back.daily_budget_units is not None else "—"
            differs = gettext_noop("%(platform)s answered success but the budget reads back %(amount)s")
            raise ExecutionError(Sentence(differs, platform=self.platform, amount=shown))
        self._record_budget(now, target, live.daily_budget_units, units, currency)
        detail = Sentence(
            gettext_noop("%(campaign)s daily budget %(old)s -> %(new)s on %(platform)s (read back)"),
            campaign=name,
            old=Money(now, currency),
            new=Money(target, currency),
            platform=self.platform,
        )
        return ExecutionResult(
            {"id": str(self.campaign.pk), "daily_budget": str(now)},
            {"id": str(self.campaign.pk), "daily_budget": str(target)},
            detail,
            self._outcome(live, back, written=True),
        )

    def _budget_already(self, live: RemoteCampaign, target) -> ExecutionResult:
        """The live budget is the target already: nothing is written. When the approver saw another amount it
        moved since (most likely this action's own earlier attempt, whose answer was lost), so it is recorded for
        the guardrails' 24 hours once."""
        self._follow_budget(live, target)
        detail = Sentence(
            gettext_noop("%(campaign)s daily budget is already %(amount)s on %(platform)s; nothing was written"),
            campaign=self.campaign.name,
            amount=Money(target, live.currency),
            platform=self.platform,
        )
        state = {"id": str(self.campaign.pk), "daily_budget": str(target)}
        return ExecutionResult(state, dict(state), detail, self._outcome(live, live, written=False))

    def _follow_budget(self, live: RemoteCampaign, target) -> None:
        """Walker's copy takes the target the platform holds; when the approver saw another amount, the change is
        recorded for the guardrails' 24 hours, once per approval."""
        seen = amount_of_data(self.request.action_data.get("previous_daily_budget"))
        mine = PlatformChange.objects.filter(approval_id=self.request.approval_id).exists()
        if seen is not None and seen != target and not mine:
            self._record_budget(seen, target, None, live.daily_budget_units, live.currency)  # its units were not read
        else:
            self._update_copy(daily_budget=target, units=live.daily_budget_units)

    @transaction.atomic
    def _record_budget(self, old, new, before_units, after_units, currency) -> None:
        PlatformChange.objects.create(
            tenant=self.request.tenant,
            connection=self.link.connection,
            campaign=self.campaign,
            field=PlatformChange.Field.DAILY_BUDGET,
            before_units=before_units,
            after_units=after_units,
            before=str(old),
            after=str(new),
            currency=currency,
            approval_id=self.request.approval_id,
            at=timezone.now(),
        )
        self._update_copy(daily_budget=new, units=after_units)

    @transaction.atomic
    def _update_copy(self, *, daily_budget=None, units=None, status=None, effective_status=None) -> None:
        """Walker's synced copy follows what the platform read back, so the next proposal starts from it."""
        moment = timezone.now()
        fields = {"synced_at": moment}
        if daily_budget is not None:
            fields["daily_budget"] = daily_budget
        if status is not None:
            fields["status"] = status
        Campaign.objects.filter(pk=self.campaign.pk).update(**fields, updated_at=moment)
        link_fields = {"synced_at": moment}
        if units is not None:
            link_fields["daily_budget_units"] = units
        if effective_status:
            link_fields["effective_status"] = effective_status
        PlatformCampaign.objects.filter(pk=self.link.pk).update(**link_fields)

    # --- pause and resume -------------------------------------------------------------

    def set_status(self) -> ExecutionResult:
        target = STATUS_TARGETS[self.request.action_type]
        seen = CampaignStatus.ACTIVE if target == CampaignStatus.PAUSED else CampaignStatus.PAUSED
        name, words = self.campaign.name, STATUS_WORDS
        live = self._read()
        state = {"id": str(self.campaign.pk), "status": live.status}
        if live.status == target:
            self._update_copy(status=target, effective_status=live.effective_status)
            detail = Sentence(
                gettext_noop("%(campaign)s is already %(state)s on %(platform)s; nothing was written"),
                campaign=name,
                state=words.get(target, target),
                platform=self.platform,
            )
            return ExecutionResult(state, dict(state), detail, self._outcome(live, live, written=False))
        if live.status != seen:
            drifted = gettext_noop(
                "%(campaign)s is %(now)s on %(platform)s now, not %(seen)s as the approver saw; "
                "ask for a fresh approval"
            )
            raise ExecutionError(
                Sentence(
                    drifted,
                    campaign=name,
                    now=words.get(live.status, live.status),
                    seen=words.get(seen, seen),
                    platform=self.platform,
                )
            )
        self.client.set_status(live, target, validate_only=True)
        self._within_lease()
        self.client.set_status(live, target)
        back = self._read()
        if back.status != target:
            differs = gettext_noop("%(platform)s answered success but the campaign reads back %(state)s")
            raise ExecutionError(Sentence(differs, platform=self.platform, state=words.get(back.status, back.status)))
        with transaction.atomic():
            PlatformChange.objects.create(
                tenant=self.request.tenant,
                connection=self.link.connection,
                campaign=self.campaign,
                field=PlatformChange.Field.STATUS,
                before=live.status,
                after=back.status,
                approval_id=self.request.approval_id,
                at=timezone.now(),
            )
            self._update_copy(status=target, effective_status=back.effective_status)
        done = (
            gettext_noop("Paused %(campaign)s on %(platform)s (read back)")
            if target == CampaignStatus.PAUSED
            else gettext_noop("Resumed %(campaign)s on %(platform)s (read back)")
        )
        return ExecutionResult(
            state,
            {"id": str(self.campaign.pk), "status": back.status},
            Sentence(done, campaign=name, platform=self.platform),
            self._outcome(live, back, written=True),
        )

    # --- read back after a silent attempt ---------------------------------------------

    def read_back(self) -> ReadBack:
        live = self._read()
        if self.request.action_type == "set_budget":
            return self._budget_read_back(live)
        return self._status_read_back(live)

    def _budget_read_back(self, live: RemoteCampaign) -> ReadBack:
        data, name, currency = self.request.action_data, self.campaign.name, live.currency
        target = amount_of_data(data.get("daily_budget"))
        seen = amount_of_data(data.get("previous_daily_budget"))
        if live.daily_budget_units is None or currency != self.campaign.currency:
            gone = gettext_noop(
                "%(platform)s no longer holds a daily budget in %(currency)s for %(campaign)s; ask for a fresh approval"
            )
            return ReadBack(
                Verdict.DRIFTED,
                Sentence(gone, platform=self.platform, currency=self.campaign.currency, campaign=name),
            )
        now = self._amount(live)
        words = {
            "platform": self.platform,
            "campaign": name,
            "now": Money(now, currency),
            "seen": Money(seen, currency) if seen is not None else "—",
            "target": Money(target, currency) if target is not None else "—",
        }
        if now == target:
            self._follow_budget(live, target)
            before = seen if seen is not None else now
            detail = Sentence(
                gettext_noop(
                    "%(campaign)s daily budget %(old)s -> %(new)s on %(platform)s (read back after the worker went "
                    "silent)"
                ),
                campaign=name,
                old=Money(before, currency),
                new=Money(now, currency),
                platform=self.platform,
            )
            result = ExecutionResult(
                {"id": str(self.campaign.pk), "daily_budget": str(before)},
                {"id": str(self.campaign.pk), "daily_budget": str(target)},
                detail,
                self._outcome(None, live, written=None),
            )
            return ReadBack(Verdict.APPLIED, detail, result)
        self._update_copy(daily_budget=now, units=live.daily_budget_units)
        if seen is None or now == seen:
            said = (
                Sentence(
                    gettext_noop(
                        "%(platform)s still holds %(campaign)s's daily budget at %(now)s, the amount the approver saw"
                    ),
                    **words,
                )
                if seen is not None
                else Sentence(
                    gettext_noop(
                        "%(platform)s holds %(campaign)s's daily budget at %(now)s, not the approved %(target)s"
                    ),
                    **words,
                )
            )
            safe = gettext_noop("%(said)s: the change was not applied, and it is safe to run it again")
            return ReadBack(Verdict.NOT_APPLIED, Sentence(safe, said=said))
        drifted = gettext_noop(
            "%(platform)s holds %(campaign)s's daily budget at %(now)s, neither the %(seen)s the approver saw nor "
            "the approved %(target)s; ask for a fresh approval"
        )
        return ReadBack(Verdict.DRIFTED, Sentence(drifted, **words))

    def _status_read_back(self, live: RemoteCampaign) -> ReadBack:
        target = STATUS_TARGETS[self.request.action_type]
        seen = CampaignStatus.ACTIVE if target == CampaignStatus.PAUSED else CampaignStatus.PAUSED
        names = STATUS_WORDS
        words = {
            "platform": self.platform,
            "campaign": self.campaign.name,
            "now": names.get(live.status, live.status),
            "seen": names[seen],
            "target": names[target],
        }
        # Walker has no removed campaign: one removed on the platform is paused in Walker, as the sync does.
        mirrored = (
            live.status if live.status in (CampaignStatus.ACTIVE, CampaignStatus.PAUSED) else CampaignStatus.PAUSED
        )
        with transaction.atomic():
            self._update_copy(status=mirrored, effective_status=live.effective_status)
            if (
                live.status == target
                and not PlatformChange.objects.filter(approval_id=self.request.approval_id).exists()
            ):
                PlatformChange.objects.create(
                    tenant=self.request.tenant,
                    connection=self.link.connection,
                    campaign=self.campaign,
                    field=PlatformChange.Field.STATUS,
                    before=seen,
                    after=live.status,
                    approval_id=self.request.approval_id,
                    at=timezone.now(),
                )
        if live.status == target:
            detail = Sentence(
                gettext_noop("%(campaign)s is %(now)s on %(platform)s (read back after the worker went silent)"),
                campaign=words["campaign"],
                now=words["now"],
                platform=words["platform"],
            )
            result = ExecutionResult(
                {"id": str(self.campaign.pk), "status": seen},
                {"id": str(self.campaign.pk), "status": live.status},
                detail,
                self._outcome(None, live, written=None),
            )
            return ReadBack(Verdict.APPLIED, detail, result)
        if live.status == seen:
            unchanged = gettext_noop(
                "%(platform)s still shows %(campaign)s %(now)s, as the approver saw it: the change was not applied, "
                "and it is safe to run it again"
            )
            return ReadBack(Verdict.NOT_APPLIED, Sentence(unchanged, **words))
        drifted = gettext_noop(
            "%(platform)s shows %(campaign)s %(now)s, neither %(seen)s as the approver saw it nor %(target)s as "
            "approved; ask for a fresh approval"
        )
        return ReadBack(Verdict.DRIFTED, Sentence(drifted, **words))


def sentence(reason: str) -> str:
    """A reason written to follow "because" (the proposal's refusal), as a sentence of its own."""
    return reason[:1].upper() + reason[1:]
