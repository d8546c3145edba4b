"""The rules of a tenant's action type, as `full_clean()` applies them for the console and the API alike."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from agents.tenant_actions.models import TenantActionType
from tests.action_types.conftest import SCHEMA, body, registered

pytestmark = pytest.mark.django_db


def refusals(tenant, **changes) -> dict[str, list[str]]:
    fields = body(**changes)
    fields["default_expiry"] = changes.get("default_expiry", timedelta(hours=2))
    with pytest.raises(ValidationError) as refused:
        TenantActionType(tenant=tenant, **fields).full_clean()
    return refused.value.message_dict


def with_field(name: str, shape: dict) -> dict:
    return {**SCHEMA, "properties": {**SCHEMA["properties"], name: shape}}


def test_a_complete_type_is_saved(budget_type):
    stored = TenantActionType.objects.get(pk=budget_type.pk)
    assert (stored.key, stored.currency, stored.base_risk, stored.default_expiry) == (
        "update_budget", "EUR", 18, timedelta(hours=24)
    )  # fmt: skip
    assert stored.name_in("es") == "Cambiar un presupuesto" and stored.name_in("fr") == "Update a budget"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"key": "set_budget"}, "key", "one of Walker's own action types"),
        ({"key": "Update-Budget"}, "key", "Lower-case letters, digits and underscores"),
        ({"names": {"es": "Cambiar"}}, "names", "A name in en is needed"),
        ({"names": {"en": "Update", "fr": "Changer"}}, "names", "languages Walker does not speak: fr"),
        ({"names": {"en": "  "}}, "names", "The en name must be text of 1 to 200 characters"),
        ({"names": ["Update"]}, "names", "Names are an object of language and name"),
        ({"args_schema": {"type": "object", "properties": {"a": {"type": 5}}}}, "args_schema", "Not a valid JSON"),
        ({"editable_fields": ["amount", "budget"]}, "editable_fields", "Not fields of the schema's properties: budget"),
        ({"editable_fields": ["amount", "amount"]}, "editable_fields", "Each editable field is named once"),
        ({"editable_fields": "amount"}, "editable_fields", "a list of field names"),
        ({"money_field": "price"}, "money_field", "“price” is not a field of the schema's properties"),
        ({"args_schema": with_field("amount", {"type": "boolean"})}, "money_field", "must be of type integer or"),
        ({"args_schema": with_field("amount", {})}, "money_field", "must be of type integer or number or string"),
        ({"currency": "EUX"}, "currency", "“EUX” is not an ISO 4217 currency code"),
        ({"currency": "eur"}, "currency", "“eur” is not an ISO 4217 currency code"),
        ({"currency": ""}, "currency", "one of the two"),
        ({"currency_field": "currency"}, "currency", "one of the two"),
        ({"currency": "", "currency_field": "audience"}, "currency_field", "“audience” must be of type string"),
        ({"money_field": "", "currency": "EUR"}, "money_field", "no field carries money"),
        ({"reach_field": "campaign"}, "reach_field", "“campaign” must be of type integer"),
        ({"reach_field": "people"}, "reach_field", "“people” is not a field"),
        ({"base_risk": 26}, "base_risk", "less than or equal to 25"),
        ({"default_expiry": timedelta(minutes=4)}, "default_expiry", "greater than or equal to 0:05:00"),
        ({"default_expiry": timedelta(days=31)}, "default_expiry", "less than or equal to 30 days"),
        ({"runs_by": "webhook"}, "runs_by", "no action webhook URL"),
        ({"runs_by": "ledger"}, "runs_by", "not a valid choice"),
    ],
    ids=lambda value: None if isinstance(value, dict) else str(value),
)
def test_each_rule_refuses_on_its_field_saying_why(tenant, changes, field, words):
    found = refusals(tenant, **changes)
    assert any(words in message for message in found.get(field, [])), found


def test_a_currency_carried_by_the_args(tenant):
    row = registered(tenant, currency="", currency_field="currency")
    assert row.currency_field == "currency"


def test_webhook_types_need_the_tenant_s_webhook(tenant):
    tenant.action_webhook_url = "https://hooks.acme.test/walker"
    tenant.save(update_fields=["action_webhook_url"])
    assert registered(tenant, runs_by="webhook").runs_by == "webhook"


def test_a_key_is_unique_in_its_tenant_only(budget_type, tenant, other_tenant):
    assert refusals(tenant)["key"] == ["This tenant already has an action type with that key."]
    assert registered(other_tenant).key == budget_type.key


def test_the_key_is_fixed_once_the_type_exists(budget_type):
    budget_type.key = "change_budget"
    with pytest.raises(ValidationError) as refused:
        budget_type.full_clean()
    assert "The key is fixed once the action type exists" in refused.value.message_dict["key"][0]
    budget_type.refresh_from_db()
    budget_type.base_risk = 5
    budget_type.full_clean()  # the key unchanged: other changes are welcome
