"""The fast path for a plain CSV file on PostgreSQL: Python proves each line's form with one
regular expression, and PostgreSQL's own input functions convert the cells, in a COPY straight
into the typed staging table.

All or nothing, and only for the plainest files. Every line must be in the plain form of its
columns (forms.PLAIN, and the text and code forms below), every row must pass the row rules
(spec.row_condition_sql, the COPY's WHERE) and every setl_id must be unique. Otherwise nothing
is kept, and the caller takes the general path (rows.py), which locates every problem. The plain
form is one in which PostgreSQL's conversion gives exactly the Python reader's value:
- no CR other than the line end (rows of blank cells are skipped); cells may be quoted, but
  none may need its quotes (a comma, a quote or a line break inside), except an amount with
  thousands separators ("1,234.50");
- every header cell names a known column, each once;
- text cells without whitespace at either end, not longer than the column allows, and no ID
  written as a spreadsheet writes a long number (5.00155E+19) or in Excel's text forms (="...",
  a leading apostrophe); no ID column a spreadsheet zeroed (forms.ZeroedIds);
- codes the city's code mapping knows (each line's families are added by Python);
- flags 0, 1 or empty (0);
- amounts with at most two decimals and below the limit, or empty (0) where optional;
- dates as YYYY-MM-DD or YYYY/M/D (or empty where optional), times after them as H:MM[:SS[.f]]
  (forms.PLAIN), in a year whose UTC offset never changes in the bureau's zone; no offset.
"""

from __future__ import annotations

import codecs
import csv
import logging
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from claims.settlements.ingest.codes import CodeBook
from claims.settlements.ingest.forms import EXACT_DIGITS, MONEY_TEXT, PLAIN, SCIENTIFIC, ZeroedIds
from claims.settlements.ingest.header import Header
from claims.settlements.ingest.rows import ParseStats
from claims.settlements.ingest.spec import BY_NAME, COLUMNS, Kind, absent, row_condition_sql
from claims.settlements.ingest.stage import STAGE_FIELDS
from claims.settlements.models import SettlementStage

logger = logging.getLogger(__name__)
CHUNK_BYTES = 1024 * 1024
BLOCK_LINES = 5000  # lines per COPY write
_ZERO_KINDS = (Kind.MONEY, Kind.FLAG)
# A named group for each cell Python looks at.
_NAMED = ("setl_id", "setl_time", "begndate", "refd_setl_flag")


class NotPlain(Exception):
    """The file is not in the plain form: the caller takes the general path."""


def enabled() -> bool:
    """Whether plain CSV files take the COPY path (a seam: tests turn it off)."""
    return connection.vendor == "postgresql" and settings.MEDSUPP_FAST_CSV


def _text(column) -> str:
    # Python's \s is str.isspace(), the set str.strip() removes: no stripping changes the cell.
    edge, inner = r"[^\s,\"\x00]", r"[^,\"\r\n\x00]"  # NUL: the reader's bad_character
    longest = column.max_length
    body = edge if longest == 1 else rf"{edge}(?:{inner}{{0,{longest - 2}}}{edge})?"
    if column.kind in (Kind.ID, Kind.CODE):
        # Not Excel's text forms ('0015..., ="0015..."), whose text inside the reader takes.
        body = rf"(?![=']|{SCIENTIFIC}(?:,|$)){body}"
    return body if column.required else f"(?:{body})?"


def _cell(column, *, lenient: bool = False) -> str:
    """One cell's plain form; `lenient` also takes empty optional amounts and flags (read as
    0, as the Python reader reads them; the line is then rewritten with 0 in them)."""
    kind, name = column.kind, column.name
    if lenient and kind in _ZERO_KINDS and not column.required:
        return f"(?:{_cell(column)})?"
    if kind is Kind.CHOICE:
        options = "|".join(re.escape(choice) for choice in column.choices if choice)
        return f"(?:{options})" + ("" if column.required and "" not in column.choices else "?")
    if kind in (Kind.ID, Kind.TEXT, Kind.CODE):
        body = _text(column)
    else:
        body = PLAIN[kind]
        if kind is Kind.DATE and not column.required:
            body = f"(?:{body})?"
    if name in _NAMED or kind in (Kind.CODE, Kind.ID):
        return f"(?P<{name}>{body})"
    return body


@cache
def _pattern(names: tuple[str, ...], *, lenient: bool = False) -> re.Pattern:
    return re.compile(",".join(_cell(BY_NAME[name], lenient=lenient) for name in names))


def layout_names(header: Header) -> tuple[str, ...] | None:
    """The column of each header cell, or None when one names no column (its cells would have
    to be cut out of each line)."""
    if None in header.names:
        return None
    return header.names  # type: ignore[return-value]


