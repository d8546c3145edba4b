"""The tenant of a WhatsApp number is read from the cache on every webhook, and forgotten when it changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channels_app.whatsapp import numbers
from conversations.models import Message
from tests.fixtures.whatsapp import TENANT_NUMBER, inbound_form, post_signed

WEBHOOK = "/channels/whatsapp/webhook"
pytestmark = pytest.mark.django_db


def test_a_known_number_costs_no_query_after_the_first(client, twilio, number, member_phone):
    post_signed(client, WEBHOOK, inbound_form(member_phone.phone_number))
    with CaptureQueriesContext(connection) as queries:
        assert numbers.tenant_for(TENANT_NUMBER).pk == number.tenant_id
    assert len(queries) == 0


def test_a_changed_number_is_the_tenants_at_once_and_the_old_one_no_ones(client, twilio, number, member_phone):
    assert post_signed(client, WEBHOOK, inbound_form(member_phone.phone_number)).status_code == 200  # cached now
    number.number = "+14155230000"
    number.save()
    old = post_signed(client, WEBHOOK, inbound_form(member_phone.phone_number))
    assert old.status_code == 404 and old.json()["code"] == "unknown_number"
    new = post_signed(client, WEBHOOK, inbound_form(member_phone.phone_number, "hi again", to="+14155230000"))
    assert new.status_code == 200
    assert Message.objects.filter(direction="inbound").count() == 2


def test_a_renamed_tenant_is_read_again(client, twilio, number, tenant):
    assert numbers.tenant_for(TENANT_NUMBER).name == tenant.name
    tenant.name = "Acme Trails"
    tenant.save()
    assert numbers.tenant_for(TENANT_NUMBER).name == "Acme Trails"


def test_a_number_no_tenant_uses_is_remembered_as_such(client, signing):
    assert post_signed(client, WEBHOOK, inbound_form("+14155550105", to="+14155559999")).status_code == 404
    with CaptureQueriesContext(connection) as queries:
        assert numbers.tenant_for("+14155559999") is None
    assert len(queries) == 0
