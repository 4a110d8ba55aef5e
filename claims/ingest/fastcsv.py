"""The quickest way in for a clean CSV file on PostgreSQL: Python proves each line's form with
one regular expression, and PostgreSQL's own input functions convert the cells, in a COPY
straight into the typed staging table.

All or nothing, and only for the plainest files. Every line must be in the canonical form below,
every row must pass the row checks and every setl_id must be unique. Otherwise nothing is kept,
and the caller takes the general path (pgcsv.py), which locates every problem exactly as
RowParser does. The canonical form is one in which PostgreSQL's conversion gives exactly
RowParser's value:
- no quote character, no CR other than the line end (rows of blank cells are skipped);
- every header cell names a known column;
- text cells without whitespace at either end, and not longer than the column allows;
- codes from the column's choices;
- flags 0, 1 or empty (0);
- money with at most two decimals, or empty (0);
- dates YYYY-MM-DD (or empty where optional);
- times YYYY-MM-DD HH:MM:SS, in a year whose UTC offset never changes in the bureau's zone.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from functools import cache
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction

from claims.ingest.columns import BY_NAME, COLUMNS, Kind, header_to_name
from claims.ingest.pgsql import (
    MONEY_FORM,
    TIME_FORM,
    Layout,
    date_form,
    row_checks,
    stable_years,
)
from claims.ingest.rows import ParseStats
from claims.ingest.stage import STAGE_FIELDS, stage_clear
from claims.models import SettlementStage
from claims.parallel import can_share

logger = logging.getLogger(__name__)
CHUNK_BYTES = 1024 * 1024
BLOCK_LINES = 5000  # lines per COPY write, dealt in turn to the sessions
PLAIN_SESSIONS = 2
# The SQL proof's forms (pgsql.py), in their plainest variant.
DATE, TIME, MONEY = date_form("-"), TIME_FORM, MONEY_FORM
_ZERO_KINDS = (Kind.MONEY, Kind.FLAG)
# Constants for the columns a file leaves out, as stage_tuple fills them.
_ABSENT = {Kind.MONEY: "0", Kind.FLAG: "f", Kind.DATE: "", Kind.DATETIME: ""}


class NotPlain(Exception):
    """The file is not in the plain form: the caller takes the general path."""


def enabled() -> bool:
    return connection.vendor == "postgresql" and getattr(settings, "MEDSUPP_FAST_CSV", True)


def _text(column) -> str:
    # Python's \s is str.isspace(), the set str.strip() removes: no stripping changes the cell.
    edge, inner = r"[^\s,\"\x00]", r"[^,\"\r\n\x00]"  # NUL: RowParser's bad_character
    longest = column.max_length
    body = edge if longest == 1 else rf"{edge}(?:{inner}{{0,{longest - 2}}}{edge})?"
    return body if column.required else f"(?:{body})?"


def _cell(column, *, lenient: bool = False) -> str:
    """One cell's form; `lenient` also takes empty amounts and flags (read as 0, as RowParser
    reads them; the line is then rewritten with 0 in them)."""
    kind, name = column.kind, column.name
    if lenient and kind in (Kind.MONEY, Kind.FLAG):
        return f"(?:{_cell(column)})?"
    if column.choices:
        options = "|".join(re.escape(choice) for choice in column.choices if choice)
        return f"(?:{options})" + ("" if column.required and "" not in column.choices else "?")
    if kind is Kind.TEXT:
        return f"(?P<{name}>{_text(column)})" if name == "setl_id" else _text(column)
    if kind is Kind.MONEY:
        return MONEY
    if kind is Kind.FLAG:
        return f"(?P<{name}>[01])"
    if kind is Kind.DATE:
        return f"(?P<{name}>{DATE})" + ("" if column.required else "?")
    return f"(?P<{name}>{DATE} {TIME})"  # the date and time of settlement: always required


@cache
def _pattern(names: tuple[str, ...], *, lenient: bool = False) -> re.Pattern:
    return re.compile(",".join(_cell(BY_NAME[name], lenient=lenient) for name in names))


def layout_names(header: list[str]) -> tuple[str, ...] | None:
    """The column of each header cell, or None when one is unknown (its cells would have to be
    cut out of each line) or repeated."""
    names = tuple(header_to_name(str(cell)) for cell in header)
    if None in names or len(set(names)) != len(names):
        return None
    return names  # type: ignore[return-value]


def _lines(path: Path, encoding: str, header: list[str]) -> Iterator[str]:
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
                    if line != ",".join(header):
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
    header: list[str],
    encoding: str,
    on_progress: Callable[[int], None] = lambda done: None,
) -> ParseStats | None:
    """Stage the whole file, or nothing (None: take the general path). Outside a transaction
    (the worker) two sessions share the COPY: PostgreSQL's side of it is the slower one."""
    names = layout_names(header) if enabled() else None
    if names is None:
        return None
    sessions = PLAIN_SESSIONS if can_share() else 1
    try:
        with transaction.atomic():
            stats = _copy(batch_id, path, header, names, encoding, sessions)
    # psycopg's own errors too: the COPY runs on the driver's cursor, which Django doesn't wrap.
    except (NotPlain, DatabaseError, psycopg.Error) as exc:  # rolled back: nothing is kept
        if sessions > 1:
            stage_clear(batch_id)  # what the other sessions committed
        logger.info("batch %s: not a plain CSV file (%s); the general path takes it", batch_id, exc)
        return None
    on_progress(stats.rows)
    return stats