@cache
def stable_year(zone: str, year: str) -> bool:
    """Whether the year has no UTC offset change in the zone: there a local time has exactly one
    instant, so PostgreSQL's reading of it in the zone and Python's replace(tzinfo=...) agree.
    Asked once per year a file holds (a millisecond each)."""
    day = datetime(int(year) - 1, 12, 31, tzinfo=ZoneInfo(zone))
    return len({(day + timedelta(hours=12 * i)).utcoffset() for i in range(2 * 368)}) == 1


def _lines(path: Path, encoding: str, header: Header) -> Iterator[str]:
    """The data lines, decoded, without their line ends. csv.reader ends a record at a lone CR
    too, so any CR left inside a line (header included) means the file is not plain; so does a
    first line other than the header cells joined by commas."""
    decoder = codecs.getincrementaldecoder(encoding)()
    rest = ""
    first = True
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(CHUNK_BYTES)
            try:
                text = rest + decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                raise NotPlain("bytes the encoding cannot read") from exc
            lines = text.split("\n")
            rest = lines.pop() if chunk else ""
            if not chunk and lines and lines[-1] == "":
                lines.pop()  # the file's last line end
            for line in lines:
                line = line[:-1] if line.endswith("\r") else line
                if "\r" in line:
                    raise NotPlain("a carriage return inside a line")
                if first:
                    cells = next(csv.reader((line,))) if '"' in line else line.split(",")
                    if cells != list(header.cells):
                        raise NotPlain("a header line that is not plain")
                    first = False
                    continue
                yield line
            if not chunk:
                break


def stage_plain_csv(
    *,
    batch_id: int,
    path: Path,
    header: Header,
    encoding: str,
    codes: CodeBook,
    on_progress: Callable[[int], None] = lambda done: None,
) -> ParseStats | None:
    """Stage the whole file, or nothing (None: take the general path), in one COPY."""
    names = layout_names(header) if enabled() else None
    if names is None:
        return None
    try:
        with transaction.atomic():
            stats = _copy(batch_id, path, header, names, encoding, codes)
    # psycopg's own errors too: the COPY runs on the driver's cursor, which Django doesn't wrap.
    except (NotPlain, DatabaseError, psycopg.Error) as exc:  # rolled back: nothing is kept
        logger.info("batch %s: not a plain CSV file (%s); the general path takes it", batch_id, exc)
        return None
    on_progress(stats.rows)
    return stats


def _statement(names: tuple[str, ...]) -> tuple[str, str, tuple[str, ...]]:
    """The COPY statement for a file with these columns, the text that fills the columns it
    lacks, and its code columns (their families follow, added by Python)."""
    missing = [c for c in COLUMNS if c.name not in names]
    suffix = "".join("," + _copy_text(absent(field)) for c in missing for field in c.stored)
    codes = tuple(name for name in names if BY_NAME[name].kind is Kind.CODE)
    columns = (
        "batch_id",
        "row_number",
        *(f"{name}_code" if name in codes else name for name in names),
        *(field for c in missing for field in c.stored),
        *codes,
        "service_date",
    )
    if sorted(columns) != sorted(STAGE_FIELDS):  # a programming error, not bad input
        raise RuntimeError(f"the plain COPY does not fill the staging row: {columns}")
    texts = [f for c in COLUMNS if c.kind in _TEXT_KINDS for f in c.stored]
    table = SettlementStage._meta.db_table
    # The row rules as the COPY's condition: a row that breaks one is not staged, and the
    # count tells. A third of the cost of a query over the staged rows afterwards.
    statement = (
        f"COPY {table} ({', '.join(columns)}) FROM STDIN "
        f"(FORMAT csv, FORCE_NOT_NULL ({', '.join(texts)})) "
        f"WHERE {row_condition_sql(lambda name: True)}"
    )
    return statement, suffix, codes


_TEXT_KINDS = (Kind.ID, Kind.TEXT, Kind.CODE, Kind.CHOICE)


def _copy_text(value) -> str:
    """A constant as COPY's CSV text: amounts 0, flags f, empty for NULL and ''."""
    if value is None or value == "":
        return ""
    return "f" if value is False else "0"


def _copy(
    batch_id: int,
    path: Path,
    header: Header,
    names: tuple[str, ...],
    encoding: str,
    codes: CodeBook,
) -> ParseStats:
    """COPY the file's rows in the caller's transaction, BLOCK_LINES lines a write."""
    statement, suffix, code_columns = _statement(names)
    stats = ParseStats()
    with connection.cursor() as cursor:
        # Times are read in the bureau's zone, as stage_tuple makes them aware.
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [settings.TIME_ZONE])
        with cursor.cursor.copy(statement) as copy:
            mappings = [codes.get(name, {}) for name in code_columns]
            lines = _lines(path, encoding, header)
            for block in _blocks(batch_id, lines, names, suffix, mappings, stats):
                copy.write(block)
        staged = cursor.cursor.rowcount
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [connection.timezone_name])
    if not stats.rows:
        raise NotPlain("no rows")
    if staged != stats.rows:
        raise NotPlain(f"{stats.rows - staged} row(s) failing a row check")
    return stats


