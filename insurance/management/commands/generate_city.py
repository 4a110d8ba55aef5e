"""`python manage.py generate_city --people N --seed S`: a synthetic city (see services/demo.py)."""

import time

from django.core.management.base import BaseCommand

from insurance.services.demo import generate_city


class Command(BaseCommand):
    help = "生成演示/压测用的合成城市数据（同一 seed 结果相同，可重复运行）"

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        started = time.perf_counter()
        added = generate_city(people=options["people"], seed=options["seed"], stdout=self.stdout)
        seconds = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"added {added} people in {seconds:.1f}s"))
