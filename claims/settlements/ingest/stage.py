"""Loading good rows into the staging table: COPY on PostgreSQL, chunked bulk insert elsewhere."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from operator import itemgetter
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import OperationalError, connection, transaction

from claims.choices import BatchStatus
from claims.settlements.ingest.spec import STORED_FIELDS
from claims.settlements.models import SettlementBatch, SettlementStage

logger = logging.getLogger(__name__)
LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)
STAGE_FIELDS = ("batch_id", "row_number", *STORED_FIELDS, "service_date")
_STORED = itemgetter(*STORED_FIELDS)
_SETL_TIME_AT = 2 + STORED_FIELDS.index("setl_time")


def stage_tuple(batch_id: int, number: int, record: dict) -> tuple:
    """One staging row in STAGE_FIELDS order, from a record holding every stored field
    (spec.complete_record); times become aware in the bureau's time zone."""
    values = [batch_id, number, *_STORED(record)]
    setl_time: datetime = record["setl_time"]
    values[_SETL_TIME_AT] = setl_time.replace(tzinfo=LOCAL_TZ)
    values.append(record["begndate"] or setl_time.date())
    return tuple(values)


def _chunks(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def stage_rows(
    rows: Iterable[tuple],
    *,
    chunk_size: int = 20_000,
    on_chunk: Callable[[int], None] | None = None,
) -> int:
    """Write staging tuples; `on_chunk(count_so_far)` reports progress between chunks."""
    written = 0
    table = SettlementStage._meta.db_table
    for chunk in _chunks(rows, chunk_size):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                columns = ", ".join(STAGE_FIELDS)
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in chunk:
                        copy.write_row(row)
        else:
            SettlementStage.objects.bulk_create(
                [SettlementStage(**dict(zip(STAGE_FIELDS, row, strict=True))) for row in chunk],
                batch_size=2000,
            )
        written += len(chunk)
        if on_chunk:
            on_chunk(written)
    return written


def analyze(model, columns: tuple[str, ...] = (), *, sample_target: int | None = None) -> None:
    """Refresh PostgreSQL's statistics after a bulk load: a table that grew by 200,000 rows
    since the last autovacuum would otherwise be planned as if empty (nested loops, seq scans).
    `columns`: only those the next queries filter or join on (cheaper than every column).
    `sample_target`: a statistics target for this ANALYZE alone (it samples 300 rows per unit:
    the default 100 reads 30,000 rows), for a table whose plans need only its rough size."""
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        listed = f" ({', '.join(quote(c) for c in columns)})" if columns else ""
        with transaction.atomic(), connection.cursor() as cursor:
            if sample_target is None:
                cursor.execute(f"ANALYZE {quote(model._meta.db_table)}{listed}")
                return
            # Put back afterwards: inside an outer transaction, a local setting would outlive
            # this savepoint and weaken the next ANALYZE too.
            cursor.execute(
                "SELECT current_setting('default_statistics_target'), "
                "set_config('default_statistics_target', %s, true)",
                [str(sample_target)],
            )
            (previous, _set) = cursor.fetchone()
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)}{listed}")
            cursor.execute("SELECT set_config('default_statistics_target', %s, true)", [previous])


def stage_clear(batch_id: int) -> None:
    """The batch's staged rows removed: the whole table emptied when no other batch in
    validation has rows staged."""
    if _stage_emptied(batch_id):
        return
    SettlementStage.objects.filter(batch_id=batch_id).delete()


def _stage_emptied(batch_id: int) -> bool:
    """On PostgreSQL, TRUNCATE the staging table when no other batch still in validation has rows
    in it. A DELETE leaves its rows dead in the table until a VACUUM, and the set checks read the
    table from end to end: with autovacuum late (or off, as on the CI machine) every batch's rows
    stayed, and after 25 city files the checks read 1.1 GB for a batch of 80 MB (0.5-0.8 s more
    for 200,000 rows). Rows of a batch that moved on (applied, refused, failed) are leftovers of a
    worker that died before clearing them, and go too. The lock is asked for NOWAIT: while
    another batch stages or reads, this batch's rows are deleted instead and a later batch empties
    the table. Never inside a wider transaction, which would keep the lock until it ends."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    table = connection.ops.quote_name(SettlementStage._meta.db_table)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE NOWAIT")
            validating = SettlementBatch.objects.filter(status=BatchStatus.VALIDATING).exclude(
                pk=batch_id
            )
            # each a look-up in the (batch_id, psn_no) index, not a scan of the staged rows
            waiting = [
                other
                for other in validating.values_list("pk", flat=True)
                if SettlementStage.objects.filter(batch_id=other).exists()
            ]
            if waiting:
                logger.info("staging table kept: batches %s are in validation", waiting)
                return False
            cursor.execute(f"TRUNCATE {table}")
    except OperationalError:  # the lock was not free at once
        return False
    return True
