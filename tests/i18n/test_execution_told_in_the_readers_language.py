"""What an execution did, why it failed, and what changed on the ad platform while a request waited, in the
reader's language (issue 50, point 6): kept as sentences whose figures (money, moments, states) are data, told to
each reader in their own language and way, whatever language the worker wrote in."""

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from adplatforms import sync
from agents.models import Campaign
from core.sentence import Money, Sentence, told
from core.when import moment
from hitl.history import Event, log
from hitl.models import HITLNotification
from hitl.services.decisions import approve
from hitl.services.execution import run_execution
from hitl.services.requests import request_approval
from hitl.timeline import history
from tests.adplatforms.linked import connect, synced_campaign
from tests.adplatforms.test_outside_changes import budget_change, status_change, waiting_budget
from tests.factories import budget_action

pytestmark = pytest.mark.django_db

DONE_EN = "Done: Summer Sale daily budget $500.00 -> $700.00"
DONE_ES = "Hecho: Presupuesto diario de Summer Sale 500,00 US$ -> 700,00 US$"


def notes(approval, language):
    with translation.override(language):
        return [entry.text for entry in history(approval)]


def pausing(campaign, agent, requester):
    """A waiting request to pause `campaign`."""
    action = budget_action(
        campaign,
        action_type="pause_campaign",
        action_data={"campaign_id": str(campaign.pk), "campaign_name": campaign.name},
        summary=f"Pause {campaign.name}",
    )
    return request_approval(tenant=campaign.tenant, agent=agent, action=action, requested_by=requester)


def outside(approval, language):
    """The note that the target changed outside Walker."""
    [said] = [text for text in notes(approval, language) if "outside Walker" in text or "fuera de Walker" in text]
    return said


def executed(approval, approver):
    approve(approval.pk, actor=approver)
    return run_execution(approval.pk, max_attempts=3)


def test_an_execution_written_in_english_reads_in_spanish(ask, approver, requester):
    approval = ask()

    assert executed(approval, approver) == "executed"

    assert DONE_ES in notes(approval, "es") and DONE_EN in notes(approval, "en")
    approval.refresh_from_db()
    # Where text is needed (the API, the outside agent, emails), the detail as the requester was told it.
    assert approval.execution_result["detail"] == "Summer Sale daily budget $500.00 -> $700.00"


def test_an_execution_written_in_spanish_reads_in_english(ask, approver, requester):
    requester.language = "es"
    requester.save(update_fields=["language"])
    approval = ask()

    executed(approval, approver)

    assert DONE_EN in notes(approval, "en") and DONE_ES in notes(approval, "es")
    assert approval.history.get(event_type=Event.EXECUTED).description == DONE_EN  # the stored text is English
    approval.refresh_from_db()
    assert approval.execution_result["detail"] == "Presupuesto diario de Summer Sale 500,00 US$ -> 700,00 US$"


def test_a_failure_in_walkers_words_reads_in_each_readers_language(tenant, paid_ads, requester, approver, campaign):
    approval = pausing(campaign, paid_ads, requester)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.PAUSED)  # paused meanwhile

    assert executed(approval, approver) == "failed"

    assert "La ejecución falló: Summer Sale ya está en pausa" in notes(approval, "es")
    assert "Execution failed: Summer Sale is already paused" in notes(approval, "en")


def test_an_ad_platforms_change_and_its_refusal_read_in_each_readers_language(
    tenant, paid_ads, requester, approver, monkeypatch
):
    connection, memory = connect(tenant, monkeypatch, currency="JPY")
    campaign = synced_campaign(connection, memory, "Tokyo Launch", "5000", "111")
    done = request_approval(
        tenant=tenant, agent=paid_ads, action=budget_action(campaign, "6000"), requested_by=requester
    )
    executed(done, approver)
    campaign.refresh_from_db()  # ¥6,000 a day, which the next request's approver sees
    moved = request_approval(
        tenant=tenant, agent=paid_ads, action=budget_action(campaign, "7000"), requested_by=requester
    )
    memory.remote["111"] = replace(memory.remote["111"], daily_budget_units=6_500_000_000)  # changed meanwhile

    assert executed(moved, approver) == "failed"

    assert (
        "Hecho: Presupuesto diario de Tokyo Launch 5\xa0000 ¥ -> 6\xa0000 ¥ en Google Ads (comprobado al releerlo)"
        in notes(done, "es")
    )
    [refused] = [text for text in notes(moved, "es") if text.startswith("La ejecución falló")]
    assert "ahora 6\xa0500 ¥ en Google Ads, no los 6\xa0000 ¥" in refused, refused
    [refused] = [text for text in notes(moved, "en") if text.startswith("Execution failed")]
    assert "budget is ¥6,500 on Google Ads now, not the ¥6,000 the approver saw" in refused, refused


