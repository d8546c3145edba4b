"""The daily reconciliation: the sum of Walker's synced campaign rows against the account's own daily total, stored
per (connection, day) with both figures and the difference, flagged in plain words, cleared by a later match."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from celery.exceptions import Retry
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from adplatforms import errors, reconcile, sync, tasks, tolerance, words
from adplatforms.models import AccountReconciliation, AdConnection
from adplatforms.platform import Account, AccountDay
from core import layer
from tests.adplatforms.memory_platform import MemoryPlatform
from tests.concurrency import at_once
from tests.factories import TenantFactory, UserFactory

pytestmark = pytest.mark.django_db


def yesterday() -> date:
    return timezone.now().date() - timedelta(days=1)


def total_up(account: MemoryPlatform) -> None:
    """The account's own daily totals: the sum of its campaign days, as a platform adds them up."""
    summed = defaultdict(lambda: [0, 0, Decimal(0), Decimal(0), Decimal(0)])
    for day in account.days:
        figures = summed[day.day]
        for index, value in enumerate((day.impressions, day.clicks, day.cost, day.conversions, day.conversion_value)):
            figures[index] += value
    account.totals = {day: AccountDay(day, *figures) for day, figures in summed.items()}


@pytest.fixture
def notices(monkeypatch):
    """The console notices sent (each reconciliation below is run with its on-commit callbacks)."""
    sent = []
    monkeypatch.setattr(layer, "group_send", lambda group, message: sent.append((group, message)))
    return sent


@pytest.fixture
def reconciled(django_capture_on_commit_callbacks):
    """Reconcile a connection, its commit's callbacks (the console notice) run."""

    def run(connection):
        with django_capture_on_commit_callbacks(execute=True):
            return reconcile.reconcile_connection(connection)

    return run


def synced(connection, account) -> None:
    total_up(account)
    assert sync.sync_connection(connection).status == "succeeded"
    connection.refresh_from_db()


def test_a_day_whose_campaigns_add_up_matches(connection, account, notices, reconciled):
    account.add_campaign("11", "Spring Sale", 700_000_000)
    account.add_campaign("12", "Brand", 300_000_000)
    account.add_day("11", yesterday(), cost="480.12", conv="2", value="1900.50", impressions=1000, clicks=50)
    account.add_day("12", yesterday(), cost="20.00", conv="1", value="40", impressions=10, clicks=1)
    synced(connection, account)

    outcome = reconciled(connection)

    assert outcome.failure is None and outcome.mismatched == []
    (day,) = outcome.days
    assert day.date == yesterday() and day.matches and day.currency == "USD" and day.campaign_rows == 2
    assert (day.walker_cost, day.platform_cost, day.cost_difference) == (500_120_000, 500_120_000, 0)
    assert (day.walker_conversion_value, day.walker_conversions) == (1_940_500_000, 3)
    assert (day.walker_impressions, day.walker_clicks, day.impressions_difference) == (1010, 51, 0)
    assert notices == []
    assert ("account_days", yesterday() - timedelta(days=13), yesterday()) in account.calls


def test_a_campaign_the_sync_did_not_see_is_a_mismatch_in_plain_words(connection, account, notices, reconciled):
    account.add_campaign("11", "Spring Sale", 700_000_000)
    account.add_day("11", yesterday(), cost="1234.00")
    account.add_day("99", yesterday(), cost="16.00")  # a campaign the listing did not name: the sync leaves it out
    synced(connection, account)

    (day,) = reconciled(connection).mismatched

    assert (day.walker_cost, day.platform_cost, day.cost_difference) == (1_234_000_000, 1_250_000_000, 16_000_000)
    assert (day.campaigns_missing, day.campaigns_changed, day.matches) == (1, 0, False)
    when = f"{yesterday().day} {yesterday():%b}"
    assert words.mismatch(day) == (
        f"Walker's campaigns add to $1,234.00 on {when}, Google Ads says $1,250.00: 1 campaign may be missing"
    )
    with translation.override("es"):
        assert "US$" in words.mismatch(day) and "puede faltar 1 campaña" in words.mismatch(day)
    (first, _everyone) = notices
    assert first[1]["kind"] == "ad_reconciliation" and first[1]["text"] == words.mismatch(day)
    assert first[1]["link"] == reverse("admin:adplatforms_adconnection_change", args=[connection.pk])


