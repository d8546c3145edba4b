"""Reports → Did it pay off in the console: the report with its filters, pages and CSV export."""

import csv
import io

import pytest
from django.urls import reverse

from reports import payoff_page
from tests.payoff.conftest import NOW, paris
from tests.payoff.test_report import asked, month  # noqa: F401  (the fixture)

NOVEMBER = {"start": "2026-11-01", "end": "2026-11-30"}


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def page(client, **query):
    return client.get(reverse("payoff"), {**NOVEMBER, **query})


def test_the_report_per_action_type_with_money_in_each_currency(console_as, approver, month):  # noqa: F811
    response = page(console_as(approver))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="payoff-row"') == 3
    assert "Set a campaign&#x27;s daily budget" in html
    assert "spend $700.00 → $1,050.00 ($350.00 moved)" in html
    assert "spend ¥70,000 → ¥84,000 (¥14,000 moved)" in html and "CPA ¥3,333 → ¥4,000" in html


def test_per_rule_names_the_proposals_no_rule_filed(console_as, approver, month):  # noqa: F811
    html = page(console_as(approver), group_by="rule").content.decode()
    assert "High CPA" in html and "Not filed by a rule" in html


def test_the_platform_filter(console_as, approver, month):  # noqa: F811
    html = page(console_as(approver), platform="google").content.decode()
    assert "$700.00" in html and "¥" not in html


def test_pages(console_as, approver, month, monkeypatch):  # noqa: F811
    monkeypatch.setattr(payoff_page, "PAGE_ROWS", 1)
    html = page(console_as(approver), page="2").content.decode()
    assert html.count('data-testid="payoff-row"') == 1 and "Page 2 of 3" in html


def test_bad_filters_are_said_and_the_defaults_shown(console_as, approver, month):  # noqa: F811
    response = page(console_as(approver), days="0", group_by="campaign")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="payoff-error"') == 2 and "days:" in html and "group_by:" in html


def test_the_csv_export_of_the_same_filters(console_as, approver, month, tenant):  # noqa: F811
    asked(tenant, paris(2026, 11, 13, 9), status="rejected", requested_by_rule="@SUM(1+1)")
    response = page(console_as(approver), group_by="rule", export="csv")
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    keys = [row["key"] for row in csv.DictReader(io.StringIO(body))]
    assert keys == ["", "High CPA", "'@SUM(1+1)"]


def test_another_tenant_sees_none_of_it_and_members_are_refused(console_as, outsider, colleague, month):  # noqa: F811
    html = page(console_as(outsider)).content.decode()
    assert "No proposals requested in this range." in html and "Brand Search" not in html
    exported = b"".join(page(console_as(outsider), export="csv").streaming_content).decode()
    assert exported.count("\n") == 1  # the header alone
    assert page(console_as(colleague)).status_code in (302, 403)


def test_the_changes_export_from_the_page(console_as, approver, month):  # noqa: F811
    response = page(console_as(approver), platform="meta", export="changes")
    body = b"".join(response.streaming_content).decode()
    assert [row["campaign"] for row in csv.DictReader(io.StringIO(body))] == ["Tokyo Launch"]
