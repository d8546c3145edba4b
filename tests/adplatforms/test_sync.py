"""The sync reads an ad account into Walker: campaigns on their natural key, figures on (campaign, day), a window
that re-reads late conversions, names that never collide, and statements that grow by batches, not rows."""

import math
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from adplatforms import errors, sync
from adplatforms.models import AdConnection, PlatformCampaign, SyncRun
from adplatforms.platform import Account, BudgetLevel, CampaignStatus
from agents.models import Campaign, CampaignDailyStat
from tests.concurrency import at_once
from tests.factories import CampaignFactory, TenantFactory

pytestmark = pytest.mark.django_db


def today_utc() -> date:
    return timezone.now().date()


def test_a_sync_brings_campaigns_and_their_days(connection, account):
    account.account_info = Account("1234567890", "Acme Ads", "USD", "UTC")
    account.add_campaign("11", "Spring Sale", 700_000_000)
    yesterday = today_utc() - timedelta(days=1)
    account.add_day("11", yesterday, cost="480.125", conv="2.5", value="1900.505")

    run = sync.sync_connection(connection)

    assert run.status == SyncRun.Status.SUCCEEDED and run.error == ""
    assert (run.campaigns, run.campaign_days) == (1, 1)
    assert run.first_day == today_utc() - timedelta(days=14) and run.last_day == today_utc()
    campaign = Campaign.objects.get(tenant=connection.tenant, name="Spring Sale")
    assert (campaign.platform, campaign.status, campaign.daily_budget, campaign.currency) == (
        "google", "active", Decimal("700.00"), "USD"
    )  # fmt: skip
    assert campaign.synced_at is not None
    link = PlatformCampaign.objects.get(connection=connection, external_id="11")
    assert link.campaign == campaign and link.daily_budget_units == 700_000_000 and link.budget_id == "b11"
    stat = CampaignDailyStat.objects.get(campaign=campaign, date=yesterday)
    # Half to even: 2.5 conversions are 2, 480.125 is 480.12, 1900.505 is 1900.50.
    assert (stat.spend, stat.conversions, stat.revenue) == (Decimal("480.12"), 2, Decimal("1900.50"))
    assert (stat.impressions, stat.clicks, stat.tenant_id) == (1000, 50, connection.tenant_id)
    connection.refresh_from_db()
    assert (connection.name, connection.currency, connection.time_zone) == ("Acme Ads", "USD", "UTC")
    assert connection.synced_through == yesterday and connection.last_synced_at is not None


@pytest.mark.parametrize(("value", "whole"), [("2.5", 2), ("3.5", 4), ("0.49", 0), ("7", 7), ("1.51", 2)])
def test_conversions_are_rounded_half_to_even(value, whole):
    assert sync.conversions(Decimal(value)) == whole


def test_a_rerun_with_the_same_data_changes_no_figure(connection, account):
    account.add_campaign("11", "Spring Sale", 700_000_000)
    for back in range(1, 4):
        account.add_day("11", today_utc() - timedelta(days=back))
    sync.sync_connection(connection)
    before = list(CampaignDailyStat.objects.order_by("date").values())

    run = sync.sync_connection(connection)

    assert run.status == SyncRun.Status.SUCCEEDED
    assert list(CampaignDailyStat.objects.order_by("date").values()) == before  # same rows, ids and values
    assert Campaign.objects.count() == 1 and PlatformCampaign.objects.count() == 1


def test_late_conversions_overwrite_the_day(connection, account):
    account.add_campaign("11", "Spring Sale", 700_000_000)
    day = today_utc() - timedelta(days=3)
    account.add_day("11", day, conv="2")
    sync.sync_connection(connection)
    account.add_day("11", day, conv="5")

    sync.sync_connection(connection)

    assert CampaignDailyStat.objects.get(date=day).conversions == 5
    assert CampaignDailyStat.objects.count() == 1


def test_the_window_reads_back_the_lookback_or_from_the_cursor(connection):
    today = date(2026, 11, 24)
    assert sync.window(connection, today) == date(2026, 11, 10)  # Google: 14 days
    connection.platform = AdConnection.Platform.META
    assert sync.window(connection, today) == date(2026, 10, 27)  # Meta: 28 days
    connection.lookback_days = 3
    connection.synced_through = date(2026, 11, 23)
    assert sync.window(connection, today) == date(2026, 11, 21)
    connection.synced_through = date(2026, 11, 1)  # a connection that was paused: from the day after the cursor
    assert sync.window(connection, today) == date(2026, 11, 2)
    connection.synced_through = date(2025, 1, 1)  # never more than 90 days back
    assert sync.window(connection, today) == today - timedelta(days=90)
    assert sync.window(connection, today, since=date(2025, 6, 1)) == date(2025, 6, 1)


