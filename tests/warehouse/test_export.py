"""The export: batches behind a watermark, each one load job with an id derived from the batch, exactly once across
a crash between sending and recording (BigQuery refuses the id twice), a job still running or failed, the lag for
late commits, each destination only its tenant's rows."""

import uuid
from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from analytics.events import record
from tests.warehouse.conftest import approvals_day, events, metrics, sent_ids
from tests.warehouse.fake_bigquery import _error
from warehouse import export
from warehouse.models import DestinationStatus, ExportBatch, ExportCursor


class Crash(BaseException):
    """The process dying: nothing of Walker's catches it."""


def cursor(destination, table="platform_events") -> ExportCursor:
    return ExportCursor.objects.get(destination=destination, table=table)


def test_the_watermark_moves_a_batch_at_a_time_and_a_run_sends_only_what_is_new(
    bigquery_fake, destination, tenant, settings
):
    settings.WAREHOUSE_BATCH_ROWS = 2
    settings.WAREHOUSE_BATCHES_PER_RUN = 2
    first = events(tenant, 5)
    target = destination(tenant)

    assert export.export_destination(target) == 4  # two batches of two this run
    assert sent_ids(bigquery_fake) == [str(e.pk) for e in first[:4]]
    position = cursor(target)
    assert (position.position_at, position.position_id, position.rows_sent) == (first[3].created_at, first[3].pk, 4)
    assert export.export_destination(target) == 1  # the fifth
    assert export.export_destination(target) == 0  # nothing new: nothing sent, no empty batch

    later = events(tenant, 1)
    assert export.export_destination(target) == 1
    assert sent_ids(bigquery_fake) == [str(e.pk) for e in first + later]
    batches = ExportBatch.objects.filter(cursor__destination=target, cursor__table="platform_events")
    assert [b.rows for b in batches.order_by("created_at")] == [2, 2, 1, 1]
    assert set(batches.values_list("state", flat=True)) == {ExportBatch.State.SENT}
    target.refresh_from_db()
    assert target.status == DestinationStatus.EXPORTING and target.last_exported_at is not None


def test_a_batch_sent_again_after_a_crash_before_it_was_recorded_adds_nothing(
    bigquery_fake, destination, tenant, monkeypatch
):
    sent = events(tenant, 3)
    target = destination(tenant)
    record_sent = export._record_sent

    def crash(*args):
        raise Crash()

    monkeypatch.setattr(export, "_record_sent", crash)
    with pytest.raises(Crash):
        export.export_destination(target)
    assert sent_ids(bigquery_fake) == [str(e.pk) for e in sent]  # BigQuery has them
    batch = ExportBatch.objects.get(cursor__table="platform_events")
    assert batch.state == ExportBatch.State.SENDING  # Walker never recorded it
    assert cursor(target).position_at is None
    assert bigquery_fake.job(batch.job_id)["status"] == {"state": "DONE"}
    # The process died holding its lease: another run leaves the table alone until the lease is over, long after
    # any streaming insertId would have been forgotten.
    lease_until = timezone.now() + timedelta(seconds=600)
    ExportCursor.objects.filter(destination=target).update(lease_token=batch.pk, lease_until=lease_until)
    monkeypatch.setattr(export, "_record_sent", record_sent)
    assert export.export_destination(target) == 0

    with time_machine.travel(lease_until + timedelta(seconds=1)):
        assert export.export_destination(target) == 3  # the same batch, the same job id: found done, recorded

    assert sent_ids(bigquery_fake) == [str(e.pk) for e in sent]  # once each
    assert bigquery_fake.loads("platform_events") == [batch.job_id, batch.job_id]  # the second refused (409)
    assert ("GET", f"/bigquery/v2/projects/acme-data/jobs/{batch.job_id}") in [
        (method, path) for method, path, _ in bigquery_fake.requests
    ]
    batch.refresh_from_db()
    assert (batch.state, batch.attempts, batch.failed_jobs) == (ExportBatch.State.SENT, 2, 0)
    assert ExportBatch.objects.filter(cursor__table="platform_events").count() == 1
    assert cursor(target).position_id == sent[-1].pk


def test_a_load_job_still_running_is_confirmed_by_a_later_run(bigquery_fake, destination, tenant):
    sent = events(tenant, 2)
    target = destination(tenant)
    bigquery_fake.hold_jobs = True

    assert export.export_destination(target) == 0  # the job outlasted the run's wait
    batch = ExportBatch.objects.get(cursor__table="platform_events")
    assert batch.state == ExportBatch.State.SENDING
    assert f"load job {batch.job_id} is still running" in batch.error
    assert bigquery_fake.job(batch.job_id)["status"] == {"state": "RUNNING"}
    assert sent_ids(bigquery_fake) == []
    assert cursor(target).lease_token is None  # given back: the next run may look

    assert export.export_destination(target) == 0  # still running: looked up again, nothing sent twice
    bigquery_fake.finish_jobs()
    assert export.export_destination(target) == 2
    assert sent_ids(bigquery_fake) == [str(e.pk) for e in sent]
    assert bigquery_fake.loads("platform_events") == [batch.job_id] * 3  # one job: the others refused (409)
    batch.refresh_from_db()
    assert (batch.state, batch.error, batch.failed_jobs) == (ExportBatch.State.SENT, "", 0)


