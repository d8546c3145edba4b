"""Recompute conversation metrics and approval analytics from a date on, with a progress bar."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from analytics.models import PeriodType
from conversations.models import Conversation
from reports import approval_stats, conversation_metrics
from reports.cache import figures_changed
from reports.periods import midnight, starts_between, zone_of
from reports.watermarks import job_lock
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Recompute analytics since a day (in each tenant's time zone). Safe to repeat: periods are replaced."

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, help="First day to recompute, YYYY-MM-DD.")
        parser.add_argument("--tenant", help="Only this tenant (slug).")

    def handle(self, *args, since, tenant=None, **options):
        try:
            first = date.fromisoformat(since)
        except ValueError:
            raise CommandError(f"--since must be a date as YYYY-MM-DD, got {since!r}.") from None
        tenants = Tenant.objects.order_by("slug")
        if tenant:
            tenants = tenants.filter(slug=tenant)
            if not tenants.exists():
                raise CommandError(f"No tenant with slug {tenant!r}.")
        quiet = options["verbosity"] == 0
        for each in tenants:
            zone = zone_of(each)
            today = timezone.now().astimezone(zone).date()
            if first > today:
                raise CommandError(f"--since {first} is after today ({today}) in {each.slug}'s time zone.")
            ids = list(
                Conversation.objects.filter(tenant=each, last_message_at__gte=midnight(first, zone))
                .order_by("started_at")
                .values_list("pk", flat=True)
            )
            periods = [(kind, start) for kind in PeriodType for start in starts_between(first, today, kind)]
            progress = tqdm(total=len(ids) + len(periods), desc=each.slug, unit="step", disable=quiet, file=self.stderr)
            with progress as bar:
                with job_lock(each.pk, conversation_metrics.JOB, wait=True):  # not beside a scheduled run
                    for offset in range(0, len(ids), conversation_metrics.BATCH):
                        batch = ids[offset : offset + conversation_metrics.BATCH]
                        conversation_metrics.recompute(batch)
                        bar.update(len(batch))
                for kind, start in periods:
                    approval_stats.recompute_period(each, kind, start)
                    bar.update(1)
            figures_changed(each.pk)
            self.stdout.write(f"{each.slug}: {len(ids)} conversations, {len(periods)} periods recomputed.")
