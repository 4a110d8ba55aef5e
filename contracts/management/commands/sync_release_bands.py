"""`manage.py sync_release_bands`: the default reserve release table, when the table is empty.

Idempotent: bands staff edited in the admin are kept. Run after `migrate` on every deploy."""

from django.core.management.base import BaseCommand

from contracts.services.reserves import release_bands_seed


class Command(BaseCommand):
    help = "预留款拨付比例表为空时写入默认值 / seed the default reserve release bands when empty"

    def handle(self, *args, **options):
        changes = release_bands_seed()
        for line in changes:
            self.stdout.write(line)
        if not changes:
            self.stdout.write("release bands: no change")