def test_a_since_after_today_fails_the_run_in_plain_words(connection, account):
    run = sync.sync_connection(connection, since=today_utc() + timedelta(days=5))

    assert run.status == SyncRun.Status.FAILED and "is after today" in run.error
    assert run.finished_at is not None


@time_machine.travel(datetime(2026, 11, 24, 23, 30, tzinfo=UTC), tick=False)
def test_the_cursor_advances_over_whole_days_of_the_accounts_zone(connection, account):
    # 23:30 UTC on the 24th is already the 25th in Tokyo: yesterday there is the 24th.
    account.account_info = Account("1234567890", "Acme Ads", "JPY", "Asia/Tokyo")
    account.add_campaign("11", "Tokyo", 5_000_000_000)
    account.add_day("11", date(2026, 11, 25), cost="100")  # today in Tokyo, partial: read, not counted complete

    run = sync.sync_connection(connection)

    connection.refresh_from_db()
    assert connection.synced_through == date(2026, 11, 24)
    assert run.last_day == date(2026, 11, 25)
    assert CampaignDailyStat.objects.get().date == date(2026, 11, 25)
    assert Campaign.objects.get().daily_budget == Decimal("5000")


def test_meta_budgets_are_read_in_its_units(tenant, make_connection, accounts):
    meta = make_connection(tenant, platform="meta", account_id="act_42", developer_token="", access_token="EAAB")
    sync.sync_connection(meta)  # makes the account
    accounts["act_42"].add_campaign("c1", "Reach", 70_000)
    accounts["act_42"].add_campaign("c2", "Ad sets", None, budget_level=BudgetLevel.AD_SET)

    sync.sync_connection(meta)

    assert Campaign.objects.get(name="Reach").daily_budget == Decimal("700.00")
    assert Campaign.objects.get(name="Ad sets").daily_budget == Decimal("0")  # its budget lives on its ad sets
    assert PlatformCampaign.objects.get(external_id="c2").budget_level == BudgetLevel.AD_SET


def test_a_campaign_kept_in_walker_on_the_same_platform_is_adopted(tenant, connection, account):
    kept = CampaignFactory(tenant=tenant, platform="google", name="Spring Sale", daily_budget=Decimal("10"))
    account.add_campaign("11", "Spring Sale", 700_000_000)

    sync.sync_connection(connection)

    assert Campaign.objects.filter(tenant=tenant).count() == 1
    kept.refresh_from_db()
    assert kept.platform_link.external_id == "11" and kept.daily_budget == Decimal("700.00")


def test_a_name_taken_on_another_platform_gets_the_account_in_it(tenant, connection, account):
    CampaignFactory(tenant=tenant, platform="meta", name="Spring Sale")
    account.add_campaign("11", "Spring Sale", 700_000_000)
    account.add_campaign("12", "Spring Sale (Google Ads 123-456-7890)", 1_000_000)

    sync.sync_connection(connection)

    names = set(Campaign.objects.filter(tenant=tenant).values_list("name", flat=True))
    assert names == {
        "Spring Sale",
        "Spring Sale (Google Ads 123-456-7890)",
        "Spring Sale (Google Ads 123-456-7890, 11)",
    }
    assert PlatformCampaign.objects.get(external_id="11").campaign.name == "Spring Sale (Google Ads 123-456-7890, 11)"


def test_a_campaign_renamed_on_the_platform_is_renamed_in_walker(connection, account):
    account.add_campaign("11", "Spring Sale", 700_000_000)
    sync.sync_connection(connection)
    account.add_campaign("11", "Summer Sale", 700_000_000)

    sync.sync_connection(connection)

    assert list(Campaign.objects.values_list("name", flat=True)) == ["Summer Sale"]


def test_removed_or_unlisted_campaigns_are_paused_and_keep_the_platforms_word(connection, account):
    account.add_campaign("11", "Removed", 1_000_000)
    account.add_campaign("12", "Vanished", 1_000_000)
    account.add_day("12", today_utc() - timedelta(days=1))
    sync.sync_connection(connection)
    account.add_campaign("11", "Removed", 1_000_000, status=CampaignStatus.REMOVED, effective_status="REMOVED")
    del account.remote["12"]

    sync.sync_connection(connection)

    assert set(Campaign.objects.values_list("status", flat=True)) == {"paused"}
    assert set(PlatformCampaign.objects.values_list("effective_status", flat=True)) == {"REMOVED"}
    assert CampaignDailyStat.objects.count() == 1  # figures stay


