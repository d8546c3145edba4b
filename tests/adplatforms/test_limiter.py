"""One limiter across tenants: a shared quota parked by one tenant stops every other before any call; usage
reports pace and park; a minute's budget holds across threads on the shared cache."""

import pytest
from django.conf import settings
from django.core.cache import cache

from adplatforms import clients, errors, limiter, sync
from adplatforms.models import SyncRun
from adplatforms.platform import Usage
from tests.concurrency import at_once
from tests.factories import TenantFactory
from tests.fixtures.ad_sync import DEVELOPER_TOKEN

pytestmark = pytest.mark.django_db


def test_one_tenants_backfill_parking_the_developer_token_stops_another_before_any_call(
    tenant, make_connection, accounts
):
    other = TenantFactory(slug="globex")
    backfilling = make_connection(tenant, account_id="1111111111")
    waiting = make_connection(other, account_id="2222222222")  # the same developer token, another tenant
    sync.sync_connection(backfilling)
    accounts["1111111111"].fail_next(
        "campaign_days",
        errors.RateLimited("RESOURCE_EXHAUSTED", code="RESOURCE_EXHAUSTED", retry_after=120, scope="developer"),
    )
    first = sync.sync_connection(backfilling)
    assert first.status == SyncRun.Status.FAILED

    second = sync.sync_connection(waiting)

    assert accounts.get("2222222222") is None or accounts["2222222222"].calls == []  # no call was made
    assert second.status == SyncRun.Status.FAILED and "quota" in second.error
    assert isinstance(second.failure, errors.RateLimited) and 110 < second.failure.retry_after <= 120
    waiting.refresh_from_db()
    assert waiting.state == "paused_quota" and waiting.paused_until is not None


def test_an_account_scope_refusal_parks_only_that_account(tenant, make_connection, accounts):
    first = make_connection(tenant, account_id="1111111111")
    second = make_connection(tenant, account_id="2222222222")
    sync.sync_connection(first)
    accounts["1111111111"].fail_next("campaigns", errors.RateLimited("too many", retry_after=60, scope="account"))
    sync.sync_connection(first)

    assert sync.sync_connection(second).status == SyncRun.Status.SUCCEEDED
    with pytest.raises(errors.RateLimited):
        clients.client_for(first).account()


def test_the_shared_key_is_a_keyed_hash_never_the_token(connection):
    keys = limiter.keys_for(connection)
    assert DEVELOPER_TOKEN not in keys.shared and keys.shared_scope == "developer"
    assert keys.shared == limiter.keys_for(connection).shared


def test_meta_shares_the_app_or_else_the_account(tenant, make_connection):
    with_app = make_connection(tenant, platform="meta", account_id="act_1", app_id="99", access_token="EAAB-secret")
    without = make_connection(tenant, platform="meta", account_id="act_2", access_token="EAAB-secret")
    assert limiter.keys_for(with_app).shared == "meta:app:99"
    assert limiter.keys_for(without).shared == "meta:app:account:act_2"
    assert limiter.keys_for(with_app).account == "meta:account:act_1"


def test_usage_near_the_quota_paces_then_parks(connection, accounts):
    keys = limiter.keys_for(connection)
    heard = []
    observe = limiter.observer(keys, heard.append)
    slept = []

    observe(Usage(scope="app", percent_used=80, regain_seconds=None))
    limiter.acquire(keys, sleep=slept.append)
    assert slept == [limiter.PACE_SECONDS]

    observe(Usage(scope="app", percent_used=40, regain_seconds=None))  # usage dropped: no more spacing
    limiter.acquire(keys, sleep=slept.append)
    assert slept == [limiter.PACE_SECONDS]

    observe(Usage(scope="app", percent_used=96, regain_seconds=None))
    with pytest.raises(errors.RateLimited) as refused:
        limiter.acquire(keys, sleep=slept.append)
    assert refused.value.scope == "developer" and refused.value.retry_after > limiter.DEFAULT_PARK_SECONDS - 5
    assert len(heard) == 3  # the caller's own observer still hears every report


def test_a_throttled_report_parks_for_the_time_the_platform_gave(connection):
    keys = limiter.keys_for(connection)
    limiter.observer(keys)(Usage(scope="account", percent_used=100, regain_seconds=30))
    assert 25 < limiter.parked_for(keys.account) <= 30


def test_a_shorter_park_never_shortens_a_longer_one():
    limiter.park("k", 300)
    limiter.park("k", 10)
    assert limiter.parked_for("k") > 290


def test_the_minutes_budget_refuses_the_call_past_it():
    for _ in range(3):
        limiter.take_budget("shared", "developer", per_minute=3, now=120.0)
    with pytest.raises(errors.RateLimited) as refused:
        limiter.take_budget("shared", "developer", per_minute=3, now=150.0)
    assert refused.value.retry_after == 30 and refused.value.code == "budget"
    limiter.take_budget("shared", "developer", per_minute=3, now=181.0)  # a new minute


@pytest.mark.postgres("workers sharing the Redis cache, as in production")
def test_threads_never_exceed_the_budget_together():
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("needs the Redis cache (REDIS_URL)")
    cache.clear()

    def call():
        try:
            limiter.take_budget("shared-threads", "developer", per_minute=5, now=600.0)
            return "called"
        except errors.RateLimited:
            return "refused"

    results = at_once(*[call] * 12)

    assert results.count("called") == 5 and results.count("refused") == 7
