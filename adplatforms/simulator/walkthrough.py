"""`simulate_ad_platform`'s walk through an ad platform, end to end, against a fake of it on 127.0.0.1: the tenant's
connection, a sync, the Paid Ads agent's answer from the synced figures, a budget change proposed, approved by the
tenant's approver and applied on the (fake) platform and read back; then another campaign's budget changed by someone
else on the platform, which the next sync finds as a change made outside Walker (Walker's own change is not one);
the first change let go ahead again under a standing approval; a performance rule that fires for a campaign,
filing its proposal in the rule's name, which the approver declines; and, on Google, a recommendation of Google's
read as each sync reads them, filed as a proposal, approved and applied on the fake Google.

Everything runs in this process: the fake serves from a thread, this process's settings point at it, and Celery
runs the tasks in place (`task_always_eager`), so the answer and the execution reach the fake and a running `make
run` worker never sees them. At the end the connection is disconnected (no beat of a later `make run` syncs it
against the real platform) and the tenant's campaigns are unlinked from it, so an approved change in `make run` goes
to Walker's own executors again, as before the walk-through; the synced figures and the change's record stay.
"""

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import time
from decimal import Decimal

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.test.utils import override_settings
from django.utils.translation import gettext as _

from adplatforms import connections, money, states, sync
from adplatforms.executor import amount_of, units_of
from adplatforms.models import AdConnection, OutsideChange, PlatformCampaign, PlatformChange, SyncRun
from adplatforms.outside.waiting import change_by
from adplatforms.refusals import PLATFORM_NAMES
from adplatforms.rules import describe, running
from adplatforms.rules.evaluation import evaluate, last_complete_day
from adplatforms.rules.filing import run_rule
from adplatforms.rules.models import Comparison, Metric, PerformanceRule, RuleAction, Schedule, Scope
from adplatforms.simulator import recommendation, seeding
from adplatforms.simulator.google import FakeGoogleAds
from adplatforms.simulator.meta import TOKEN, FakeMetaGraph
from agents import action_specs
from agents.models import Campaign
from conversations.models import Channel, Message
from conversations.normalized import InboundMessage
from conversations.pipeline import accept
from core.errors import WalkerError
from core.money import money_exact
from hitl.models import ApprovalStatus, HITLApproval
from hitl.presentation import requester_name
from hitl.services import standing
from hitl.services.decisions import approve, reject
from tenants.models import User
from tenants.roles import Role

RAISE = Decimal("1.10")  # the change proposed: 10% more, within the default guardrails (50% an action)
STANDING = standing.Bounds(hours=1, max_uses=1, max_change_percent=Decimal("20"))  # step 9: the change undone
ELSEWHERE = Decimal("1.25")  # the change someone makes on the platform itself
RULE_NAME = "Simulated CPA watch"  # step 10: made again on each run, left disabled
RULE_THRESHOLD = Decimal("0.9")  # of the campaign's CPA now, so the rule fires
RULE_CUT = Decimal("-10")  # percent of the daily budget the rule proposes


class SimulationError(WalkerError):
    """The walk-through cannot go on; `detail` says why, in words for the person running it."""

    def __init__(self, detail: str):
        super().__init__("simulation_failed", detail)


