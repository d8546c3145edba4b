"""A sync whose recommendation listing Google refuses still syncs the campaigns and their figures: the run succeeds,
its error says the recommendations were not read and why, the command says so too, and the next sync reads them."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from adplatforms.models import AdConnection, ConnectionState
from adplatforms.recommendations.models import PlatformRecommendation
from adplatforms.simulator.google import error
from adplatforms.sync import sync_connection
from agents.models import CampaignDailyStat
from tests.recommendations.helpers import US, budget_recommendation, sync

pytestmark = pytest.mark.django_db

REFUSAL = "Recommendations not read: Google Ads did not answer: Google Ads: Internal error encountered (INTERNAL_ERROR)"


def unsynced(fake, tenant) -> AdConnection:
    yesterday = timezone.now().date() - timedelta(days=1)
    fake.add_day(US, "120", yesterday, impressions=900, clicks=40, cost_micros=12_000_000, conversions=2)
    return AdConnection.objects.create(
        tenant=tenant, platform="google", account_id=US, developer_token=fake.developer_token,
        client_id=fake.client_id, client_secret=fake.client_secret, refresh_token=fake.refresh_token,
    )  # fmt: skip


def refuse_the_listing(fake):
    fake.fail_query_next(
        "recommendation", 500, "INTERNAL", "Internal error encountered.",
        [error({"internalError": "INTERNAL_ERROR"}, "Internal error encountered.")],
    )  # fmt: skip


def test_the_campaigns_and_figures_are_synced_and_the_failure_recorded(google_ads, tenant):
    budget_recommendation(google_ads)
    connection = unsynced(google_ads, tenant)
    refuse_the_listing(google_ads)

    run = sync_connection(connection)

    assert run.status == "succeeded" and run.failure is None  # not retried as a whole: campaigns and figures stand
    assert run.error == REFUSAL
    assert run.campaigns == 4 and run.campaign_days >= 1
    assert CampaignDailyStat.objects.filter(campaign__name="Spring sale").exists()
    connection.refresh_from_db()
    assert connection.state == ConnectionState.ACTIVE and connection.last_synced_at is not None
    assert not PlatformRecommendation.objects.exists()

    sync(connection)  # Google answers again: the recommendation is read and proposed

    assert PlatformRecommendation.objects.get().approval is not None


def test_the_command_says_the_recommendations_were_not_read(google_ads, tenant):
    unsynced(google_ads, tenant)
    refuse_the_listing(google_ads)
    out = StringIO()

    call_command("sync_ad_platforms", stdout=out)

    assert "4 campaigns" in out.getvalue() and REFUSAL in out.getvalue()
