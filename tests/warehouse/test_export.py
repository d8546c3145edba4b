"""The export: batches behind a watermark, exactly once across a crash between sending and recording, the lag for
late commits, each destination only its tenant's rows."""

import uuid
from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from analytics.events import record
from tests.warehouse.conftest import approvals_day, events, metrics, sent_ids
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
    # The process died holding its lease: another run leaves the table alone until the lease is over.
    lease_until = timezone.now() + timedelta(seconds=600)
    ExportCursor.objects.filter(destination=target).update(lease_token=batch.pk, lease_until=lease_until)
    monkeypatch.setattr(export, "_record_sent", record_sent)
    assert export.export_destination(target) == 0
    first_ids = [row["insert_id"] for row in bigquery_fake.rows("acme-data", "walker", "platform_events")]

    with time_machine.travel(lease_until + timedelta(seconds=1)):
        assert export.export_destination(target) == 3  # the same batch, sent again with the same insertIds

    assert sent_ids(bigquery_fake) == [str(e.pk) for e in sent]  # once each
    resent = [row for _, path, body in bigquery_fake.requests if path.endswith("platform_events/insertAll")
              for row in body["rows"]]  # fmt: skip
    assert [row["insertId"] for row in resent] == first_ids * 2 == [f"{batch.pk}:{e.pk}" for e in sent] * 2
    batch.refresh_from_db()
    assert (batch.state, batch.attempts) == (ExportBatch.State.SENT, 2)
    assert ExportBatch.objects.filter(cursor__table="platform_events").count() == 1
    assert cursor(target).position_id == sent[-1].pk


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
