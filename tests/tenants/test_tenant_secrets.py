"""The tenant's action-webhook signing secret and Slack URL (issue 29): stored encrypted, write-only for those
who manage the tenant, and absent for every other role, on the page and in the API."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django import forms
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from tenants import crypto
from tenants.models import Tenant
from tenants.roles import Role
from tests.factories import UserFactory

SECRET = "whsec-0f3c9e7b5d4c1a2b"
SLACK = "https://hooks.slack.com/services/T0001/B0001/s3cr3tSlackToken9z8y"
PARTS = [SECRET, "0f3c9e7b5d4c", SLACK, "s3cr3tSlackToken"]  # neither whole nor a telling part of either
VIEWERS = [Role.APPROVER, Role.SUPPORT, Role.COMPLIANCE]


@pytest.fixture
def hooked(tenant):
    tenant.action_webhook_url = "https://hooks.acme.example/walker"
    tenant.action_webhook_secret = SECRET
    tenant.slack_webhook_url = SLACK
    tenant.save()
    return tenant


def _change_url(tenant):
    return reverse("admin:tenants_tenant_change", args=[tenant.pk])


def _generate_url(tenant):
    return reverse("admin:tenants_tenant_webhook_secret", args=[tenant.pk])


def _leaked(html: str) -> list[str]:
    return [part for part in PARTS if part in html]


def _stored(tenant) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT action_webhook_secret, slack_webhook_url FROM tenants_tenant WHERE id = %s",
            [tenant.pk.hex if connection.vendor == "sqlite" else tenant.pk],
        )
        return cursor.fetchone()


def _form_data(page, **changes) -> dict:
    """What the browser posts back: the change form's fields as the page shows them, with `changes`."""
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            data.update({name: "on"} if value else {})  # an unticked box sends nothing
        else:
            data[name] = "" if value is None else value
    return {**data, **changes}


def test_both_are_stored_encrypted(hooked):
    secret, slack = _stored(hooked)
    assert secret.startswith("gAAAAA") and slack.startswith("gAAAAA")
    assert not _leaked(secret) and not _leaked(slack) and "hooks.slack.com" not in slack
    assert crypto.decrypt(secret) == SECRET and crypto.decrypt(slack) == SLACK
    fresh = Tenant.objects.get(pk=hooked.pk)
    assert (fresh.action_webhook_secret, fresh.slack_webhook_url) == (SECRET, SLACK)


@pytest.mark.parametrize("role", VIEWERS)
def test_staff_who_do_not_manage_the_tenant_see_neither_value_nor_field(console_as, hooked, role):
    client = console_as(UserFactory(tenant=hooked, role=role))
    page = client.get(_change_url(hooked))
    assert page.status_code == 200
    html = page.content.decode()
    assert not _leaked(html)
    assert "webhook secret" not in html.lower() and "slack webhook" not in html.lower()
    assert "1a2b" not in html and "9z8y" not in html  # not even whether it is set, or how it ends
    assert not _leaked(client.get(reverse("admin:tenants_tenant_changelist")).content.decode())
    assert not _leaked(client.get(reverse("admin:tenants_tenant_history", args=[hooked.pk])).content.decode())


@pytest.mark.parametrize("role", VIEWERS)
def test_staff_who_do_not_manage_the_tenant_cannot_generate_a_secret(console_as, hooked, role):
    client = console_as(UserFactory(tenant=hooked, role=role))
    assert client.get(_generate_url(hooked)).status_code == 403
    assert client.post(_generate_url(hooked)).status_code == 403
    assert Tenant.objects.get(pk=hooked.pk).action_webhook_secret == SECRET


@pytest.mark.parametrize("role", [*VIEWERS, Role.ADMIN, Role.MEMBER])
def test_the_api_shows_neither(api_as, hooked, role):
    response = api_as(UserFactory(tenant=hooked, role=role)).get("/api/me/")
    assert response.status_code == 200
    assert not _leaked(response.content.decode())
    assert not {"action_webhook_secret", "slack_webhook_url"} & set(response.json()["tenant"])


@pytest.mark.parametrize("who", ["tenant_admin", "superuser"])
def test_those_who_manage_the_tenant_see_only_that_each_is_set_and_how_it_ends(console_as, hooked, who, request):
    page = console_as(request.getfixturevalue(who)).get(_change_url(hooked))
    html = page.content.decode()
    assert page.status_code == 200 and not _leaked(html)
    assert 'name="action_webhook_secret"' in html and 'name="slack_webhook_url"' in html
    assert "ends …1a2b" in html and "ends …9z8y" in html
    assert _generate_url(hooked) in html