def simulate(tenant, platform: str, say: Callable[[str], None]) -> None:
    """Run every step for `tenant` on `platform` ("google" or "meta"), telling `say` what each did."""
    campaigns = seeding.campaigns_of(tenant, platform)
    label = PLATFORM_NAMES[platform]
    if not campaigns:
        raise SimulationError(
            _("%(tenant)s has no %(platform)s campaigns to put on the simulated account (run seed_demo first).")
            % {"tenant": tenant.name, "platform": label}
        )
    asker, approver = _person(tenant, Role.ADMIN), _person(tenant, Role.APPROVER)
    with _fake_platform(platform) as fake, _tasks_in_this_process():
        account = (seeding.seed_google if platform == "google" else seeding.seed_meta)(fake, tenant, campaigns)
        say(_("1. A simulated %(platform)s account %(account)s on %(url)s, with %(count)d campaigns of %(tenant)s.")
            % {"platform": label, "account": account, "url": fake.url, "count": len(campaigns),
               "tenant": tenant.name})  # fmt: skip
        connection, created = _connect(tenant, platform, account, fake, asker)
        try:
            say((_("2. Connection created: %(connection)s.") if created else _("2. Connection reused: %(connection)s."))
                % {"connection": connection})  # fmt: skip
            _sync(connection, say)
            target = _campaign_to_change(connection)
            answer = _ask(tenant, asker, f"How is {target.name} doing?").text
            say(_("4. %(person)s asks the Paid Ads agent how %(campaign)s is doing. It answers:\n%(answer)s")
                % {"person": asker.get_full_name(), "campaign": target.name, "answer": answer})  # fmt: skip
            approved = _propose(tenant, asker, target, say)
            _approve(approved, approver, say)
            read_back = _read_back(fake, connection, target)
            walker = Campaign.objects.get(pk=target.pk).daily_budget
            say(_("7. %(platform)s now holds %(amount)s a day for %(campaign)s; Walker's copy says %(walker)s.")
                % {"platform": label, "amount": money_exact(read_back, target.currency), "campaign": target.name,
                   "walker": money_exact(walker, target.currency)})  # fmt: skip
            _change_elsewhere(fake, connection, target, say)
            _again_under_standing(tenant, asker, approver, approved, target, fake, connection, say)
            _rule_fires(tenant, asker, approver, target, connection, say)
            recommendation.recommend_and_apply(fake, connection, approver, say, SimulationError)
        finally:
            connections.disconnect(connection)
            PlatformCampaign.objects.filter(connection=connection).delete()
    say(_("The connection is left disconnected and its campaigns unlinked, so no scheduled sync reaches the real "
          "%(platform)s and approved changes go to Walker's own executors again; the figures stay.")
        % {"platform": label})  # fmt: skip


def _person(tenant, role: str) -> User:
    person = User.objects.filter(tenant=tenant, role=role, is_active=True).order_by("email").first()
    if person is None:
        raise SimulationError(_("%(tenant)s has no active %(role)s.") % {"tenant": tenant.name, "role": role})
    return person


@contextmanager
def _fake_platform(platform: str) -> Iterator[FakeGoogleAds | FakeMetaGraph]:
    """The fake on 127.0.0.1, with this process's settings pointed at it while it runs."""
    if platform == "google":
        fake = FakeGoogleAds(version=settings.GOOGLE_ADS_API_VERSION).start()
        pointed = override_settings(GOOGLE_ADS_API_URL=fake.url, GOOGLE_OAUTH_TOKEN_URL=fake.token_url)
    else:
        fake = FakeMetaGraph(version=settings.META_GRAPH_API_VERSION).start()
        pointed = override_settings(META_GRAPH_API_URL=fake.url)
    try:
        with pointed:
            yield fake
    finally:
        fake.stop()


@contextmanager
def _tasks_in_this_process() -> Iterator[None]:
    """Celery runs the tasks queued meanwhile here, at once (the answer, the execution, the notices)."""
    conf = current_app.conf
    before = conf.task_always_eager, conf.task_eager_propagates
    conf.update(task_always_eager=True, task_eager_propagates=True)
    try:
        yield
    finally:
        conf.update(task_always_eager=before[0], task_eager_propagates=before[1])


def _connect(tenant, platform: str, account: str, fake, person) -> tuple[AdConnection, bool]:
    """The tenant's connection to the simulated account with the fake's credentials, active; not due for a
    scheduled sync (this walk-through syncs it itself)."""
    if platform == "google":
        secrets = {
            "developer_token": fake.developer_token,
            "client_id": fake.client_id,
            "client_secret": fake.client_secret,
            "refresh_token": fake.refresh_token,
        }
    else:
        secrets = {"access_token": TOKEN}
    with transaction.atomic():
        connection, created = AdConnection.objects.select_for_update().get_or_create(
            tenant=tenant, platform=platform, account_id=account, defaults={"created_by": person}
        )
        for name, value in secrets.items():
            setattr(connection, name, value)
        connection.next_sync_at = None
        connection.save()
        states.reauthorised(connection)
    return connection, created


