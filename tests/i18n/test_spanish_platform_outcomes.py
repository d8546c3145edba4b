"""A Spanish-speaking requester hears what the ad platform did in Spanish: the execution's detail, the history's
lines and the reasons a change stopped, with money in the campaign's currency the Spanish way."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.utils import translation

from adplatforms.proposals import check_budget
from agents.models import AIAgent
from hitl.history import note
from hitl.models import HITLApproval, HITLApprovalHistory
from hitl.services.decisions import approve
from hitl.services.execution import run_execution
from hitl.services.requests import request_approval
from tests.adplatforms.linked import connect, synced_campaign
from tests.factories import UserFactory, budget_action


@pytest.fixture
def spanish_requester(tenant):
    return UserFactory(tenant=tenant, email="ines@acme.test", first_name="Inés", language="es")


@pytest.fixture
def decided(tenant, spanish_requester, approver):
    def file(campaign, amount):
        agent = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")
        approval = request_approval(
            tenant=tenant, agent=agent, action=budget_action(campaign, amount), requested_by=spanish_requester
        )
        approve(approval.pk, actor=approver)
        return approval

    return file


def test_the_detail_of_a_change_made_on_google_ads_is_in_spanish(tenant, monkeypatch, decided):
    connection, memory = connect(tenant, monkeypatch, currency="JPY")
    tokyo = synced_campaign(connection, memory, "Tokyo Launch", "4000", "7")
    approval = decided(tokyo, "5000")
    assert run_execution(approval.pk, max_attempts=5) == "executed"
    done = HITLApproval.objects.get(pk=approval.pk)
    assert done.execution_result["detail"] == (
        "Presupuesto diario de Tokyo Launch 4\xa0000 ¥ -> 5\xa0000 ¥ en Google Ads (comprobado al releerlo)"
    )
    started = done.history.get(event_type=HITLApprovalHistory.Event.EXECUTION_STARTED)
    assert started.description == "Sending to Google Ads (attempt 1)."  # kept in English, told to each reader
    with translation.override("es"):
        assert note(started) == "Enviando al destino: Google Ads (intento 1)."


def test_a_budget_that_moved_is_explained_in_spanish(tenant, monkeypatch, decided):
    connection, memory = connect(tenant, monkeypatch, platform="meta", currency="EUR")
    summer = synced_campaign(connection, memory, "Summer Sale", "500.00", "111")
    approval = decided(summer, "600.00")
    memory.remote["111"] = replace(memory.remote["111"], daily_budget_units=65_000)
    assert run_execution(approval.pk, max_attempts=5) == "failed"
    assert HITLApproval.objects.get(pk=approval.pk).execution_error == (
        "El presupuesto de Summer Sale es ahora 650,00 € en Meta Ads, no los 500,00 € que vio quien lo aprobó; "
        "pide una nueva aprobación"
    )


def test_the_guardrails_refuse_in_spanish(tenant, monkeypatch, spanish_requester):
    connection, memory = connect(tenant, monkeypatch)
    summer = synced_campaign(connection, memory, "Summer Sale", "500.00", "111")
    with translation.override("es"):
        reason = check_budget(tenant, {"campaign_id": str(summer.pk), "daily_budget": str(Decimal("900.00"))})
    assert reason == (
        "pasar el presupuesto diario de Summer Sale de 500,00 US$ a 900,00 US$ es un cambio del 80\xa0%; tus "
        "límites de anuncios permiten como mucho un 50\xa0% por cambio"
    )