def test_leaving_the_fields_empty_keeps_both(console_as, tenant_admin, hooked):
    client = console_as(tenant_admin)
    data = _form_data(client.get(_change_url(hooked)), name="Acme Outdoor Co")
    assert data["action_webhook_secret"] == data["slack_webhook_url"] == ""  # the page sends nothing back
    response = client.post(_change_url(hooked), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    saved = Tenant.objects.get(pk=hooked.pk)
    assert (saved.name, saved.action_webhook_secret, saved.slack_webhook_url) == ("Acme Outdoor Co", SECRET, SLACK)


def test_typing_new_values_replaces_them(console_as, tenant_admin, hooked):
    client = console_as(tenant_admin)
    new_slack = "https://hooks.slack.com/services/T0001/B0001/another"
    data = _form_data(client.get(_change_url(hooked)), action_webhook_secret="whsec-new", slack_webhook_url=new_slack)
    assert client.post(_change_url(hooked), data).status_code == 302
    saved = Tenant.objects.get(pk=hooked.pk)
    assert (saved.action_webhook_secret, saved.slack_webhook_url) == ("whsec-new", new_slack)
    assert "whsec-new" not in client.get(_change_url(hooked)).content.decode()


def test_the_slack_url_can_be_removed(console_as, tenant_admin, hooked):
    client = console_as(tenant_admin)
    data = _form_data(client.get(_change_url(hooked)), remove_slack_webhook_url="on")
    assert client.post(_change_url(hooked), data).status_code == 302
    assert Tenant.objects.get(pk=hooked.pk).slack_webhook_url == ""


def test_a_private_slack_url_is_refused_and_not_echoed(console_as, tenant_admin, hooked):
    client = console_as(tenant_admin)
    data = _form_data(client.get(_change_url(hooked)), slack_webhook_url="https://10.0.0.8/private-hook-path")
    page = client.post(_change_url(hooked), data)
    assert page.status_code == 200 and "slack_webhook_url" in page.context["adminform"].form.errors
    assert "private-hook-path" not in page.content.decode()
    assert Tenant.objects.get(pk=hooked.pk).slack_webhook_url == SLACK


def test_generating_a_new_secret_shows_it_once(console_as, tenant_admin, hooked):
    client = console_as(tenant_admin)
    confirm = client.get(_generate_url(hooked))
    assert confirm.status_code == 200 and not _leaked(confirm.content.decode())
    assert Tenant.objects.get(pk=hooked.pk).action_webhook_secret == SECRET  # asking is not doing

    shown = client.post(_generate_url(hooked))
    new = Tenant.objects.get(pk=hooked.pk).action_webhook_secret
    assert shown.status_code == 200 and new != SECRET and len(new) >= 32
    assert new in shown.content.decode() and "no-store" in shown["Cache-Control"]
    assert not _leaked(shown.content.decode())
    assert new not in client.get(_change_url(hooked)).content.decode()
    assert f"ends …{new[-4:]}" in client.get(_change_url(hooked)).content.decode()
    assert not _leaked(_stored(hooked)[0]) and new not in _stored(hooked)[0]


def test_another_tenants_admin_finds_no_page(console_as, outsider, hooked):
    client = console_as(outsider)
    assert client.get(_generate_url(hooked)).status_code == 404
    assert client.post(_generate_url(hooked)).status_code == 404
    assert Tenant.objects.get(pk=hooked.pk).action_webhook_secret == SECRET


def test_key_rotation_re_encrypts_them(settings, tenant):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old]
    tenant.action_webhook_secret, tenant.slack_webhook_url = SECRET, SLACK
    tenant.save()
    settings.ENCRYPTION_KEYS = [new, old]
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "tenants_tenant.action_webhook_secret: 1 checked, 1 re-encrypted" in out.getvalue()
    assert "tenants_tenant.slack_webhook_url: 1 checked, 1 re-encrypted" in out.getvalue()
    settings.ENCRYPTION_KEYS = [new]
    fresh = Tenant.objects.get(pk=tenant.pk)
    assert (fresh.action_webhook_secret, fresh.slack_webhook_url) == (SECRET, SLACK)
