"""The Google Ads client over HTTP against the fake Google Ads API on 127.0.0.1 (adplatforms/simulator/google.py):
reads, writes, tokens, and every failure told as adplatforms.errors without a secret in it."""

import logging
import socket
import threading
import time
from datetime import date
from decimal import Decimal

import httpx
import pytest

from adplatforms import clients, errors
from adplatforms.google.client import GoogleAdsClient
from adplatforms.models import AdConnection
from adplatforms.platform import CampaignStatus
from adplatforms.simulator.google import error

US, JAPAN = "1234567890", "9876543210"


def connection_for(fake, account_id="123-456-7890", **kwargs) -> AdConnection:
    """An (unsaved) connection holding the fake's credentials."""
    fields = {
        "platform": "google",
        "account_id": account_id,
        "developer_token": fake.developer_token,
        "client_id": fake.client_id,
        "client_secret": fake.client_secret,
        "refresh_token": fake.refresh_token,
        **kwargs,
    }
    return AdConnection(**fields)


@pytest.fixture
def google(google_ads):
    return clients.client_for(connection_for(google_ads))


def searches(fake) -> list[str]:
    return [r.body["query"] for r in fake.ads_requests() if r.path.endswith(("googleAds:search", ":searchStream"))]


# --- reads ------------------------------------------------------------------------------------


def test_the_registry_gives_the_google_client_for_a_google_connection(google):
    assert isinstance(google.inner, GoogleAdsClient)  # behind the shared limiter (adplatforms.limiter)
    assert google.platform == "google"


def test_account_reads_name_currency_and_zone_with_the_customer_id_as_digits(google_ads, google):
    account = google.account()

    assert (account.account_id, account.name, account.currency, account.time_zone) == (
        US,
        "Acme US",
        "USD",
        "America/New_York",
    )
    request = google_ads.ads_requests()[0]
    assert request.path == f"/v26/customers/{US}/googleAds:search"
    assert request.body["query"].startswith("SELECT customer.id, customer.descriptive_name")
    assert "login-customer-id" not in request.headers


def test_a_manager_account_goes_in_the_login_customer_id_header_as_digits(google_ads):
    client = GoogleAdsClient(connection_for(google_ads, login_customer_id="111-222-3333"))

    client.account()

    assert google_ads.ads_requests()[0].headers["login-customer-id"] == "1112223333"


def test_a_malformed_customer_id_is_refused_before_any_call(google_ads):
    with pytest.raises(errors.InvalidRequest, match="not a Google Ads customer id"):
        GoogleAdsClient(connection_for(google_ads, account_id="12-34"))
    assert google_ads.requests == []


def test_campaigns_with_a_shared_budget_name_every_campaign_on_it(google):
    campaigns = {c.external_id: c for c in google.campaigns()}

    assert set(campaigns) == {"111", "112", "113", "120"}
    brand = campaigns["111"]
    assert brand.name == "Brand US"
    assert (brand.status, brand.effective_status) == (CampaignStatus.ACTIVE, "ELIGIBLE")
    assert (brand.budget_id, brand.daily_budget_units, brand.currency) == ("5001", 150_000_000, "USD")
    assert brand.budget_shared is True
    assert brand.campaigns_sharing_budget == ("111", "112", "113")
    assert campaigns["113"].campaigns_sharing_budget == ("111", "112", "113")
    sale = campaigns["120"]
    assert (sale.status, sale.effective_status) == (CampaignStatus.PAUSED, "PAUSED")
    assert (sale.budget_id, sale.daily_budget_units, sale.budget_shared) == ("5002", 40_000_000, False)
    assert sale.campaigns_sharing_budget == ()


def test_a_budget_several_campaigns_use_is_shared_though_not_explicitly(google_ads, google):
    google_ads.add_budget(US, "5003", 20_000_000)  # implicitly shared: reference_count 2
    google_ads.add_campaign(US, "130", "Retargeting A", "5003")
    google_ads.add_campaign(US, "131", "Retargeting B", "5003")
    google_ads.add_campaign(US, "132", "Retargeting old", "5003", status="REMOVED")

    campaigns = {c.external_id: c for c in google.campaigns()}

    assert campaigns["130"].budget_shared is True
    assert campaigns["130"].campaigns_sharing_budget == ("130", "131")  # a removed campaign spends nothing
    assert campaigns["132"].status == CampaignStatus.REMOVED


