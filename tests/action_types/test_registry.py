"""One lookup for an action type, Walker's own or a tenant's: `agents.tenant_actions.registry.spec_for`."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from agents import action_specs
from agents.executors.base import ExecutionError
from agents.tenant_actions.registry import TenantActionSpec, spec_for
from tests.action_types.conftest import registered

pytestmark = pytest.mark.django_db


def test_walker_s_own_types_read_as_before_with_or_without_a_tenant(tenant, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert action_specs.spec_for("set_budget") is action_specs.SPECS["set_budget"]
        assert spec_for("set_budget", tenant) is action_specs.SPECS["set_budget"]
        assert spec_for("update_budget") is None  # no tenant: Walker's own only


def test_a_tenant_s_type_is_found_for_that_tenant_only(budget_type, tenant, other_tenant, django_assert_num_queries):
    with django_assert_num_queries(1):
        spec = spec_for("update_budget", tenant)
    assert isinstance(spec, TenantActionSpec) and spec.action_type == "update_budget"
    assert spec_for("update_budget", other_tenant) is None
    assert spec_for("delete_everything", tenant) is None


def test_the_spec_carries_what_the_type_says(budget_type, tenant):
    spec = spec_for("update_budget", tenant)
    assert spec.schema() == budget_type.args_schema and spec.required == ("campaign", "amount")
    assert (spec.base_risk, spec.reversible, spec.runs_by, spec.default_expiry) == (
        18, True, "agent", timedelta(hours=24)
    )  # fmt: skip
    assert spec.agents == frozenset()  # Walker's own agents never propose it
    [editable] = spec.editable
    assert (editable.name, editable.money, editable.integer) == ("amount", True, False)
    args = {"campaign": "Summer", "amount": "250.50", "audience": 12000}
    assert (spec.cost(args), spec.currency_of(args), spec.reach(args)) == (Decimal("250.50"), "EUR", 12000)
    assert spec.reach({"campaign": "Summer", "amount": 1}) is None
    assert action_specs.check(spec, tenant, args) is None
    assert spec.describe(args).startswith("Update a budget (Campaign: Summer,")
    with pytest.raises(ExecutionError, match="does not carry out “update_budget” actions itself"):
        spec.execute(tenant, args)


def test_its_label_is_the_name_in_the_reader_s_language(budget_type, tenant):
    with translation.override("es"):
        assert spec_for("update_budget", tenant).label == "Cambiar un presupuesto"
    with translation.override("en"):
        assert spec_for("update_budget", tenant).label == "Update a budget"


def test_the_currency_may_come_with_the_args(tenant):
    registered(tenant, currency="", currency_field="currency")
    spec = spec_for("update_budget", tenant)
    assert spec.currency_of({"currency": "jpy"}) == "JPY" and spec.currency_of({}) == ""


def test_args_are_checked_against_the_registered_schema_within_limits(budget_type, tenant):
    spec = spec_for("update_budget", tenant)
    assert action_specs.shape_problem(spec, {"campaign": "Summer", "amount": 5}) is None
    assert action_specs.shape_problem(spec, {"campaign": "Summer", "amount": 5, "extra": 1}) == (
        "Additional properties are not allowed ('extra' was unexpected)"
    )  # the whole schema, not only its properties
    assert "at most 65536 bytes" in action_specs.shape_problem(spec, {"campaign": "x" * 70_000, "amount": 5})


def test_walker_s_own_args_read_as_before():
    spec = action_specs.SPECS["set_budget"]
    data = {"campaign_id": 5, "daily_budget": "80", "previous_daily_budget": "50"}
    assert action_specs.shape_problem(spec, data) == "campaign_id: 5 is not of type 'string'"
