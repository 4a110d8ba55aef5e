"""What-if calculator: compute benefits for a settlements CSV without touching the database.

Streams: the files go through an external sort on disk (insurance/what_if/), so memory stays
within a fixed budget whatever their size; the output keeps the settlements file's order. Each
settlement row is checked once as it is read (`SettlementRows`: exact, or refused as before)."""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.spreadsheet import safe_cell
from insurance.engine import (
    EngineError,
    Enrolment,
    PersonFacts,
    PlanError,
    StatusPeriod,
    compile_plan,
    compute_many,
    parse_plan,
)
from insurance.plans import load_shipped_plans
from insurance.what_if import SettlementRows, Spill

ALWAYS = date(1900, 1, 1)
STATUSES = {"dibao", "dibao_edge", "tekun", "youfu", "fanpin"}
PERSON_COLUMNS = ("psn_no",)
FLAG_COLUMNS = ("cvlserv_flag", "first_enrol", "rural", "retired")  # 0/1, default 0
SETTLEMENT_COLUMNS = ("setl_id", "psn_no", "setl_time")


def _fail(path: Path, row: int | None, column: str, message: str) -> CommandError:
    where = f"{path.name}" + (f" 第{row}行" if row else "") + (f" 列 {column}" if column else "")
    return CommandError(f"{where}: {message}")


def _read_csv(path: Path, required: tuple[str, ...]):
    if not path.is_file():
        raise CommandError(f"文件不存在 / no such file: {path}")
    fh = path.open(encoding="utf-8-sig", newline="")
    reader = csv.DictReader(fh)
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [c for c in required if c not in header]
    if missing:
        fh.close()
        raise _fail(path, 1, ", ".join(missing), "缺少必需的列 / required column missing")
    return fh, reader


class _Line:
    """csv.writer's target that hands the written line back: each result row is rendered once,
    exactly as the output file will hold it, and stored as text until the file is written."""

    def write(self, text: str) -> str:
        return text


