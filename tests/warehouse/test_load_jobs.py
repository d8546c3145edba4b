"""The load job itself: a batch too large for one multipart request goes as a resumable upload, under the same
job id rule; and the beat job's schedule keeps well under BigQuery's load jobs per table a day."""

import json

from django.conf import settings

from warehouse import bigquery
from warehouse.tables import TABLES

# BigQuery's quota: load jobs per table per day, failed ones included.
LOAD_JOBS_PER_TABLE_A_DAY = 1500


def test_a_large_batch_is_uploaded_resumably_and_its_job_id_still_refuses_a_second_job(
    bigquery_fake, destination, tenant
):
    target = destination(tenant)
    client = bigquery.client_for(target)
    bigquery.ensure_dataset(client, target)
    table = TABLES["platform_events"]
    bigquery.ensure_table(client, target, table)
    pad = json.dumps({"note": "x" * 500})
    rows = [{"insert_id": f"b:{n}", "event_id": str(n), "tenant_id": str(tenant.pk), "event_type": "message_received",
             "metadata": pad, "created_at": "2026-11-25T12:00:00+00:00"} for n in range(11000)]  # fmt: skip
    assert len("\n".join(json.dumps(row) for row in rows)) > 5 * 1024 * 1024  # the client's multipart limit

    job = bigquery.load(client, target, table, rows, "walker_large_0")
    assert bigquery.finished(job, 1.0) and bigquery.job_failure(table, job) is None
    assert [method for method, path, _ in bigquery_fake.requests if path.startswith("/upload/")] == ["POST", "PUT"]
    assert len(bigquery_fake.rows("acme-data", "walker", "platform_events")) == 11000

    again = bigquery.load(client, target, table, rows, "walker_large_0")  # refused at the upload's start (409)
    assert again.job_id == "walker_large_0" and again.state == "DONE"
    assert bigquery_fake.loads("platform_events") == ["walker_large_0", "walker_large_0"]
    assert len(bigquery_fake.rows("acme-data", "walker", "platform_events")) == 11000


def test_the_beat_job_keeps_well_under_the_load_jobs_a_table_may_take_a_day():
    runs_a_day = 24 * 3600 / settings.CELERY_BEAT_SCHEDULE["warehouse-export"]["schedule"]
    assert runs_a_day * settings.WAREHOUSE_BATCHES_PER_RUN <= LOAD_JOBS_PER_TABLE_A_DAY / 2
    assert settings.WAREHOUSE_BACKFILL_BATCH_ROWS >= settings.WAREHOUSE_BATCH_ROWS
