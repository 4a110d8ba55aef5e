"""Turning raw rows into typed records, with every problem located (row, column, reason).

Built once per file from its header, so each row costs only its own conversions. No database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from claims.ingest.columns import (
    BY_NAME,
    COLUMNS,
    COST_PARTS,
    FUND_PARTS,
    MONEY_COLUMNS,
    REQUIRED_COLUMNS,
    Kind,
    header_to_name,
)
from claims.ingest.errors import FileRejected, RowError, error

ZERO = Decimal("0.00")
FEN = Decimal("0.01")
TOLERANCE = Decimal("0.01")
FIELD_NAMES = tuple(c.name for c in COLUMNS)
# Columns whose presence is needed for the sum checks to mean anything.
HEADER_REQUIRED = (*REQUIRED_COLUMNS, *COST_PARTS)


class _Bad(Exception):
    def __init__(self, code: str, **params):
        self.code = code
        self.params = params


def _money(value) -> Decimal:
    if value is None or value == "":
        return ZERO
    if value.__class__ is float:
        # XLSX numeric cells arrive as binary floats: the shortest repr is the number typed.
        value = repr(value)
    try:
        amount = Decimal(value)  # the common case: plain text such as "1234.50"
    except (InvalidOperation, TypeError, ValueError):
        try:
            amount = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            raise _Bad("bad_number", value=value) from None
    exponent = amount.as_tuple().exponent
    if exponent == -2:
        return amount
    if not isinstance(exponent, int):  # NaN, Infinity
        raise _Bad("bad_number", value=value)
    quantized = amount.quantize(FEN)
    if quantized != amount:
        raise _Bad("too_many_decimals", value=value)
    return quantized


def _datetime(value) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)  # noqa: DTZ001 local time
    text = str(value).strip().replace("/", "-")
    try:
        if len(text) == 14 and text.isdigit():
            return datetime.strptime(text, "%Y%m%d%H%M%S")  # noqa: DTZ007 local time
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        raise _Bad("bad_datetime", value=value) from None


def _date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("/", "-")
    try:
        if len(text) == 8 and text.isdigit():
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise _Bad("bad_date", value=value) from None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an ID typed into a numeric XLSX cell
    return str(value).strip()


def _flag(value) -> bool:
    text = _text(value)
    if text in ("", "0"):
        return False
    if text == "1":
        return True
    raise _Bad("bad_choice", value=value, allowed="0, 1")


def _optional_datetime(value):
    return None if value in ("", None) else _datetime(value)


def _text_converter(column):
    choices, limit = column.choices, column.max_length

    def convert(value) -> str:
        text = _text(value)
        if "\x00" in text:  # PostgreSQL cannot store it: a located error, not a crash
            raise _Bad("bad_character")
        if choices and text and text not in choices:
            raise _Bad("bad_choice", value=text, allowed=", ".join(choices))
        if len(text) > limit:
            raise _Bad("too_long", value=text, max=limit)
        return text

    return convert


def _converter(column):
    kind = column.kind
    if kind is Kind.MONEY:
        return _money
    if kind is Kind.DATETIME:
        return _optional_datetime
    if kind is Kind.DATE:
        return _date
    if kind is Kind.FLAG:
        return _flag
    return _text_converter(column)


@dataclass
class ParseStats:
    rows: int = 0
    good: int = 0
    bad: int = 0
    reversals: int = 0
    errors: list[RowError] = field(default_factory=list)
    truncated: bool = False


class RowParser:
    """Parse rows of one file. `parse(rows)` yields (row_number, record dict) for good rows and
    collects errors for bad ones; duplicates of setl_id inside the file are caught here too."""

    def __init__(self, header: list[str], *, max_errors: int = 10_000):
        self.max_errors = max_errors
        self.stats = ParseStats()
        self.header_map: dict[str, str] = {}
        unknown = []
        for cell in header:
            name = header_to_name(str(cell))
            if name is None:
                if str(cell).strip():
                    unknown.append(str(cell))
            else:
                self.header_map[str(cell)] = name
        present = set(self.header_map.values())
        missing = [name for name in HEADER_REQUIRED if name not in present]
        if missing:
            labels = "、".join(f"{n}（{BY_NAME[n].label}）" for n in missing)
            raise FileRejected(
                "missing_column",
                f"缺少必需的列：{labels}",
                f"required columns are missing: {', '.join(missing)}",
            )
        self.unknown_columns = unknown
        self._seen: dict[str, int] = {}
        self._compiled: dict[tuple, list] = {}

    def _add_error(self, err: RowError) -> None:
        if len(self.stats.errors) < self.max_errors:
            self.stats.errors.append(err)
        else:
            self.stats.truncated = True

    def _converters(self, raw: dict) -> list[tuple[str, str, object]]:
        """(cell key, column name, converter) for the keys of a row, built once per key set."""
        key = tuple(raw)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = []
            for cell in key:
                name = self.header_map.get(cell, cell if cell in BY_NAME else None)
                if name is not None:
                    compiled.append((cell, name, _converter(BY_NAME[name])))
            self._compiled[key] = compiled
        return compiled

    def _convert(self, number: int, raw: dict) -> tuple[dict, list[RowError]]:
        record: dict = {}
        problems: list[RowError] = []
        if "__bad_json__" in raw:
            return record, [error(number, "", "bad_json", value=raw["__bad_json__"])]
        for cell, name, convert in self._converters(raw):
            try:
                record[name] = convert(raw[cell])
            except _Bad as bad:
                problems.append(error(number, name, bad.code, **bad.params))
        for name in REQUIRED_COLUMNS:
            if record.get(name) in (None, "") and not any(p.column == name for p in problems):
                problems.append(error(number, name, "required"))
        return record, problems

    def _check(self, number: int, record: dict) -> list[RowError]:
        problems: list[RowError] = []
        reversal = record.get("refd_setl_flag", False)
        if not reversal:
            problems.extend(
                error(number, name, "negative", value=record[name])
                for name in MONEY_COLUMNS
                if name in record and record[name] < 0
            )
        elif not record.get("init_setl_id"):
            problems.append(error(number, "init_setl_id", "reversal_missing_init"))
        g = record.get
        total = g("medfee_sumamt", ZERO)
        rules = (
            ("medfee_sumamt", total, COST_PARTS),
            ("fund_pay_sumamt", g("fund_pay_sumamt", ZERO), FUND_PARTS),
        )
        for name, actual, parts in rules:
            expected = sum((g(p, ZERO) for p in parts), ZERO)
            if abs(actual - expected) > TOLERANCE:
                problems.append(
                    error(
                        number,
                        name,
                        "sum_mismatch",
                        field=name,
                        expr=" + ".join(parts),
                        expected=expected,
                        actual=actual,
                    )
                )
        expected_part = total - g("fund_pay_sumamt", ZERO)
        if abs(g("psn_part_amt", ZERO) - expected_part) > TOLERANCE:
            problems.append(
                error(
                    number,
                    "psn_part_amt",
                    "sum_mismatch",
                    field="psn_part_amt",
                    expr="medfee_sumamt - fund_pay_sumamt",
                    expected=expected_part,
                    actual=g("psn_part_amt", ZERO),
                )
            )
        begin, end = g("begndate"), g("enddate")
        if begin and end and begin > end:
            problems.append(error(number, "begndate", "date_order"))
        setl_id = g("setl_id")
        if setl_id:
            first = self._seen.setdefault(setl_id, number)
            if first != number:
                problems.append(error(number, "setl_id", "duplicate_in_file", first_row=first))
        return problems

    def parse(self, rows: Iterator[tuple[int, dict]]) -> Iterator[tuple[int, dict]]:
        stats = self.stats
        for number, raw in rows:
            stats.rows += 1
            record, problems = self._convert(number, raw)
            if not problems:
                problems = self._check(number, record)
            if problems:
                stats.bad += 1
                for problem in problems:
                    self._add_error(problem)
                continue
            stats.good += 1
            if record.get("refd_setl_flag"):
                stats.reversals += 1
            yield number, record