def _sync(connection: AdConnection, say) -> None:
    steps = {
        "account": _("account read"),
        "campaigns": _("campaigns saved"),
        "days": _("daily figures saved"),
        "changes": _("change history read"),
        "recommendations": _("recommendations read"),
    }
    say(_("3. Syncing…"))
    run = sync.sync_connection(connection, progress=lambda step: say(f"   … {steps[step]}"))
    if run.status != SyncRun.Status.SUCCEEDED:
        raise SimulationError(_("The sync failed: %(error)s") % {"error": run.error})
    say(_("   %(campaigns)d campaigns and %(days)d campaign days synced (%(first)s to %(last)s).")
        % {"campaigns": run.campaigns, "days": run.campaign_days, "first": run.first_day,
           "last": run.last_day})  # fmt: skip


def _campaign_to_change(connection: AdConnection) -> Campaign:
    """The first active synced campaign on a budget of its own."""
    link = (
        PlatformCampaign.objects.filter(
            connection=connection, campaign__status=Campaign.Status.ACTIVE, budget_shared=False
        )
        .exclude(daily_budget_units=None)
        .select_related("campaign")
        .order_by("campaign__name")
        .first()
    )
    if link is None:
        raise SimulationError(_("No active campaign on a budget of its own was synced: nothing to change."))
    return link.campaign


def _ask(tenant, person: User, text: str) -> Message:
    """`text` from `person` through the pipeline (the API channel, to the Paid Ads agent); the agent's reply."""
    accepted = accept(
        InboundMessage(
            channel=Channel.API,
            text=text,
            client_msg_id=str(uuid.uuid4()),
            user_id=person.pk,
            tenant_id=tenant.pk,
            agent_type="paid_ads",
        ),
        user=person,
    )
    reply = accepted.message.replies.filter(direction=Message.Direction.OUTBOUND).order_by("created_at").first()
    if reply is None:
        raise SimulationError(_("The Paid Ads agent did not answer."))
    return reply


def _target_budget(campaign: Campaign) -> Decimal:
    """10% more than now; back to the budget before when the last change Walker made raised it to now (so
    running the walk-through again moves the budget back and forth instead of ever up)."""
    last = PlatformChange.objects.filter(campaign=campaign, field=PlatformChange.Field.DAILY_BUDGET).first()
    if last is not None and Decimal(last.after) == campaign.daily_budget and Decimal(last.before) < Decimal(last.after):
        return Decimal(last.before)
    return money.rounded(campaign.daily_budget * RAISE, campaign.currency)


def _propose(tenant, asker: User, campaign: Campaign, say) -> HITLApproval:
    target = _target_budget(campaign)
    amount = money_exact(target, campaign.currency)
    text = f"Set the {campaign.name} daily budget to {amount}"  # what the demo's people write: English
    reply = _ask(tenant, asker, text)
    actions = reply.metadata.get("actions", [])
    filed = next((a for a in actions if a.get("approval_id")), None)
    say(_("5. %(person)s: \"%(text)s\". The agent proposes:\n%(answer)s")
        % {"person": asker.get_full_name(), "text": text, "answer": reply.text})  # fmt: skip
    if filed is None:
        reasons = "; ".join(a.get("reason") or a.get("summary", "") for a in actions)
        raise SimulationError(_("No approval was filed for the change: %(reason)s") % {"reason": reasons or reply.text})
    return HITLApproval.objects.get(pk=filed["approval_id"])