def test_an_expired_page_token_starts_the_listing_over_once(connection, account):
    account.add_campaign("11", "Spring Sale", 700_000_000)
    account.fail_next("campaigns", errors.ExpiredPageToken("EXPIRED_PAGE_TOKEN"))

    run = sync.sync_connection(connection)

    assert run.status == SyncRun.Status.SUCCEEDED and run.campaigns == 1
    assert [c[0] for c in account.calls].count("campaigns") == 2


def test_a_second_expired_page_token_fails_the_run(connection, account):
    for _ in range(2):
        account.fail_next("campaign_days", errors.ExpiredPageToken("The page token has expired"))

    run = sync.sync_connection(connection)

    assert run.status == SyncRun.Status.FAILED and "The page token has expired" in run.error


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (errors.PermissionDenied("USER_PERMISSION_DENIED"), "Google Ads refused permission: USER_PERMISSION_DENIED"),
        (errors.InvalidRequest("bad field"), "Google Ads refused the request as invalid: bad field"),
    ],
)
def test_a_refusal_fails_the_run_named_as_such_and_the_state_stays(connection, account, error, words):
    account.fail_next("campaigns", error)

    run = sync.sync_connection(connection)

    assert run.status == SyncRun.Status.FAILED and run.error == words and run.failure is error
    connection.refresh_from_db()
    assert connection.state == "active" and connection.synced_through is None


def test_figures_stay_with_their_tenant(tenant, make_connection, accounts):
    other = TenantFactory(slug="globex")
    mine = make_connection(tenant, account_id="1111111111")
    theirs = make_connection(other, account_id="2222222222")
    for conn in (mine, theirs):
        sync.sync_connection(conn)
        accounts[conn.account_id].add_campaign("11", "Same name", 1_000_000)
        accounts[conn.account_id].add_day("11", today_utc() - timedelta(days=1))
        sync.sync_connection(conn)

    assert Campaign.objects.filter(tenant=tenant).count() == 1 and Campaign.objects.filter(tenant=other).count() == 1
    assert CampaignDailyStat.objects.filter(tenant=other, campaign__tenant=other).count() == 1


def _statements(connection, account, campaigns: int, days: int) -> int:
    for number in range(campaigns):
        account.add_campaign(str(number), f"Campaign {number}", 1_000_000)
        for back in range(1, days + 1):
            account.add_day(str(number), today_utc() - timedelta(days=back))
    with CaptureQueriesContext(db) as queries:
        run = sync.sync_connection(connection)
    assert run.status == SyncRun.Status.SUCCEEDED and run.campaign_days == campaigns * days
    return len(queries)


def test_statements_grow_by_batches_not_rows(tenant, make_connection, accounts, settings):
    small = make_connection(tenant, account_id="1111111111")
    large = make_connection(tenant, account_id="2222222222")
    sync.sync_connection(small)
    sync.sync_connection(large)

    few = _statements(small, accounts["1111111111"], 10, 10)  # 100 campaign days
    many = _statements(large, accounts["2222222222"], 100, 10)  # 1,000

    # One more statement per extra batch of campaigns, links and figures (a batch is 500 rows, or fewer where
    # the database takes fewer parameters: SQLite), never one per row.
    extra = sum(
        _batches(model, large_rows) - _batches(model, small_rows)
        for model, small_rows, large_rows in (
            (Campaign, 10, 100),
            (PlatformCampaign, 10, 100),
            (CampaignDailyStat, 100, 1000),
        )
    )
    assert many <= few + extra < few + 30


def _batches(model, rows: int) -> int:
    fields = model._meta.concrete_fields
    size = min(sync.BATCH, db.ops.bulk_batch_size(fields, [None] * rows) or sync.BATCH)
    return math.ceil(rows / size)


def test_one_sync_of_a_connection_at_a_time(connection, account):
    lock = f"adplatforms:syncing:{connection.pk}"
    cache.add(lock, 1)
    with pytest.raises(sync.NotSyncable, match="already running"):
        sync.sync_connection(connection)
    assert account.calls == [] and not SyncRun.objects.exists()

    cache.delete(lock)
    assert sync.sync_connection(connection).status == SyncRun.Status.SUCCEEDED
    assert cache.get(lock) is None  # given back


@pytest.mark.postgres("two workers syncing one connection at once")
def test_two_workers_at_once_run_one_sync(postgres_only, connection, account):
    read = account.account

    def slow_account():
        time.sleep(0.5)
        return read()

    account.account = slow_account

    def one():
        try:
            return sync.sync_connection(AdConnection.objects.get(pk=connection.pk)).status
        except sync.NotSyncable:
            return "skipped"

    assert sorted(at_once(one, one)) == ["skipped", SyncRun.Status.SUCCEEDED]
