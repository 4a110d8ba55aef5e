"""Parsing CSV files inside PostgreSQL: COPY the raw file into a temp table of text cells, stage
the canonical rows with one INSERT ... SELECT, and hand every other row to RowParser.

The Python parser stays the one authority for errors: rows the SQL predicate (pgsql.py) cannot
prove good, and rows whose setl_id occurs twice, go through RowParser in row order, as the CSV
reader would have given them. When COPY cannot read the file as Python would (bad bytes for the
encoding, ragged rows, blank lines, odd quoting), nothing is kept and the caller parses the whole
file in Python, which locates the problem.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from claims.choices import BatchStatus
from claims.ingest.csvscan import CsvGuard, NotCanonical
from claims.ingest.fastcsv import stage_plain_csv
from claims.ingest.pgsql import Layout, fast_insert, layout_of, nonblank, whitespace
from claims.ingest.readers import (
    detect_encoding,
    detect_format,
    normalise_encoding,
    read_csv_header,
)
from claims.ingest.rows import ParseStats, RowParser
from claims.ingest.stage import STAGE_FIELDS, stage_rows, stage_tuple
from claims.models import SettlementBatch, SettlementStage
from claims.parallel import can_share, run_in_threads, workers

logger = logging.getLogger(__name__)
CHUNK_BYTES = 1024 * 1024
FETCH_ROWS = 2000
# Python's decoder name -> PostgreSQL's. A UTF-8 BOM sits on the header line, which COPY skips.
PG_ENCODINGS = {"utf-8-sig": "UTF8", "gb18030": "GB18030"}


def enabled() -> bool:
    """The PostgreSQL path is on unless MEDSUPP_PG_CSV is false (tests compare both paths)."""
    return connection.vendor == "postgresql" and getattr(settings, "MEDSUPP_PG_CSV", True)


def stage_csv(
    *,
    batch_id: int,
    path: Path,
    filename: str = "",
    encoding: str = "",
    on_open: Callable[[str, str], None] = lambda file_format, encoding: None,
    on_progress: Callable[[int], None] = lambda done: None,
) -> ParseStats | None:
    """Parse and stage a CSV file in PostgreSQL; None when the caller must use the Python path
    (not CSV, not PostgreSQL, or COPY could not read the file as Python would)."""
    if not enabled() or detect_format(path, filename) != "csv":
        return None
    used = normalise_encoding(encoding) if encoding else detect_encoding(path)
    header = read_csv_header(path, used)
    parser = RowParser(header)  # a missing column is rejected here, as in the Python path
    layout = layout_of(header)
    if used not in PG_ENCODINGS or layout is None or not _server_reads_like_python(used):
        return None
    on_open("csv", used)
    plain = stage_plain_csv(
        batch_id=batch_id, path=path, header=header, encoding=used, on_progress=on_progress
    )
    if plain is not None:
        return plain
    temp = f"medsupp_csv_{int(batch_id)}"
    # Sessions of their own can share the staging INSERT only if they see the raw table: then
    # it is an unlogged table (committed), else a temp table of this session.
    sessions = workers() if can_share() else 1
    try:
        with transaction.atomic():
            _copy(path, temp, layout, PG_ENCODINGS[used], shared=sessions > 1)
    except (DatabaseError, NotCanonical, _copy_errors()) as exc:
        logger.info("batch %s: COPY cannot read the CSV (%s); parsing it in Python", batch_id, exc)
        return None
    try:
        return _stage(
            parser, header, layout, temp=temp, batch_id=batch_id, progress=on_progress,
            sessions=sessions,
        )  # fmt: skip
    finally:
        _drop(temp)


def _copy_errors():
    import psycopg

    return psycopg.Error


def _server_reads_like_python(encoding: str) -> bool:
    """A UTF-8 database, and for GB18030 a server that maps it as Python does: PostgreSQL 17
    moved to GB18030-2022, which decodes a few characters differently from Python's codec."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('server_encoding'), current_setting('server_version_num')::int"
        )
        server_encoding, version = cursor.fetchone()
    return server_encoding == "UTF8" and (encoding != "gb18030" or version < 170000)


def _copy(path: Path, temp: str, layout: Layout, pg_encoding: str, *, shared: bool) -> None:
    from psycopg import sql

    cells = ", ".join(f"c{i}" for i in range(layout.width))
    text_cells = ", ".join(f"c{i} text" for i in range(layout.width))
    guard = CsvGuard()
    kind = "UNLOGGED TABLE" if shared else "TEMP TABLE"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {temp}")  # left by a crashed run of the batch
        cursor.execute(
            f"CREATE {kind} {temp} (ord integer GENERATED ALWAYS AS IDENTITY, {text_cells})"
        )
        # FORCE_NOT_NULL: an unquoted empty cell is '' as in csv.reader, not NULL.
        statement = sql.SQL(
            "COPY {} (" + cells + ") FROM STDIN "
            "(FORMAT csv, HEADER true, ENCODING {}, FORCE_NOT_NULL (" + cells + "))"
        ).format(sql.Identifier(temp), sql.Literal(pg_encoding))
        with path.open("rb") as fh, cursor.cursor.copy(statement) as copy:
            while chunk := fh.read(CHUNK_BYTES):
                guard.feed(chunk)
                copy.write(chunk)
            guard.close()


