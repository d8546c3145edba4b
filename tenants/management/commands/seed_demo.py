from django.core.management.base import BaseCommand

from tenants.demo import DEMO_PEOPLE, PLATFORM_ADMIN_EMAIL, run_demo_seeders, seed_demo_tenant

DEFAULT_PASSWORD = "walker-demo"


class Command(BaseCommand):
    help = "Create the demo tenant Acme Outdoor with one user per role. Safe to run again: it changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"password for users this run creates (default {DEFAULT_PASSWORD!r}); existing users keep theirs",
        )

    def handle(self, *args, password, **options):
        self.stdout.write("Seeding the demo tenant…")
        tenant = seed_demo_tenant(password, log=self.stdout.write)
        run_demo_seeders(tenant, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Done: {tenant.name} is ready."))
        self.stdout.write(f"\nLogins (password for newly created users: {password}):")
        self.stdout.write(f"  {PLATFORM_ADMIN_EMAIL:<24} platform superuser")
        for person in DEMO_PEOPLE:
            self.stdout.write(f"  {person.email:<24} {person.role}")
