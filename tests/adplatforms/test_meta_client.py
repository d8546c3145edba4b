"""The Meta client over HTTP against Graph faked on 127.0.0.1: reads, money, insights at once and as report jobs,
usage headers, errors in plain words, writes that are checked rather than trusted, and a token that stays secret."""

import json
import logging
from datetime import date
from decimal import Decimal

import httpx
import pytest

from adplatforms import clients, errors, money
from adplatforms.meta.client import MetaAdsClient
from adplatforms.models import AdConnection
from adplatforms.platform import Account, AccountDay, BudgetLevel, CampaignStatus, Usage
from adplatforms.simulator.meta import TOKEN
from tests.factories import TenantFactory

DAY = date(2026, 11, 20)


def connection(account_id="act_123", currency="", token=TOKEN) -> AdConnection:
    return AdConnection(platform="meta", account_id=account_id, currency=currency, access_token=token)


@pytest.fixture
def account(meta_ads):
    meta_ads.add_account("act_123", currency="USD", timezone="America/New_York")
    return meta_ads


@pytest.fixture
def usages():
    return []


@pytest.fixture
def client(account, usages):
    return MetaAdsClient(connection(), on_usage=usages.append, report_timeout=5, poll_interval=0.01)


# --- the account and its campaigns ------------------------------------------------------------------------------


def test_the_account_is_read_with_its_currency_and_zone(client, meta_ads):
    assert client.account() == Account("act_123", "Acme Outdoor", "USD", "America/New_York")
    (request,) = meta_ads.requests
    assert request.target.startswith("/v26.0/act_123?")
    assert request.params == {"fields": "name,currency,timezone_name,account_status"}
    assert request.bearer


@pytest.mark.parametrize("typed", ["123", "act_123", " act_123 "])
def test_an_account_id_is_taken_with_or_without_act(account, typed):
    assert MetaAdsClient(connection(typed)).account().account_id == "act_123"


@pytest.mark.parametrize("typed", ["", "act_", "acct_123", "123abc", "act_12/../34", "../me"])
def test_an_account_id_that_is_not_one_is_refused_before_any_call(meta_ads, typed):
    with pytest.raises(errors.InvalidRequest, match="not a Meta ad account id"):
        MetaAdsClient(connection(typed))
    assert meta_ads.requests == []


@pytest.mark.parametrize(("status", "word"), [(2, "disabled"), (101, "closed")])
def test_a_disabled_or_closed_account_is_refused_in_plain_words(meta_ads, status, word):
    meta_ads.add_account("act_123", status=status)
    with pytest.raises(errors.PermissionDenied, match=f"Meta has {word} ad account act_123"):
        MetaAdsClient(connection()).account()


def test_a_connection_without_a_token_must_be_connected_again(account):
    with pytest.raises(errors.AuthorizationExpired, match="Connect the account again"):
        MetaAdsClient(connection(token=""))


def test_campaigns_are_read_page_after_page_by_cursor(client, meta_ads):
    for number in range(250):
        meta_ads.add_campaign(f"{1000 + number}", f"Campaign {number}", daily_budget=5000)

    campaigns = list(client.campaigns())

    assert [c.external_id for c in campaigns] == [f"{1000 + n}" for n in range(250)]
    pages = meta_ads.requests_to("act_123/campaigns")
    assert len(pages) == 3
    assert [p.params.get("after") for p in pages][0] is None
    assert all(p.params["limit"] == "100" for p in pages)
    assert pages[0].params["fields"] == "id,name,status,effective_status,daily_budget,lifetime_budget,budget_remaining"
    assert all("access_token" not in p.params for p in pages)  # `paging.next` (token inside) is never followed


def test_a_next_page_without_a_cursor_is_unavailable_rather_than_cut_short(client, meta_ads):
    for number in range(150):
        meta_ads.add_campaign(f"{1000 + number}", f"Campaign {number}", daily_budget=5000)
    meta_ads.paging_cursors = False
    with pytest.raises(errors.Unavailable, match="next page of act_123/campaigns without a cursor"):
        list(client.campaigns())