def test_campaigns_are_read_across_pages(google_ads, google):
    google_ads.page_size = 3

    assert sorted(c.external_id for c in google.campaigns()) == ["111", "112", "113", "120"]
    pages = [r.body for r in google_ads.ads_requests() if r.body["query"].endswith("ORDER BY campaign.id")]
    assert len(pages) == 2 and "pageToken" in pages[1]


def test_an_expired_page_token_asks_the_caller_to_start_over(google_ads, google):
    google_ads.page_size = 3
    google_ads.page_token_ttl = 0

    with pytest.raises(errors.ExpiredPageToken) as caught:
        list(google.campaigns())

    assert caught.value.code == "EXPIRED_PAGE_TOKEN"
    assert "Page token has expired" in caught.value.detail


def test_one_campaign_read_live_with_the_campaigns_sharing_its_budget(google_ads, google):
    brand = google.campaign("112")

    assert (brand.external_id, brand.daily_budget_units, brand.budget_shared) == ("112", 150_000_000, True)
    assert brand.campaigns_sharing_budget == ("111", "112", "113")
    assert "campaign.campaign_budget = 'customers/1234567890/campaignBudgets/5001'" in searches(google_ads)[-1]


def test_one_campaign_on_its_own_budget_needs_one_query(google_ads, google):
    google_ads.add_customer("5555555555", "Solo", currency="EUR")
    solo = GoogleAdsClient(connection_for(google_ads, account_id="5555555555", currency="EUR"))
    google_ads.add_budget("5555555555", "7001", 9_990_000)
    google_ads.add_campaign("5555555555", "701", "Solo", "7001")

    campaign = solo.campaign("701")

    assert (campaign.daily_budget_units, campaign.budget_shared, campaign.currency) == (9_990_000, False, "EUR")
    assert len(searches(google_ads)) == 1  # the connection knew the currency: no account read either


def test_a_budget_that_is_not_daily_has_no_daily_units(google_ads, google):
    google_ads.add_budget(US, "5009", 900_000_000, period="CUSTOM_PERIOD")
    google_ads.add_campaign(US, "190", "Black Friday", "5009")

    assert google.campaign("190").daily_budget_units is None


def test_a_status_newer_than_walker_reads_as_paused_keeping_googles_word(google_ads, google):
    google_ads.add_campaign(US, "191", "From the future", "5002", status="UNKNOWN")

    campaign = google.campaign("191")

    assert (campaign.status, campaign.effective_status) == (CampaignStatus.PAUSED, "UNKNOWN")


def test_a_campaign_that_does_not_exist_is_not_found(google):
    with pytest.raises(errors.NotFound, match="no campaign 999"):
        google.campaign("999")


def test_a_campaign_id_that_is_not_digits_is_refused_before_any_call(google_ads, google):
    with pytest.raises(errors.InvalidRequest, match="not a Google Ads id"):
        google.campaign("1 OR 1=1")
    assert google_ads.ads_requests() == []


def test_campaign_days_in_dollars_are_exact(google_ads, google):
    google_ads.add_day(US, "111", date(2026, 11, 1), impressions=1000, clicks=50, cost_micros=12_345_000,
                       conversions="2.5", conversions_value="80.25")  # fmt: skip
    google_ads.add_day(US, "112", date(2026, 11, 1), impressions=10, clicks=0, cost_micros=1_225_000)
    google_ads.add_day(US, "111", date(2026, 11, 3), impressions=5, clicks=1, cost_micros=10_000, conversions="1")

    days = {(d.campaign_external_id, d.day): d for d in google.campaign_days(date(2026, 11, 1), date(2026, 11, 2))}

    assert set(days) == {("111", date(2026, 11, 1)), ("112", date(2026, 11, 1))}
    first = days["111", date(2026, 11, 1)]
    assert (first.impressions, first.clicks) == (1000, 50)
    assert first.cost == Decimal("12.34") and str(first.cost) == "12.34"  # 12.345 rounded half to even
    assert (first.conversions, first.conversion_value) == (Decimal("2.5"), Decimal("80.25"))
    quiet = days["112", date(2026, 11, 1)]
    assert (quiet.clicks, quiet.cost, quiet.conversions, quiet.conversion_value) == (
        0,
        Decimal("1.22"),
        Decimal(0),
        Decimal(0),
    )
    assert "BETWEEN '2026-11-01' AND '2026-11-02'" in searches(google_ads)[-1]
    assert google_ads.ads_requests()[-1].path.endswith("googleAds:searchStream")


