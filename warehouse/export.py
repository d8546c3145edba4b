"""Sending each destination its rows, a batch at a time, exactly once.

Per destination and table, a cursor holds the position (time, id) of the last row sent. A run claims the cursor
with a lease (a conditional UPDATE: a second run at once finds it taken and moves on), records the next batch
(its id and the range of rows) before sending it, sends the rows as one BigQuery load job whose id is derived from
the batch's, waits for the job, then moves the cursor and marks the batch sent in one transaction. A run that dies
between sending and recording leaves the batch "sending": the next run sends that same batch with the same job id,
BigQuery refuses a second job with it (409), and the job already there is looked up: done, the batch is recorded;
failed (it stored nothing), the batch is sent again with the next job id; still running, it is looked at next run.
"""

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from warehouse import bigquery
from warehouse.models import DestinationStatus, ExportBatch, ExportCursor, WarehouseDestination
from warehouse.tables import TABLES, Table

log = logging.getLogger(__name__)

Progress = Callable[[int], object]


def export_due() -> dict:
    """The beat job: every enabled destination not stopped, each one's failure kept to itself."""
    done = {}
    due = WarehouseDestination.objects.filter(enabled=True).exclude(status=DestinationStatus.STOPPED)
    for destination in due.order_by("pk"):
        try:
            done[str(destination.pk)] = export_destination(destination)
        except Exception:  # a destination's bug must not stop the others
            log.exception("Warehouse export failed for destination %s", destination.pk)
    return done


def export_destination(
    destination: WarehouseDestination, *, batches: float | None = None, rows: int | None = None, progress=None
) -> int:
    """Send each table's rows not yet sent, at most `batches` batches per table (WAREHOUSE_BATCHES_PER_RUN unless
    told; `math.inf` until caught up) of at most `rows` rows each (WAREHOUSE_BATCH_ROWS unless told), one load job
    per batch; the rows sent. The outcome is the destination's status (stopped on a refused permission)."""
    batches = settings.WAREHOUSE_BATCHES_PER_RUN if batches is None else batches
    size = settings.WAREHOUSE_BATCH_ROWS if rows is None else rows
    sent = 0
    try:
        client = bigquery.client_for(destination)
        bigquery.ensure_dataset(client, destination)
        for table in TABLES.values():
            sent += _export_table(client, destination, table, batches, size, progress)
    except Exception as exc:  # what the client raised, in words, on the destination's page
        error = bigquery.refused(exc)
        stopped = isinstance(error, bigquery.PermissionRefused)
        _set_status(destination, DestinationStatus.STOPPED if stopped else DestinationStatus.FAILING, error.detail)
        ours = not isinstance(exc, bigquery.CLIENT_ERRORS)  # a bug of Walker's: its traceback in the log
        log.warning("Warehouse export to %s: %s", destination, error.detail, exc_info=ours)
        return sent
    _set_status(destination, DestinationStatus.EXPORTING, "", exported=True)
    return sent


def remaining(destination: WarehouseDestination) -> int:
    """Rows not yet sent to the destination, all tables (a backfill's progress bar)."""
    total = 0
    for table in TABLES.values():
        cursor = ExportCursor.objects.filter(destination=destination, table=table.name).first()
        rows = _source(destination, table)
        if cursor is not None:
            rows = rows.filter(_after(table, cursor.position_at, cursor.position_id))
        total += rows.count()
    return total


def start_at(destination: WarehouseDestination, since) -> list[str]:
    """Cursors that have sent nothing begin at `since` instead of the beginning; the tables already under way keep
    their place (moving them back would send rows twice). The tables that keep their place."""
    kept = []
    for table in TABLES.values():
        cursor, _ = ExportCursor.objects.get_or_create(destination=destination, table=table.name)
        fresh = cursor.position_at is None and not cursor.batches.exists()
        if fresh:
            ExportCursor.objects.filter(pk=cursor.pk, position_at__isnull=True).update(position_at=since)
        else:
            kept.append(table.name)
    return kept


def _set_status(destination, status: str, detail: str, *, exported: bool = False) -> None:
    now = timezone.now()
    changes = {"status": status, "status_detail": detail[:1000], "last_attempt_at": now}
    if exported:
        changes["last_exported_at"] = now
    WarehouseDestination.objects.filter(pk=destination.pk).update(**changes)  # never over an admin's edit
    for name, value in changes.items():
        setattr(destination, name, value)


def _source(destination, table: Table):
    rows = table.rows(destination.tenant_id)
    lag = timedelta(seconds=settings.WAREHOUSE_LAG_SECONDS)
    # Rows written within the lag may belong to a transaction not committed yet: read next run, never skipped.
    return rows.filter(**{f"{table.position_field}__lt": timezone.now() - lag})