@pytest.mark.parametrize(
    ("meta", "walker"),
    [
        ("ACTIVE", CampaignStatus.ACTIVE),
        ("PAUSED", CampaignStatus.PAUSED),
        ("DELETED", CampaignStatus.REMOVED),
        ("ARCHIVED", CampaignStatus.REMOVED),
    ],
)
def test_campaign_statuses_in_walkers_words(client, meta_ads, meta, walker):
    meta_ads.add_campaign("2001", "Winter", status=meta, daily_budget=5000, effective_status=f"CAMPAIGN_{meta}")
    (campaign,) = client.campaigns()
    assert campaign.status == walker
    assert campaign.effective_status == f"CAMPAIGN_{meta}"


def test_a_campaign_budget_is_meta_units_of_the_account_currency(client, meta_ads):
    meta_ads.add_campaign("2001", "Winter", daily_budget=70000)
    (campaign,) = client.campaigns()
    assert (campaign.daily_budget_units, campaign.currency, campaign.budget_id) == (70000, "USD", "2001")
    assert campaign.budget_level == BudgetLevel.CAMPAIGN
    assert not campaign.budget_shared
    assert money.from_meta_units(campaign.daily_budget_units, campaign.currency) == Decimal("700.00")


def test_a_yen_budget_has_no_minor_unit(meta_ads):
    meta_ads.add_account("act_777", currency="JPY", timezone="Asia/Tokyo")
    meta_ads.add_campaign("3001", "Tokyo", account="act_777", daily_budget=5000)
    client = MetaAdsClient(connection("act_777"))

    (campaign,) = client.campaigns()

    assert (campaign.daily_budget_units, campaign.currency) == (5000, "JPY")
    assert money.from_meta_units(campaign.daily_budget_units, "JPY") == Decimal("5000")
    client.set_daily_budget(campaign, money.to_meta_units(Decimal("6000"), "JPY"))
    assert meta_ads.requests_to("3001", "POST")[-1].params == {"daily_budget": "6000"}
    assert client.campaign("3001").daily_budget_units == 6000


def test_the_currency_known_to_the_connection_saves_a_call(account, meta_ads):
    meta_ads.add_campaign("2001", "Winter", daily_budget=70000)
    (campaign,) = MetaAdsClient(connection(currency="usd")).campaigns()
    assert campaign.currency == "USD"
    assert [r.path for r in meta_ads.requests] == ["act_123/campaigns"]


def test_a_campaign_with_ad_set_budgets_is_never_given_a_campaign_budget(client, meta_ads):
    meta_ads.add_campaign("2002", "Per ad set")  # no daily_budget, no lifetime_budget: CBO off
    (campaign,) = client.campaigns()
    assert (campaign.budget_level, campaign.daily_budget_units) == (BudgetLevel.AD_SET, None)

    with pytest.raises(errors.InvalidRequest, match="lives on its ad sets"):
        client.set_daily_budget(campaign, 9000)
    assert meta_ads.requests_to("2002", "POST") == []


def test_a_lifetime_budget_is_not_a_daily_one(client, meta_ads):
    meta_ads.add_campaign("2003", "Launch", lifetime_budget=1_000_000)
    (campaign,) = client.campaigns()
    assert (campaign.budget_level, campaign.daily_budget_units) == (BudgetLevel.CAMPAIGN, None)

    with pytest.raises(errors.InvalidRequest, match="lifetime budget"):
        client.set_daily_budget(campaign, 9000)
    assert meta_ads.requests_to("2003", "POST") == []


def test_one_campaign_is_read_live(client, meta_ads):
    meta_ads.add_campaign("2001", "Winter", daily_budget=70000, status="PAUSED")
    campaign = client.campaign("2001")
    assert (campaign.name, campaign.status, campaign.daily_budget_units) == ("Winter", "paused", 70000)
    assert meta_ads.requests_to("2001")[-1].params["fields"].endswith(",account_id")


def test_a_campaign_of_another_account_is_not_found_in_this_one(client, meta_ads):
    meta_ads.add_account("act_999")
    meta_ads.add_campaign("9001", "Someone else's", account="act_999", daily_budget=100)
    with pytest.raises(errors.NotFound, match="not in Meta ad account act_123"):
        client.campaign("9001")


def test_a_campaign_that_does_not_exist_is_not_found(client):
    with pytest.raises(errors.NotFound, match=r"does not exist.*Meta error 100/33"):
        client.campaign("4242")


def test_a_campaign_id_that_is_not_one_never_reaches_a_url(client, meta_ads):
    with pytest.raises(errors.InvalidRequest, match="not a Meta object id"):
        client.campaign("act_123/campaigns")
    assert meta_ads.requests == []


# --- insights ---------------------------------------------------------------------------------------------------


