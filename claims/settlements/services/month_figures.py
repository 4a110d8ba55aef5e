"""The dashboard's month figures (`MonthFigure`): settlements and what is owed (first
computations plus adjustments) per contract, people's region and settlement month.

Each computed batch is added once, by what it changed (its new compensations and its
adjustments of earlier settlements), grouped in the database over its own rows: the cost follows
the batch, not what the year already holds. It runs in its own task after the compute commits
(`claims.tasks.month_figures_add`), off the batch's clock; the nightly job adds any batch left
over (a lost task, and every batch once after an upgrade: that fills the table).

month_figures_add_batch  add one computed batch (once: `SettlementBatch.figures_added_at`)
month_figures_catch_up   add every computed batch not added yet, all in one read
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, DateField, DateTimeField, Max, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from claims.settlements.models import (
    Compensation,
    CompensationAdjustment,
    MonthFigure,
    SettlementBatch,
    SettlementRecord,
)
from insurance.engine.money import ZERO
from insurance.models import Person


def _deltas(batch_ids: list[int]) -> dict[tuple[int, int, dt.date], list]:
    """(contract, region, month) -> [settlements, owed] that the batches added: their new
    compensations (one per settlement they brought) and their adjustments of earlier
    settlements. Grouped in the database over these batches' own rows only (indexed by batch),
    all of them in one query a model (not one a batch: each read joins the records)."""
    deltas: dict[tuple[int, int, dt.date], list] = {}
    for model, counts in ((Compensation, True), (CompensationAdjustment, False)):
        for contract_id, region_id, month, n, total in _grouped(model, batch_ids):
            entry = deltas.setdefault((contract_id, region_id, _as_date(month)), [0, ZERO])
            entry[0] += n if counts else 0
            entry[1] += total or ZERO
    return deltas


def _grouped(model, batch_ids: list[int]):
    """(contract, region, month, count, sum of totals) of `model`'s rows of the batches."""
    if connection.vendor == "postgresql":
        return _grouped_by_lookup(model, batch_ids)
    return (
        model.objects.filter(batch_id__in=batch_ids)
        .annotate(month=TruncMonth("record__setl_time"))
        .values_list("batch__contract_id", "record__person__region_id", "month")
        .annotate(n=Count("id"), s=Sum("total"))
        .order_by()
    )


def _grouped_by_lookup(model, batch_ids: list[int]) -> list[tuple]:
    """The same on PostgreSQL, each row's record looked up by id in its year's partition only.
    A plain join was planned as a hash of the whole year's records (3.4 s for a 59,313-row
    batch at the end of a 1.5M-record year, growing with the year; 0.37 s this way)."""
    qn = connection.ops.quote_name
    rows, records = qn(model._meta.db_table), qn(SettlementRecord._meta.db_table)
    batches, people = qn(SettlementBatch._meta.db_table), qn(Person._meta.db_table)
    # a compensation carries its record's year (the partition key); an adjustment does not
    within = (
        "AND r.setl_time >= make_timestamptz(c.year, 1, 1, 0, 0, 0, %(zone)s) "
        "AND r.setl_time < make_timestamptz(c.year + 1, 1, 1, 0, 0, 0, %(zone)s)"
        if model is Compensation
        else ""
    )
    sql = (
        "SELECT b.contract_id, p.region_id, "  # noqa: S608 (names are ours)
        "date_trunc('month', r.setl_time AT TIME ZONE %(zone)s)::date, count(*), sum(c.total) "
        f"FROM {rows} c JOIN {batches} b ON b.id = c.batch_id "
        f"CROSS JOIN LATERAL (SELECT r.setl_time, r.person_id FROM {records} r "
        f"WHERE r.id = c.record_id {within}) r "
        f"JOIN {people} p ON p.id = r.person_id "
        "WHERE c.batch_id = ANY(%(batches)s) GROUP BY 1, 2, 3"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"zone": settings.TIME_ZONE, "batches": list(batch_ids)})
        return cursor.fetchall()


def _as_date(month) -> dt.date:
    return timezone.localtime(month).date() if isinstance(month, dt.datetime) else month


@transaction.atomic
def month_figures_add_batch(*, batch_id: int) -> int:
    """Add a computed batch's changes to its months' figures, once; the figure rows touched.
    The claim (stamping `figures_added_at`) and the additions commit together, so a batch is
    never added twice nor lost. One upsert makes the missing figure rows and adds to the
    others (atomic per row), so batches added side by side lose nothing."""
    claimed = SettlementBatch.objects.filter(
        pk=batch_id, computed_at__isnull=False, figures_added_at__isnull=True
    ).update(figures_added_at=timezone.now())
    return _add_batches([batch_id]) if claimed else 0


@transaction.atomic
def month_figures_catch_up() -> int:
    """Every computed batch not yet added, claimed and added together (a first night after a
    year without workers adds every batch in one read); the figure rows touched."""
    table = connection.ops.quote_name(SettlementBatch._meta.db_table)
    now = DateTimeField().get_db_prep_value(timezone.now(), connection)
    with connection.cursor() as cursor:
        # RETURNING: the ones this run claimed (PostgreSQL, SQLite 3.35+); a batch a task
        # claims meanwhile is its own
        cursor.execute(
            f"UPDATE {table} SET figures_added_at = %s "  # noqa: S608 (names are ours)
            f"WHERE computed_at IS NOT NULL AND figures_added_at IS NULL RETURNING id",
            [now],
        )
        claimed = [pk for (pk,) in cursor.fetchall()]
    return _add_batches(claimed) if claimed else 0


def _add_batches(batch_ids: list[int]) -> int:
    deltas = _deltas(batch_ids)
    if deltas:
        _add(deltas, timezone.now())
    return len(deltas)


def _add(deltas: dict[tuple[int, int, dt.date], list], now) -> None:
    """One `INSERT … ON CONFLICT DO UPDATE` adding the deltas to their rows (made when
    missing): an atomic addition per row, as one statement instead of one UPDATE a row."""
    qn = connection.ops.quote_name
    table = qn(MonthFigure._meta.db_table)
    date, instant = DateField(), DateTimeField()
    columns = ("contract_id", "region_id", "month", "settlements", "owed", "refreshed_at")
    add = ("settlements", "owed")
    sets = [f"{qn(c)} = {table}.{qn(c)} + EXCLUDED.{qn(c)}" for c in add]
    sets.append(f"{qn('refreshed_at')} = EXCLUDED.{qn('refreshed_at')}")
    rows = sorted(deltas.items())  # in key order: two adds never lock the same rows crosswise
    # as many rows a statement as the database takes parameters (SQLite's may be 999)
    chunk = max(1, (connection.features.max_query_params or 65535) // len(columns))
    with connection.cursor() as cursor:
        for first in range(0, len(rows), chunk):
            values, params = [], []
            for (contract_id, region_id, month), (n, owed) in rows[first : first + chunk]:
                values.append("(%s, %s, %s, %s, CAST(%s AS NUMERIC), %s)")
                params += [
                    contract_id, region_id, date.get_db_prep_value(month, connection), n,
                    str(owed), instant.get_db_prep_value(now, connection),
                ]  # fmt: skip
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608 (ours)
                f"VALUES {', '.join(values)} "
                f"ON CONFLICT ({qn('contract_id')}, {qn('month')}, {qn('region_id')}) "
                f"DO UPDATE SET {', '.join(sets)}",
                params,
            )


def latest_month(figures) -> dt.date | None:
    """The latest month with a settlement among `figures` (already row-scoped)."""
    return figures.filter(~Q(settlements=0)).aggregate(m=Max("month"))["m"]
