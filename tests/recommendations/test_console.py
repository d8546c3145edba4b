"""The recommendations in the console: a read-only list of the viewer's tenant with each one's status and proposal,
saying that Meta's are not read, and a section on the campaign's page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from adplatforms.models import AdConnection
from adplatforms.recommendations.models import PlatformRecommendation, Status
from tests.factories import CampaignFactory
from tests.recommendations.helpers import JAPAN, YEN_MORE, YEN_WEEK, connected

pytestmark = pytest.mark.django_db
LIST = reverse("admin:adplatforms_platformrecommendation_changelist")


def recommendation(tenant, name, summary, status=Status.WAITING, account="1234567890"):
    connection, _ = AdConnection.objects.get_or_create(tenant=tenant, platform="google", account_id=account)
    campaign = CampaignFactory(tenant=tenant, name=name, platform="google")
    return PlatformRecommendation.objects.create(
        tenant=tenant, connection=connection, campaign=campaign,
        resource_name=f"customers/{account}/recommendations/{name}", kind="campaign_budget", status=status,
        summary=summary, first_seen_at=timezone.now(), last_seen_at=timezone.now(),
    )  # fmt: skip


def test_the_list_shows_each_status_and_says_metas_are_not_read(console_as, approver, tenant, other_tenant):
    recommendation(
        tenant, "Tokyo search", "Google Ads recommends: raise Tokyo search daily budget from ¥5,000 to ¥6,500."
    )
    recommendation(tenant, "Brand", "Google Ads recommends: add the keyword", status=Status.DISMISSED)
    recommendation(other_tenant, "Their Brand", "theirs", account="1111111111")
    client = console_as(approver)

    page = client.get(LIST).content.decode()

    assert "¥6,500" in page and "Waiting for a decision" in page and "Dismissed" in page
    assert "Meta&#x27;s recommendations are not read" in page or "Meta's recommendations are not read" in page
    assert "Their Brand" not in page
    assert client.get(reverse("admin:adplatforms_platformrecommendation_add")).status_code == 403
    gone = client.get(LIST, {"status__exact": "gone"})
    assert list(gone.context["cl"].result_list) == []


def test_another_tenants_recommendation_by_its_address_is_not_found(console_as, tenant_admin, other_tenant):
    theirs = recommendation(other_tenant, "Their Brand", "theirs")
    page = reverse("admin:adplatforms_platformrecommendation_change", args=[theirs.pk])
    assert console_as(tenant_admin).get(page).status_code == 404


def test_the_campaigns_page_shows_its_recommendations(console_as, approver, tenant):
    row = recommendation(tenant, "Summer Sale", "Google Ads recommends: raise Summer Sale daily budget", Status.APPLIED)
    page = console_as(approver).get(reverse("admin:agents_campaign_change", args=[row.campaign_id])).content.decode()
    assert "the platform&#x27;s recommendations" in page.lower() or "the platform's recommendations" in page.lower()
    assert "Applied" in page and "raise Summer Sale daily budget" in page


def test_the_approvals_page_shows_googles_estimate_in_the_campaigns_currency(console_as, approver, tenant, google_ads):
    google_ads.add_recommendation(
        JAPAN, "j1", "CAMPAIGN_BUDGET", "301", budget_micros=6_500_000_000, base=YEN_WEEK, potential=YEN_MORE
    )
    connected(google_ads, tenant, JAPAN)
    approval = PlatformRecommendation.objects.get().approval

    page = console_as(approver).get(reverse("admin:hitl_hitlapproval_change", args=[approval.pk])).content.decode()

    assert "Google Ads recommends: raise Tokyo search daily budget from ¥5,000 to ¥6,500." in page
    assert "Cost a week (estimated by Google Ads)" in page and "¥45,500" in page
