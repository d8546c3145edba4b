"""A read tool call is audited with personal data redacted, whether it answered or was refused."""

import pytest

from agents import gateway
from agents.models import ToolCallAudit
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db
EMAIL, PHONE = "jane.doe@example.com", "+1 415 555 0100"


def read(tenant, agent, user, arguments):
    return gateway.read("campaign_performance", arguments, tenant=tenant, agent=agent, user=user, conversation_id=None)


def test_an_answered_read_keeps_no_personal_data_in_its_audit(tenant, tenant_admin, paid_ads):
    CampaignFactory(tenant=tenant, name=f"Leads for {EMAIL}")
    result = read(tenant, paid_ads, tenant_admin, {"campaign": EMAIL, "days": 7})
    assert result["campaigns"][0]["name"] == f"Leads for {EMAIL}"  # the engine gets its answer
    audit = ToolCallAudit.objects.get()
    assert audit.decision == ToolCallAudit.Decision.READ and audit.action_type == "campaign_performance"
    assert audit.action_data == {"campaign": "[email]", "days": 7}


def test_a_refused_read_keeps_no_personal_data_in_its_audit(tenant, tenant_admin, paid_ads):
    with pytest.raises(gateway.ReadRefused) as refused:
        read(tenant, paid_ads, tenant_admin, {"campaign": f"call {PHONE} or {EMAIL}"})
    assert EMAIL in str(refused.value)  # the engine is told what it asked for
    audit = ToolCallAudit.objects.get()
    assert audit.decision == ToolCallAudit.Decision.READ_REFUSED
    stored = f"{audit.action_data} {audit.reason} {audit.summary}"
    assert EMAIL not in stored and "555" not in stored
    assert audit.action_data == {"campaign": "call [phone] or [email]"} and "[email]" in audit.reason
