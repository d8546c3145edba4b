"""The Paid Ads agent says how fresh synced figures are: "as of 10:05, from Google Ads", in the reader's language
and the tenant's zone; figures kept in Walker say nothing of the kind. The read tools carry the time too."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from adplatforms import sync
from agents.models import Campaign
from agents.read_tools import campaign_performance
from tests.agents.conftest import run_engine
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

# 12:00 UTC is 13:00 in Paris (the test tenant's zone) on 24 November.
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
def synced(connection, account):
    account.add_campaign("11", "Spring Sale", 700_000_000)
    for back in range(1, 8):
        account.add_day("11", NOW.date() - timedelta(days=back), cost="100.00", conv="3")
    with time_machine.travel(NOW - timedelta(hours=2, minutes=55), tick=False):  # 10:05 in Paris
        sync.sync_connection(connection)
    return Campaign.objects.get(name="Spring Sale")


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_an_answer_from_synced_figures_says_how_fresh_they_are(now, tenant_admin, synced):
    reply = run_engine(tenant_admin, "paid_ads", "How is Spring Sale doing?")

    assert "Spring Sale, last 7 days: spend $700.00" in reply.text
    assert reply.text.endswith("Figures as of 10:05, from Google Ads.")


def test_in_spanish(now, tenant_admin, synced):
    tenant_admin.language = "es"
    tenant_admin.save(update_fields=["language"])
    with translation.override("es"):
        reply = run_engine(tenant_admin, "paid_ads", "¿Qué tal va Spring Sale?")

    assert "Cifras a 10:05, de Google Ads." in reply.text


def test_the_overview_names_the_oldest_sync_and_every_source(now, tenant, tenant_admin, synced):
    Campaign.objects.filter(pk=synced.pk).update(synced_at=NOW - timedelta(days=1, hours=3))  # yesterday 10:00
    CampaignFactory(tenant=tenant, platform="meta", name="Reach", synced_at=NOW - timedelta(minutes=10))

    reply = run_engine(tenant_admin, "paid_ads", "How are my campaigns doing?")

    assert "Figures as of 23 Nov 10:00, from Google Ads and Meta Ads." in reply.text


def test_figures_kept_in_walker_say_nothing_of_freshness(now, tenant, tenant_admin):
    CampaignFactory(tenant=tenant, name="Manual", daily_budget=Decimal("10"))
    assert "Figures as of" not in run_engine(tenant_admin, "paid_ads", "How is Manual doing?").text


def test_the_read_tool_carries_the_time_of_the_sync(now, tenant, synced):
    [row] = campaign_performance(tenant, {"campaign": "Spring Sale"})["campaigns"]
    assert row["figures_as_of"] == synced.synced_at.isoformat() and row["currency"] == "USD"
