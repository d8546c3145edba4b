"""The changes made outside Walker in the console: a read-only list of the viewer's tenant (filters, search) and a
section on the campaign's page, money in the campaign's own currency."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from adplatforms.models import AdConnection, OutsideChange
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db
LIST = reverse("admin:adplatforms_outsidechange_changelist")


def outside_change(tenant, name, currency, before, after, *, platform="google", account="1234567890", **fields):
    connection, _ = AdConnection.objects.get_or_create(
        tenant=tenant, platform=platform, account_id=account, defaults={"currency": currency}
    )
    campaign = CampaignFactory(tenant=tenant, name=name, currency=currency, platform=platform)
    return OutsideChange.objects.create(
        tenant=tenant, connection=connection, campaign=campaign, event=f"{name}-1",
        kind=fields.pop("kind", "daily_budget"), at=timezone.now() - timedelta(hours=1), before=before,
        after=after, currency=currency,
        actor="dana@acme.test", tool="GOOGLE_ADS_WEB_CLIENT", detected_at=timezone.now(), **fields,
    )  # fmt: skip


def shown_names(response) -> list[str]:
    return [change.campaign.name for change in response.context["cl"].result_list]


def test_the_list_shows_the_tenants_changes_in_their_currency_read_only(console_as, tenant_admin, tenant, other_tenant):
    outside_change(tenant, "Tokyo search", "JPY", "5000", "6500")
    outside_change(tenant, "Summer Sale", "USD", "500.00", "650.00", account="1111111111")
    outside_change(other_tenant, "Their Brand", "USD", "10.00", "20.00")
    client = console_as(tenant_admin)

    page = client.get(LIST).content.decode()

    assert "¥5,000" in page and "¥6,500" in page and "$650.00" in page
    assert "dana@acme.test, GOOGLE_ADS_WEB_CLIENT" in page
    assert "Their Brand" not in page
    assert client.get(reverse("admin:adplatforms_outsidechange_add")).status_code == 403
    assert shown_names(client.get(LIST, {"q": "Summer"})) == ["Summer Sale"]
    assert shown_names(client.get(LIST, {"kind__exact": "status"})) == []
    assert shown_names(client.get(LIST, {"connection__platform": "meta"})) == []


def test_another_tenants_change_by_its_address_is_not_found(console_as, tenant_admin, other_tenant):
    theirs = outside_change(other_tenant, "Their Brand", "USD", "10.00", "20.00")
    page = reverse("admin:adplatforms_outsidechange_change", args=[theirs.pk])
    assert console_as(tenant_admin).get(page).status_code == 404


def test_approvers_read_it_and_the_campaigns_page_shows_its_changes(console_as, approver, tenant):
    change = outside_change(tenant, "Summer Sale", "USD", "active", "paused", kind="status")
    client = console_as(approver)

    assert "Summer Sale" in client.get(LIST).content.decode()
    campaign_page = client.get(reverse("admin:agents_campaign_change", args=[change.campaign_id])).content.decode()
    assert "Changes outside Walker" in campaign_page or "changes outside Walker" in campaign_page
    assert "dana@acme.test, GOOGLE_ADS_WEB_CLIENT" in campaign_page
