"""The approval page's "Did it pay off" section."""

from datetime import date

import pytest
from django.urls import reverse

from tests.factories import HITLApprovalFactory
from tests.payoff.conftest import NOW, executed, figures, outside, paris, synced


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def page(client, approval) -> str:
    response = client.get(reverse("admin:hitl_hitlapproval_change", args=[approval.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_an_executed_change_shows_its_week_before_and_after_and_whether_it_held(console_as, approver, tenant):
    campaign = synced(tenant, "Tokyo Launch", currency="JPY", platform="meta", budget="5000")
    figures(campaign, date(2026, 10, 29), date(2026, 11, 4), spend="10000", conversions=3, revenue="45000")
    figures(campaign, date(2026, 11, 6), date(2026, 11, 12), spend="12000", conversions=4, revenue="60000")
    change = executed(campaign, paris(2026, 11, 5, 10), before="5000", after="6000")
    outside(campaign, paris(2026, 11, 7, 16, 30), before="6000", after="5000", actor="Pat Doe", tool="Ads Manager")

    html = page(console_as(approver), change)

    assert 'data-testid="approval-payoff"' in html
    assert "¥70,000" in html and "¥84,000" in html and "¥3,333" in html  # yen whole
    assert "7 days before" in html and "7 days after" in html
    assert "reverted outside Walker on Nov. 7, 2026, 4:30 p.m. by Pat Doe through Ads Manager" in html


def test_a_running_week_says_so_on_the_page(console_as, approver, tenant):
    campaign = synced(tenant)
    figures(campaign, date(2026, 11, 9), date(2026, 11, 19))
    html = page(console_as(approver), executed(campaign, paris(2026, 11, 16, 10)))
    assert "After: 3 of 7 days so far" in html and "Holding so far" in html


def test_a_waiting_request_has_no_such_section(console_as, approver, tenant):
    waiting = HITLApprovalFactory(tenant=tenant, action_data={"campaign_id": str(synced(tenant).pk)})
    assert 'data-testid="approval-payoff"' not in page(console_as(approver), waiting)


def test_another_tenants_change_is_not_found(console_as, outsider, tenant):
    change = executed(synced(tenant), paris(2026, 11, 5, 10))
    response = console_as(outsider).get(reverse("admin:hitl_hitlapproval_change", args=[change.pk]))
    assert response.status_code in (302, 404) and "approval-payoff" not in response.content.decode()