def test_a_late_conversion_is_flagged_then_cleared_by_the_next_sync(connection, account, notices, reconciled):
    account.add_campaign("11", "Spring Sale", 700_000_000)
    account.add_day("11", yesterday(), cost="50.00", conv="2", value="80")
    synced(connection, account)
    account.add_day("11", yesterday(), cost="50.00", conv="3", value="120")  # a conversion reported late
    total_up(account)

    (day,) = reconciled(connection).mismatched

    assert (day.conversions_difference, day.conversion_value_difference) == (1, 40_000_000)
    assert day.campaigns_changed == 1 and day.campaigns_missing == 0
    assert words.mismatch(day).startswith("Walker's campaigns add to $80.00 of conversion value on ")
    assert words.mismatch(day).endswith("Google Ads says $120.00: 1 campaign's figures changed since the last sync")
    assert len(notices) == 2 and AccountReconciliation.objects.get().told_at is not None

    synced(connection, account)  # the sync reads the day again
    (again,) = reconciled(connection).days

    assert again.pk == day.pk and again.matches and again.told_at is None
    assert reconciled(connection).mismatched == [] and len(notices) == 2


def test_a_rerun_changes_nothing_and_tells_nobody_again(connection, account, notices, reconciled):
    account.add_campaign("11", "Spring Sale", 700_000_000)
    for back in range(1, 4):
        account.add_day("11", yesterday() - timedelta(days=back - 1), cost="10.00")
    account.add_day("99", yesterday(), cost="5.00")
    synced(connection, account)
    figures = ["id", "date", "walker_cost", "platform_cost", "cost_difference", "matches", "told_at"]

    reconciled(connection)
    before = list(AccountReconciliation.objects.order_by("date").values(*figures))
    reconciled(connection)

    assert list(AccountReconciliation.objects.order_by("date").values(*figures)) == before
    assert len(before) == 3 and [row["matches"] for row in before] == [True, True, False]
    assert len(notices) == 2  # one notice (the tenant's console and the operators'), not one per run


def test_only_completed_days_the_sync_finished_are_reconciled(connection, account):
    account.add_campaign("11", "Spring Sale", 700_000_000)
    account.add_day("11", yesterday() + timedelta(days=1), cost="10.00")  # today: partial
    synced(connection, account)
    AdConnection.objects.filter(pk=connection.pk).update(synced_through=yesterday() - timedelta(days=2))
    connection.refresh_from_db()

    assert reconcile.days_to_check(connection, yesterday() + timedelta(days=1)) == (
        yesterday() - timedelta(days=13), yesterday() - timedelta(days=2)
    )  # fmt: skip
    assert reconcile.reconcile_connection(connection).days == []
    never = AdConnection(platform="google", synced_through=None)
    assert reconcile.days_to_check(never, yesterday()) is None


def test_a_jpy_account_is_compared_in_its_own_units(connection, account):
    account.account_info = Account("1234567890", "Acme Japan", "JPY", "Asia/Tokyo")
    account.add_campaign("31", "Tokyo search", 5_000_000_000)
    account.add_campaign("32", "Osaka search", 5_000_000_000)
    day = timezone.now().astimezone(sync.zone("Asia/Tokyo")).date() - timedelta(days=1)
    account.add_day("31", day, cost="5000", value="12000")
    account.add_day("32", day, cost="0", value="0", conv="0", impressions=0, clicks=0)
    account.add_day("33", day, cost="2000", value="0", conv="0")  # not seen by the sync
    synced(connection, account)

    (row,) = reconcile.reconcile_connection(connection).mismatched

    assert (row.currency, row.walker_cost, row.platform_cost) == ("JPY", 5_000_000_000, 7_000_000_000)
    assert words.mismatch(row).startswith("Walker's campaigns add to ¥5,000 on ")
    assert "Google Ads says ¥7,000: 1 campaign may be missing" in words.mismatch(row)


