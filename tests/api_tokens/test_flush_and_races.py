"""Expired refresh tokens are flushed by a beat task that two workers may run at once, and one refresh token sent
twice at once is rotated once (PostgreSQL, threads with their own connections)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from tenants.identity import api_tokens
from tenants.tasks import flush_expired_tokens
from tests.api_tokens.conftest import REFRESH
from tests.concurrency import at_once


def outstanding(user, *, expired: bool, n: int, blacklisted: bool = False):
    now = timezone.now()
    expires = now - timedelta(minutes=1) if expired else now + timedelta(hours=1)
    rows = OutstandingToken.objects.bulk_create(
        OutstandingToken(user=user, jti=f"{expired}-{blacklisted}-{i}", token="t", expires_at=expires) for i in range(n)
    )
    if blacklisted:
        BlacklistedToken.objects.bulk_create(BlacklistedToken(token=row) for row in rows)
    return rows


def test_the_flush_deletes_expired_tokens_and_their_revocations_only(tenant_admin):
    outstanding(tenant_admin, expired=True, n=3)
    outstanding(tenant_admin, expired=True, n=2, blacklisted=True)
    kept = outstanding(tenant_admin, expired=False, n=2, blacklisted=True)

    assert flush_expired_tokens() == 5
    assert set(OutstandingToken.objects.values_list("pk", flat=True)) == {row.pk for row in kept}
    assert BlacklistedToken.objects.count() == 2
    assert flush_expired_tokens() == 0


def test_the_flush_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["flush-expired-tokens"]
    assert entry["task"] == flush_expired_tokens.name == "tenants.tasks.flush_expired_tokens"


@pytest.mark.postgres("SKIP LOCKED between two connections")
def test_two_flushes_at_once_share_the_work_and_both_finish(postgres_only, tenant_admin):
    outstanding(tenant_admin, expired=True, n=150)
    outstanding(tenant_admin, expired=True, n=150, blacklisted=True)
    kept = outstanding(tenant_admin, expired=False, n=5)

    counts = at_once(*[lambda: api_tokens.flush_expired(batch=7)] * 2)

    assert sum(counts) == 300 and all(isinstance(count, int) for count in counts)
    assert set(OutstandingToken.objects.values_list("pk", flat=True)) == {row.pk for row in kept}
    assert not BlacklistedToken.objects.exists()


@pytest.mark.postgres("a row lock between two connections")
def test_one_refresh_token_sent_twice_at_once_is_rotated_once(postgres_only, tenant_admin):
    pair = api_tokens.issue_pair(tenant_admin)

    def refresh():
        answer = APIClient().post(REFRESH, {"refresh": pair.refresh}, format="json")
        return answer.status_code, answer.json().get("code")

    results = at_once(refresh, refresh)

    assert sorted(results) == [(200, None), (401, "token_revoked")]
    assert OutstandingToken.objects.filter(user=tenant_admin).count() == 2  # the first and its one successor
