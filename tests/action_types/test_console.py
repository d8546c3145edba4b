"""The console's action types: a tenant admin registers one on the same rules as the API, field for field."""

import json

import pytest
from django.urls import reverse

from agents.tenant_actions.models import TenantActionType
from tests.action_types.conftest import body, registered

pytestmark = pytest.mark.django_db
ADD = "admin:agents_tenantactiontype_add"


def form_data(**changes) -> dict:
    """The add form's fields for the budget type: JSON as text, a boolean as a checkbox."""
    fields = body(**changes)
    data = {name: json.dumps(fields[name]) for name in ("names", "args_schema", "editable_fields")}
    data.update(
        {name: fields.get(name, "") for name in ("key", "money_field", "currency", "currency_field", "reach_field")}
    )
    data.update({"base_risk": fields["base_risk"], "default_expiry": fields["default_expiry"], "runs_by": "agent"})
    if fields["reversible"]:
        data["reversible"] = "on"
    return data


def form_errors(response) -> dict[str, list[str]]:
    return {field: list(errors) for field, errors in response.context_data["adminform"].form.errors.items()}


def test_an_admin_registers_a_type_for_their_tenant(console_as, tenant_admin, tenant):
    response = console_as(tenant_admin).post(reverse(ADD), form_data())
    assert response.status_code == 302, form_errors(response)
    row = TenantActionType.objects.get()
    assert (row.tenant, row.created_by, row.args_schema, row.base_risk) == (
        tenant, tenant_admin, body()["args_schema"], 18
    )  # fmt: skip


BAD = [
    {"key": "set_budget"},
    {"editable_fields": ["budget"]},
    {"currency": "EUX"},
    {"args_schema": {"type": "object", "properties": {"a": {"$ref": "#/$defs/nowhere"}}}, "editable_fields": [],
     "money_field": "", "currency": "", "reach_field": ""},
    {"reach_field": "campaign"},
    {"names": {"fr": "Changer"}},
]  # fmt: skip


@pytest.mark.parametrize("changes", BAD, ids=["built-in-key", "editable", "currency", "ref", "reach", "names"])
def test_the_console_and_the_api_refuse_the_same_with_the_same_words(console_as, api_as, tenant_admin, changes):
    in_console = form_errors(console_as(tenant_admin).post(reverse(ADD), form_data(**changes)))
    in_api = api_as(tenant_admin).post("/api/v1/action-types/", body(**changes), format="json").json()
    assert in_console and in_console == in_api
    assert not TenantActionType.objects.exists()


def test_a_taken_key_is_refused_in_the_console_too(console_as, tenant_admin, budget_type):
    errors = form_errors(console_as(tenant_admin).post(reverse(ADD), form_data()))
    assert errors == {"key": ["This tenant already has an action type with that key."]}


def test_the_list_filters_and_searches_the_tenant_s_own(console_as, tenant_admin, tenant, other_tenant):
    registered(tenant)
    registered(tenant, key="send_sms", reversible=False, names={"en": "Send a text message"})
    registered(other_tenant, key="globex_only")
    console = console_as(tenant_admin)
    changelist = reverse("admin:agents_tenantactiontype_changelist")
    page = console.get(changelist).content.decode()
    assert "update_budget" in page and "send_sms" in page and "globex_only" not in page
    assert "Send a text message" in page  # the name in the reader's language
    filtered = console.get(changelist, {"reversible__exact": "1"}).content.decode()
    assert "update_budget" in filtered and "send_sms" not in filtered
    found = console.get(changelist, {"q": "text message"}).content.decode()
    assert "send_sms" in found and "update_budget" not in found


def test_another_tenant_s_type_is_not_found_and_the_key_cannot_change(console_as, tenant_admin, outsider, budget_type):
    change = reverse("admin:agents_tenantactiontype_change", args=[budget_type.pk])
    assert console_as(outsider).get(change).status_code == 404
    page = console_as(tenant_admin).get(change)
    assert page.status_code == 200 and "key" not in page.context_data["adminform"].form.fields
