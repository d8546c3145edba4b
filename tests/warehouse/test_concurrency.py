"""Two runs at once (two beat processes, or a backfill beside the beat) never send the same batch: each table of a
destination is claimed by one run; the other moves on."""

import pytest

from tests.concurrency import at_once
from tests.warehouse.conftest import events, metrics, sent_ids
from warehouse import export
from warehouse.models import ExportBatch, ExportCursor, WarehouseDestination


@pytest.mark.slow
def test_two_runs_at_once_send_each_batch_once(postgres_only, bigquery_fake, destination, tenant, settings):
    settings.WAREHOUSE_BATCH_ROWS, settings.WAREHOUSE_BATCHES_PER_RUN = 3, 4
    bigquery_fake.load_delay = 0.3  # both runs are under way together
    rows = events(tenant, 12)
    for _ in range(4):
        metrics(tenant)
    target = destination(tenant)

    def run():
        return export.export_destination(WarehouseDestination.objects.get(pk=target.pk))

    first, second = at_once(run, run)

    assert first + second == 16
    assert sorted(sent_ids(bigquery_fake)) == sorted(str(e.pk) for e in rows)
    for table in ("platform_events", "conversation_metrics"):
        sent = bigquery_fake.loads(table)
        assert len(sent) == len(set(sent)), f"a batch of {table} was sent twice"
    batches = ExportBatch.objects.filter(cursor__destination=target)
    assert batches.count() == 4 + 2 and set(batches.values_list("state", flat=True)) == {"sent"}
    assert not ExportCursor.objects.filter(lease_token__isnull=False).exists()  # both gave their leases back
    assert export.export_destination(target) == 0
