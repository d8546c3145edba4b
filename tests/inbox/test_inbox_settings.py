"""Labels and canned responses: each tenant defines its own in the console, unique within it, unseen by others."""

import pytest
from django.urls import reverse

from conversations import canned, canned_text
from conversations.models import CannedResponse, Label
from tests.factories import ConversationFactory, UserFactory


def add(client, model, **fields):
    return client.post(reverse(f"admin:conversations_{model}_add"), fields, follow=True)


def test_an_admin_adds_labels_and_a_second_of_the_same_name_is_refused(console_as, tenant_admin):
    client = console_as(tenant_admin)
    add(client, "label", name="Refund", colour="#dc2626")
    label = Label.objects.get()
    assert (label.tenant, label.name, label.colour) == (tenant_admin.tenant, "Refund", "#dc2626")
    html = add(client, "label", name="Refund", colour="#16a34a").content.decode()
    assert "This tenant has one named “Refund” already." in html
    assert Label.objects.count() == 1


def test_a_colour_must_be_hex(console_as, tenant_admin):
    html = add(console_as(tenant_admin), "label", name="VIP", colour="red").content.decode()
    assert "A colour as #rrggbb" in html and not Label.objects.exists()


def test_another_tenant_may_use_the_same_names_and_sees_none_of_ours(console_as, tenant_admin, outsider):
    Label.objects.create(tenant=tenant_admin.tenant, name="Refund")
    CannedResponse.objects.create(tenant=tenant_admin.tenant, shortcut="refund", body="Hi {first_name}")
    client = console_as(outsider)
    add(client, "label", name="Refund", colour="#16a34a")
    add(client, "cannedresponse", shortcut="refund", body="Hello")
    assert Label.objects.filter(name="Refund").count() == CannedResponse.objects.filter(shortcut="refund").count() == 2
    ours = Label.objects.get(tenant=tenant_admin.tenant)
    assert client.get(reverse("admin:conversations_label_change", args=[ours.pk])).status_code == 404
    listed = client.get(reverse("admin:conversations_cannedresponse_changelist")).content.decode()
    assert "Hi {first_name}" not in listed and "Hello" in listed


def test_support_uses_them_but_only_admins_define_them(console_as, support, tenant_admin):
    Label.objects.create(tenant=support.tenant, name="VIP")
    client = console_as(support)
    assert client.get(reverse("admin:conversations_label_changelist")).status_code == 200
    assert client.get(reverse("admin:conversations_label_add")).status_code == 403
    assert client.get(reverse("admin:conversations_cannedresponse_add")).status_code == 403


def test_a_canned_response_naming_an_unknown_variable_is_refused(console_as, tenant_admin):
    client = console_as(tenant_admin)
    html = add(client, "cannedresponse", shortcut="hi", body="Hi {firstname}, {company} here").content.decode()
    assert "Unknown variables: {firstname}." in html and not CannedResponse.objects.exists()
    html = add(client, "cannedresponse", shortcut="hi", body="Hi {first_name, {company} here").content.decode()
    assert "Unknown variables" in html and not CannedResponse.objects.exists()
    add(client, "cannedresponse", shortcut="hi", body="Hi {first_name}, {agent_name} of {company} here.")
    assert CannedResponse.objects.get().shortcut == "hi"
    html = add(client, "cannedresponse", shortcut="hi", body="Hello").content.decode()
    assert "This tenant has one named “hi” already." in html


def test_variables_are_filled_for_the_conversation_and_the_person_answering(tenant, support, other_tenant):
    person = UserFactory(tenant=tenant, first_name="Priya", last_name="Shah")
    conversation = ConversationFactory(user=person)
    CannedResponse.objects.create(tenant=tenant, shortcut="hi", body="Hi {first_name}, {agent_name} of {company}.")
    CannedResponse.objects.create(tenant=other_tenant, shortcut="theirs", body="Not ours")
    assert canned.offered(conversation, support) == [
        {"shortcut": "hi", "text": "Hi Priya, Support Smith of Acme Outdoor."}
    ]


@pytest.mark.parametrize("body", ["{0}", "{}", "{first_name.__class__}", "{first_name!r}x{"])
def test_what_is_no_variable_is_never_formatted(body):
    assert canned_text.unknown_variables(body)
    assert canned_text.filled(body, {"first_name": "Priya"}) == body


@pytest.mark.parametrize("body", ["Hi {first_name:>300000000}", "Hi {first_name!s}", "{company:{first_name}}"])
def test_a_variable_with_a_format_or_conversion_is_refused_and_never_expanded(body):
    """The outside test's `{first_name:>300000000}` passed and expanded to 300 million characters."""
    assert canned_text.unknown_variables(body)
    assert canned_text.filled(body, {"first_name": "Priya", "company": "Acme"}) == body


def test_the_console_names_a_formatted_variable_as_written(console_as, tenant_admin):
    html = add(console_as(tenant_admin), "cannedresponse", shortcut="hi", body="Hi {first_name:>300000000}")
    assert "Unknown variables: {first_name:&gt;300000000}" in html.content.decode()
    assert not CannedResponse.objects.exists()


def test_a_filled_response_is_never_longer_than_a_reply_may_be(settings):
    settings.INBOUND_MAX_CHARS = 50
    text = canned_text.filled("Dear {first_name} " * 3, {"first_name": "P" * 40})
    assert len(text) == 50
