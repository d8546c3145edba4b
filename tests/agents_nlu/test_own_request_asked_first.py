"""Issue 50, point 3: a new request never supersedes the person's own earlier request still waiting for
approval without asking them first, in their language; someone else's request is still superseded."""

from decimal import Decimal

import pytest

from conversations.normalized import InboundMessage
from hitl.models import ApprovalStatus, HITLApproval
from tests.factories import CampaignFactory, UserFactory
from tests.pipeline import exchange

pytestmark = pytest.mark.django_db


@pytest.fixture
def summer(tenant):
    return CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))


def say(user, text):
    return exchange(InboundMessage(channel="chat", text=text, user_id=user.pk), user=user)


def statuses():
    return sorted((a.action_data["daily_budget"], a.status) for a in HITLApproval.objects.all())


def test_a_second_budget_for_the_same_campaign_asks_before_replacing_the_first(summer, colleague):
    first = say(colleague, "Raise the Summer Sale budget to $700 a day").actions[0]

    asked = say(colleague, "Raise the Summer Sale budget to $800 a day")

    assert statuses() == [("700.00", ApprovalStatus.PENDING)]  # nothing filed, nothing superseded
    assert asked.actions == []
    assert f"({first.reference}), and it is still waiting for approval" in asked.reply.text
    assert "Should “Raise Summer Sale daily budget from $500.00 to $800.00” replace it?" in asked.reply.text

    replaced = say(colleague, "yes, replace it")

    assert statuses() == [("700.00", ApprovalStatus.SUPERSEDED), ("800.00", ApprovalStatus.PENDING)]
    assert replaced.actions[0].status == ApprovalStatus.PENDING
    assert "Waiting for approval" in replaced.reply.text


def test_no_keeps_the_waiting_request_and_files_nothing(summer, colleague):
    first = say(colleague, "Raise the Summer Sale budget to $700 a day").actions[0]
    say(colleague, "Raise the Summer Sale budget to $800 a day")

    kept = say(colleague, "no")

    assert statuses() == [("700.00", ApprovalStatus.PENDING)]
    assert kept.reply.text == f"OK: {first.reference} stays as it is, and I filed nothing new."


def test_another_request_instead_of_an_answer_is_read_as_a_request(summer, colleague):
    say(colleague, "Raise the Summer Sale budget to $700 a day")
    say(colleague, "Raise the Summer Sale budget to $800 a day")

    again = say(colleague, "How is Summer Sale doing?")

    assert again.reply.text.startswith("Summer Sale had no spend")  # a question, answered
    assert statuses() == [("700.00", ApprovalStatus.PENDING)]


def test_the_question_is_asked_in_the_persons_language(summer, colleague):
    first = say(colleague, "Sube el presupuesto de Summer Sale a 700 dólares al día").actions[0]

    asked = say(colleague, "Sube el presupuesto de Summer Sale a 800 dólares al día")

    older = "Subir el presupuesto diario de Summer Sale de 500,00 US$ a 700,00 US$"
    assert f"Ya pediste «{older}» ({first.reference}), y sigue esperando aprobación" in asked.reply.text
    say(colleague, "sí")
    assert statuses() == [("700.00", ApprovalStatus.SUPERSEDED), ("800.00", ApprovalStatus.PENDING)]


def test_someone_elses_waiting_request_is_superseded_as_before(summer, tenant, colleague):
    other = UserFactory(tenant=tenant, role="member")
    say(other, "Raise the Summer Sale budget to $700 a day")

    say(colleague, "Raise the Summer Sale budget to $800 a day")

    assert statuses() == [("700.00", ApprovalStatus.SUPERSEDED), ("800.00", ApprovalStatus.PENDING)]
