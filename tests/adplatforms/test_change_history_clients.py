"""The platforms' change history over HTTP against the fakes on 127.0.0.1: Google's `change_event` (a bounded
change_date_time window, a LIMIT, times in the account's zone) and Meta's ad account `activities`, read as
`RemoteChange`s with who made each change and through what."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from adplatforms import clients, errors
from adplatforms.google import queries
from adplatforms.google.client import _changes
from adplatforms.platform import CampaignStatus, RemoteCampaign
from tests.adplatforms.test_google_client import JAPAN, US, connection_for
from tests.adplatforms.test_meta_client import connection as meta_connection

pytestmark = pytest.mark.django_db


def window():
    now = datetime.now(UTC)
    return now - timedelta(days=1), now + timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _unlimited(settings):
    settings.AD_PLATFORM_CALLS_PER_MINUTE = 10_000
    cache.clear()


def test_google_reads_a_budget_changed_in_the_web_interface_in_yen(google_ads):
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    google_ads.change_elsewhere(JAPAN, budget_id="6001", amount_micros=6_500_000_000, at=at)
    client = clients.client_for(connection_for(google_ads, account_id=JAPAN))

    [change] = client.changes(*window())

    assert (change.field, change.budget_id, change.campaign_external_id) == ("daily_budget", "6001", "")
    assert (change.before_units, change.after_units) == (5_000_000_000, 6_500_000_000)
    assert change.at == at  # Google wrote it in Tokyo's wall clock
    assert (change.actor, change.tool, change.through_api) == ("dana@acme.test", "GOOGLE_ADS_WEB_CLIENT", False)
    assert change.key.startswith(f"customers/{JAPAN}/changeEvents/")
    [query] = [r.body["query"] for r in google_ads.ads_requests() if "change_event" in r.body.get("query", "")]
    assert "LIMIT 10000" in query and "change_event.change_date_time >=" in query


def test_google_reads_a_status_changed_by_auto_apply_and_its_own_api_write(google_ads):
    google_ads.change_elsewhere(
        US, campaign_id="120", status="ENABLED", user_email="", client_type="GOOGLE_ADS_RECOMMENDATIONS_SUBSCRIPTION"
    )
    client = clients.client_for(connection_for(google_ads, account_id=US))
    live = client.campaign("120")
    client.set_status(live, CampaignStatus.PAUSED)

    elsewhere, mine = client.changes(*window())

    assert (elsewhere.field, elsewhere.campaign_external_id) == ("status", "120")
    assert (elsewhere.before_status, elsewhere.after_status) == (CampaignStatus.PAUSED, CampaignStatus.ACTIVE)
    assert (elsewhere.tool, elsewhere.through_api) == ("GOOGLE_ADS_RECOMMENDATIONS_SUBSCRIPTION", False)
    assert (mine.after_status, mine.tool, mine.through_api) == (CampaignStatus.PAUSED, "GOOGLE_ADS_API", True)
    assert mine.actor == google_ads.api_user_email


def test_google_gives_a_change_read_twice_at_the_limit_once(google_ads, monkeypatch):
    monkeypatch.setattr(queries, "CHANGE_LIMIT", 2)
    at = datetime.now(UTC) - timedelta(hours=3)
    for step, micros in enumerate((41_000_000, 42_000_000, 43_000_000)):
        google_ads.change_elsewhere(US, budget_id="5002", amount_micros=micros, at=at + timedelta(minutes=step))
    client = clients.client_for(connection_for(google_ads, account_id=US))

    read = list(client.changes(*window()))

    assert [change.after_units for change in read] == [41_000_000, 42_000_000, 43_000_000]


@pytest.mark.parametrize(
    ("where", "code"),
    [
        ("WHERE change_event.change_date_time <= '2030-01-01' LIMIT 10", "CHANGE_DATE_RANGE_INFINITE"),
        ("WHERE change_event.change_date_time >= '2000-01-01' AND change_event.change_date_time <= '2030-01-01' "
         "LIMIT 10", "START_DATE_TOO_OLD"),
        (f"WHERE change_event.change_date_time >= '{datetime.now(UTC):%Y-%m-%d}' "
         f"AND change_event.change_date_time <= '2030-01-01'", "LIMIT_NOT_SPECIFIED"),
        (f"WHERE change_event.change_date_time >= '{datetime.now(UTC):%Y-%m-%d}' "
         f"AND change_event.change_date_time <= '2030-01-01' LIMIT 10001", "INVALID_LIMIT_CLAUSE"),
    ],
)  # fmt: skip
def test_the_fake_refuses_change_event_queries_google_refuses(google_ads, where, code):
    client = clients.client_for(connection_for(google_ads, account_id=US))

    with pytest.raises(errors.InvalidRequest) as refused:
        list(client.inner._search(f"SELECT change_event.resource_name FROM change_event {where}"))

    assert refused.value.code == code


@pytest.mark.parametrize(("currency", "units"), [("USD", (50_000, 65_000)), ("JPY", (5000, 6500))])
def test_meta_reads_a_budget_changed_in_ads_manager(meta_ads, currency, units):
    meta_ads.add_account("act_123", currency=currency)
    meta_ads.add_campaign("6101", "Summer Sale", daily_budget=units[0])
    meta_ads.change_elsewhere("6101", daily_budget=units[1])
    client = clients.client_for(meta_connection(currency=currency))

    [change] = client.changes(*window())

    assert (change.field, change.campaign_external_id, change.before_units, change.after_units) == (
        "daily_budget", "6101", *units
    )  # fmt: skip
    assert (change.actor, change.tool, change.through_api) == ("Dana Reyes", "Ads Manager", False)
    [asked] = meta_ads.requests_to("act_123/activities")
    assert {"since", "until", "fields"} <= asked.params.keys() and "extra_data" in asked.params["fields"]


def test_meta_tells_walkers_app_from_ads_manager(meta_ads):
    meta_ads.add_account("act_123")
    meta_ads.add_campaign("6101", "Summer Sale", daily_budget=50_000)
    client = clients.client_for(meta_connection(currency="USD"))
    client.set_status(RemoteCampaign("6101", "Summer Sale", "active", "ACTIVE", 50_000, "USD"), CampaignStatus.PAUSED)
    meta_ads.change_elsewhere("6101", status="ACTIVE")

    connection = meta_connection(currency="USD")
    connection.app_id = meta_ads.app_id
    mine, elsewhere = sorted(clients.client_for(connection).changes(*window()), key=lambda change: change.tool)[::-1]

    assert (mine.tool, mine.through_api, mine.after_status) == ("Walker", True, CampaignStatus.PAUSED)
    assert (elsewhere.tool, elsewhere.through_api, elsewhere.after_status) == (
        "Ads Manager", False, CampaignStatus.ACTIVE
    )  # fmt: skip


def test_meta_leaves_out_an_activity_whose_values_it_cannot_read_and_logs_it(meta_ads, caplog):
    meta_ads.add_account("act_123")
    meta_ads.add_campaign("6101", "Summer Sale", daily_budget=50_000)
    meta_ads.change_elsewhere("6101", daily_budget=65_000)
    meta_ads.change_elsewhere("6101", daily_budget=70_000)
    meta_ads.activities[0]["extra_data"] = "{not json"
    client = clients.client_for(meta_connection(currency="USD"))

    read = list(client.changes(*window()))

    assert [change.after_units for change in read] == [70_000]
    assert "left out, its values unread" in caplog.text


def test_a_google_change_time_walker_cannot_read_is_a_clear_error():
    event = {"changeResourceType": "CAMPAIGN", "resourceChangeOperation": "UPDATE", "changedFields": "status",
             "changeDateTime": "yesterday at noon"}  # fmt: skip
    with pytest.raises(errors.Unavailable, match="a change time Walker does not read: 'yesterday at noon'"):
        _changes(event, ZoneInfo("Asia/Tokyo"))


def test_google_changes_walker_does_not_follow_are_left_out():
    tokyo = ZoneInfo("Asia/Tokyo")
    base = {"changeDateTime": "2026-11-27 10:00:00", "resourceName": "customers/1/changeEvents/1~1~0"}
    assert _changes({**base, "changeResourceType": "AD_GROUP", "resourceChangeOperation": "UPDATE"}, tokyo) == []
    assert _changes({**base, "changeResourceType": "CAMPAIGN", "resourceChangeOperation": "CREATE",
                     "changedFields": "status"}, tokyo) == []  # fmt: skip
    assert _changes({**base, "changeResourceType": "CAMPAIGN", "resourceChangeOperation": "UPDATE",
                     "changedFields": "name"}, tokyo) == []  # fmt: skip


def test_meta_reads_an_ad_sets_change_as_its_campaigns_asking_for_each_ad_set_once(meta_ads):
    meta_ads.add_account("act_123", currency="JPY")
    meta_ads.add_campaign("6101", "Tokyo search")  # its budget lives on its ad sets
    meta_ads.add_ad_set("7201", "Tokyo adults", "6101", daily_budget=3000)
    meta_ads.change_elsewhere("7201", daily_budget=3500)
    meta_ads.change_elsewhere("7201", status="PAUSED")
    client = clients.client_for(meta_connection(currency="JPY"))

    status, budget = client.changes(*window())  # newest first, as Meta lists them

    assert (budget.campaign_external_id, budget.ad_set, budget.before_units, budget.after_units) == (
        "6101", "Tokyo adults (7201)", 3000, 3500
    )  # fmt: skip
    assert (status.field, status.after_status) == ("status", CampaignStatus.PAUSED)
    assert status.ad_set == "Tokyo adults (7201)"
    assert len(meta_ads.requests_to("7201", "GET")) == 1


def test_meta_leaves_out_the_changes_of_an_ad_set_it_no_longer_has(meta_ads, caplog):
    meta_ads.add_account("act_123")
    meta_ads.add_campaign("6101", "Summer Sale", daily_budget=50_000)
    meta_ads.add_ad_set("7201", "Adults", "6101", daily_budget=3000)
    meta_ads.change_elsewhere("7201", daily_budget=3500)
    meta_ads.change_elsewhere("6101", daily_budget=60_000)
    del meta_ads.ad_sets["7201"]  # deleted since
    client = clients.client_for(meta_connection(currency="USD"))

    [change] = client.changes(*window())

    assert (change.campaign_external_id, change.ad_set, change.after_units) == ("6101", "", 60_000)
    assert "ad set 7201 is gone" in caplog.text
