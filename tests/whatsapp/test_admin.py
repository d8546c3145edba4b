"""The WhatsApp pages of the admin console: the tenant's own number, templates and sends; others' are 404."""

import pytest

from channels_app.whatsapp.models import WhatsAppSend, WhatsAppSender, WhatsAppTemplate
from tests.factories import ConversationFactory, MessageFactory
from tests.fixtures.whatsapp import new_sid

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_admin(client, tenant_admin):
    client.force_login(tenant_admin)
    return client


def test_a_tenant_admin_sets_the_number_for_their_own_tenant(as_admin, tenant):
    response = as_admin.post("/admin/channels_app/whatsappsender/add/", {"number": "+1 415 523 8886"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert WhatsAppSender.objects.get().tenant == tenant
    assert WhatsAppSender.objects.get().number == "+14155238886"


def test_a_template_with_unknown_fields_is_refused_in_the_form(as_admin):
    form = {"purpose": "outcome", "content_sid": "HX" + "e" * 32, "variables": '{"1": "password"}'}
    response = as_admin.post("/admin/channels_app/whatsapptemplate/add/", form)
    assert response.status_code == 200 and "Map variable numbers" in response.content.decode()
    assert not WhatsAppTemplate.objects.exists()


def test_another_tenants_configuration_and_sends_are_404(as_admin, other_tenant):
    theirs = WhatsAppSender.objects.create(tenant=other_tenant, number="+14155238887")
    send = WhatsAppSend.objects.create(sid=new_sid(), tenant=other_tenant, to="+14155550100")
    assert as_admin.get(f"/admin/channels_app/whatsappsender/{theirs.pk}/change/").status_code == 404
    assert as_admin.get(f"/admin/channels_app/whatsappsend/{send.pk}/change/").status_code == 404
    listing = as_admin.get("/admin/channels_app/whatsappsender/")
    assert listing.status_code == 200 and "+14155238887" not in listing.content.decode()


def test_sends_list_in_few_queries(as_admin, tenant, colleague, django_assert_max_num_queries):
    conversation = ConversationFactory(user=colleague, channel="whatsapp")
    for _ in range(5):
        message = MessageFactory(conversation=conversation, direction="outbound", sender_type="agent")
        WhatsAppSend.objects.create(
            sid=new_sid(), tenant=tenant, message=message, to="+14155550105", error_code="63016"
        )
    with django_assert_max_num_queries(15):
        response = as_admin.get("/admin/channels_app/whatsappsend/")
    assert response.status_code == 200 and response.content.decode().count("63016") == 5


def test_a_blocked_message_is_listed_with_its_reason(as_admin, tenant, colleague):
    message = MessageFactory(
        conversation=ConversationFactory(user=colleague, channel="whatsapp"),
        direction="outbound",
        sender_type="agent",
        status="blocked",
        error="blocked: outside the 24-hour window",
    )
    assert as_admin.get("/admin/conversations/message/?status__exact=blocked").status_code == 200
    page = as_admin.get(f"/admin/conversations/message/{message.pk}/change/").content.decode()
    assert "blocked: outside the 24-hour window" in page