def _approve(approval: HITLApproval, approver: User, say) -> None:
    """Approve as `approver` through hitl's decision service; the execution runs on commit, in this process."""
    approve(approval.pk, actor=approver)
    approval.refresh_from_db()
    say(_("6. %(approver)s approves %(reference)s (%(summary)s): %(status)s.")
        % {"approver": approver.get_full_name(), "reference": approval.reference, "summary": approval.summary,
           "status": approval.get_status_display()})  # fmt: skip
    outcome = (approval.execution_result or {}).get("outcome")
    if approval.status != ApprovalStatus.EXECUTED or not outcome:
        raise SimulationError(
            _("The change was not applied: %(detail)s") % {"detail": approval.execution_error or approval.status}
        )
    say(_("   %(detail)s; platform units %(before)s → %(after)s.")
        % {"detail": approval.execution_result["detail"], "before": outcome["before_units"],
           "after": outcome["after_units"]})  # fmt: skip


def _change_elsewhere(fake, connection: AdConnection, target: Campaign, say) -> None:
    """Someone else changes another campaign's daily budget on the platform (25% more, or back to where the last
    such change found it); the next sync finds it, and not the change Walker made."""
    link = (
        PlatformCampaign.objects.filter(connection=connection, budget_shared=False)
        .exclude(campaign=target)
        .exclude(daily_budget_units=None)
        .select_related("campaign")
        .order_by("campaign__name")
        .first()
    )
    if link is None:
        say(_("8. No other campaign on a budget of its own: no change is made outside Walker."))
        return
    other = link.campaign
    last = OutsideChange.objects.filter(campaign=other, kind=OutsideChange.Kind.DAILY_BUDGET).first()
    if last is not None and Decimal(last.after) == other.daily_budget and Decimal(last.before) < other.daily_budget:
        amount = Decimal(last.before)
    else:
        amount = money.rounded(other.daily_budget * ELSEWHERE, other.currency)
    units = units_of(connection.platform, amount, other.currency)
    if connection.platform == "google":
        customer = fake.customers[connection.account_id]
        fake.change_elsewhere(connection.account_id, budget_id=customer.campaigns[link.external_id].budget_id,
                              amount_micros=units)  # fmt: skip
    else:
        fake.change_elsewhere(link.external_id, daily_budget=units)
    run = sync.sync_connection(connection)
    if run.status != SyncRun.Status.SUCCEEDED:
        raise SimulationError(_("The sync failed: %(error)s") % {"error": run.error})
    found = OutsideChange.objects.filter(connection=connection, campaign=other).first()
    say(_("8. Meanwhile someone sets %(campaign)s's daily budget to %(amount)s on %(platform)s itself. Changes "
          "made outside Walker found by the next sync: %(count)d (the change Walker made is not among them). "
          "%(campaign)s %(before)s → %(after)s, by %(who)s.")
        % {"campaign": other.name, "amount": money_exact(amount, other.currency),
           "platform": PLATFORM_NAMES[connection.platform], "count": run.outside_changes,
           "before": money_exact(Decimal(found.before), found.currency),
           "after": money_exact(Decimal(found.after), found.currency), "who": change_by(found)})  # fmt: skip


def _again_under_standing(tenant, asker, approver, approved, target: Campaign, fake, connection, say) -> None:
    """The approver lets the same change go ahead again (within 20 % of the budget before it, for an hour, once);
    the asker's next change, back to that budget, is approved under it and applied without asking anyone. The
    grant is revoked after, so the walk-through leaves none in force."""
    grant = standing.give(approved.pk, actor=approver, bounds=STANDING)
    say(_("9. %(approver)s lets the same change go ahead again without asking: %(bounds)s.")
        % {"approver": approver.get_full_name(), "bounds": standing.describe(grant)})  # fmt: skip
    before, _after = action_specs.daily_budgets(approved.action_type, approved.action_data)
    text = f"Set the {target.name} daily budget to {money_exact(before, target.currency)}"
    reply = _ask(tenant, asker, text)
    filed = next((a for a in reply.metadata.get("actions", []) if a.get("approval_id")), None)
    standing.revoke(grant.pk, actor=approver)
    if filed is None:
        raise SimulationError(_("No approval was filed for the change: %(reason)s") % {"reason": reply.text})
    again = HITLApproval.objects.get(pk=filed["approval_id"])
    if again.approved_under_id != grant.pk:
        say(_("   %(person)s: \"%(text)s\": %(reference)s waits for a person (%(status)s).")
            % {"person": asker.get_full_name(), "text": text, "reference": again.reference,
               "status": again.get_status_display()})  # fmt: skip
        return
    say(_("   %(person)s: \"%(text)s\": %(reference)s %(status)s, asking no one. %(history)s. %(platform)s now holds "
          "%(amount)s a day.")
        % {"person": asker.get_full_name(), "text": text, "reference": again.reference,
           "history": standing.approved_under(grant), "status": again.get_status_display(),
           "platform": PLATFORM_NAMES[connection.platform],
           "amount": money_exact(_read_back(fake, connection, target), target.currency)})  # fmt: skip