def _statement(names: tuple[str, ...]) -> tuple[str, str]:
    """The COPY statement for a file with these columns, and the text that fills the others."""
    absent = [c for c in COLUMNS if c.name not in names]
    suffix = "".join("," + _ABSENT.get(c.kind, "") for c in absent)
    columns = ("batch_id", "row_number", *names, *(c.name for c in absent), "service_date")
    assert set(columns) == set(STAGE_FIELDS)  # a programming error, not bad input
    text_columns = [c.name for c in COLUMNS if c.kind is Kind.TEXT or c.choices]
    table = SettlementStage._meta.db_table
    # RowParser._check as the COPY's condition: a row that fails it is not staged, and the
    # count tells. A third of the cost of a query over the staged rows afterwards.
    every = Layout(len(names), {column.name: column.name for column in COLUMNS})
    statement = (
        f"COPY {table} ({', '.join(columns)}) FROM STDIN "
        f"(FORMAT csv, FORCE_NOT_NULL ({', '.join(text_columns)})) "
        f"WHERE {row_checks(every, prefix='')}"
    )
    return statement, suffix


def _copy(
    batch_id: int,
    path: Path,
    header: list[str],
    names: tuple[str, ...],
    encoding: str,
    sessions: int = 1,
) -> ParseStats:
    """COPY the file's rows, blocks of lines dealt in turn to `sessions` sessions: this one
    (in the caller's transaction) and others of their own, which commit as they finish."""
    statement, suffix = _statement(names)
    stats = ParseStats()
    with ExitStack() as sessions_open:
        cursors = [sessions_open.enter_context(connection.cursor())]
        for _ in range(sessions - 1):
            other = connections.create_connection(DEFAULT_DB_ALIAS)
            sessions_open.callback(other.close)
            cursors.append(sessions_open.enter_context(other.cursor()))
        # Times are read in the bureau's zone, as stage_tuple makes them aware: for this
        # transaction here, for the whole session in the others (closed afterwards).
        cursors[0].execute("SELECT set_config('TimeZone', %s, true)", [settings.TIME_ZONE])
        for cursor in cursors[1:]:
            cursor.execute("SELECT set_config('TimeZone', %s, false)", [settings.TIME_ZONE])
        with ExitStack() as copying:
            copies = [copying.enter_context(c.cursor.copy(statement)) for c in cursors]
            blocks = _blocks(batch_id, path, header, names, encoding, suffix, stats)
            for index, block in enumerate(blocks):
                copies[index % sessions].write(block)
        staged = sum(cursor.cursor.rowcount for cursor in cursors)
        cursors[0].execute("SELECT set_config('TimeZone', %s, true)", [connection.timezone_name])
    if not stats.rows:
        raise NotPlain("no rows")
    if staged != stats.rows:
        raise NotPlain(f"{stats.rows - staged} row(s) failing a row check")
    return stats


def _blocks(
    batch_id: int,
    path: Path,
    header: list[str],
    names: tuple[str, ...],
    encoding: str,
    suffix: str,
    stats: ParseStats,
) -> Iterator[str]:
    """The file's rows as COPY text, BLOCK_LINES lines at a time; counted in `stats`."""
    match = _pattern(names).fullmatch
    lenient = _pattern(names, lenient=True).fullmatch
    zero_if_empty = [i for i, name in enumerate(names) if BY_NAME[name].kind in _ZERO_KINDS]
    stable = {str(year) for year in stable_years(settings.TIME_ZONE)}
    has_begin, has_flag = "begndate" in names, "refd_setl_flag" in names
    # A set of the file's setl_ids (about 70 MB for a million rows): a GROUP BY over the staged
    # rows cost a tenth of the whole staging time.
    seen: set[str] = set()
    out: list[str] = []
    for number, line in enumerate(_lines(path, encoding, header), start=2):
        if not line.replace(",", "").strip():
            continue  # a row of blank cells: skipped, as csv.reader's rows are
        found = match(line)
        if found is None:
            found = lenient(line)
            if found is None:
                raise NotPlain(f"row {number}")
            cells = line.split(",")  # no quotes: every comma ends a cell
            for i in zero_if_empty:
                cells[i] = cells[i] or "0"
            line = ",".join(cells)
        setl_id = found["setl_id"]
        if setl_id in seen:
            raise NotPlain(f"row {number}: a repeated setl_id")
        seen.add(setl_id)
        setl_time = found["setl_time"]
        if setl_time[:4] not in stable:
            raise NotPlain(f"row {number}: a year with a UTC offset change")
        begin = found["begndate"] if has_begin else None
        service_date = begin or setl_time[:10]
        out.append(f"{batch_id},{number},{line}{suffix},{service_date}\n")
        stats.rows += 1
        stats.good += 1
        if has_flag and found["refd_setl_flag"] == "1":
            stats.reversals += 1
        if len(out) >= BLOCK_LINES:
            yield "".join(out)
            out = []
    if out:
        yield "".join(out)
