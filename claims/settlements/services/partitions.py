"""Yearly partitions of the big tables on PostgreSQL (docs/scaling.md "Partitions").

Settlement records are partitioned by `setl_time` at the instants the bureau's years begin,
compensations by `year` (their record's settlement year) and reconciliation results by
`period`: claims migration 0001 makes the tables and the years 2024-2028 plus a DEFAULT
partition, so no row is ever refused for want of a partition. `partitions_ensure` adds the
missing years up to YEARS_AHEAD after the current one (and back to `since`, for a bureau that
loads earlier years), each with the rows the DEFAULT partition held for it. Idempotent.
SQLite keeps plain tables: nothing to do there.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection, transaction
from django.utils import timezone

from claims.settlements.services.time_ranges import local_midnight

# table (the supervision's results named, not imported: settlements sit below supervision),
# partition key, how its bounds are written (the same as in claims migration 0001)
PARTITIONED = (
    ("claims_settlementrecord", "setl_time", "instant"),
    ("claims_compensation", "year", "year"),
    ("claims_reconciliationresult", "period", "date"),
)
YEARS_AHEAD = 2


def _bound(kind: str, year: int) -> str:
    if kind == "year":
        return str(year)
    if kind == "date":
        return f"'{year}-01-01'"
    return f"'{local_midnight(dt.date(year, 1, 1)).isoformat()}'"


def partition_years(table: str) -> set[int]:
    """The years that have their own partition of `table` (named `<table>_<year>`)."""
    pattern = re.compile(rf"^{table}_(\d{{4}})$")
    names = [name for name, _rows in _partitions(table)]
    return {int(m.group(1)) for m in map(pattern.match, names) if m}


def _make(table: str, key: str, kind: str, year: int) -> int:
    """One year's partition; the rows the DEFAULT partition held for it move in (the DEFAULT
    is detached meanwhile: PostgreSQL refuses a partition whose rows sit in the DEFAULT, and the
    records' delete guard must not see the move). Returns how many rows moved."""
    low, high = _bound(kind, year), _bound(kind, year + 1)
    default = f"{table}_default"
    span = f"{key} >= {low} AND {key} < {high}"
    bounds = f"FOR VALUES FROM ({low}) TO ({high})"
    # Only our own names and bounds made from an integer year: no input in the SQL.
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(f"SELECT count(*) FROM {default} WHERE {span}")  # noqa: S608
        (waiting,) = cursor.fetchone()
        if not waiting:
            cursor.execute(f"CREATE TABLE {table}_{year} PARTITION OF {table} {bounds}")
            return 0
        cursor.execute(f"ALTER TABLE {table} DETACH PARTITION {default}")
        cursor.execute(f"CREATE TABLE {table}_{year} PARTITION OF {table} {bounds}")
        cursor.execute(f"INSERT INTO {table} SELECT * FROM {default} WHERE {span}")  # noqa: S608
        cursor.execute(f"DELETE FROM {default} WHERE {span}")  # noqa: S608
        cursor.execute(f"ALTER TABLE {table} ATTACH PARTITION {default} DEFAULT")
    return waiting


def partitions_after_migrate(sender, using="default", **kwargs) -> None:
    """After every migrate: the coming years' partitions, so a database migrated years after
    the ones migration 0001 makes does not fill its DEFAULT partitions until the monthly job."""
    if using == "default" and connection.vendor == "postgresql":
        partitions_ensure()


def partitions_ensure(
    *, since: int | None = None, until: int | None = None
) -> list[tuple[str, int, int]]:
    """Every missing year's partition of the three tables, from `since` (by default their first
    year) to `until` (by default YEARS_AHEAD after the current year), in one transaction.
    Returns (table, year, rows moved from the DEFAULT partition) of each partition made."""
    if connection.vendor != "postgresql":
        return []
    until = until if until is not None else timezone.localdate().year + YEARS_AHEAD
    made = []
    with transaction.atomic():
        # A partition is made under ACCESS EXCLUSIVE: behind a long reader every other query
        # would queue behind the wait. Give up instead; the next run makes it.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '5s'")
        for table, key, kind in PARTITIONED:
            have = partition_years(table)
            first = since if since is not None else min(have, default=until)
            for year in range(first, until + 1):
                if year not in have:
                    made.append((table, year, _make(table, key, kind, year)))
    return made


# After a batch, the partitions it wrote are analysed (a new batch id is then known to the
# planner: one missing from statistics where every batch is a most common value is estimated at
# one row, and a chunk's look-up of its people by batch then read the whole batch, two seconds
# a chunk). The whole table's own statistics, which the planner uses for joins over it and
# autovacuum never refreshes, are refreshed only once its partitions hold STALE_GROWTH more rows
# than it last counted: that ANALYZE samples every year's partition again, a cost that grew with
# each year kept.
STALE_GROWTH = 0.5


def _partitions(table: str) -> list[tuple[str, float]]:
    """Each partition of `table`: (name, rows at its last ANALYZE or VACUUM)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reltuples FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass "
            "ORDER BY c.relname",
            [table],
        )
        return cursor.fetchall()


def partitions_analyze(model, columns: tuple[str, ...], *, batch_id: int, rows: int) -> list[str]:
    """After batch `batch_id` wrote `rows` rows to `model`'s partitioned table: ANALYZE (of
    `columns`) the whole table when its partitions now hold STALE_GROWTH more rows than it last
    counted (which analyses every partition too), else each partition holding the batch's rows
    (one look-up in each partition's batch index). Returns what was analysed: nothing on SQLite
    (plain tables, no statistics kept up by hand)."""
    if connection.vendor != "postgresql":
        return []
    table = model._meta.db_table
    quote = connection.ops.quote_name
    listed = f" ({', '.join(quote(c) for c in columns)})" if columns else ""
    partitions = _partitions(table)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        (counted,) = cursor.fetchone()
        held = sum(max(n, 0) for _name, n in partitions) + rows
        if held > max(counted, 0) * (1 + STALE_GROWTH):
            cursor.execute(f"ANALYZE {quote(table)}{listed}")
            return [table]
        done = []
        for name, _rows in partitions:
            cursor.execute(
                f"SELECT EXISTS (SELECT 1 FROM {quote(name)} WHERE batch_id = %s)",  # noqa: S608
                [batch_id],
            )
            if cursor.fetchone()[0]:
                cursor.execute(f"ANALYZE {quote(name)}{listed}")
                done.append(name)
    return done