def test_a_load_job_that_failed_is_not_recorded_as_sent_and_the_batch_goes_again_under_a_new_job_id(
    bigquery_fake, destination, tenant
):
    sent = events(tenant, 2)
    target = destination(tenant)
    bigquery_fake.fail_job("backendError", "Error encountered during execution. Retrying may solve the problem.")

    assert export.export_destination(target) == 0
    batch = ExportBatch.objects.get(cursor__table="platform_events")
    first_job = f"walker_{batch.pk.hex}_0"
    assert bigquery_fake.job(first_job)["status"]["errorResult"]["reason"] == "backendError"
    assert (batch.state, batch.failed_jobs, batch.job_id) == (ExportBatch.State.SENDING, 1, f"walker_{batch.pk.hex}_1")
    assert f"load job {first_job} failed (backendError" in batch.error
    assert cursor(target).position_at is None
    target.refresh_from_db()
    assert target.status == DestinationStatus.FAILING and "nothing of the batch was stored" in target.status_detail

    assert export.export_destination(target) == 2
    assert sent_ids(bigquery_fake) == [str(e.pk) for e in sent]
    assert bigquery_fake.loads("platform_events") == [first_job, batch.job_id]
    batch.refresh_from_db()
    assert (batch.state, batch.failed_jobs) == (ExportBatch.State.SENT, 1)


def test_a_load_job_started_by_an_answer_that_was_lost_is_found_by_its_id(
    bigquery_fake, destination, tenant, monkeypatch
):
    """The job is created but its answer never arrives (a dropped connection): the retry gets 409 and the job."""
    sent = events(tenant, 2)
    target = destination(tenant)
    load = bigquery_fake._load

    def lost(*args):
        status, body = load(*args)
        if status == 200 and len(bigquery_fake.loads("platform_events")) == 1:
            return _error(503, "backendError", "The service is currently unavailable.")
        return status, body

    monkeypatch.setattr(bigquery_fake, "_load", lost)
    assert export.export_destination(target) == 2
    batch = ExportBatch.objects.get(cursor__table="platform_events")
    assert bigquery_fake.loads("platform_events") == [batch.job_id, batch.job_id]
    assert sent_ids(bigquery_fake) == [str(e.pk) for e in sent]  # once
    assert batch.state == ExportBatch.State.SENT


def test_a_run_that_lost_its_lease_records_nothing_and_the_next_sends_the_same_batch(
    bigquery_fake, destination, tenant, monkeypatch
):
    sent = events(tenant, 2)
    target = destination(tenant)
    record_sent = export._record_sent

    def taken_over(cursor, batch, token):  # a slow run: its lease ran out, another claimed it (and is gone too)
        gone = timezone.now() - timedelta(seconds=1)
        ExportCursor.objects.filter(pk=cursor.pk).update(lease_token=uuid.uuid4(), lease_until=gone)
        return record_sent(cursor, batch, token)

    monkeypatch.setattr(export, "_record_sent", taken_over)
    assert export.export_destination(target) == 0
    assert ExportBatch.objects.get(cursor__table="platform_events").state == ExportBatch.State.SENDING
    monkeypatch.setattr(export, "_record_sent", record_sent)
    assert export.export_destination(target) == 2
    assert sent_ids(bigquery_fake) == [str(e.pk) for e in sent]


def test_rows_younger_than_the_lag_wait_for_the_next_run(bigquery_fake, destination, tenant, settings):
    settings.WAREHOUSE_LAG_SECONDS = 120
    sent = events(tenant, 2)
    target = destination(tenant)
    assert export.export_destination(target) == 0  # perhaps beside a transaction not committed yet
    with time_machine.travel(timezone.now() + timedelta(seconds=121)):
        assert export.export_destination(target) == 2
    assert sent_ids(bigquery_fake) == [str(e.pk) for e in sent]


def test_a_tenants_destination_gets_only_its_rows_and_the_installations_gets_every_tenants(
    bigquery_fake, destination, tenant, other_tenant
):
    ours, theirs = events(tenant, 2), events(other_tenant, 3)
    metrics(tenant), metrics(other_tenant)
    approvals_day(tenant, date(2026, 11, 2)), approvals_day(other_tenant, date(2026, 11, 2))
    own = destination(tenant, dataset="acme")
    everyone = destination(None, dataset="everything")

    assert export.export_due() == {str(own.pk): 4, str(everyone.pk): 9}
    assert sorted(sent_ids(bigquery_fake, dataset="acme")) == sorted(str(e.pk) for e in ours)
    assert sorted(sent_ids(bigquery_fake, dataset="everything")) == sorted(str(e.pk) for e in ours + theirs)
    for table in ("platform_events", "conversation_metrics", "approval_analytics"):
        assert {row["tenant_id"] for row in bigquery_fake.rows("acme-data", "acme", table)} == {str(tenant.pk)}
        assert {row["tenant_id"] for row in bigquery_fake.rows("acme-data", "everything", table)} == {
            str(tenant.pk),
            str(other_tenant.pk),
        }


def test_a_recomputed_conversation_is_sent_again_as_its_new_version(bigquery_fake, destination, tenant):
    row = metrics(tenant, message_count=2)
    target = destination(tenant)
    export.export_destination(target)
    row.message_count = 5
    row.save()  # the metrics job recomputed it: computed_at moves past the watermark
    assert export.export_destination(target) == 1
    versions = bigquery_fake.rows("acme-data", "walker", "conversation_metrics")
    assert [v["message_count"] for v in versions] == [2, 5]
    assert versions[0]["computed_at"] < versions[1]["computed_at"]
    assert len({v["insert_id"] for v in versions}) == 2


def test_disabled_and_stopped_destinations_are_left_out_of_the_beat_run(bigquery_fake, destination, tenant):
    record("message_received", tenant=tenant, channel="chat")
    destination(tenant, dataset="off", enabled=False)
    destination(tenant, dataset="stopped", status=DestinationStatus.STOPPED)
    assert export.export_due() == {}
    assert bigquery_fake.requests == []
