"""Backfill a warehouse: every enabled BigQuery destination (or one) until caught up, or NDJSON files written
locally; with a progress bar."""

import math
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from tenants.models import Tenant
from warehouse import export, ndjson
from warehouse.models import DestinationStatus, WarehouseDestination


class Command(BaseCommand):
    help = (
        "Export platform events, conversation metrics and approval analytics: to the BigQuery destinations "
        "(exactly once, from where each left off) or to NDJSON files in --output."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, choices=["bigquery", "ndjson"], help="Where the rows go.")
        parser.add_argument(
            "--since",
            help="YYYY-MM-DD (UTC). ndjson: rows from that day on. bigquery: where a destination that has sent "
            "nothing yet begins (tables already under way keep their place: nothing is sent twice).",
        )
        parser.add_argument("--tenant", help="Only this tenant's rows (ndjson) or destination (bigquery), by slug.")
        parser.add_argument("--destination", help="bigquery: only this destination (its id).")
        parser.add_argument("--output", default="warehouse-export", help="ndjson: the folder the files go to.")

    def handle(self, *args, to, since=None, tenant=None, destination=None, output, **options):
        start = _day(since) if since else None
        tenant_row = None
        if tenant:
            tenant_row = Tenant.objects.filter(slug=tenant).first()
            if tenant_row is None:
                raise CommandError(f"No tenant with slug {tenant!r}.")
        quiet = options["verbosity"] == 0
        if to == "ndjson":
            self._ndjson(Path(output), start, tenant_row, quiet)
        else:
            self._bigquery(start, tenant_row, destination, quiet)

    def _ndjson(self, directory: Path, start, tenant, quiet):
        tenant_id = tenant.pk if tenant else None
        bar = tqdm(total=ndjson.total(since=start, tenant_id=tenant_id), unit="row", disable=quiet, file=self.stderr)
        with bar:
            written = ndjson.export_ndjson(directory, since=start, tenant_id=tenant_id, progress=bar.update)
        for name, count in written.items():
            self.stdout.write(f"{directory / (name + '.ndjson')}: {count} rows")

    def _bigquery(self, start, tenant, destination_id, quiet):
        destinations = WarehouseDestination.objects.filter(enabled=True).order_by("project", "dataset_name")
        if tenant is not None:
            destinations = destinations.filter(tenant=tenant)
        if destination_id:
            try:
                destinations = destinations.filter(pk=uuid.UUID(destination_id))
            except ValueError:
                raise CommandError(f"--destination must be a destination's id, got {destination_id!r}.") from None
            if not destinations.exists():
                raise CommandError(f"No enabled destination with id {destination_id!r}.")
        if not destinations:
            raise CommandError("No enabled BigQuery destination: add one in the console (Warehouse destinations).")
        for each in destinations:
            if start is not None:
                for name in export.start_at(each, start):
                    self.stdout.write(f"{each}: {name} is already under way; --since leaves it where it is.")
            bar = tqdm(total=export.remaining(each), desc=str(each), unit="row", disable=quiet, file=self.stderr)
            with bar:
                sent = export.export_destination(
                    each, batches=math.inf, rows=settings.WAREHOUSE_BACKFILL_BATCH_ROWS, progress=bar.update
                )
            if each.status in (DestinationStatus.FAILING, DestinationStatus.STOPPED):
                raise CommandError(f"{each}: {each.status_detail} ({sent} rows sent before).")
            self.stdout.write(f"{each}: {sent} rows sent.")


def _day(text: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        raise CommandError(f"--since must be a date as YYYY-MM-DD, got {text!r}.") from None