def test_campaign_days_in_yen_have_no_minor_unit(google_ads):
    google_ads.add_day(JAPAN, "301", date(2026, 11, 1), impressions=800, clicks=40, cost_micros=5_000_000_000,
                       conversions="3", conversions_value="12000")  # fmt: skip
    japan = GoogleAdsClient(connection_for(google_ads, account_id=JAPAN))

    [day] = japan.campaign_days(date(2026, 11, 1), date(2026, 11, 1))

    assert day.cost == Decimal("5000") and str(day.cost) == "5000"
    assert day.conversion_value == Decimal("12000")
    # The connection did not know the currency: the account was read once, first.
    assert [q.split(" FROM ")[1][:8] for q in searches(google_ads)] == ["customer", "campaign"]


def test_every_batch_of_a_stream_is_read(google_ads, google):
    google_ads.stream_batch_size = 2
    for day in range(1, 8):
        google_ads.add_day(US, "111", date(2026, 10, day), impressions=day, cost_micros=day * 1_000_000)

    days = list(google.campaign_days(date(2026, 10, 1), date(2026, 10, 31)))

    assert [d.impressions for d in days] == [1, 2, 3, 4, 5, 6, 7]
    assert sum(d.cost for d in days) == Decimal("28.00")


def test_account_days_are_the_accounts_daily_totals(google_ads, google):
    google_ads.add_day(US, "111", date(2026, 11, 1), impressions=100, clicks=5, cost_micros=1_500_000,
                       conversions="1.5", conversions_value="30.25")  # fmt: skip
    google_ads.add_day(US, "112", date(2026, 11, 1), impressions=50, clicks=2, cost_micros=2_250_000,
                       conversions="1", conversions_value="9.75")  # fmt: skip
    google_ads.add_day(US, "111", date(2026, 11, 2), impressions=7, clicks=1, cost_micros=990_000)

    days = list(google.account_days(date(2026, 11, 1), date(2026, 11, 2)))

    assert [(d.day, d.impressions, d.clicks, d.cost, d.conversions, d.conversion_value) for d in days] == [
        (date(2026, 11, 1), 150, 7, Decimal("3.75"), Decimal("2.5"), Decimal("40.00")),
        (date(2026, 11, 2), 7, 1, Decimal("0.99"), 0, 0),
    ]
    assert " FROM customer WHERE segments.date BETWEEN" in searches(google_ads)[-1]