def test_campaign_days_read_at_once_exactly(client, meta_ads):
    meta_ads.add_campaign("2001", "Winter", daily_budget=70000)
    meta_ads.add_day(
        "2001",
        DAY,
        impressions=12000,
        clicks=340,
        spend="123.45",
        actions={"omni_purchase": "3", "purchase": "3", "offsite_conversion.fb_pixel_purchase": "2", "link_click": "9"},
        action_values={"omni_purchase": "299.97", "purchase": "299.97", "offsite_conversion.fb_pixel_purchase": "200"},
    )

    (day,) = client.campaign_days(date(2026, 11, 19), date(2026, 11, 21))

    assert day.campaign_external_id == "2001"
    assert (day.day, day.impressions, day.clicks) == (DAY, 12000, 340)
    assert day.cost == Decimal("123.45") and isinstance(day.cost, Decimal)
    assert (day.conversions, day.conversion_value) == (Decimal("3"), Decimal("299.97"))  # one family, no double count
    (request,) = meta_ads.requests_to("act_123/insights")
    assert request.method == "GET"
    assert request.params["level"] == "campaign"
    assert request.params["time_increment"] == "1"
    assert json.loads(request.params["time_range"]) == {"since": "2026-11-19", "until": "2026-11-21"}
    assert request.params["fields"] == "campaign_id,impressions,clicks,spend,actions,action_values,date_start"


@pytest.mark.parametrize(
    ("actions", "values", "expected"),
    [
        (
            {"offsite_conversion.fb_pixel_purchase": "2"},
            {"offsite_conversion.fb_pixel_purchase": "80.5"},
            ("2", "80.5"),
        ),
        ({"purchase": "4", "offsite_conversion.fb_pixel_purchase": "4"}, {"purchase": "120"}, ("4", "120")),
        ({"link_click": "30", "lead": "2"}, {}, ("0", "0")),
        ({}, {}, ("0", "0")),
    ],
)
def test_purchases_are_counted_from_one_family(client, meta_ads, actions, values, expected):
    meta_ads.add_campaign("2001", "Winter", daily_budget=70000)
    meta_ads.add_day("2001", DAY, actions=actions, action_values=values)
    (day,) = client.campaign_days(DAY, DAY)
    assert (day.conversions, day.conversion_value) == tuple(Decimal(x) for x in expected)


def test_campaign_days_come_page_after_page(client, meta_ads):
    for number in range(20):
        meta_ads.add_campaign(f"{5000 + number}", f"C{number}", daily_budget=1000)
        for offset in range(30):
            meta_ads.add_day(f"{5000 + number}", date(2026, 10, 1 + offset))

    days = list(client.campaign_days(date(2026, 10, 1), date(2026, 10, 30)))

    assert len(days) == 600
    assert len({(d.campaign_external_id, d.day) for d in days}) == 600
    assert len(meta_ads.requests_to("act_123/insights")) == 2  # 500 rows a page


def test_account_days_are_the_accounts_totals(client, meta_ads):
    meta_ads.add_campaign("2001", "Winter", daily_budget=70000)
    meta_ads.add_campaign("2002", "Summer", daily_budget=70000)
    meta_ads.add_day("2001", DAY, impressions=100, clicks=10, spend="10.10", actions={"omni_purchase": "2"},
                     action_values={"omni_purchase": "40.50"})  # fmt: skip
    meta_ads.add_day("2002", DAY, impressions=50, clicks=5, spend="5.05", actions={"omni_purchase": "1"},
                     action_values={"omni_purchase": "9.50"})  # fmt: skip

    assert list(client.account_days(DAY, DAY)) == [
        AccountDay(DAY, 150, 15, Decimal("15.15"), Decimal("3"), Decimal("50.00"))
    ]
    (request,) = meta_ads.requests_to("act_123/insights")
    assert request.params["level"] == "account"


def test_too_much_data_for_a_direct_read_runs_a_report_job(client, meta_ads):
    meta_ads.add_campaign("2001", "Winter", daily_budget=70000)
    meta_ads.add_day("2001", DAY, spend="44.00", actions={"omni_purchase": "1"}, action_values={"omni_purchase": "60"})
    meta_ads.fail("too_much_data", method="GET", path="act_123/insights")
    meta_ads.report_polls = 3

    (day,) = client.campaign_days(DAY, DAY)

    assert (day.cost, day.conversions, day.conversion_value) == (Decimal("44.00"), 1, 60)
    (started,) = meta_ads.requests_to("act_123/insights", "POST")
    assert started.params["level"] == "campaign" and started.params["time_increment"] == "1"
    (run,) = meta_ads.reports
    assert len([r for r in meta_ads.requests if r.path == run]) == 3
    assert len(meta_ads.requests_to(f"{run}/insights")) == 1