class Command(BaseCommand):
    help = "按待遇方案试算结算数据（不写数据库） / compute benefits for a CSV (what-if, no writes)"

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--plan", help="方案编码 / plan code, e.g. ordos-2018")
        source.add_argument("--plan-file", type=Path, help="方案文档 JSON 文件 / plan document")
        parser.add_argument("--settlements", type=Path, required=True)
        parser.add_argument("--persons", type=Path)
        parser.add_argument("--output", type=Path, required=True)
        parser.add_argument(
            "--reference",
            action="append",
            default=[],
            metavar="KEY=AMOUNT",
            help="参考数值，如 disposable_income_urban=30594 / a reference figure",
        )

    def handle(self, *args, **options):
        plan = self._plan(options)
        references = self._references(options["reference"])
        with Spill() as spill:
            count, rows = self._settlements(options["settlements"], spill)
            if options["persons"]:
                self._persons(options["persons"], spill)
            try:
                compiled = compile_plan(plan=plan, references=references)
                total = self._compute(compiled, spill, rows, persons_given=bool(options["persons"]))
            except EngineError as exc:
                raise CommandError(f"{exc.message_zh} / {exc.message_en}") from exc
            line_ids = [line.id for line in plan.lines]
            with options["output"].open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(["setl_id", "psn_no", "payable", *line_ids])
                fh.writelines(spill.results())
        self.stdout.write(
            f"{plan.code} v{plan.version}: {count} 条结算，应赔付合计 {total:.2f} 元 → "
            f"{options['output']}"
        )

    def _compute(self, compiled, spill: Spill, rows, *, persons_given: bool) -> Decimal:
        """Every person's settlements through the engine in one stream; the result lines back to
        the spill."""
        line_ids = [line.id for line in compiled.plan.lines]
        render = csv.writer(_Line()).writerow
        # The engine reads one person ahead of the results it yields: both people's facts and
        # row numbers are at hand, and no more.
        facts_of: dict[str, PersonFacts] = {}
        number_of: dict[str, int] = {}

        def settlements():
            settlement = rows.settlement
            for psn_no, facts, numbered in spill.people():
                group = [settlement(row) for _n, row in numbered]
                if facts is None and not persons_given:
                    # No persons file: enrolled, insured and employed since always (no waiting
                    # period, a year of service met), urban, without special statuses; the
                    # insurance type of the person's last settlement in the file.
                    facts = PersonFacts(
                        psn_no=psn_no,
                        insutype=group[-1].insutype,
                        enrolments=(Enrolment(start=ALWAYS),),
                        insured_since=ALWAYS,
                        hire_date=ALWAYS,
                    )
                if len(facts_of) > 1:
                    del facts_of[next(iter(facts_of))]
                if facts is not None:
                    facts_of[psn_no] = facts
                for (n, _row), s in zip(numbered, group, strict=True):
                    number_of[s.setl_id] = n
                yield from group

        total = Decimal("0")
        for person in compute_many(
            plan=compiled, persons=facts_of, settlements=settlements(), presorted=True
        ):
            # Only the ids can be text a spreadsheet would run (safe_cell); amounts are numbers.
            psn_no = safe_cell(person.psn_no)
            for r in person.settlements:
                lines = [f"{r.lines.get(line_id, Decimal('0')):.2f}" for line_id in line_ids]
                line = render([safe_cell(r.setl_id), psn_no, f"{r.total:.2f}", *lines])
                spill.add_result(number_of.pop(r.setl_id), line)
                total += r.total
        return total

    def _plan(self, options):
        if options["plan_file"]:
            path = options["plan_file"]
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise CommandError(
                    f"{path.name}: 无法读取方案文档 / unreadable plan: {exc}"
                ) from exc
        else:
            document = self._document_for_code(options["plan"])
        try:
            return parse_plan(document)
        except PlanError as exc:
            issues = "; ".join(f"{i.path}: {i.message_zh}" for i in exc.issues)
            raise CommandError(f"方案文档有误 / invalid plan: {issues}") from exc

    def _document_for_code(self, code: str) -> dict:
        from django.db import DatabaseError

        from insurance.services.plans import plan_for_code

        try:
            stored = plan_for_code(code)
        except DatabaseError:  # no database set up: the shipped documents still work
            stored = None
        if stored is not None:
            return stored.document
        shipped = load_shipped_plans()
        if code not in shipped:
            known = ", ".join(sorted(shipped))
            raise CommandError(f"未知的方案编码 / unknown plan: {code} (known: {known})")
        return shipped[code]

    def _references(self, pairs: list[str]) -> dict[str, Decimal]:
        references = {}
        for pair in pairs:
            key, _sep, value = pair.partition("=")
            try:
                references[key.strip()] = Decimal(value.strip())
            except InvalidOperation as exc:
                raise CommandError(f"--reference {pair}: 不是有效金额 / not an amount") from exc
        return references

    def _settlements(self, path: Path, spill: Spill) -> tuple[int, SettlementRows]:
        """Checked row by row as they are read, into the spill; the number read and the file's
        columns. The first bad row in file order is refused: a bad cell, or an id read before."""
        fh, reader = _read_csv(path, SETTLEMENT_COLUMNS)
        count = 0
        with fh:
            rows = SettlementRows(reader.fieldnames)
            number = 1
            for cells in reader.reader:  # the header is read: the rows as lists, no dict a row
                if not cells:
                    continue  # a blank line is no row and has no number (csv.DictReader)
                number += 1
                try:
                    row = rows.check(cells)
                except ValueError as exc:
                    _refuse_repeated(path, spill.first_duplicate(before=number))
                    column, _sep, reason = str(exc).partition(": ")
                    raise _fail(path, number, column, reason or str(exc)) from exc
                spill.add_settlement(number, rows.setl_id(row), rows.psn_no(row), row)
                count += 1
        _refuse_repeated(path, spill.first_duplicate())
        return count, rows

    def _persons(self, path: Path, spill: Spill) -> None:
        """Columns (docs/plans.md): psn_no (required), insutype, special_statuses (`;`), the 0/1
        flags cvlserv_flag, first_enrol, rural, retired, and the dates enrol_date,
        insured_since, hire_date (YYYY-MM-DD)."""
        fh, reader = _read_csv(path, PERSON_COLUMNS)
        with fh:
            for number, row in enumerate(reader, start=2):
                psn_no = (row.get("psn_no") or "").strip()
                statuses = [s.strip() for s in (row.get("special_statuses") or "").split(";")]
                unknown = [s for s in statuses if s and s not in STATUSES]
                if unknown:
                    raise _fail(path, number, "special_statuses", f"未知身份 / unknown: {unknown}")
                dates = {
                    column: _date(path, number, row, column)
                    for column in ("enrol_date", "insured_since", "hire_date")
                }
                flags = {}
                for column in FLAG_COLUMNS:
                    value = (row.get(column) or "0").strip()
                    if value not in ("0", "1"):
                        raise _fail(path, number, column, "应为 0 或 1 / must be 0 or 1")
                    flags[column] = value == "1"
                facts = PersonFacts(
                    psn_no=psn_no,
                    insutype=(row.get("insutype") or "").strip(),
                    statuses=tuple(StatusPeriod(status=s, start=ALWAYS) for s in statuses if s),
                    enrolments=(Enrolment(start=dates["enrol_date"] or ALWAYS),),
                    insured_since=dates["insured_since"],
                    hire_date=dates["hire_date"],
                    **flags,
                )
                spill.add_person(facts)


def _refuse_repeated(path: Path, found: tuple[int, str] | None) -> None:
    if found is not None:
        number, setl_id = found
        raise _fail(path, number, "setl_id", f"重复的结算ID / duplicate {setl_id}")


def _date(path: Path, number: int, row: dict, column: str) -> date | None:
    text = (row.get(column) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise _fail(path, number, column, "日期格式应为 YYYY-MM-DD / must be YYYY-MM-DD") from exc