def test_a_meta_jpy_account_is_compared_in_metas_whole_yen(tenant, make_connection, accounts):
    connection = make_connection(tenant, platform="meta", account_id="act_77", access_token="t")
    account = accounts.setdefault("act_77", MemoryPlatform(platform="meta"))
    account.account_info = Account("act_77", "Acme Japan", "JPY", "UTC")
    account.add_campaign("501", "Tokyo", 5000)
    account.add_day("501", yesterday(), cost="4999", value="0", conv="0")
    synced(connection, account)

    (row,) = reconcile.reconcile_connection(connection).days

    assert (row.walker_cost, row.platform_cost, row.matches) == (4999, 4999, True)


def test_rounding_of_each_campaign_is_not_a_mismatch_but_a_cent_more_is():
    assert tolerance.allowance("cost", 1, "google", "USD") == 0
    assert tolerance.allowance("cost", 3, "google", "USD") == 20_000  # two cents in micros
    assert tolerance.allowance("cost", 3, "meta", "JPY") == 2  # two yen
    assert tolerance.allowance("conversions", 4, "google", "USD") == 2
    assert tolerance.allowance("clicks", 40, "google", "USD") == 0
    walker = {"cost": 3_000_000, "conversion_value": 0, "conversions": 0, "clicks": 3, "impressions": 9}
    assert tolerance.differing(walker, {**walker, "cost": 3_010_000}, 3, "google", "USD") == []
    assert tolerance.differing(walker, {**walker, "cost": 3_030_000}, 3, "google", "USD") == ["cost"]
    assert tolerance.differing(walker, {**walker, "clicks": 4}, 3, "google", "USD") == ["clicks"]


def test_a_platform_failure_is_handled_as_a_sync_handles_it(connection, account, notices, reconciled):
    account.add_campaign("11", "Spring Sale", 700_000_000)
    account.add_day("11", yesterday())
    synced(connection, account)
    account.fail_next("account_days", errors.RateLimited("Too many requests", retry_after=120, scope="account"))

    outcome = reconciled(connection)

    assert outcome.days == [] and isinstance(outcome.failure, errors.RateLimited)
    assert outcome.detail.startswith("Google Ads asked Walker to wait (quota)")
    connection.refresh_from_db()
    assert connection.state == "paused_quota" and not AccountReconciliation.objects.exists()
    with pytest.raises(sync.NotSyncable):
        reconciled(connection)  # paused: nothing is asked of the platform until then


def test_the_task_retries_an_outage_and_never_an_expired_authorisation(connection, account, monkeypatch):
    account.add_campaign("11", "Spring Sale", 700_000_000)
    account.add_day("11", yesterday())
    synced(connection, account)
    asked = []
    monkeypatch.setattr(tasks.reconcile_connection, "retry", lambda countdown: asked.append(countdown) or Retry())
    account.fail_next("campaign_days", errors.Unavailable("timeout"))

    with pytest.raises(Retry):
        tasks.reconcile_connection(str(connection.pk))
    assert asked == [60]

    account.fail_next("account_days", errors.AuthorizationExpired("Token has been expired or revoked."))
    assert tasks.reconcile_connection(str(connection.pk)) == "failed"
    connection.refresh_from_db()
    assert connection.state == "needs_reauth"
    assert tasks.reconcile_connection(str(connection.pk)) == "skipped"
    assert tasks.reconcile_connection("00000000-0000-0000-0000-000000000000") == "gone"


def test_the_beat_claims_each_synced_usable_connection_once_a_day(
    tenant, make_connection, accounts, monkeypatch, django_capture_on_commit_callbacks
):
    synced_one = make_connection(tenant, account_id="1111111111", synced_through=yesterday())
    make_connection(tenant, account_id="2222222222")  # never synced: nothing to reconcile
    make_connection(tenant, account_id="3333333333", synced_through=yesterday(), state="disabled")
    queued = []
    monkeypatch.setattr(tasks.reconcile_connection, "delay", queued.append)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reconcile_accounts() == 1
    assert queued == [str(synced_one.pk)]
    assert tasks.reconcile_accounts() == 0  # claimed for today
    synced_one.refresh_from_db()
    assert synced_one.reconciled_on == timezone.now().date()
    assert tasks.reconcile_accounts.name == "adplatforms.tasks.reconcile_accounts"


