"""`manage.py rotate_encryption_keys` moves every encrypted value to the newest key, and resumes after a crash."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from agents.models import AIAgent
from conversations import events
from conversations.models import ConversationEvent, Message
from conversations.normalized import InboundMessage
from hitl.models import HITLApprovalHistory
from hitl.services.decisions import reject
from hitl.services.requests import request_approval
from tenants.models import User, UserPhoneNumber
from tenants.privacy import encrypted_columns
from tests.factories import CampaignFactory, PhoneFactory, UserFactory, budget_action
from tests.pipeline import exchange

TEXT = "Reach me at +1 415 555 0199, card 4111 1111 1111 1111"


def _rotate() -> str:
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    return out.getvalue()


@pytest.fixture
def old_and_new(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old]
    return settings, old, new


def test_rotation_is_resumable_and_leaves_nothing_under_the_old_key(old_and_new, tenant, engine, monkeypatch):
    settings, old, new = old_and_new
    people = [UserFactory(tenant=tenant, email=f"p{n}@example.com") for n in range(5)]
    PhoneFactory(user=people[0], phone_number="+14155550100")
    conversation = exchange(InboundMessage(channel="chat", text=TEXT, user_id=people[0].pk)).conversation
    settings.ENCRYPTION_KEYS = [new, old]

    monkeypatch.setattr(encrypted_columns, "BATCH", 2)
    real_rewrite, calls = encrypted_columns._rewrite, []

    def crash_on_second_batch(col, changes):
        calls.append(col)
        if len(calls) == 2:
            raise RuntimeError("killed mid-run")
        real_rewrite(col, changes)

    monkeypatch.setattr(encrypted_columns, "_rewrite", crash_on_second_batch)
    with pytest.raises(RuntimeError):
        _rotate()
    monkeypatch.setattr(encrypted_columns, "_rewrite", real_rewrite)

    output = _rotate()
    assert "tenants_user.email:" in output and "re-encrypted" in output and "Done:" in output
    assert "conversations.ConversationEvent.payload['sealed_values']" in output
    assert "0 re-encrypted" in _rotate().splitlines()[0]  # a second run finds nothing left

    settings.ENCRYPTION_KEYS = [new]  # the old key is gone: everything still opens
    assert sorted(User.objects.filter(tenant=tenant).values_list("email", flat=True)) == sorted(p.email for p in people)
    assert UserPhoneNumber.objects.get().phone_number == "+14155550100"
    assert Message.objects.filter(conversation=conversation).order_by("created_at").first().text == TEXT
    frames = events.replay(conversation.pk, 0)
    assert any(f.get("text") == TEXT for f in frames)
    assert ConversationEvent.objects.filter(conversation=conversation).exists()


def test_rotation_reaches_the_append_only_approval_history(old_and_new, tenant, requester, approver):
    """On PostgreSQL the history's trigger refuses every rewrite of a note but its owner's re-encryption
    (hitl/migrations/0001)."""
    settings, old, new = old_and_new
    campaign = CampaignFactory(tenant=tenant, name="Summer Sale")
    agent = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")
    approval = request_approval(tenant=tenant, agent=agent, action=budget_action(campaign), requested_by=requester)
    reject(approval.pk, actor=approver, reason="Call me first on +1 415 555 0199")
    notes = dict(HITLApprovalHistory.objects.filter(approval=approval).values_list("pk", "description"))
    settings.ENCRYPTION_KEYS = [new, old]

    assert "hitl_hitlapprovalhistory.description:" in _rotate()

    settings.ENCRYPTION_KEYS = [new]  # the old key is gone: every note still opens, unchanged
    assert dict(HITLApprovalHistory.objects.filter(approval=approval).values_list("pk", "description")) == notes
    assert any("+1 415 555 0199" in note for note in notes.values())
