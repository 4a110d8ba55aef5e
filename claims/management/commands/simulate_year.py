"""`python manage.py simulate_year SCENARIO.json [--output RESULT.json]`: one scheme year of one
contract through the portal's own services, rolled back, and its money as JSON
(docs/scenarios.md). Nothing is kept in the database.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from claims.oversight.services.scenarios import ScenarioError, scenario_load
from claims.oversight.services.year_simulation import year_simulate


class Command(BaseCommand):
    help = "模拟一个方案年度的资金（事务回滚，不写数据库） / simulate a scheme year's money"

    def add_arguments(self, parser):
        parser.add_argument("scenario", type=Path, help="情景文件 / scenario JSON")
        parser.add_argument("--output", type=Path, help="结果 JSON 文件 / result file")

    def handle(self, *args, **options):
        try:
            scenario = scenario_load(options["scenario"])
            result = year_simulate(scenario)
        except ScenarioError as exc:
            raise CommandError("\n".join(exc.problems)) from exc
        except (ValidationError, PermissionDenied) as exc:
            messages = getattr(exc, "messages", None) or [str(exc)]
            raise CommandError("\n".join(messages)) from exc
        text = json.dumps(result, ensure_ascii=False, indent=2)
        if options["output"]:
            options["output"].write_text(text + "\n", encoding="utf-8")
            end = result["year_end"]
            self.stdout.write(
                f"{scenario.name} {result['year']}: 待遇 {result['benefits']['total']}，"
                f"筹资 {result['funding']['total']}，结转 {end['carried_over']}，"
                f"返还 {end['returned_to_fund']}，保险机构结果 {end['insurer_balance']} "
                f"→ {options['output']}"
            )
        else:
            self.stdout.write(text)