def test_a_tenant_is_reconciled_from_its_own_rows_and_sees_only_its_own(
    tenant, make_connection, accounts, console_as, tenant_admin
):
    other = TenantFactory(slug="other")
    theirs = make_connection(other, account_id="5555555555")
    their_account = accounts.setdefault("5555555555", MemoryPlatform())
    their_account.add_campaign("11", "Spring Sale", 700_000_000)
    their_account.add_day("11", yesterday(), cost="70.00")
    their_account.add_day("99", yesterday(), cost="1.00")
    synced(theirs, their_account)
    ours = make_connection(tenant)
    our_account = accounts.setdefault("1234567890", MemoryPlatform())
    our_account.add_campaign("11", "Spring Sale", 700_000_000)
    our_account.add_day("11", yesterday(), cost="10.00")
    synced(ours, our_account)

    (mine,) = reconcile.reconcile_connection(ours).days
    (other_day,) = reconcile.reconcile_connection(theirs).days

    assert (mine.tenant_id, mine.walker_cost, mine.matches) == (tenant.pk, 10_000_000, True)
    assert (other_day.tenant_id, other_day.walker_cost, other_day.matches) == (other.pk, 70_000_000, False)
    page = console_as(tenant_admin).get(reverse("admin:adplatforms_adconnection_changelist")).content.decode()
    assert "Adds up" in page and "does not add up" not in page
    mismatched = reverse("admin:adplatforms_adconnection_changelist") + "?reconciliation=mismatch"
    assert "123-456-7890" not in console_as(tenant_admin).get(mismatched).content.decode()
    their_admin = UserFactory(tenant=other, role="admin")
    page = console_as(their_admin).get(mismatched).content.decode()
    assert "555-555-5555" in page and "1 day does not add up" in page
    change = console_as(their_admin).get(reverse("admin:adplatforms_adconnection_change", args=[theirs.pk]))
    assert "Google Ads says $71.00: 1 campaign may be missing" in change.content.decode()
    elsewhere = console_as(tenant_admin).get(reverse("admin:adplatforms_adconnection_change", args=[theirs.pk]))
    assert "may be missing" not in elsewhere.content.decode()


def test_the_command_reconciles_after_each_sync(connection, account, notices):
    account.add_campaign("11", "Spring Sale", 700_000_000)
    account.add_day("11", yesterday(), cost="1234.00")
    account.add_day("99", yesterday(), cost="16.00")
    total_up(account)
    out = StringIO()
    call_command("sync_ad_platforms", "--reconcile", stdout=out, stderr=StringIO(), verbosity=0)

    said = out.getvalue()
    assert "days reconciled: 1, not adding up: 1" in said
    assert "Google Ads says $1,250.00: 1 campaign may be missing" in said


@pytest.mark.postgres("two reconciliations at once, each on its own connection")
def test_two_reconciliations_at_once_store_one_row_a_day_and_tell_once(postgres_only, connection, account, notices):
    account.add_campaign("11", "Spring Sale", 700_000_000)
    account.add_day("11", yesterday(), cost="10.00")
    account.add_day("11", yesterday() - timedelta(days=1), cost="10.00")
    account.add_day("99", yesterday(), cost="5.00")
    synced(connection, account)

    first, second = at_once(
        lambda: reconcile.reconcile_connection(AdConnection.objects.get(pk=connection.pk)),
        lambda: reconcile.reconcile_connection(AdConnection.objects.get(pk=connection.pk)),
    )

    assert first.failure is None and second.failure is None
    assert AccountReconciliation.objects.count() == 2
    assert AccountReconciliation.objects.filter(matches=False).count() == 1
    assert len(notices) == 2  # told once: the tenant's console and the operators'
