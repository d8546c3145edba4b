"""Send the daily briefs that are due now (or at --now), as the beat task does, and print each one."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from briefs.services import send_due_briefs


class Command(BaseCommand):
    help = "Send the daily briefs due at this moment (or --now), printing what was sent or skipped."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="An ISO 8601 moment with its offset, e.g. 2026-03-08T13:00:00+00:00.")
        parser.add_argument("--dry-run", action="store_true", help="List what is due without sending or recording.")

    def handle(self, *args, now=None, dry_run=False, **options):
        moment = timezone.now()
        if now:
            try:
                moment = datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"--now {now!r} is not an ISO 8601 date-time.") from None
            if moment.tzinfo is None:
                raise CommandError("--now needs an offset (e.g. +00:00): a brief is due in the reader's own zone.")
        outcomes = send_due_briefs(moment, dry_run=dry_run)
        for outcome in outcomes:
            detail = f" ({outcome.detail})" if outcome.detail else ""
            self.stdout.write(f"{outcome.status:<10} {outcome.user_email} {outcome.local_date}{detail}")
        self.stdout.write(f"{len(outcomes)} brief(s) {'due' if dry_run else 'handled'} at {moment.isoformat()}.")
