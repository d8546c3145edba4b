"""Sync ad platform connections now, with a progress bar and a line per connection; exit 1 when any failed."""

import uuid
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from adplatforms import reconcile, sync
from adplatforms.models import AdConnection, ConnectionState, SyncRun
from adplatforms.words import mismatch, platform_name
from tenants.models import Tenant

STEPS = ("account", "campaigns", "days", "changes")


class Command(BaseCommand):
    help = (
        "Sync ad platform connections now: every usable one, or a tenant's, or one. --since reads the figures "
        "again from that day (a backfill). --reconcile then reconciles each synced connection's completed days. "
        "Exit status 1 when any sync or reconciliation failed or was skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="Only this tenant's connections (slug).")
        parser.add_argument("--connection", help="Only this connection (id).")
        parser.add_argument("--since", help="Read figures from this day on, YYYY-MM-DD (in each account's zone).")
        parser.add_argument(
            "--reconcile",
            action="store_true",
            help="After each sync, compare Walker's campaign rows with the account's own daily totals.",
        )

    def handle(self, *args, tenant=None, connection=None, since=None, reconcile=False, **options):
        first = self._since(since)
        chosen = self._connections(tenant, connection)
        quiet = options["verbosity"] == 0
        failed = 0
        bar = tqdm(total=len(chosen) * len(STEPS), unit="step", disable=quiet, file=self.stderr)
        with bar:
            for done, each in enumerate(chosen, start=1):
                bar.set_description(f"{each.tenant.slug} {each.account_id}")
                label = f"{each.tenant.slug}: {platform_name(each.platform)} {each.account_id}"
                try:
                    run = sync.sync_connection(each, since=first, progress=lambda step: bar.update(1))
                except sync.NotSyncable as skipped:
                    failed += 1
                    self.stdout.write(f"{label}: skipped, {skipped.detail}")
                    continue
                finally:
                    bar.n = done * len(STEPS)  # a failed sync skips its remaining steps
                    bar.refresh()
                if run.status == SyncRun.Status.SUCCEEDED:
                    self.stdout.write(
                        f"{label}: {run.campaigns} campaigns, {run.campaign_days} campaign days "
                        f"({run.first_day} to {run.last_day}), {run.outside_changes} changes made outside Walker"
                        + (f"; {run.error}" if run.error else "")  # a part not read (Google's recommendations)
                    )
                    if reconcile and not self._reconciled(each, label):
                        failed += 1
                else:
                    failed += 1
                    self.stdout.write(f"{label}: failed, {run.error}")
        if failed:
            raise CommandError(f"{failed} of {len(chosen)} connections did not sync.", returncode=1)

    def _reconciled(self, connection, label) -> bool:
        """Reconcile `connection` and say so; whether the platform answered."""
        outcome = reconcile.reconcile_connection(connection)
        if outcome.failure is not None:
            self.stdout.write(f"{label}: reconciliation failed, {outcome.detail}")
            return False
        self.stdout.write(f"{label}: days reconciled: {len(outcome.days)}, not adding up: {len(outcome.mismatched)}")
        for day in outcome.mismatched:
            self.stdout.write(f"  {mismatch(day)}")
        return True

    def _since(self, since):
        if since is None:
            return None
        try:
            return date.fromisoformat(since)
        except ValueError:
            raise CommandError(f"--since must be a date as YYYY-MM-DD, got {since!r}.") from None

    def _connections(self, tenant, connection) -> list:
        chosen = AdConnection.objects.select_related("tenant").order_by("tenant__slug", "platform", "account_id")
        if tenant:
            if not Tenant.objects.filter(slug=tenant).exists():
                raise CommandError(f"No tenant with slug {tenant!r}.")
            chosen = chosen.filter(tenant__slug=tenant)
        if connection:
            found = chosen.filter(pk=connection).first() if _is_uuid(connection) else None
            if found is None:
                raise CommandError(f"No connection with id {connection!r}.")
            return [found]
        return list(chosen.exclude(state=ConnectionState.DISABLED))


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
