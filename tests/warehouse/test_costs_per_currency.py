"""Approval costs reach the warehouse per currency (issue 46, point 6): the approval_analytics table's `cost_approved`
and `cost_rejected` are JSON objects of totals by currency code; the NUMERIC columns of earlier releases, which added
yen to dollars, stay in the table (a column is never removed) and are no longer written."""

import copy
import json
from datetime import date

from tests.warehouse.conftest import approvals_day
from warehouse import export
from warehouse.tables import TABLES

PER_CURRENCY = {"cost_approved": {"JPY": "9000", "USD": "10144.93"}, "cost_rejected": {"JPY": "500"}}
RETIRED = ("total_estimated_cost_approved", "total_estimated_cost_rejected")


def test_a_period_carries_its_costs_per_currency(bigquery_fake, destination, tenant):
    approvals_day(tenant, date(2026, 11, 2), **PER_CURRENCY)

    export.export_destination(destination(tenant))

    [row] = bigquery_fake.rows("acme-data", "walker", "approval_analytics")
    assert json.loads(row["cost_approved"]) == {"JPY": "9000", "USD": "10144.93"}
    assert json.loads(row["cost_rejected"]) == {"JPY": "500"}
    assert all(row.get(name) is None for name in RETIRED)
    columns = {
        f["name"]: f for f in bigquery_fake.table("acme-data", "walker", "approval_analytics")["schema"]["fields"]
    }
    assert columns["cost_approved"]["type"] == columns["cost_rejected"]["type"] == "JSON"


def test_a_table_an_earlier_release_made_gets_the_per_currency_columns(bigquery_fake, destination, tenant):
    old = [copy.deepcopy(f.to_api_repr()) for f in TABLES["approval_analytics"].schema]
    old = [f for f in old if f["name"] not in PER_CURRENCY]  # with only the added-up NUMERIC costs
    bigquery_fake.put_table("acme-data", "walker", "approval_analytics", old)
    approvals_day(tenant, date(2026, 11, 2), **PER_CURRENCY)

    export.export_destination(destination(tenant))

    fields = bigquery_fake.table("acme-data", "walker", "approval_analytics")["schema"]["fields"]
    assert [f["name"] for f in fields][-2:] == ["cost_approved", "cost_rejected"]
    assert {f["name"] for f in fields} >= set(RETIRED)  # kept: a column is never removed
    [row] = bigquery_fake.rows("acme-data", "walker", "approval_analytics")
    assert json.loads(row["cost_approved"]) == PER_CURRENCY["cost_approved"]