def mock_client(answer) -> GoogleAdsClient:
    """A client whose Ads answers come from `answer(request)` (the token endpoint answers itself)."""

    def route(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            return httpx.Response(200, json={"access_token": "ya29.mock", "expires_in": 3599})
        return answer(request)

    connection = AdConnection(platform="google", account_id=US, currency="USD", developer_token="d", client_id="c",
                              client_secret="s", refresh_token="r")  # fmt: skip
    return GoogleAdsClient(connection, http=httpx.Client(transport=httpx.MockTransport(route)))


def test_a_failure_after_some_batches_of_a_stream_is_raised():
    """Google writes a failure met mid-stream as the last element of the answer's array, under HTTP 200."""
    failure = {
        "error": {
            "code": 500,
            "message": "Internal error encountered.",
            "status": "INTERNAL",
            "details": [
                {
                    "@type": "type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure",
                    "errors": [error({"internalError": "INTERNAL_ERROR"}, "An internal error has occurred.")],
                }
            ],
        }
    }

    client = mock_client(
        lambda request: httpx.Response(200, json=[{"results": [{"segments": {"date": "2026-11-01"}}]}, failure])
    )

    with pytest.raises(errors.Unavailable, match="INTERNAL_ERROR"):
        list(client.account_days(date(2026, 11, 1), date(2026, 11, 1)))


def test_an_answer_that_is_not_json_is_unavailable():
    client = mock_client(lambda request: httpx.Response(200, text="<html>Maintenance</html>"))

    with pytest.raises(errors.Unavailable, match="something other than JSON"):
        client.account()


def test_an_account_read_without_a_row_is_not_found():
    client = mock_client(lambda request: httpx.Response(200, json={"fieldMask": "customer.id"}))

    with pytest.raises(errors.NotFound, match="no customer 1234567890"):
        client.account()


# --- writes -----------------------------------------------------------------------------------


def test_a_daily_budget_is_written_and_reads_back(google_ads, google):
    brand = google.campaign("111")

    google.set_daily_budget(brand, 175_000_000)

    assert google_ads.customers[US].budgets["5001"].amount_micros == 175_000_000
    assert google.campaign("111").daily_budget_units == 175_000_000
    [write] = [r for r in google_ads.ads_requests() if r.path.endswith("campaignBudgets:mutate")]
    assert write.body == {
        "operations": [
            {
                "update": {"resourceName": f"customers/{US}/campaignBudgets/5001", "amountMicros": "175000000"},
                "updateMask": "amount_micros",
            }
        ],
        "validateOnly": False,
        "responseContentType": "MUTABLE_RESOURCE",
    }


def test_validate_only_changes_nothing(google_ads, google):
    brand = google.campaign("111")

    google.set_daily_budget(brand, 175_000_000, validate_only=True)
    google.set_status(brand, CampaignStatus.PAUSED, validate_only=True)

    assert google_ads.customers[US].budgets["5001"].amount_micros == 150_000_000
    assert google_ads.customers[US].campaigns["111"].status == "ENABLED"
    writes = [r.body for r in google_ads.ads_requests() if r.path.endswith(":mutate")]
    assert [w["validateOnly"] for w in writes] == [True, True]


def test_a_budget_below_the_minimum_is_refused_with_googles_message(google_ads, google):
    sale = google.campaign("120")

    with pytest.raises(errors.InvalidRequest) as caught:
        google.set_daily_budget(sale, 500_000, validate_only=True)

    assert caught.value.code == "BUDGET_BELOW_PER_DAY_MINIMUM"
    assert caught.value.detail == (
        "Google Ads: The budget is below the per-day minimum [operations.update.amount_micros] "
        "(BUDGET_BELOW_PER_DAY_MINIMUM)"
    )
    assert google_ads.customers[US].budgets["5002"].amount_micros == 40_000_000


def test_a_budget_finer_than_the_currency_is_refused(google_ads):
    japan = GoogleAdsClient(connection_for(google_ads, account_id=JAPAN, currency="JPY"))

    with pytest.raises(errors.InvalidRequest, match="NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT"):
        japan.set_daily_budget(japan.campaign("301"), 5_000_500_000)
    assert google_ads.customers[JAPAN].budgets["6001"].amount_micros == 5_000_000_000


@pytest.mark.parametrize("units", [0, -1_000_000, 1.5, True])
def test_a_budget_that_is_not_positive_whole_micros_is_refused_before_any_call(google_ads, google, units):
    brand = google.campaign("111")
    before = len(google_ads.ads_requests())

    with pytest.raises(errors.InvalidRequest):
        google.set_daily_budget(brand, units)
    assert len(google_ads.ads_requests()) == before


def test_a_status_is_written_and_reads_back(google_ads, google):
    sale = google.campaign("120")

    google.set_status(sale, CampaignStatus.ACTIVE)
    assert google.campaign("120").status == CampaignStatus.ACTIVE
    google.set_status(sale, CampaignStatus.PAUSED)
    assert google.campaign("120").status == CampaignStatus.PAUSED

    writes = [r.body["operations"][0] for r in google_ads.ads_requests() if r.path.endswith("campaigns:mutate")]
    assert writes[0] == {
        "update": {"resourceName": f"customers/{US}/campaigns/120", "status": "ENABLED"},
        "updateMask": "status",
    }


def test_removed_is_not_a_status_walker_writes(google_ads, google):
    with pytest.raises(errors.InvalidRequest):
        google.set_status(google.campaign("120"), CampaignStatus.REMOVED)
    assert not [r for r in google_ads.ads_requests() if r.path.endswith(":mutate")]


# --- tokens -----------------------------------------------------------------------------------


def test_one_access_token_serves_many_calls(google_ads, google):
    google.account()
    list(google.campaigns())
    google.campaign("111")

    token_calls = [r for r in google_ads.requests if r.path == "/token"]
    assert len(token_calls) == 1
    assert token_calls[0].body == {"grant_type": "refresh_token", "client_id": google_ads.client_id}  # secrets cut


def test_a_token_is_replaced_a_minute_before_it_expires(google_ads, google):
    google_ads.token_lifetime = 60  # already within the minute Walker keeps in hand

    google.account()
    google.account()

    assert len([r for r in google_ads.requests if r.path == "/token"]) == 2


def test_an_access_token_google_calls_expired_is_replaced_once(google_ads, google):
    google.account()
    google_ads.expire_access_tokens()

    assert google.account().name == "Acme US"
    assert len(google_ads.issued_tokens) == 2


def test_a_revoked_refresh_token_needs_a_new_authorisation(google_ads, google):
    google_ads.revoke_refresh_token()

    with pytest.raises(errors.AuthorizationExpired) as caught:
        google.account()

    assert caught.value.code == "invalid_grant"
    assert caught.value.detail == (
        "Google refused the saved authorisation: the refresh token was revoked or expired. Connect the account again."
    )
    assert google_ads.ads_requests() == []


def test_an_unknown_oauth_client_needs_a_new_authorisation(google_ads):
    client = GoogleAdsClient(connection_for(google_ads, client_secret="not-the-secret"))

    with pytest.raises(errors.AuthorizationExpired, match="invalid_client"):
        client.account()


def test_no_saved_refresh_token_needs_an_authorisation(google_ads):
    client = GoogleAdsClient(connection_for(google_ads, refresh_token=""))

    with pytest.raises(errors.AuthorizationExpired, match="Connect the account again"):
        client.account()
    assert google_ads.requests == []


def test_threads_sharing_a_client_fetch_one_token(google_ads, google):
    barrier = threading.Barrier(4)
    failures = []

    def read():
        try:
            barrier.wait(5)
            google.account()
        except Exception as err:  # reported below
            failures.append(err)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert failures == []
    assert len(google_ads.issued_tokens) == 1
    assert len(google_ads.ads_requests()) == 4


def test_a_token_endpoint_that_fails_is_unavailable(google_ads, google):
    google_ads.fail_token_next(503, {"error": "temporarily_unavailable"})

    with pytest.raises(errors.Unavailable, match="HTTP 503"):
        google.account()
    assert google.account().name == "Acme US"  # nothing was kept of the failure


def test_a_token_request_google_finds_malformed_is_invalid(google_ads, google):
    google_ads.fail_token_next(400, {"error": "invalid_request", "error_description": "Missing required parameter."})

    with pytest.raises(errors.InvalidRequest, match="Missing required parameter. \\(invalid_request\\)"):
        google.account()


def test_a_token_endpoint_nobody_answers_is_unavailable(google_ads, google, settings):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        settings.GOOGLE_OAUTH_TOKEN_URL = f"http://127.0.0.1:{closed.getsockname()[1]}/token"

        with pytest.raises(errors.Unavailable, match="could not reach Google's sign-in service") as caught:
            google.account()

    assert caught.value.code == "network"


# --- failures ---------------------------------------------------------------------------------


def test_the_developer_quota_is_rate_limited_with_googles_delay(google_ads, google):
    google_ads.exhaust_quota(retry_delay="41732s", scope="DEVELOPER")

    with pytest.raises(errors.RateLimited) as caught:
        google.account()

    assert (caught.value.retry_after, caught.value.scope, caught.value.code) == (
        41732.0,
        "developer",
        "RESOURCE_EXHAUSTED",
    )
    assert "Too many requests. Retry in 41732 seconds" in caught.value.detail


def test_an_accounts_rate_limit_is_the_accounts(google_ads, google):
    google_ads.exhaust_quota(retry_delay="30s", scope="ACCOUNT", rate_name="Requests per account")

    with pytest.raises(errors.RateLimited) as caught:
        list(google.campaign_days(date(2026, 11, 1), date(2026, 11, 1)))

    assert (caught.value.retry_after, caught.value.scope) == (30.0, "account")


def test_a_user_without_access_is_denied(google_ads, google):
    google_ads.fail_next(
        403,
        "PERMISSION_DENIED",
        "The caller does not have permission",
        [error({"authorizationError": "USER_PERMISSION_DENIED"}, "User doesn't have permission to access customer.")],
    )

    with pytest.raises(errors.PermissionDenied) as caught:
        google.account()

    assert caught.value.code == "USER_PERMISSION_DENIED"
    assert caught.value.detail == "Google Ads: User doesn't have permission to access customer (USER_PERMISSION_DENIED)"


def test_an_account_the_credentials_cannot_reach_is_denied(google_ads):
    client = GoogleAdsClient(connection_for(google_ads, account_id="4444444444"))

    with pytest.raises(errors.PermissionDenied, match="USER_PERMISSION_DENIED"):
        client.account()


def test_a_server_error_is_unavailable(google_ads, google):
    google_ads.fail_next(500, "INTERNAL", "Internal error encountered.")

    with pytest.raises(errors.Unavailable, match="HTTP 500: Internal error encountered. \\(INTERNAL\\)"):
        google.account()


def test_a_slow_write_is_unavailable_though_google_may_have_done_it(google_ads, settings):
    settings.AD_PLATFORM_TIMEOUT = 0.3
    client = GoogleAdsClient(connection_for(google_ads, currency="USD"))
    sale = client.campaign("120")
    google_ads.delay_next(0.6)

    with pytest.raises(errors.Unavailable, match="did not answer within 0.3 s") as caught:
        client.set_status(sale, CampaignStatus.ACTIVE)

    assert caught.value.code == "timeout"
    # The fake finishes the request the client gave up on: the outcome was unknown, not nothing.
    deadline = time.monotonic() + 5
    while google_ads.customers[US].campaigns["120"].status != "ENABLED" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert google_ads.customers[US].campaigns["120"].status == "ENABLED"


def test_an_api_version_google_does_not_serve_is_not_found(google_ads, settings):
    settings.GOOGLE_ADS_API_VERSION = "v1"

    with pytest.raises(errors.NotFound, match="HTTP 404"):
        GoogleAdsClient(connection_for(google_ads)).account()


def test_secrets_never_reach_an_error_or_a_log_record(google_ads, caplog):
    caplog.set_level(logging.DEBUG)
    client = GoogleAdsClient(connection_for(google_ads))
    client.account()
    raised = []
    google_ads.fail_next(
        400,
        "INVALID_ARGUMENT",
        "Request contains an invalid argument.",
        [error({"requestError": "INVALID_INPUT"}, f"Bad header value {google_ads.developer_token}")],
    )
    google_ads.exhaust_quota()
    google_ads.fail_next(500, "INTERNAL", f"Internal error for {google_ads.issued_tokens[0]}")
    for _ in range(3):
        with pytest.raises(errors.PlatformError) as caught:
            client.account()
        raised.append(caught.value)
    google_ads.revoke_refresh_token()
    google_ads.expire_access_tokens()
    with pytest.raises(errors.AuthorizationExpired) as caught:
        client.account()
    raised.append(caught.value)

    secrets = [google_ads.developer_token, google_ads.client_secret, "1//fake-refresh-token-Zp4",
               *google_ads.issued_tokens]  # fmt: skip
    texts = [str(e) for e in raised] + [e.detail for e in raised]
    texts += [r.getMessage() for r in caplog.records] + [str(r.args) for r in caplog.records]
    assert "[redacted]" in raised[0].detail and "[redacted]" in raised[2].detail
    assert [t for t in texts if any(s in t for s in secrets)] == []


def test_only_the_loopback_address_is_contacted(google_ads, monkeypatch):
    contacted = []
    real_connect = socket.socket.connect

    def connect(sock, address):
        contacted.append(address[0])
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    client = clients.client_for(connection_for(google_ads))
    client.account()
    list(client.campaigns())
    list(client.campaign_days(date(2026, 11, 1), date(2026, 11, 2)))
    client.set_status(client.campaign("120"), CampaignStatus.ACTIVE)

    assert contacted and set(contacted) == {"127.0.0.1"}
