"""Walk through an ad platform end to end against a fake of it on 127.0.0.1 (adplatforms.simulator.walkthrough)."""

import logging

from django.core.management.base import BaseCommand, CommandError

from adplatforms.simulator.walkthrough import SimulationError, simulate
from tenants.demo import DEMO_TENANT
from tenants.models import Tenant


class Command(BaseCommand):
    help = (
        "Run a simulated Google Ads or Meta account on 127.0.0.1 holding the tenant's campaigns: connect it, sync it, "
        "ask the Paid Ads agent about a campaign, and apply an approved budget change on it, read back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--platform", choices=["google", "meta"], default="google")
        parser.add_argument(
            "--tenant", default=DEMO_TENANT["slug"], help=f"the tenant's slug (default {DEMO_TENANT['slug']})"
        )

    def handle(self, *args, platform, tenant, **options):
        found = Tenant.objects.filter(slug=tenant).first()
        if found is None:
            raise CommandError(f"No tenant with slug {tenant!r} (the demo tenant is made by `manage.py seed_demo`).")
        if options["verbosity"] < 2:
            logging.disable(logging.INFO)  # the steps, not every request's log line (-v 2 shows them)
        try:
            simulate(found, platform, self.stdout.write)
        except SimulationError as error:
            raise CommandError(error.detail) from None
        finally:
            logging.disable(logging.NOTSET)
        self.stdout.write(self.style.SUCCESS("Done."))
