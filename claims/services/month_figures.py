"""Refresh the dashboard's month figures (`MonthFigure`): settlements and what is owed (first
computations plus adjustments) per contract, people's region and settlement month.

month_figures_refresh        rebuild given months of a contract: two grouped queries a month on
                             the (contract, setl_time) index, a handful of rows written
month_figures_refresh_batch  after a batch's compute: adds what the batch changed (its new
                             compensations and its adjustments), grouped over its own rows
month_figures_catch_up       the nightly job: contracts with batches computed since their last
                             refresh (or never summarised) get their months rebuilt
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from claims.models import (
    Compensation,
    CompensationAdjustment,
    MonthFigure,
    SettlementBatch,
    SettlementRecord,
)
from claims.services.time_ranges import local_midnight, months_between, next_month
from insurance.engine.money import ZERO


def _month_rows(contract_id: int, month: dt.date, now) -> list[MonthFigure]:
    records = SettlementRecord.objects.filter(
        contract_id=contract_id,
        setl_time__gte=local_midnight(month),
        setl_time__lt=local_midnight(next_month(month)),
    )
    figures: dict[int, MonthFigure] = {}

    def row(region_id: int) -> MonthFigure:
        return figures.setdefault(
            region_id,
            MonthFigure(
                contract_id=contract_id, region_id=region_id, month=month, settlements=0,
                owed=ZERO, refreshed_at=now,
            ),
        )  # fmt: skip

    for region_id, n in records.values_list("person__region_id").annotate(n=Count("id")).order_by():
        row(region_id).settlements = n
    for model in (Compensation, CompensationAdjustment):
        sums = (
            model.objects.filter(record__in=records)
            .values_list("record__person__region_id")
            .annotate(s=Sum("total"))
            .order_by()
        )
        for region_id, total in sums:
            row(region_id).owed += total or ZERO
    return list(figures.values())


@transaction.atomic
def month_figures_refresh(*, contract_id: int, months: list[dt.date]) -> int:
    """Rebuild the contract's figures of `months` (first days); the rows written."""
    now = timezone.now()
    rows = [row for month in months for row in _month_rows(contract_id, month, now)]
    MonthFigure.objects.filter(contract_id=contract_id, month__in=months).delete()
    MonthFigure.objects.bulk_create(rows)
    return len(rows)


def _batch_deltas(batch_id: int) -> dict[tuple[int, dt.date], list]:
    """(region, month) -> [settlements, owed] that the batch added: its new compensations (one
    per settlement it brought) and its adjustments of earlier settlements. Grouped in the
    database over the batch's own rows only (indexed by batch)."""
    deltas: dict[tuple[int, dt.date], list] = {}
    for model, counts in ((Compensation, True), (CompensationAdjustment, False)):
        rows = (
            model.objects.filter(batch_id=batch_id)
            .annotate(month=TruncMonth("record__setl_time"))
            .values_list("record__person__region_id", "month")
            .annotate(n=Count("id"), s=Sum("total"))
            .order_by()
        )
        for region_id, month, n, total in rows:
            entry = deltas.setdefault((region_id, _as_date(month)), [0, ZERO])
            entry[0] += n if counts else 0
            entry[1] += total or ZERO
    return deltas


def _as_date(month) -> dt.date:
    return timezone.localtime(month).date() if isinstance(month, dt.datetime) else month


@transaction.atomic
def month_figures_refresh_batch(*, batch_id: int) -> int:
    """Add what a batch changed to its months' figures (after its compute): the cost follows
    the batch's size, not what the year already holds. A figure row missing is created first;
    the additions are atomic UPDATEs, so batches computing side by side do not lose any."""
    contract_id = SettlementBatch.objects.values_list("contract_id", flat=True).get(pk=batch_id)
    deltas = _batch_deltas(batch_id)
    now = timezone.now()
    MonthFigure.objects.bulk_create(
        [
            MonthFigure(contract_id=contract_id, region_id=region_id, month=month, refreshed_at=now)
            for region_id, month in deltas
        ],
        ignore_conflicts=True,
    )
    for (region_id, month), (n, owed) in deltas.items():
        MonthFigure.objects.filter(
            contract_id=contract_id, region_id=region_id, month=month
        ).update(settlements=F("settlements") + n, owed=F("owed") + owed, refreshed_at=now)
    return len(deltas)


def month_figures_catch_up() -> int:
    """Contracts whose figures are older than their last computed batch: every month of their
    settlements rebuilt (the first night after an upgrade fills the table)."""
    last = dict(
        MonthFigure.objects.values_list("contract_id").annotate(at=Max("refreshed_at")).order_by()
    )
    computed = (
        SettlementBatch.objects.filter(computed_at__isnull=False)
        .values_list("contract_id")
        .annotate(at=Max("computed_at"))
        .order_by()
    )
    written = 0
    for contract_id, at in computed:
        if contract_id in last and last[contract_id] >= at:
            continue
        span = SettlementRecord.objects.filter(contract_id=contract_id).aggregate(
            first=Min("setl_time"), last=Max("setl_time")
        )
        if span["first"] is None:
            continue
        months = months_between(timezone.localdate(span["first"]), timezone.localdate(span["last"]))
        written += month_figures_refresh(contract_id=contract_id, months=months)
    return written


def latest_month(figures) -> dt.date | None:
    """The latest month with a settlement among `figures` (already row-scoped)."""
    return figures.filter(~Q(settlements=0)).aggregate(m=Max("month"))["m"]
