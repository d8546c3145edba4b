"""`manage.py simulate_whatsapp` posts a correctly signed webhook to a running server and prints the reply."""

import logging

import pytest
from django.core.management import CommandError, call_command

from channels_app.whatsapp.models import WhatsAppContact, WhatsAppSender
from conversations.models import Message
from tests.factories import CampaignFactory, PhoneFactory


@pytest.fixture
def running(live_db, live_server, settings, tenant, colleague):
    settings.PUBLIC_BASE_URL = live_server.url
    settings.TWILIO_AUTH_TOKEN = ""  # the console provider's derived signing key
    WhatsAppSender.objects.create(tenant=tenant, number="+14155238886")
    PhoneFactory(user=colleague, phone_number="+14155550105", is_primary=True)
    CampaignFactory(tenant=tenant, name="Summer Sale")
    return live_server


def test_the_simulator_gets_the_agents_answer(running, capsys, caplog):
    caplog.set_level(logging.INFO, logger="channels_app.whatsapp.send")
    call_command(
        "simulate_whatsapp", "How is my Summer Sale campaign doing?", "--from", "+1 415 555 0105", "--wait", "20"
    )
    out = capsys.readouterr().out
    assert "server answered HTTP 200" in out
    reply = Message.objects.get(direction="outbound")
    assert f"← {reply.text}" in out and "Summer Sale" in reply.text
    sends = [r.getMessage() for r in caplog.records if r.name == "channels_app.whatsapp.send"]
    assert any(s.startswith("WhatsApp (console) +14155238886 -> +•••••••••05: ") for s in sends)  # the provider's line
    assert WhatsAppContact.objects.filter(phone="+14155550105").exists()


def test_an_unknown_phone_gets_the_polite_answer(running, capsys):
    call_command("simulate_whatsapp", "hi", "--from", "+15551230001", "--to", "+14155238886", "--wait", "20")
    assert "Ask your Walker admin to add your number" in capsys.readouterr().out
    assert not Message.objects.exists()


def test_a_request_signed_with_another_key_is_refused(running, monkeypatch):
    """The simulator's success above is the server's check passing, not a check skipped."""
    from twilio.request_validator import RequestValidator

    from channels_app.management.commands import simulate_whatsapp

    monkeypatch.setattr(simulate_whatsapp, "sign", RequestValidator("not-the-servers").compute_signature)
    with pytest.raises(CommandError, match="bad_signature"):
        call_command("simulate_whatsapp", "hi", "--from", "+14155550105", "--wait", "1")