def test_a_budget_changed_outside_walker_reads_in_each_readers_language(tenant, requester, approver, monkeypatch):
    connection, memory = connect(tenant, monkeypatch)
    campaign = synced_campaign(connection, memory, "Summer Sale", "500.00", "111")
    approval = waiting_budget(tenant, requester, campaign, "600.00")
    memory.remote["111"] = replace(memory.remote["111"], daily_budget_units=650_000_000)
    memory.history.append(budget_change("111", 500_000_000, 650_000_000))

    with translation.override("en"):
        sync.sync_connection(connection)

    spanish = outside(approval, "es")
    assert "de 500,00 US$ a 650,00 US$" in spanish and "esperaba 500,00 US$" in spanish
    english = outside(approval, "en")
    assert "from $500.00 to $650.00" in english and "expected $500.00" in english


def test_a_status_changed_outside_walker_names_the_state_in_the_readers_language(
    tenant, requester, paid_ads, approver, monkeypatch
):
    connection, memory = connect(tenant, monkeypatch)
    campaign = synced_campaign(connection, memory, "Summer Sale", "500.00", "111")
    approval = pausing(campaign, paid_ads, requester)
    memory.remote["111"] = replace(memory.remote["111"], status="paused")
    memory.history.append(status_change("111", "active", "paused"))

    with translation.override("es"):
        sync.sync_connection(connection)

    english = outside(approval, "en")
    assert "was set paused on" in english and "(it was active)" in english
    spanish = outside(approval, "es")
    assert "pasó a en pausa" in spanish and "(estaba activa)" in spanish


def test_money_and_a_moment_are_kept_as_data_and_written_when_told():
    at = datetime(2026, 11, 27, 12, 43, tzinfo=UTC)
    kept = Sentence("%(amount)s at %(when)s", amount=Money(Decimal("6000"), "USD"), when=at).stored()

    assert kept["figures"] == {"amount": {"money": "6000", "currency": "USD"}, "when": {"moment": at.isoformat()}}
    with translation.override("es"), timezone.override("Europe/Madrid"):
        assert told(kept) == "6\xa0000,00 US$ at 27 de noviembre de 2026 a las 13:43"
    with translation.override("en"), timezone.override(UTC):
        assert told(kept) == "$6,000.00 at Nov. 27, 2026, 12:43 p.m."
    assert told({"text": "%(amount)s", "figures": {"amount": {"money": "lots", "currency": "USD"}}}) is None


def test_a_note_kept_before_its_figures_were_data_reads_as_before(ask):
    approval = ask()
    log(approval, Event.EXECUTED, Sentence("Done: %(detail)s", detail="Summer Sale daily budget $500.00 -> $700.00"))

    assert "Hecho: Summer Sale daily budget $500.00 -> $700.00" in notes(approval, "es")


def test_a_notice_of_a_change_outside_walker_tells_its_time_in_the_tenants_zone(
    tenant, requester, approver, monkeypatch
):
    """The note's time lost its "UTC" when it became a moment told in the reader's zone: notices, written by a
    worker in UTC, said 17:00 for a change made at 9 am in Los Angeles, with no zone to read it by."""
    tenant.timezone = "America/Los_Angeles"
    tenant.save(update_fields=["timezone"])
    connection, memory = connect(tenant, monkeypatch)
    campaign = synced_campaign(connection, memory, "Summer Sale", "500.00", "111")
    approval = waiting_budget(tenant, requester, campaign, "600.00")
    change = budget_change("111", 500_000_000, 650_000_000)
    memory.remote["111"] = replace(memory.remote["111"], daily_budget_units=650_000_000)
    memory.history.append(change)

    sync.sync_connection(connection)

    [notice] = HITLNotification.objects.filter(approval=approval, recipient=approver, event="target_changed")[:1]
    with translation.override(approver.language or "en"), timezone.override(ZoneInfo("America/Los_Angeles")):
        local = moment(change.at)
    assert local in notice.message, notice.message
