"""The dashboard's month figures (`MonthFigure`): settlements and what is owed (first
computations plus adjustments) per contract, people's region and settlement month.

Each computed batch is added once, by what it changed (its new compensations and its
adjustments of earlier settlements), grouped in the database over its own rows: the cost follows
the batch, not what the year already holds. It runs in its own task after the compute commits
(`claims.tasks.month_figures_add`), off the batch's clock; the nightly job adds any batch left
over (a lost task, and every batch once after an upgrade: that fills the table).

month_figures_add_batch  add one computed batch (once: `SettlementBatch.figures_added_at`)
month_figures_catch_up   add every computed batch not added yet
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from claims.settlements.models import (
    Compensation,
    CompensationAdjustment,
    MonthFigure,
    SettlementBatch,
)
from insurance.engine.money import ZERO


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
def month_figures_add_batch(*, batch_id: int) -> int:
    """Add a computed batch's changes to its months' figures, once; the figure rows touched.
    The claim (stamping `figures_added_at`) and the additions commit together, so a batch is
    never added twice nor lost. A missing figure row is created first; the additions are
    atomic UPDATEs, so batches added side by side lose nothing."""
    now = timezone.now()
    claimed = SettlementBatch.objects.filter(
        pk=batch_id, computed_at__isnull=False, figures_added_at__isnull=True
    ).update(figures_added_at=now)
    if not claimed:
        return 0
    contract_id = SettlementBatch.objects.values_list("contract_id", flat=True).get(pk=batch_id)
    deltas = _batch_deltas(batch_id)
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
    """Every computed batch not yet added (in order); the figure rows touched."""
    pending = SettlementBatch.objects.filter(
        computed_at__isnull=False, figures_added_at__isnull=True
    ).order_by("pk")
    return sum(month_figures_add_batch(batch_id=pk) for pk in pending.values_list("pk", flat=True))


def latest_month(figures) -> dt.date | None:
    """The latest month with a settlement among `figures` (already row-scoped)."""
    return figures.filter(~Q(settlements=0)).aggregate(m=Max("month"))["m"]
