"""`/api/v1/action-types/`: tenant admins register their own action types; nobody else sees them."""

import pytest
from django.db import IntegrityError
from rest_framework.test import APIClient

from agents.tenant_actions.models import TenantActionType
from tenants.identity import integration_tokens
from tests.action_types.conftest import body, registered
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TYPES = "/api/v1/action-types/"


def test_an_admin_registers_a_type_and_reads_it_back(api_as, tenant_admin, tenant):
    made = api_as(tenant_admin).post(TYPES, body(), format="json")
    assert made.status_code == 201, made.content
    row = TenantActionType.objects.get(pk=made.json()["id"])
    assert (row.tenant, row.created_by, row.key) == (tenant, tenant_admin, "update_budget")
    read = api_as(tenant_admin).get(f"{TYPES}{row.pk}/").json()
    assert {key: read[key] for key in body()} == body()


def test_the_list_is_the_tenant_s_own_paginated_and_filtered(api_as, tenant_admin, tenant, other_tenant):
    registered(tenant)
    registered(tenant, key="send_sms", runs_by="agent", reversible=False)
    registered(other_tenant, key="globex_only")
    listed = api_as(tenant_admin).get(TYPES).json()
    assert listed["count"] == 2 and [item["key"] for item in listed["results"]] == ["send_sms", "update_budget"]
    api = api_as(tenant_admin)
    assert [item["key"] for item in api.get(TYPES, {"reversible": "true"}).json()["results"]] == ["update_budget"]
    assert api.get(TYPES, {"reversible": "maybe"}).status_code == 400
    assert api.get(TYPES, {"runs_by": "ledger"}).status_code == 400


def test_another_tenant_s_type_answers_404_to_every_verb(api_as, outsider, budget_type):
    api = api_as(outsider)
    url = f"{TYPES}{budget_type.pk}/"
    assert api.get(url).status_code == 404
    assert api.patch(url, {"base_risk": 1}, format="json").status_code == 404
    assert api.delete(url).status_code == 404
    budget_type.refresh_from_db()
    assert budget_type.base_risk == 18


@pytest.mark.parametrize("role", ["approver", "support", "compliance", "member"])
def test_only_admins_manage_them(api_as, tenant, budget_type, role):
    person = UserFactory(tenant=tenant, role=role, email=f"{role}.2@acme.test")
    api = api_as(person)
    assert api.get(TYPES).status_code == 403
    assert api.post(TYPES, body(key="other"), format="json").status_code == 403
    assert api.get(f"{TYPES}{budget_type.pk}/").status_code == 403


def test_a_superuser_without_a_tenant_reads_but_cannot_register(api_as, superuser, budget_type):
    assert api_as(superuser).get(TYPES).json()["count"] == 1
    refused = api_as(superuser).post(TYPES, body(key="other"), format="json")
    assert refused.status_code == 403 and "belong to a tenant" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"args_schema": {"type": "object", "properties": {"a": {"type": "strnig"}}}}, "args_schema", "Not a valid"),
        ({"args_schema": "not a schema"}, "args_schema", "must be a JSON object"),
        ({"editable_fields": ["budget"]}, "editable_fields", "Not fields of the schema's properties: budget"),
        ({"money_field": "campaign", "args_schema": {"type": "object", "properties": {"campaign": {"type": "object"}}},
          "editable_fields": [], "reach_field": ""}, "money_field", "“campaign” must be of type"),
        ({"currency": "XYZ"}, "currency", "not an ISO 4217 currency code"),
        ({"key": "pause_campaign"}, "key", "one of Walker's own action types"),
        ({"base_risk": 40}, "base_risk", "less than or equal to 25"),
        ({"default_expiry": "00:01:00"}, "default_expiry", "greater than or equal to"),
        ({"names": {"en": 5}}, "names", "The en name must be text"),
    ],
    ids=["malformed-schema", "schema-not-object", "editable-unknown", "money-not-number", "currency", "built-in-key",
         "risk", "expiry", "name"],
)  # fmt: skip
def test_bad_input_gets_400_naming_the_field(api_as, tenant_admin, changes, field, words):
    refused = api_as(tenant_admin).post(TYPES, body(**changes), format="json")
    assert refused.status_code == 400
    assert any(words in message for message in refused.json()[field]), refused.json()
    assert not TenantActionType.objects.exists()


def test_a_schema_too_big_is_refused(api_as, tenant_admin):
    schema = body()["args_schema"]
    schema["properties"]["campaign"]["description"] = "x" * 40_000
    refused = api_as(tenant_admin).post(TYPES, body(args_schema=schema), format="json")
    assert refused.status_code == 400 and "at most 32768 bytes" in refused.json()["args_schema"][0]


def test_a_duplicate_key_is_a_clear_400(api_as, tenant_admin, budget_type):
    refused = api_as(tenant_admin).post(TYPES, body(), format="json")
    assert refused.status_code == 400
    assert refused.json()["key"] == ["This tenant already has an action type with that key."]


def test_losing_the_race_for_a_key_is_the_same_400(api_as, tenant_admin, monkeypatch):
    """The check passed, then a concurrent request saved the key first: the constraint answers, not a 500."""

    def taken(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint one_action_type_per_key")

    monkeypatch.setattr(TenantActionType, "save", taken)
    refused = api_as(tenant_admin).post(TYPES, body(), format="json")
    assert refused.status_code == 400
    assert refused.json()["key"] == ["This tenant already has an action type with that key."]


def test_a_change_is_judged_with_what_is_stored(api_as, tenant_admin, budget_type):
    api = api_as(tenant_admin)
    url = f"{TYPES}{budget_type.pk}/"
    assert api.patch(url, {"editable_fields": ["campaign", "amount"]}, format="json").status_code == 200
    refused = api.patch(url, {"money_field": "audience", "reach_field": "missing"}, format="json")
    assert refused.status_code == 400 and set(refused.json()) == {"reach_field"}
    moved = api.patch(url, {"key": "change_budget"}, format="json")
    assert moved.status_code == 400 and "fixed once the action type exists" in moved.json()["key"][0]
    budget_type.refresh_from_db()
    assert (budget_type.key, budget_type.editable_fields, budget_type.reach_field) == (
        "update_budget", ["campaign", "amount"], "audience"
    )  # fmt: skip


def test_an_admin_deletes_one(api_as, tenant_admin, budget_type):
    assert api_as(tenant_admin).delete(f"{TYPES}{budget_type.pk}/").status_code == 204
    assert not TenantActionType.objects.exists()


def test_integration_tokens_read_with_read_and_register_with_write(tenant_admin, budget_type):
    def client(scopes):
        _token, secret = integration_tokens.create_token(tenant_admin, name="Agent ops", scopes=scopes)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        return api

    reader = client(["read"])
    assert reader.get(TYPES).status_code == 200
    refused = reader.post(TYPES, body(key="other"), format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "scope_missing"
    assert client(["write"]).post(TYPES, body(key="other"), format="json").status_code == 201