def _after(table: Table, at, row_id) -> Q:
    """Rows after the position (at, id) in (position, id) order; (at, None) is from `at` on."""
    field = table.position_field
    if at is None:
        return Q()
    if row_id is None:
        return Q(**{f"{field}__gte": at})
    return Q(**{f"{field}__gt": at}) | Q(**{field: at, "pk__gt": row_id})


def _through(table: Table, at, row_id) -> Q:
    field = table.position_field
    return Q(**{f"{field}__lt": at}) | Q(**{field: at, "pk__lte": row_id})


def _export_table(client, destination, table: Table, batches: float, size: int, progress: Progress | None) -> int:
    cursor, _ = ExportCursor.objects.get_or_create(destination=destination, table=table.name)
    token = _claim(cursor)
    if token is None:
        return 0  # another run is sending this table now
    try:
        bigquery.ensure_table(client, destination, table)
        sent = done = 0
        while done < batches:
            count = _send_next(client, destination, table, cursor, token, size)
            if not count:
                break
            sent, done = sent + count, done + 1
            if progress:
                progress(count)
        return sent
    finally:
        ExportCursor.objects.filter(pk=cursor.pk, lease_token=token).update(lease_token=None, lease_until=None)


def _claim(cursor: ExportCursor) -> uuid.UUID | None:
    token, now = uuid.uuid4(), timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    until = now + timedelta(seconds=settings.WAREHOUSE_LEASE_SECONDS)
    claimed = ExportCursor.objects.filter(free, pk=cursor.pk).update(lease_token=token, lease_until=until)
    return token if claimed else None


def _send_next(client, destination, table: Table, cursor: ExportCursor, token, size: int) -> int:
    """The batch left sending by an earlier run, else the next one cut from the cursor: sent and recorded. 0 when
    there is nothing to send, or its load job is still running (the next run looks at it again)."""
    batch = ExportBatch.objects.filter(cursor=cursor, state=ExportBatch.State.SENDING).first()
    if batch is None:
        batch, rows = _cut(destination, table, cursor, size)
        if batch is None:
            return 0
    else:
        rows = list(
            _source(destination, table).filter(
                _after(table, batch.after_at, batch.after_id), _through(table, batch.through_at, batch.through_id)
            )
        )
    ExportBatch.objects.filter(pk=batch.pk).update(attempts=F("attempts") + 1)
    try:
        if rows and not _loaded(client, destination, table, batch, rows):
            return 0
    except Exception as exc:
        ExportBatch.objects.filter(pk=batch.pk).update(error=bigquery.refused(exc).detail[:2000])
        raise
    return batch.rows if _record_sent(cursor, batch, token) else 0


def _loaded(client, destination, table: Table, batch: ExportBatch, rows: list) -> bool:
    """The batch's load job done (True) or still running (False); an error if it failed, whose job id is then
    spent: the batch's next attempt starts a job with the next id (the failed one stored nothing)."""
    values = [table.row(row, f"{batch.pk}:{row.pk}") for row in rows]
    job = bigquery.load(client, destination, table, values, batch.job_id)
    if not bigquery.finished(job, settings.WAREHOUSE_JOB_WAIT_SECONDS):
        note = gettext("BigQuery's load job %(job)s is still running: it is confirmed next run.")
        ExportBatch.objects.filter(pk=batch.pk).update(error=note % {"job": batch.job_id})
        return False
    failure = bigquery.job_failure(table, job)
    if failure is not None:
        ExportBatch.objects.filter(pk=batch.pk).update(failed_jobs=F("failed_jobs") + 1)
        raise failure
    return True


def _cut(destination, table: Table, cursor: ExportCursor, size: int) -> tuple[ExportBatch | None, list]:
    """The next rows after the cursor (at most `size`), recorded as a batch (committed) before anything is sent."""
    cursor.refresh_from_db(fields=["position_at", "position_id"])
    after = _after(table, cursor.position_at, cursor.position_id)
    rows = list(_source(destination, table).filter(after)[:size])
    if not rows:
        return None, []
    last = rows[-1]
    batch = ExportBatch.objects.create(
        cursor=cursor,
        after_at=cursor.position_at,
        after_id=cursor.position_id,
        through_at=getattr(last, table.position_field),
        through_id=last.pk,
        rows=len(rows),
    )
    return batch, rows


def _record_sent(cursor: ExportCursor, batch: ExportBatch, token) -> bool:
    """The cursor past the batch and the batch sent, together; False if the lease was lost meanwhile (the run that
    took it over sends the same batch again, with the same job id)."""
    with transaction.atomic():
        moved = ExportCursor.objects.filter(pk=cursor.pk, lease_token=token).update(
            position_at=batch.through_at, position_id=batch.through_id, rows_sent=F("rows_sent") + batch.rows
        )
        if moved:
            ExportBatch.objects.filter(pk=batch.pk).update(
                state=ExportBatch.State.SENT, sent_at=timezone.now(), error=""
            )
    return bool(moved)