def test_a_direct_read_that_times_out_runs_a_report_job(client, meta_ads, settings):
    settings.AD_PLATFORM_TIMEOUT = 0.3
    meta_ads.add_campaign("2001", "Winter", daily_budget=70000)
    meta_ads.add_day("2001", DAY)
    meta_ads.fail("timeout", method="GET", path="act_123/insights")

    assert len(list(client.campaign_days(DAY, DAY))) == 1
    assert len(meta_ads.requests_to("act_123/insights", "POST")) == 1


@pytest.mark.parametrize(
    ("outcome", "words"),
    [
        ("Job Failed", "failed: Generating the report failed. Try again later."),
        ("Job Skipped", "skipped report job"),
    ],
)
def test_a_report_job_that_fails_or_is_skipped_says_so(client, meta_ads, outcome, words):
    meta_ads.add_campaign("2001", "Winter", daily_budget=70000)
    meta_ads.fail("too_much_data", path="act_123/insights")
    meta_ads.report_outcome = outcome

    with pytest.raises(errors.Unavailable, match=words) as raised:
        list(client.campaign_days(DAY, DAY))
    assert raised.value.retryable


def test_a_report_job_still_running_at_the_deadline_is_given_up_until_next_time(account, meta_ads):
    meta_ads.fail("too_much_data", path="act_123/insights")
    meta_ads.report_polls = 10_000
    client = MetaAdsClient(connection(), report_timeout=0.2, poll_interval=0.01)

    with pytest.raises(errors.Unavailable, match=r"still running after 0.2 s \(\d+% done\)"):
        list(client.account_days(DAY, DAY))
    polls = len(meta_ads.requests) - 2  # the direct read and the job's start
    assert 2 <= polls < 40  # polls are spaced out, doubling


# --- usage headers ----------------------------------------------------------------------------------------------


def test_every_usage_header_is_reported_on_success(client, usages):
    client.account()
    assert usages == [Usage("account", 12, None), Usage("account", 10, None), Usage("app", 7, None)]


def test_usage_is_reported_on_errors_too_and_names_the_delay(client, meta_ads, usages):
    meta_ads.fail("rate_limit", path="campaigns", regain_minutes=5)

    with pytest.raises(errors.RateLimited) as raised:
        list(client.campaigns())

    assert raised.value.retry_after == 300
    assert raised.value.scope == "account"
    assert raised.value.code == "80004/2446079"
    assert "too many calls to this ad-account" in raised.value.detail
    assert Usage("account", 100, 300) in usages


def test_the_accounts_reset_time_is_the_delay_when_no_regain_time_is_named(client, meta_ads, usages):
    meta_ads.business_usage = None
    meta_ads.reset_seconds = 120
    meta_ads.account_usage = Decimal("100")
    meta_ads.fail("rate_limit", regain_minutes=0)
    meta_ads.raw_headers = {"x-business-use-case-usage": "{}"}

    with pytest.raises(errors.RateLimited) as raised:
        client.account()
    assert raised.value.retry_after == 120
    assert Usage("account", 100, 120) in usages


def test_the_apps_quota_is_the_apps(client, meta_ads, usages):
    meta_ads.fail("app_limit")
    with pytest.raises(errors.RateLimited) as raised:
        client.account()
    assert (raised.value.scope, raised.value.retry_after) == ("app", None)
    assert Usage("app", 100, None) in usages


def test_a_malformed_usage_header_is_ignored(client, meta_ads, usages, caplog):
    meta_ads.raw_headers = {
        "x-app-usage": "not json",
        "x-ad-account-usage": json.dumps({"acc_id_util_pct": "lots"}),
    }
    with caplog.at_level(logging.DEBUG, logger="adplatforms.meta.usage"):
        assert client.account().currency == "USD"
    assert usages == [Usage("account", 12, None)]
    assert len([r for r in caplog.records if r.name == "adplatforms.meta.usage"]) == 2


# --- errors -----------------------------------------------------------------------------------------------------


