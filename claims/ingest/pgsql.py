"""SQL for staging a CSV file from its COPY-loaded text cells: a strict per-row predicate and
the conversions it makes safe.

A row passes only when each cell is in a canonical form whose conversion in rows.py gives the
same value, and the row checks of `RowParser._check` hold. Everything else goes to RowParser,
which stays the one authority for error messages. No cast runs on a cell before its form is
proved (CASE guards): one bad cell must never abort the statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from claims.ingest.columns import BY_NAME, COLUMNS, COST_PARTS, FUND_PARTS, Kind, header_to_name
from claims.ingest.rows import TOLERANCE
from claims.models import SettlementStage

# Every character Python's str.strip() removes; a cell that starts or ends with one goes slow.
WHITESPACE = "".join(ch for ch in map(chr, range(0x110000)) if ch.isspace())
_field = SettlementStage._meta.get_field("medfee_sumamt")
_INT_DIGITS = _field.max_digits - _field.decimal_places
_MONEY = rf"(?:-?[0-9]{{1,{_INT_DIGITS}}}(?:\.[0-9]{{1,2}})?)?"
# All money cells of a row joined by commas: one regex call per row (PostgreSQL's regex calls
# are the costly part), the comma count pins one field per cell.
RE_MONEY_ROW = rf"^{_MONEY}(?:,{_MONEY})*$"
RE_DATE = r"^[0-9]{4}[-/][0-9]{2}[-/][0-9]{2}$|^[0-9]{8}$"
RE_DATETIME = r"^[0-9]{4}[-/][0-9]{2}[-/][0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}$|^[0-9]{14}$"


@dataclass(frozen=True)
class Layout:
    """Which temp-table column (c0, c1, ...) holds each known column of the file."""

    width: int
    cells: dict[str, str]

    def cell(self, name: str) -> str | None:
        return self.cells.get(name)


def layout_of(header: list[str]) -> Layout | None:
    """None when two header cells name one column (Python's dict of the row decides then)."""
    cells: dict[str, str] = {}
    for index, text in enumerate(header):
        if "\n" in str(text) or "\r" in str(text):
            return None
        name = header_to_name(str(text))
        if name is None:
            continue
        if name in cells:
            return None
        cells[name] = f"c{index}"
    return Layout(len(header), cells)


@cache
def stable_years(zone: str) -> tuple[int, ...]:
    """Years without a UTC offset change in the zone: there a local time has exactly one
    instant, so PostgreSQL's AT TIME ZONE and Python's replace(tzinfo=...) agree."""
    tz = ZoneInfo(zone)
    years = []
    for year in range(1970, 2101):
        day = datetime(year - 1, 12, 31, tzinfo=tz)
        offsets = {(day + timedelta(hours=12 * i)).utcoffset() for i in range(2 * 368)}
        if len(offsets) == 1:
            years.append(year)
    return tuple(years)


def _ymd(digits: str) -> tuple[str, str, str]:
    return (
        f"substr({digits}, 1, 4)::int",
        f"substr({digits}, 5, 2)::int",
        f"substr({digits}, 7, 2)::int",
    )


def _valid_date(digits: str) -> str:
    y, m, d = _ymd(digits)
    leap = f"mod({y}, 4) = 0 AND (mod({y}, 100) <> 0 OR mod({y}, 400) = 0)"
    last = (
        f"CASE WHEN {m} = 2 THEN CASE WHEN {leap} THEN 29 ELSE 28 END "
        f"WHEN {m} IN (4, 6, 9, 11) THEN 30 ELSE 31 END"
    )
    return f"({y} >= 1 AND {m} BETWEEN 1 AND 12 AND {d} BETWEEN 1 AND {last})"


def _date_digits(v: str) -> str:
    return f"translate({v}, '-/', '')"


def _datetime_digits(v: str) -> str:
    return f"translate({v}, '-/ T:', '')"


def _valid_datetime(v: str) -> str:
    digits = _datetime_digits(v)
    return (
        f"({_valid_date(digits)} AND substr({digits}, 9, 2)::int <= 23 "
        f"AND substr({digits}, 11, 2)::int <= 59 AND substr({digits}, 13, 2)::int <= 59 "
        f"AND substr({digits}, 1, 4)::int = ANY(%(years)s))"
    )


def _cell_ok(column, v: str, params: dict) -> str | None:
    """The canonical-form test of one cell (money is tested per row, see RE_MONEY_ROW)."""
    kind, name = column.kind, column.name
    empty = "false" if column.required else "true"
    if kind is Kind.DATE:
        valid = _valid_date(_date_digits(v))
        return f"CASE WHEN {v} = '' THEN {empty} WHEN {v} ~ %(re_date)s THEN {valid} ELSE false END"
    if kind is Kind.DATETIME:
        valid = _valid_datetime(v)
        return f"CASE WHEN {v} = '' THEN {empty} WHEN {v} ~ %(re_dt)s THEN {valid} ELSE false END"
    if kind is Kind.FLAG:
        return f"{v} IN ('', '0', '1')"
    if column.choices:
        params[f"choices_{name}"] = [*column.choices, *([] if column.required else [""])]
        return f"{v} = ANY(%(choices_{name})s)"
    if kind is Kind.TEXT:
        required = f"{v} <> '' AND " if column.required else ""
        return f"({required}char_length({v}) <= {column.max_length} AND {v} = btrim({v}, %(ws)s))"
    return None


def _format_ok(layout: Layout, params: dict) -> str:
    tests, money = [], []
    for column in COLUMNS:
        cell = layout.cell(column.name)
        if cell is None:
            continue
        v = f"t.{cell}"
        if column.kind is Kind.MONEY:
            money.append(v)
        else:
            tests.append(_cell_ok(column, v, params))
    if money:
        joined = " || ',' || ".join(money)
        tests.append(f"({joined}) ~ %(re_money)s")
        tests.append(f"length({joined}) - length(replace({joined}, ',', '')) = {len(money) - 1}")
    return " AND ".join(tests)


def _typed(column, v: str) -> str:
    """The staged value of a cell that passed `_format_ok`."""
    kind = column.kind
    if kind is Kind.MONEY:
        return f"CASE WHEN {v} = '' THEN 0 ELSE {v}::numeric END"
    if kind is Kind.DATE:
        y, m, d = _ymd(_date_digits(v))
        return f"CASE WHEN {v} = '' THEN NULL ELSE make_date({y}, {m}, {d}) END"
    if kind is Kind.DATETIME:
        digits = _datetime_digits(v)
        y, m, d = _ymd(digits)
        hh, mi, ss = (f"substr({digits}, {i}, 2)::int" for i in (9, 11, 13))
        return (
            f"CASE WHEN {v} = '' THEN NULL "
            f"ELSE make_timestamp({y}, {m}, {d}, {hh}, {mi}, {ss}::double precision) END"
        )
    if kind is Kind.FLAG:
        return f"{v} = '1'"
    return v


_ABSENT = {Kind.MONEY: "0", Kind.DATE: "NULL", Kind.DATETIME: "NULL", Kind.FLAG: "false"}


def _row_checks(layout: Layout) -> str:
    """RowParser._check in SQL over the typed columns of subquery `x`."""

    def g(name: str) -> str:
        return f"x.{name}" if layout.cell(name) else _ABSENT.get(BY_NAME[name].kind, "''")

    reversal = g("refd_setl_flag")
    money = [f"{g(c.name)} >= 0" for c in COLUMNS if c.kind is Kind.MONEY and layout.cell(c.name)]
    checks = [
        f"({reversal} OR ({' AND '.join(money) or 'true'}))",
        f"(NOT {reversal} OR {g('init_setl_id')} <> '')",
        f"abs({g('medfee_sumamt')} - ({' + '.join(g(p) for p in COST_PARTS)})) <= {TOLERANCE}",
        f"abs({g('fund_pay_sumamt')} - ({' + '.join(g(p) for p in FUND_PARTS)})) <= {TOLERANCE}",
        f"abs({g('psn_part_amt')} - ({g('medfee_sumamt')} - {g('fund_pay_sumamt')})) "
        f"<= {TOLERANCE}",
        f"NOT coalesce({g('begndate')} > {g('enddate')}, false)",
    ]
    return " AND ".join(checks)


def nonblank(layout: Layout) -> str:
    """Not a row of empty cells (csv.reader's whitespace-only rows are left to Python)."""
    return "(" + " OR ".join(f"t.c{i} <> ''" for i in range(layout.width)) + ")"


def fast_insert(layout: Layout, *, temp: str, stage: str, stage_fields, zone: str):
    """INSERT ... SELECT of every row that passes the predicate; returns (sql, params)."""
    params: dict = {
        "ws": WHITESPACE,
        "re_money": RE_MONEY_ROW,
        "re_date": RE_DATE,
        "re_dt": RE_DATETIME,
        "years": list(stable_years(zone)),
        "tz": zone,
    }
    ok = _format_ok(layout, params)
    typed = ", ".join(
        f"CASE WHEN ok THEN {_typed(c, layout.cell(c.name))} END AS {c.name}"
        for c in COLUMNS
        if layout.cell(c.name)
    )
    values = []
    for column in COLUMNS:
        value = f"x.{column.name}" if layout.cell(column.name) else None
        if column.kind is Kind.DATETIME:
            value = f"{value} AT TIME ZONE %(tz)s"
        values.append(value or _ABSENT.get(column.kind, "''"))
    values.append(
        "coalesce(x.begndate, x.setl_time::date)"
        if layout.cell("begndate")
        else "x.setl_time::date"
    )
    cells = ", ".join(f"c{i}" for i in range(layout.width))
    # OFFSET 0 keeps each level a separate step: the casts run once per row and only on rows
    # whose forms were proved.
    sql = (
        f"INSERT INTO {stage} ({', '.join(stage_fields)}) "  # noqa: S608
        f"SELECT %(batch)s, x.ord + 1, {', '.join(values)} FROM ("
        f"SELECT ord, {typed} FROM ("
        f"SELECT t.ord, {cells}, ({ok}) AS ok FROM {temp} t WHERE {nonblank(layout)} OFFSET 0"
        f") l1 WHERE ok OFFSET 0) x WHERE {_row_checks(layout)}"
    )
    return sql, params
