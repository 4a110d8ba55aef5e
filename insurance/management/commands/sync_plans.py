"""`manage.py sync_plans`: the shipped benefit plans (insurance/plans/*.json) in the database.

Idempotent: a second run changes nothing. Run after `migrate` on every deploy; a release that
ships a new version of a plan adds it as the active version (insurance.services.plans)."""

from django.core.management.base import BaseCommand

from insurance.services.plans import shipped_plans_sync


class Command(BaseCommand):
    help = "载入随版本发布的待遇方案 / load the shipped benefit plans (idempotent)"

    def handle(self, *args, **options):
        changes = shipped_plans_sync()
        for line in changes:
            self.stdout.write(line)
        if not changes:
            self.stdout.write("plans: no change")
