""" "What this will do" beside "what it costs" (issue 51, point 6): the results a pause or a cut puts at stake, as
its risk was scored, or the spend a raise adds, told the same way on the approval page, in the queue, in the
approval email (text and HTML) and in Slack; in the reader's language, money in the campaign's currency."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from agents.actions import ProposedAction
from channels_app.slack.blocks import message
from hitl import presentation
from hitl.links import make_link
from hitl.services.requests import request_approval
from tests.factories import CampaignDailyStatFactory, CampaignFactory, UserFactory

QUEUE = reverse("admin:hitl_hitlapproval_changelist")


def last_week(campaign, *, revenue, conversions, spend="469.00"):
    """The same figures on each of the 7 whole days before today in the tenant's zone."""
    today = timezone.localdate(timezone=ZoneInfo(campaign.tenant.timezone))
    for back in range(1, 8):
        CampaignDailyStatFactory(
            campaign=campaign,
            date=today - timedelta(days=back),
            spend=Decimal(spend),
            revenue=Decimal(revenue),
            conversions=conversions,
        )
    return date_format(today - timedelta(days=1), "MONTH_DAY_FORMAT")


@pytest.fixture
def brand_search(tenant):
    return CampaignFactory(tenant=tenant, name="Brand Search", daily_budget=Decimal("500.00"))


@pytest.fixture
def pause_of(tenant, paid_ads, requester):
    def file(campaign):
        action = ProposedAction(
            action_type="pause_campaign",
            action_data={"campaign_id": str(campaign.pk), "campaign_name": campaign.name},
            summary=f"Pause {campaign.name}",
            estimated_cost=Decimal("0"),
            confidence=1.0,
        )
        return request_approval(tenant=tenant, agent=paid_ads, action=action, requested_by=requester)

    return file


@pytest.fixture
def paused(brand_search, pause_of):
    """A pause of the tenant's best campaign ($12,147.10 and 42 conversions a week), and the line it reads."""
    day = last_week(brand_search, revenue="1735.30", conversions=6)
    line = f"Pauses Brand Search: about 42 conversions and $12,147 of value a week at stake (7 days to {day})"
    return pause_of(brand_search), line


def test_the_approval_page_tells_what_a_pause_will_do_beside_its_cost(console_as, approver, paused):
    approval, line = paused
    page = console_as(approver).get(reverse("admin:hitl_hitlapproval_change", args=[approval.pk])).content.decode()
    assert f'<td data-testid="effect">{line}</td>' in page
    assert page.index("What this will do") < page.index("Estimated cost")
    assert "Results at stake" in page  # the factor, named, among the score's


def test_the_queue_tells_it_in_the_row(console_as, approver, paused, ask):
    (approval, line), raise_ = paused, ask("700.00")  # another campaign's raise: +$200 a day
    html = console_as(approver).get(QUEUE).content.decode()
    row = html[html.index(f">{approval.reference}<") :]
    assert line in row[: row.index("</tr>")]
    raised = html[html.index(f">{raise_.reference}<") :]
    assert "Adds $200.00 a day of spend" in raised[: raised.index("</tr>")]


def test_the_approval_email_tells_it_in_text_and_html(workflow, approver, brand_search, pause_of, run_on_commit):
    day = last_week(brand_search, revenue="1735.30", conversions=6)
    workflow(notification_channels=["email"])
    with run_on_commit():
        pause_of(brand_search)
    [email] = mail.outbox
    line = (
        "What this will do: Pauses Brand Search: about 42 conversions and $12,147 of value a week at stake "
        f"(7 days to {day})"
    )
    for body in (email.body, email.alternatives[0][0]):
        assert line in body
        assert body.index("What this will do") < body.index("Cost:")


def test_slack_tells_it_among_the_facts(paused):
    approval, line = paused
    fields = [field["text"] for block in message(approval)["blocks"] for field in block.get("fields", [])]
    assert f"*What this will do*\n{line}" in fields


def test_a_yen_campaign_is_told_in_yen(tenant, pause_of):
    tokyo = CampaignFactory(tenant=tenant, name="Tokyo Launch", currency="JPY", daily_budget=Decimal("40000"))
    day = last_week(tokyo, spend="70000", revenue="100000", conversions=3)
    effect = presentation.effect(pause := pause_of(tokyo))
    assert (
        effect == f"Pauses Tokyo Launch: about 21 conversions and ¥700,000 of value a week at stake (7 days to {day})"
    )
    assert "$" not in presentation.the_ask(pause).effect


def test_a_cut_tells_its_share(tenant, paid_ads, requester, brand_search):
    last_week(brand_search, revenue="1735.30", conversions=6)
    data = {
        "campaign_id": str(brand_search.pk),
        "campaign_name": "Brand Search",
        "daily_budget": "300.00",
        "previous_daily_budget": "500.00",
        "currency": "USD",
    }
    action = ProposedAction(action_type="set_budget", action_data=data, summary="Lower Brand Search", confidence=1.0)
    effect = presentation.effect(request_approval(tenant=tenant, agent=paid_ads, action=action, requested_by=requester))
    assert effect.startswith("Cuts Brand Search by 40%: about 17 conversions and $4,859 of value a week at stake")


def test_a_campaign_without_figures_says_so(brand_search, pause_of):
    effect = presentation.effect(pause_of(brand_search))
    assert effect.startswith("No figures for Brand Search in the 7 days to ")
    assert effect.endswith(": what it puts at stake is not known")


def test_an_action_that_neither_adds_spend_nor_takes_results_tells_nothing(tenant, pause_of, ask):
    approval = ask("700.00")
    approval.action_data = {"keyword": "boots"}
    assert presentation.effect(approval) == ""
    assert not any(
        line.startswith("What this will do") for line in presentation.ask_lines(presentation.the_ask(approval))
    )


def test_it_is_told_in_spanish(paused):
    approval, _line = paused
    with translation.override("es"):
        effect = presentation.effect(approval)
    assert effect.startswith("Pausa Brand Search: pone en juego unas 42 conversiones y ")
    assert "de valor a la semana (7 días hasta el " in effect


def test_the_one_click_page_tells_it_beside_the_cost(client, tenant, paused):
    approval, line = paused
    decider = UserFactory(tenant=tenant, role="approver", email="decider@acme.test")
    page = client.get(urlsplit(make_link(approval, decider, "approve")).path).content.decode()
    assert f"<dd>{line}</dd>" in page and page.index("What this will do") < page.index("Estimated cost")


def test_one_conversion_is_one(tenant, pause_of):
    quiet = CampaignFactory(tenant=tenant, name="Quiet")
    today = timezone.localdate(timezone=ZoneInfo(tenant.timezone))
    CampaignDailyStatFactory(campaign=quiet, date=today - timedelta(days=2), revenue=Decimal("80"), conversions=1)
    approval = pause_of(quiet)
    assert presentation.effect(approval).startswith("Pauses Quiet: about 1 conversion and $80 of value a week")
    with translation.override("es"):
        assert presentation.effect(approval).startswith("Pausa Quiet: pone en juego cerca de 1 conversión y 80")