def test_an_expired_token_must_be_authorised_again(client, meta_ads):
    meta_ads.fail("token")
    with pytest.raises(errors.AuthorizationExpired) as raised:
        client.account()
    assert raised.value.detail == (
        "Meta refused the access token: it expired or was revoked. Connect the account again. (Meta error 190/463)"
    )
    assert not raised.value.retryable


def test_an_invalid_parameter_is_refused_in_metas_words(client, meta_ads):
    meta_ads.add_campaign("2001", "Winter", daily_budget=70000)
    campaign = client.campaign("2001")
    with pytest.raises(errors.InvalidRequest) as raised:
        client.set_daily_budget(campaign, 50)
    assert raised.value.detail == (
        "The minimum daily budget for this campaign is 1.00 in the account's currency. (Meta error 100/1885272)"
    )
    assert client.campaign("2001").daily_budget_units == 70000


def test_a_missing_permission_is_denied(client, meta_ads):
    meta_ads.fail("permission")
    with pytest.raises(errors.PermissionDenied, match="Permissions error"):
        client.account()


def test_a_server_error_is_unavailable(client, meta_ads):
    meta_ads.fail("server_error")
    with pytest.raises(errors.Unavailable, match="Service temporarily unavailable") as raised:
        client.account()
    assert raised.value.retryable


def test_no_answer_in_time_is_unavailable(client, meta_ads, settings):
    settings.AD_PLATFORM_TIMEOUT = 0.3
    meta_ads.add_campaign("2001", "Winter", daily_budget=70000)
    meta_ads.fail("timeout", method="POST")
    with pytest.raises(errors.Unavailable, match="did not answer within 0.3 s"):
        client.set_status(client.campaign("2001"), CampaignStatus.PAUSED)


def test_an_answer_that_is_not_json_is_unavailable(client, meta_ads):
    meta_ads.fail("not_json")
    with pytest.raises(errors.Unavailable, match="something other than a JSON object"):
        client.account()


def test_a_campaign_in_a_shape_walker_does_not_know_is_unavailable_not_guessed(client, meta_ads):
    meta_ads.add_campaign("2001", "Winter", daily_budget=70000, status="SOMETHING_NEW")
    with pytest.raises(errors.Unavailable, match="Meta answered a campaign in a shape Walker does not read"):
        list(client.campaigns())


def test_a_report_job_without_an_id_is_unavailable(client, meta_ads):
    meta_ads.fail("too_much_data", path="act_123/insights")
    meta_ads.fail("no_report_id", method="POST", path="act_123/insights")
    with pytest.raises(errors.Unavailable, match="did not say which report job"):
        list(client.campaign_days(DAY, DAY))


def test_an_unreachable_graph_is_unavailable(account, settings):
    settings.META_GRAPH_API_URL = "http://127.0.0.1:9"  # discard: nothing listens
    with pytest.raises(errors.Unavailable, match="could not reach Meta"):
        MetaAdsClient(connection()).account()


# --- writes -----------------------------------------------------------------------------------------------------


def test_a_budget_is_set_absolutely(client, meta_ads):
    meta_ads.add_campaign("2001", "Winter", daily_budget=70000)
    client.set_daily_budget(client.campaign("2001"), 85000)
    (write,) = meta_ads.requests_to("2001", "POST")
    assert write.params == {"daily_budget": "85000"}
    assert write.target == "/v26.0/2001"  # the form is the body, nothing in the URL
    assert client.campaign("2001").daily_budget_units == 85000


@pytest.mark.parametrize("units", [0, -5, 12.5, True, "9000"])
def test_a_budget_that_is_not_whole_units_is_refused_locally(client, meta_ads, units):
    meta_ads.add_campaign("2001", "Winter", daily_budget=70000)
    with pytest.raises(errors.InvalidRequest, match="whole number of Meta units"):
        client.set_daily_budget(client.campaign("2001"), units)
    assert meta_ads.requests_to("2001", "POST") == []


def test_validate_only_asks_meta_to_check_and_changes_nothing(client, meta_ads):
    meta_ads.add_campaign("2001", "Winter", daily_budget=70000)
    campaign = client.campaign("2001")

    client.set_daily_budget(campaign, 85000, validate_only=True)
    client.set_status(campaign, CampaignStatus.PAUSED, validate_only=True)

    budget, status = meta_ads.requests_to("2001", "POST")
    assert json.loads(budget.params["execution_options"]) == ["validate_only"]
    assert json.loads(status.params["execution_options"]) == ["validate_only"]
    after = client.campaign("2001")
    assert (after.daily_budget_units, after.status) == (70000, CampaignStatus.ACTIVE)


