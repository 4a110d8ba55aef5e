"""Refresh the dashboard's month figures (`MonthFigure`): settlements and what is owed (first
computations plus adjustments) per contract, people's region and settlement month.

month_figures_refresh        rebuild given months of a contract: two grouped queries a month on
                             the (contract, setl_time) index, a handful of rows written
month_figures_refresh_batch  after a batch's compute: the months its settlements and its
                             adjustments fall in
month_figures_catch_up       the nightly job: contracts with batches computed since their last
                             refresh (or never summarised) get their months rebuilt
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Max, Min, Q, Sum
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


def _span(queryset) -> list[dt.date]:
    span = queryset.aggregate(first=Min("record__setl_time"), last=Max("record__setl_time"))
    if span["first"] is None:
        return []
    return months_between(timezone.localdate(span["first"]), timezone.localdate(span["last"]))


def month_figures_refresh_batch(*, batch_id: int) -> int:
    """The months a batch changed: its new compensations' and its adjustments' settlements."""
    contract_id = SettlementBatch.objects.values_list("contract_id", flat=True).get(pk=batch_id)
    months = set(_span(Compensation.objects.filter(batch_id=batch_id)))
    months |= set(_span(CompensationAdjustment.objects.filter(batch_id=batch_id)))
    if not months:
        return 0
    return month_figures_refresh(contract_id=contract_id, months=sorted(months))


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
