"""The tables are made by the export from the schemas in code: created day-partitioned and clustered by tenant,
new columns added to an existing table, a column of another type reported and nothing sent."""

import copy

from tests.warehouse.conftest import events, sent_ids
from warehouse import export
from warehouse.models import DestinationStatus, WarehouseDestination
from warehouse.tables import TABLES


def writes(fake) -> list[tuple[str, str]]:
    return [(method, path.rsplit("/", 1)[-1]) for method, path, _ in fake.requests if method in ("POST", "PATCH")]


def test_the_dataset_and_tables_are_created_partitioned_by_day_and_clustered_by_tenant(
    bigquery_fake, destination, tenant
):
    export.export_destination(destination(tenant, location="EU"))
    assert bigquery_fake.datasets[("acme-data", "walker")]["location"] == "EU"
    for table in TABLES.values():
        made = bigquery_fake.table("acme-data", "walker", table.name)
        assert made["timePartitioning"] == {"type": "DAY", "field": table.partition_field}
        assert made["clustering"] == {"fields": ["tenant_id"]}
        assert [(f["name"], f["type"], f["mode"]) for f in made["schema"]["fields"]] == [
            (f.name, f.field_type, f.mode) for f in table.schema
        ]
    assert TABLES["platform_events"].partition_field == "created_at"
    assert TABLES["conversation_metrics"].partition_field == "started_at"
    assert TABLES["approval_analytics"].partition_field == "period_start"

    bigquery_fake.requests.clear()
    export.export_destination(WarehouseDestination.objects.get(tenant=tenant))
    assert writes(bigquery_fake) == []  # current: nothing made again, nothing new to send


def test_columns_added_in_code_are_added_to_the_existing_table_as_nullable(bigquery_fake, destination, tenant):
    # The table as an earlier release made it: without the subject and metadata columns.
    old = [f for f in TABLES["platform_events"].schema if f.name not in ("subject_id", "metadata")]
    bigquery_fake.put_table("acme-data", "walker", "platform_events", [copy.deepcopy(f.to_api_repr()) for f in old])
    sent = events(tenant, 2, note="hello")

    export.export_destination(destination(tenant))

    fields = bigquery_fake.table("acme-data", "walker", "platform_events")["schema"]["fields"]
    assert [f["name"] for f in fields] == [f.name for f in old] + ["subject_id", "metadata"]
    assert {f["name"]: f["mode"] for f in fields}["metadata"] == "NULLABLE"
    assert ("PATCH", "platform_events") in writes(bigquery_fake)
    assert sent_ids(bigquery_fake) == [str(e.pk) for e in sent]
    assert '"note": "hello"' in bigquery_fake.rows("acme-data", "walker", "platform_events")[0]["metadata"]


def test_a_column_of_another_type_is_reported_and_nothing_is_sent(bigquery_fake, destination, tenant):
    fields = [copy.deepcopy(f.to_api_repr()) for f in TABLES["platform_events"].schema]
    for field in fields:
        if field["name"] == "metadata":
            field["type"] = "INTEGER"
    bigquery_fake.put_table("acme-data", "walker", "platform_events", fields)
    events(tenant, 1)
    target = destination(tenant)

    export.export_destination(target)

    target.refresh_from_db()
    assert target.status == DestinationStatus.FAILING
    assert "acme-data.walker.platform_events has columns of another type than Walker sends" in target.status_detail
    assert "metadata (INTEGER, not JSON)" in target.status_detail
    assert bigquery_fake.rows("acme-data", "walker", "platform_events") == []
    assert ("PATCH", "platform_events") not in writes(bigquery_fake)
