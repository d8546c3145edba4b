"""Which "Connect" buttons this installation offers (Google Ads, Meta, Add to Slack), and for each one that it does
not, the settings to set: `make run` prints it at start."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from adplatforms import words
from adplatforms.connect import providers
from channels_app.slack import install


class Command(BaseCommand):
    help = "Say which Connect buttons the console offers, and what to set for the others (docs/configuration.md)."

    def handle(self, *args, **options):
        missing = {words.platform_name(p): names for p, names in providers.offered().items()}
        missing["Slack"] = install.missing()
        for name, names in missing.items():
            if names:
                self.stdout.write(_("  %(name)s: no Connect button until you set %(names)s") % {
                    "name": name, "names": ", ".join(names)})  # fmt: skip
            else:
                self.stdout.write(_("  %(name)s: Connect button offered") % {"name": name})
