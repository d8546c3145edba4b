"""Lift the sign-in lock of an address (django-axes counts attempts by the address's keyed hash)."""

from axes.utils import reset
from django.core.management.base import BaseCommand

from tenants.fields import hash_of


class Command(BaseCommand):
    help = "Unlock sign-in for an email address locked out after too many wrong passwords."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        removed = reset(username=hash_of("email", email))
        self.stdout.write(f"{email}: {removed} failed attempt record(s) removed; sign-in is open again.")