def test_a_write_that_meta_confirms_but_does_not_apply_reads_back_unchanged(client, meta_ads):
    meta_ads.add_campaign("2001", "Winter", daily_budget=70000)
    meta_ads.apply_writes = False

    client.set_daily_budget(client.campaign("2001"), 85000)

    assert client.campaign("2001").daily_budget_units == 70000


def test_a_write_meta_does_not_confirm_is_unavailable_so_it_is_read_back(client, meta_ads):
    meta_ads.add_campaign("2001", "Winter", daily_budget=70000)
    meta_ads.fail("unconfirmed", method="POST")
    with pytest.raises(errors.Unavailable, match="did not confirm the change to campaign 2001; read it back"):
        client.set_status(client.campaign("2001"), CampaignStatus.PAUSED)


@pytest.mark.parametrize(("status", "meta"), [(CampaignStatus.PAUSED, "PAUSED"), (CampaignStatus.ACTIVE, "ACTIVE")])
def test_a_campaign_is_paused_and_resumed(client, meta_ads, status, meta):
    meta_ads.add_campaign("2001", "Winter", daily_budget=70000, status="ACTIVE" if meta == "PAUSED" else "PAUSED")
    client.set_status(client.campaign("2001"), status)
    assert meta_ads.requests_to("2001", "POST")[-1].params == {"status": meta}
    assert client.campaign("2001").status == status


def test_walker_never_removes_a_campaign(client, meta_ads):
    meta_ads.add_campaign("2001", "Winter", daily_budget=70000)
    with pytest.raises(errors.InvalidRequest, match="active or paused"):
        client.set_status(client.campaign("2001"), CampaignStatus.REMOVED)
    assert meta_ads.requests_to("2001", "POST") == []


# --- the token, the network, the registry -----------------------------------------------------------------------


def test_the_token_is_never_in_an_error_a_log_record_or_a_url(client, meta_ads, caplog, settings):
    settings.AD_PLATFORM_TIMEOUT = 0.3
    meta_ads.add_campaign("2001", "Winter", daily_budget=70000)
    for number in range(150):
        meta_ads.add_campaign(f"{3000 + number}", f"C{number}", daily_budget=1000)
    raised = []
    with caplog.at_level(logging.DEBUG):
        list(client.campaigns())  # paged: Meta's `next` links carry the token
        for kind in ("token", "rate_limit", "server_error", "timeout", "permission", "app_limit"):
            meta_ads.fail(kind)
            with pytest.raises(errors.PlatformError) as error:
                client.campaign("2001")
            raised.append(error.value)
        meta_ads.fail("too_much_data")
        list(client.campaign_days(DAY, DAY))
        client.set_daily_budget(client.campaign("2001"), 90000, validate_only=True)

    assert len(raised) == 6
    for error in raised:
        assert TOKEN not in f"{error} {error.detail} {error!r} {error.__cause__!r}"
    assert caplog.records
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
    assert all(TOKEN not in request.target and TOKEN not in str(request.params) for request in meta_ads.requests)
    assert all(request.bearer for request in meta_ads.requests)


def test_only_the_loopback_graph_is_contacted(account, meta_ads):
    meta_ads.add_campaign("2001", "Winter", daily_budget=70000)
    meta_ads.add_day("2001", DAY)
    meta_ads.fail("too_much_data", path="act_123/insights")
    hosts = []
    http = httpx.Client(event_hooks={"request": [lambda request: hosts.append(request.url.host)]})
    client = MetaAdsClient(connection(), http=http, poll_interval=0.01)

    client.account()
    list(client.campaigns())
    list(client.campaign_days(DAY, DAY))
    client.set_status(client.campaign("2001"), CampaignStatus.PAUSED)

    assert len(hosts) >= 7
    assert set(hosts) == {"127.0.0.1"}


@pytest.mark.django_db
def test_a_saved_meta_connection_gets_this_client_with_its_token(account):
    saved = AdConnection.objects.create(
        tenant=TenantFactory(), platform="meta", account_id="act_123", access_token=TOKEN
    )
    client = clients.client_for(AdConnection.objects.get(pk=saved.pk))
    assert isinstance(client.inner, MetaAdsClient)  # behind the shared limiter (adplatforms.limiter)
    assert client.account().name == "Acme Outdoor"
