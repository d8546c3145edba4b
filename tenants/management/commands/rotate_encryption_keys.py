"""Re-encrypt every encrypted value under the newest key of ENCRYPTION_KEYS.

Put the new key first in ENCRYPTION_KEYS (keeping the old ones after it), deploy, run this, then remove
the old keys. Values already under the newest key are skipped, so a run that stopped is finished by
running it again. Keyed hashes (PII_HASH_KEY) do not change.
"""

from django.core.management.base import BaseCommand

from tenants.privacy.encrypted_columns import encrypted_columns, json_keys, rotate, rotate_json


class Command(BaseCommand):
    help = "Re-encrypt personal data under the newest key in ENCRYPTION_KEYS (resumable)."

    def handle(self, *args, **options):
        self.checked = {}
        total = 0
        for target, run in [*((c, rotate) for c in encrypted_columns()), *((k, rotate_json) for k in json_keys())]:
            self.checked[target] = 0
            changed = run(target, progress=self._progress)
            total += changed
            self.stdout.write(f"{target}: {self.checked[target]:,} checked, {changed:,} re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"Done: {total:,} values re-encrypted under the newest key."))

    def _progress(self, target, checked: int, changed: int) -> None:
        self.checked[target] += checked
        if self.checked[target] % 10_000 < checked:  # about every 10,000 rows of a large table
            self.stdout.write(f"  {target}: {self.checked[target]:,} checked…")