def _unquoted(line: str, money_at: frozenset[int]) -> str:
    """A line with quoted cells, read as csv.reader reads it (the general path's reader) and
    written back without quotes. Not plain when a cell needs its quotes (a comma, a quote or a
    line break inside), except an amount's thousands separators ("1,234.50"), which are dropped
    as the Python reader drops them. An odd count of quotes is a cell going on to the next
    line, which only the general path reads whole."""
    if line.count('"') % 2:
        raise NotPlain("a quoted cell across lines")
    cells = next(csv.reader((line,)))
    for at, cell in enumerate(cells):
        if '"' in cell or "\r" in cell:
            raise NotPlain("a quote inside a cell")
        if "," in cell:
            if at not in money_at or MONEY_TEXT.fullmatch(cell) is None:
                raise NotPlain("a comma inside a cell")
            cells[at] = cell.replace(",", "")
    return ",".join(cells)


def _blocks(
    batch_id: int,
    lines: Iterator[str],
    names: tuple[str, ...],
    suffix: str,
    mappings: list[dict[str, str]],
    stats: ParseStats,
) -> Iterator[str]:
    """The file's rows as COPY text, BLOCK_LINES lines at a time; counted in `stats`.
    `mappings`: code -> family of each code column, in the file's order."""
    match = _pattern(names).fullmatch
    lenient = _pattern(names, lenient=True).fullmatch
    zero_if_empty = [
        i
        for i, name in enumerate(names)
        if BY_NAME[name].kind in _ZERO_KINDS and not BY_NAME[name].required
    ]
    code_columns = [name for name in names if BY_NAME[name].kind is Kind.CODE]
    money_at = frozenset(i for i, name in enumerate(names) if BY_NAME[name].kind is Kind.MONEY)
    # The cells Python looks at, taken from each match at once: setl_id, setl_time, the codes,
    # then begndate and refd_setl_flag where the file has them.
    groups = ("setl_id", "setl_time", *code_columns)
    groups += tuple(name for name in ("begndate", "refd_setl_flag") if name in names)
    begin_at = groups.index("begndate") if "begndate" in groups else None
    flag_at = groups.index("refd_setl_flag") if "refd_setl_flag" in groups else None
    codes_end = 2 + len(code_columns)
    stable: dict[str, bool] = {}  # year -> whether its local times are unambiguous
    # IDs a spreadsheet zeroed (forms.ZeroedIds): looked at only in a line with an ID of more
    # than 15 characters (the ID cells come with the match's other cells, at the end).
    id_names = tuple(name for name in names if BY_NAME[name].kind is Kind.ID)
    ids_at = len(groups)
    groups += id_names
    zeroed = ZeroedIds()
    # A set of the file's setl_ids (about 70 MB for a million rows): a GROUP BY over the staged
    # rows cost a tenth of the whole staging time.
    seen: set[str] = set()
    out: list[str] = []
    rows = reversals = 0
    for number, line in enumerate(lines, start=2):
        if '"' in line:
            line = _unquoted(line, money_at)
        found = match(line)
        if found is None:
            if not line.replace(",", "").strip():
                continue  # a row of blank cells: skipped, as csv.reader's rows are
            found = lenient(line)
            if found is None:
                raise NotPlain(f"row {number}")
            cells = line.split(",")  # no quotes: every comma ends a cell
            for i in zero_if_empty:
                cells[i] = cells[i] or "0"
            line = ",".join(cells)
        picked = found.group(*groups)
        setl_id, setl_time = picked[0], picked[1]
        if max(map(len, picked[ids_at:])) > EXACT_DIGITS:
            for name, value in zip(id_names, picked[ids_at:], strict=True):
                if len(value) > EXACT_DIGITS:
                    zeroed.note(name, value, number)
        if setl_id in seen:
            raise NotPlain(f"row {number}: a repeated setl_id")
        seen.add(setl_id)
        year = setl_time[:4]
        steady = stable.get(year)
        if steady is None:
            steady = stable[year] = stable_year(settings.TIME_ZONE, year)
        if not steady:
            raise NotPlain(f"row {number}: a year with a UTC offset change")
        families = tuple(map(dict.get, mappings, picked[2:codes_end]))
        if None in families:
            raise NotPlain(f"row {number}: a code the mapping does not know")
        begin = picked[begin_at] if begin_at is not None else ""
        service_date = begin or setl_time.replace("T", " ").split(" ", 1)[0]
        out.append(f"{batch_id},{number},{line}{suffix},{','.join(families)},{service_date}\n")
        rows += 1
        if flag_at is not None and picked[flag_at] == "1":
            reversals += 1
        if len(out) >= BLOCK_LINES:
            yield "".join(out)
            out = []
    if out:
        yield "".join(out)
    if zeroed.zeroed():
        raise NotPlain("an ID column a spreadsheet zeroed")
    stats.rows = stats.good = rows
    stats.reversals = reversals
