"""A local copy of what a warehouse receives, one newline-delimited JSON file per table (BigQuery loads these
with `bq load --source_format=NEWLINE_DELIMITED_JSON`): the same rows, the same placeholders for personal data."""

import json
from datetime import datetime
from pathlib import Path

from django.db import models

from warehouse.tables import TABLES, Table

CHUNK = 500


def export_ndjson(directory: Path, *, since: datetime | None = None, tenant_id=None, progress=None) -> dict[str, int]:
    """Each table's rows (of one tenant, or all), from `since` on by the table's partition column; rows per file.
    A row's insert_id is its id and version, the same in every copy, so loading two copies can be deduplicated."""
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for table in TABLES.values():
        count = 0
        with open(directory / f"{table.name}.ndjson", "w", encoding="utf-8") as out:
            for row in selected(table, since, tenant_id).iterator(chunk_size=2000):
                version = getattr(row, table.position_field).isoformat()
                out.write(json.dumps(table.row(row, f"{row.pk}:{version}"), ensure_ascii=False) + "\n")
                count += 1
                if progress and count % CHUNK == 0:
                    progress(CHUNK)
        if progress and count % CHUNK:
            progress(count % CHUNK)
        written[table.name] = count
    return written


def selected(table: Table, since: datetime | None, tenant_id) -> models.QuerySet:
    rows = table.rows(tenant_id)
    if since is None:
        return rows
    field = table.model._meta.get_field(table.partition_field)
    start = since if isinstance(field, models.DateTimeField) else since.date()
    return rows.filter(**{f"{table.partition_field}__gte": start})


def total(*, since: datetime | None = None, tenant_id=None) -> int:
    return sum(selected(table, since, tenant_id).count() for table in TABLES.values())