def _stage(
    parser: RowParser, header, layout: Layout, *, temp, batch_id, progress, sessions: int
) -> ParseStats:
    stage = SettlementStage._meta.db_table
    zone = settings.TIME_ZONE
    statements = []
    for part in range(sessions):
        sql, params = fast_insert(
            layout, temp=temp, stage=stage, stage_fields=STAGE_FIELDS, zone=zone,
            part=(part, sessions),
        )  # fmt: skip
        statements.append((sql, {**params, "batch": batch_id}))
    if sessions > 1:
        run_in_threads(statements)
    with connection.cursor() as cursor:
        if sessions == 1:
            cursor.execute(*statements[0])
        _unstage_duplicates(cursor, layout, temp=temp, stage=stage, batch_id=batch_id)
        cursor.execute(
            f"SELECT count(*), count(*) FILTER (WHERE refd_setl_flag) FROM {stage} "  # noqa: S608
            "WHERE batch_id = %s",
            [batch_id],
        )
        fast, fast_reversals = cursor.fetchone()
    progress(fast)
    slow = _slow_rows(header, layout, temp=temp, stage=stage, batch_id=batch_id)
    try:
        tuples = (stage_tuple(batch_id, n, record) for n, record in parser.parse(slow))
        stage_rows(tuples, on_chunk=lambda done: progress(fast + done))
    finally:
        slow.close()  # the server-side cursor goes before the temp table is dropped
    stats = parser.stats
    stats.rows += fast
    stats.good += fast
    stats.reversals += fast_reversals
    return stats


def _unstage_duplicates(cursor, layout: Layout, *, temp, stage, batch_id) -> None:
    """A setl_id that occurs twice (after strip, across all rows) sends its staged rows back to
    RowParser, which reports `duplicate_in_file` with the first row exactly as before."""
    setl_id = layout.cell("setl_id")
    cursor.execute(
        f"DELETE FROM {stage} s USING (SELECT btrim(t.{setl_id}, %(ws)s) AS key "  # noqa: S608
        f"FROM {temp} t GROUP BY 1 HAVING count(*) > 1) d "
        "WHERE s.batch_id = %(batch)s AND s.setl_id = d.key AND d.key <> ''",
        {"ws": whitespace(), "batch": batch_id},
    )


def _slow_rows(header, layout: Layout, *, temp, stage, batch_id) -> Iterator[tuple[int, dict]]:
    """Rows not staged by SQL, in row order, as csv.reader gives them (blank ones skipped)."""
    cells = ", ".join(f"t.c{i}" for i in range(layout.width))
    sql = (
        f"SELECT t.ord, {cells} FROM {temp} t WHERE {nonblank(layout)} "  # noqa: S608
        f"AND NOT EXISTS (SELECT 1 FROM {stage} s "
        "WHERE s.batch_id = %s AND s.row_number = t.ord + 1) ORDER BY t.ord"
    )
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, [batch_id])
        while rows := cursor.fetchmany(FETCH_ROWS):
            for ordinal, *values in rows:
                values = ["" if v is None else v for v in values]
                if not any(v.strip() for v in values):
                    continue
                yield ordinal + 1, dict(zip(header, values, strict=False))


def _drop(temp: str) -> None:
    # After a failed statement inside an outer transaction (tests) the DROP cannot run; that
    # transaction's rollback removes the table anyway.
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {temp}")
    except DatabaseError:
        logger.warning("could not drop the temp table %s", temp)


def drop_leftover_tables() -> list[str]:
    """Drop the raw tables a crashed run left behind (batches no longer being validated).
    A temp table dies with its session; an unlogged one stays until someone drops it."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relpersistence = 'u' "
            "AND relname ~ '^medsupp_csv_[0-9]+$'"
        )
        names = {int(name.rsplit("_", 1)[1]): name for (name,) in cursor.fetchall()}
    busy = set(
        SettlementBatch.objects.filter(pk__in=names, status=BatchStatus.VALIDATING).values_list(
            "pk", flat=True
        )
    )
    dropped = [name for batch_id, name in sorted(names.items()) if batch_id not in busy]
    for name in dropped:
        _drop(name)
    return dropped
