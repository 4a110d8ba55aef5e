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


@cache
def whitespace() -> str:
    """Every character Python's str.strip() removes; a cell that starts or ends with one goes
    slow. Built on first use: scanning all code points costs a tenth of a second."""
    return "".join(ch for ch in map(chr, range(0x110000)) if ch.isspace())


_field = SettlementStage._meta.get_field("medfee_sumamt")
_INT_DIGITS = _field.max_digits - _field.decimal_places
MONEY_FORM = rf"-?[0-9]{{1,{_INT_DIGITS}}}(?:\.[0-9]{{1,2}})?"  # one amount, never empty
_MONEY = rf"(?:{MONEY_FORM})?"
# All money cells of a row joined by commas: one regex call per row (PostgreSQL's regex calls
# are the costly part); cells without commas pin one field per cell.
RE_MONEY_ROW = rf"^{_MONEY}(?:,{_MONEY})*$"
# Real calendar dates only (month lengths, leap years) in the regex itself: no cast can fail.
# Years from 1000 so that PostgreSQL reads 8 digits as Python does.
_LEAP = r"(?:[1-9][0-9](?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[13579][26])00)"


def _month_day(sep: str) -> str:
    return (
        rf"(?:(?:0[13578]|1[02]){sep}(?:0[1-9]|[12][0-9]|3[01])"
        rf"|(?:0[469]|11){sep}(?:0[1-9]|[12][0-9]|30)|02{sep}(?:0[1-9]|1[0-9]|2[0-8]))"
    )


_YEAR, _SEP, _HOUR = "[1-9][0-9]{3}", "[-/]", "(?:[01][0-9]|2[0-3])"
TIME_FORM = rf"{_HOUR}:[0-5][0-9]:[0-5][0-9]"


def date_form(sep: str) -> str:
    """A real calendar date: year, month and day joined by `sep` (a regex, may be empty)."""
    return rf"(?:{_YEAR}{sep}{_month_day(sep)}|{_LEAP}{sep}02{sep}29)"


_DATE_SEP = date_form(_SEP)
_DATE_DIGITS = date_form("")
RE_DATE = rf"^(?:{_DATE_SEP}|{_DATE_DIGITS})$"
RE_DATETIME = rf"^(?:{_DATE_SEP}[ T]{TIME_FORM}|{_DATE_DIGITS}{_HOUR}[0-5][0-9][0-5][0-9])$"


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


def _year_ranges(years: tuple[int, ...]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for year in years:
        if ranges and ranges[-1][1] == year - 1:
            ranges[-1] = (ranges[-1][0], year)
        else:
            ranges.append((year, year))
    return ranges


def _stable_year(v: str, zone: str) -> str:
    """Safe once RE_DATETIME matched: the first four characters are the year."""
    ranges = _year_ranges(stable_years(zone)) or [(0, -1)]
    tests = " OR ".join(f"left({v}, 4)::int BETWEEN {lo} AND {hi}" for lo, hi in ranges)
    return f"({tests})"


def _cell_ok(column, v: str, params: dict) -> str | None:
    """The canonical-form test of one cell (money is tested per row, see RE_MONEY_ROW)."""
    kind, name = column.kind, column.name
    empty = "false" if column.required else "true"
    if kind is Kind.DATE:
        return f"CASE WHEN {v} = '' THEN {empty} ELSE {v} ~ %(re_date)s END"
    if kind is Kind.DATETIME:
        valid = _stable_year(v, params["tz"])
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
        tests.extend(f"strpos({v}, ',') = 0" for v in money)
        joined = " || ',' || ".join(money)
        tests.append(f"({joined}) ~ %(re_money)s")
    return " AND ".join(tests)


def _typed(column, v: str) -> str:
    """The staged value of a cell that passed `_format_ok`."""
    kind = column.kind
    if kind is Kind.MONEY:
        return f"CASE WHEN {v} = '' THEN 0 ELSE {v}::numeric END"
    # 'YYYYMMDD' and 'YYYYMMDD HHMMSS' read the same under every DateStyle.
    if kind is Kind.DATE:
        return f"CASE WHEN {v} = '' THEN NULL ELSE translate({v}, '-/', '')::date END"
    if kind is Kind.DATETIME:
        digits = f"translate({v}, '-/ T:', '')"
        return (
            f"CASE WHEN {v} = '' THEN NULL "
            f"ELSE (left({digits}, 8) || ' ' || right({digits}, 6))::timestamp END"
        )
    if kind is Kind.FLAG:
        return f"{v} = '1'"
    return v


_ABSENT = {Kind.MONEY: "0", Kind.DATE: "NULL", Kind.DATETIME: "NULL", Kind.FLAG: "false"}


def row_checks(layout: Layout, prefix: str = "x.") -> str:
    """RowParser._check in SQL over the typed columns of subquery `x` (`prefix` "": over the
    columns of the row itself, as in a COPY's WHERE)."""

    def g(name: str) -> str:
        return f"{prefix}{name}" if layout.cell(name) else _ABSENT.get(BY_NAME[name].kind, "''")

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


def fast_insert(layout: Layout, *, temp: str, stage: str, stage_fields, zone: str, part=(0, 1)):
    """INSERT ... SELECT of every row that passes the predicate; returns (sql, params).
    `part` (k, n) takes only rows whose ordinal is k modulo n: n sessions share the work."""
    params: dict = {
        "ws": whitespace(),
        "re_money": RE_MONEY_ROW,
        "re_date": RE_DATE,
        "re_dt": RE_DATETIME,
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
        if value and column.kind is Kind.DATETIME:
            value = f"{value} AT TIME ZONE %(tz)s"  # aware in settings.TIME_ZONE, as stage_tuple
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
        f"SELECT t.ord, {cells}, ({ok}) AS ok FROM {temp} t "
        f"WHERE mod(t.ord, {int(part[1])}) = {int(part[0])} AND {nonblank(layout)} OFFSET 0"
        f") l1 WHERE ok OFFSET 0) x WHERE {row_checks(layout)}"
    )
    return sql, params
