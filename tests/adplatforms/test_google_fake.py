"""The fake Google Ads API refuses what Google refuses, so the client's tests against it mean something."""

from datetime import date
from decimal import Decimal

import httpx
import pytest

from adplatforms.simulator.google import Day, FakeGoogleAds

US = "1234567890"


@pytest.fixture
def fake():
    fake = FakeGoogleAds().start()
    fake.seed_demo()
    yield fake
    fake.stop()


@pytest.fixture
def http(fake):
    token = httpx.post(
        fake.token_url,
        data={
            "grant_type": "refresh_token",
            "client_id": fake.client_id,
            "client_secret": fake.client_secret,
            "refresh_token": fake.refresh_token,
        },
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "developer-token": fake.developer_token}
    with httpx.Client(base_url=f"{fake.url}/v26/customers/{US}", headers=headers) as client:
        yield client


def failure(response: httpx.Response) -> tuple[int, str, dict]:
    status = response.json()["error"]
    [ads_error] = status["details"][0]["errors"]
    return response.status_code, status["status"], ads_error["errorCode"]


def test_a_field_the_version_does_not_have_is_unrecognized(http):
    response = http.post("/googleAds:search", json={"query": "SELECT campaign.budget_amount FROM campaign"})

    assert failure(response) == (400, "INVALID_ARGUMENT", {"queryError": "UNRECOGNIZED_FIELD"})


def test_days_need_a_date_filter(http):
    response = http.post("/googleAds:searchStream", json={"query": "SELECT segments.date FROM customer"})

    assert failure(response) == (400, "INVALID_ARGUMENT", {"queryError": "EXPECTED_FILTERS_ON_DATE_RANGE"})


def test_fields_at_their_default_are_left_out_and_int64_are_strings(http):
    query = "SELECT campaign.id, campaign_budget.explicitly_shared, campaign_budget.amount_micros FROM campaign"
    response = http.post("/googleAds:search", json={"query": f"{query} WHERE campaign.id = 120"})

    [row] = response.json()["results"]
    assert row["campaign"] == {"resourceName": f"customers/{US}/campaigns/120", "id": "120"}
    assert row["campaignBudget"] == {"resourceName": f"customers/{US}/campaignBudgets/5002", "amountMicros": "40000000"}


def test_a_token_it_did_not_issue_is_refused(fake, http):
    response = http.post(
        "/googleAds:search", json={"query": "SELECT customer.id FROM customer"}, headers={"Authorization": "Bearer x"}
    )

    assert failure(response) == (401, "UNAUTHENTICATED", {"authenticationError": "OAUTH_TOKEN_INVALID"})


def test_another_developer_token_is_refused(http):
    response = http.post(
        "/googleAds:search", json={"query": "SELECT customer.id FROM customer"}, headers={"developer-token": "other"}
    )

    assert failure(response)[2] == {"authorizationError": "DEVELOPER_TOKEN_PROHIBITED"}


def test_a_mutate_is_all_or_nothing(fake, http):
    operations = [
        {"update": {"resourceName": f"customers/{US}/campaignBudgets/5001", "amountMicros": "200000000"},
         "updateMask": "amount_micros"},
        {"update": {"resourceName": f"customers/{US}/campaignBudgets/5002", "amountMicros": "10"},
         "updateMask": "amount_micros"},
    ]  # fmt: skip

    response = http.post("/campaignBudgets:mutate", json={"operations": operations})

    assert failure(response)[2] == {"campaignBudgetError": "NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT"}
    assert fake.customers[US].budgets["5001"].amount_micros == 150_000_000


def test_only_its_own_version_is_served(fake, http):
    response = http.post(f"{fake.url}/v25/customers/{US}/googleAds:search", json={"query": "x"})

    assert response.status_code == 404


def test_requests_are_recorded_without_secrets(fake, http):
    http.post("/googleAds:search", json={"query": "SELECT customer.id FROM customer"})

    token_call, search = fake.requests
    assert set(token_call.body) == {"grant_type", "client_id"}
    assert "authorization" not in search.headers and "developer-token" not in search.headers


def test_days_made_on_demand_are_served_for_the_range_asked_only(fake, http):
    """`day_source` (the bench's accounts too large to hold) gives a campaign's days beside those held."""
    asked = []

    def source(campaign, first, last):
        asked.append((campaign.id, first, last))
        if campaign.id == "120":
            yield Day("120", first, 10, 2, 3_000_000, Decimal("1"), Decimal("9.5"))

    fake.customers[US].day_source = source
    fake.add_day(US, "111", date(2026, 3, 2), impressions=5)
    query = "SELECT campaign.id, segments.date, metrics.impressions FROM campaign"
    between = "WHERE segments.date BETWEEN '2026-03-01' AND '2026-03-03'"

    [batch] = http.post("/googleAds:searchStream", json={"query": f"{query} {between}"}).json()

    rows = [(r["campaign"]["id"], r["segments"]["date"], r["metrics"]["impressions"]) for r in batch["results"]]
    assert rows == [("111", "2026-03-02", "5"), ("120", "2026-03-01", "10")]
    assert ("120", date(2026, 3, 1), date(2026, 3, 3)) in asked
    totals = http.post(
        "/googleAds:searchStream",
        json={"query": f"SELECT segments.date, metrics.impressions FROM customer {between}"},
    ).json()[0]["results"]
    assert [(r["segments"]["date"], r["metrics"]["impressions"]) for r in totals] == [
        ("2026-03-01", "10"),
        ("2026-03-02", "5"),
    ]
