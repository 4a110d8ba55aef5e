"""Make the coming years' partitions of settlement records, compensations and reconciliation
results (PostgreSQL): `python manage.py partitions_ensure [--since YYYY] [--until YYYY]`.
Idempotent; also the periodic job `claims-partitions-ensure` (docs/runbook.md)."""

from django.core.management.base import BaseCommand

from claims.settlements.services.partitions import partitions_ensure


class Command(BaseCommand):
    help = "建立各年度分区 / make the yearly partitions of the big claims tables"

    def add_arguments(self, parser):
        parser.add_argument(
            "--since",
            type=int,
            default=None,
            help="从哪一年起 / the first year (default: the first made)",
        )
        parser.add_argument(
            "--until", type=int, default=None, help="建到哪一年 / the last year (default: +2)"
        )

    def handle(self, *args, **options):
        made = partitions_ensure(since=options["since"], until=options["until"])
        for table, year, moved in made:
            self.stdout.write(f"{table}_{year} ({moved} rows from {table}_default)")
        self.stdout.write(f"{len(made)} partitions made")
