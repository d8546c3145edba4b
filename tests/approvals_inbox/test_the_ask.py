"""The ask, said once (hitl.presentation.the_ask) and laid out by each channel: the approval email and the WhatsApp
notice say who asked, what they said and the cost in money; an unestimated cost says so (never "$0.00 · reach 0")."""

from decimal import Decimal

import pytest
from django.core import mail

from hitl import presentation
from hitl.models import HITLApproval, HITLNotification
from tests.factories import PhoneFactory, budget_action


@pytest.fixture
def named(requester):
    requester.first_name, requester.last_name = "Dana", "Reyes"
    requester.save()
    return requester


def test_the_ask_is_plain_data(named, asked):
    approval = asked("Raise the Summer Sale budget to $800 a day, my number is +1 415 555 0199")
    ask = presentation.the_ask(approval)
    assert ask.who == "Dana Reyes"
    assert ask.said.startswith("Raise the Summer Sale budget to $800 a day") and "415 555" not in ask.said
    assert ask.proposes == "Raise Summer Sale daily budget from $500.00 to $800.00"
    assert ask.cost == "$9,000.00 over 30 days"
    assert ask.risk.endswith("/100)") and ask.reference == approval.reference


def test_the_email_says_who_asked_what_they_said_and_the_money(named, asked, workflow, approver, run_on_commit):
    workflow(notification_channels=["email"])
    with run_on_commit():
        approval = asked("Raise the Summer Sale budget to $800 a day please")
    [email] = mail.outbox
    html = email.alternatives[0][0]
    for body in (email.body, html):
        assert "Dana Reyes asked: “Raise the Summer Sale budget to $800 a day please”" in body
        assert "Walker Paid Ads proposes: Raise Summer Sale daily budget from $500.00 to $800.00" in body
        assert "Cost: $9,000.00 over 30 days" in body
        assert approval.reference in body


def test_the_whatsapp_notice_says_the_same(named, asked, workflow, tenant, approver, run_on_commit):
    from channels_app.whatsapp.models import WhatsAppSender
    from channels_app.whatsapp.window import touch_window

    WhatsAppSender.objects.create(tenant=tenant, number="+14155238886")
    PhoneFactory(user=approver, phone_number="+14155550142", is_primary=True)
    touch_window(tenant.pk, "+14155550142")
    workflow(notification_channels=["whatsapp"])
    with run_on_commit():
        approval = asked("Raise the Summer Sale budget to $800 a day please")
    row = HITLNotification.objects.get(approval=approval, channel="whatsapp")
    assert row.status == "sent"
    assert "Dana Reyes asked: “Raise the Summer Sale budget to $800 a day please”" in row.message
    assert "Cost: $9,000.00 over 30 days" in row.message
    assert f"approve {approval.reference}" not in row.message  # the reply words are added when sent, not stored


def test_an_unestimated_cost_says_so_and_a_request_without_a_message_names_its_requester(
    named, tenant, paid_ads, campaign, workflow, approver
):
    from hitl.services.requests import request_approval

    workflow(notification_channels=["in_app"])
    action = budget_action(campaign, "450.00", estimated_cost=Decimal("0"), estimated_reach=0)
    approval = request_approval(tenant=tenant, agent=paid_ads, action=action, requested_by=named)
    message = HITLNotification.objects.get(approval=approval).message
    assert "Cost: not estimated" in message
    assert "$0.00" not in message and "reach 0" not in message
    assert "Asked by Dana Reyes" in message


def test_the_ask_in_spanish(named, asked, workflow, approver, run_on_commit):
    from django.utils import translation

    approval = HITLApproval.objects.get(pk=asked("Raise the Summer Sale budget to $800 a day").pk)
    with translation.override("es"):
        lines = presentation.ask_lines(presentation.the_ask(approval))
    assert lines[0].startswith("Dana Reyes pidió: «Raise the Summer Sale budget")
    assert lines[2] in ("Qué hará: Añade 300,00\xa0US$ de gasto al día", "Qué hará: Añade 300,00 US$ de gasto al día")
    assert lines[3].startswith("Coste: 9\xa0000,00\xa0US$ en 30 días") or lines[3].startswith("Coste: 9\xa0000,00 US$")


def test_the_page_and_the_one_click_page_say_not_estimated_too(console_as, client, named, tenant, paid_ads, campaign):
    from urllib.parse import urlsplit

    from django.urls import reverse

    from hitl.links import make_link
    from hitl.services.requests import request_approval
    from tests.factories import UserFactory

    approver = UserFactory(tenant=tenant, role="approver", email="decider@acme.test")
    action = budget_action(campaign, "450.00", estimated_cost=Decimal("0"), estimated_reach=0)
    approval = request_approval(tenant=tenant, agent=paid_ads, action=action, requested_by=named)
    link = urlsplit(make_link(approval, approver, "approve")).path
    one_click = client.get(link).content.decode()
    assert "not estimated" in one_click and "$0.00" not in one_click
    page = console_as(approver).get(reverse("admin:hitl_hitlapproval_change", args=[approval.pk])).content.decode()
    assert "not estimated" in page and "$0.00 over 30 days" not in page