def _rule_fires(tenant, admin: User, approver: User, target: Campaign, connection: AdConnection, say) -> None:
    """The admin writes a performance rule over the synced figures (CPA above 90 % of another campaign's CPA now,
    proposing a 10 % cut) and its run files the proposal in the rule's name; the approver declines it, so nothing
    changes on the platform. The rule of an earlier run is replaced, and this one is left disabled."""
    candidates = Campaign.objects.filter(
        platform_link__connection=connection, status=Campaign.Status.ACTIVE, platform_link__budget_shared=False
    ).exclude(pk=target.pk)
    PerformanceRule.objects.filter(tenant=tenant, name=RULE_NAME).delete()
    rule = PerformanceRule(
        tenant=tenant,
        name=RULE_NAME,
        metric=Metric.CPA,
        scope=Scope.CAMPAIGN,
        comparison=Comparison.ABOVE,
        threshold=Decimal("0"),
        action=RuleAction.CHANGE_BUDGET,
        action_value=RULE_CUT,
        schedule=Schedule.DAILY,
        run_at=time(9),
        created_by=admin,
    )
    hit = None
    for campaign in candidates.order_by("name"):
        rule.campaign, rule.currency = campaign, campaign.currency.upper()
        hit = next(iter(evaluate(rule, last_complete_day(tenant))), None)
        if hit is not None:
            break
    if hit is None:
        say(_("10. No other running campaign has conversions to judge a rule by: no rule is made."))
        return
    rule.threshold = money.rounded(hit.value * RULE_THRESHOLD, hit.campaign.currency)
    rule.full_clean()
    running.schedule(rule)
    rule.save()
    result = run_rule(rule.pk)
    PerformanceRule.objects.filter(pk=rule.pk).update(enabled=False, next_run_at=None)
    [firing] = result.firings
    if firing.approval_id is None:
        raise SimulationError(_("The rule filed no proposal: %(reason)s") % {"reason": firing.detail})
    proposal = reject(firing.approval_id, actor=approver, reason=_("Not this week; the sale starts Monday."))
    say(_("10. %(admin)s writes the rule “%(rule)s”: %(condition)s for %(campaign)s, proposing a %(cut)s%% cut of "
          "its daily budget. Its run files %(reference)s, asked by %(requester)s: %(summary)s")
        % {"admin": admin.get_full_name(), "rule": rule.name, "condition": describe.condition(rule),
           "campaign": hit.campaign.name, "cut": -RULE_CUT, "reference": proposal.reference,
           "requester": requester_name(proposal), "summary": proposal.summary})  # fmt: skip
    say(_("   %(approver)s declines it: %(status)s, nothing changes on %(platform)s. The rule is left disabled.")
        % {"approver": approver.get_full_name(), "status": proposal.get_status_display(),
           "platform": PLATFORM_NAMES[connection.platform]})  # fmt: skip


def _read_back(fake, connection: AdConnection, campaign: Campaign) -> Decimal:
    """The campaign's daily budget as the fake platform holds it now."""
    external = PlatformCampaign.objects.get(campaign=campaign).external_id
    if connection.platform == "google":
        customer = fake.customers[connection.account_id]
        units = customer.budgets[customer.campaigns[external].budget_id].amount_micros
    else:
        units = int(fake.campaigns[external]["daily_budget"])
    return amount_of(connection.platform, units, connection.currency)
