"""Reads of the settlements. Every queryset a user can reach goes through `audit.scoping.restrict`
(permission and row scope in one call); the row scopes are declared in `claims/scopes.py`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from audit.scoping import has_model_permission, restrict, scope_of
from claims.settlements.models import (
    Compensation,
    CompensationAdjustment,
    MonthFigure,
    SettlementBatch,
    SettlementRecord,
)
from claims.settlements.services.time_ranges import days_q

SHARE = Decimal("0.0001")  # a share 0..1, rounded to 4 places


def settlement_batch_for_user(user, action: str = "view") -> QuerySet[SettlementBatch]:
    qs = SettlementBatch.objects.select_related("contract", "insurer", "uploaded_by")
    return restrict(qs, user, action)


def settlement_record_for_user(user, action: str = "view") -> QuerySet[SettlementRecord]:
    return restrict(SettlementRecord.objects.select_related("batch", "contract"), user, action)


def month_figures_for_user(user) -> QuerySet[MonthFigure]:
    """The dashboard's month figures the user may see: they are compensations, so the
    compensation permission opens them, and the records' own row scope limits them."""
    if not has_model_permission(user, Compensation, "view"):
        return MonthFigure.objects.none()
    return scope_of(MonthFigure)(MonthFigure.objects.all(), user)


def compensation_due_total(*, contract_id: int, start, end) -> Decimal:
    """What the engine says the insurer owed on the contract's settlements dated start..end
    (inclusive, by settlement date): first computations plus every adjustment since."""
    # local days as a range on the indexed instant (no per-row time-zone cast), on the joined
    # record (an `IN (SELECT id …)` of a year's records was planned as a few hundred rows and
    # looked up one by one), and the compensations of those settlement years only (their
    # partitions)
    records = Q(days_q(start, end, field="record__setl_time"), record__contract_id=contract_id)
    years = range(start.year, end.year + 1)
    first = Compensation.objects.filter(records, year__in=years).aggregate(s=Sum("total"))["s"]
    adjusted = CompensationAdjustment.objects.filter(records).aggregate(s=Sum("total"))["s"]
    return (first or Decimal("0.00")) + (adjusted or Decimal("0.00"))


def quota_pool_balances(qs: QuerySet) -> list[dict]:
    """The pool per scheme year: entries and the sum returned (one GROUP BY over `qs`)."""
    return list(
        qs.order_by()
        .values("scheme_year_id", "scheme_year__scheme__name", "scheme_year__year")
        .annotate(n=Count("id"), balance=Sum("amount"))
        .order_by("scheme_year__scheme__name", "-scheme_year__year")
    )


def year_bounds(contract, year: int) -> tuple[dt.date, dt.date]:
    """The contract year's insurance year (the scheme's, `contracts.periods`): operational
    figures (complaints, spot checks, reconciliation months) are counted over it."""
    from contracts.periods import contract_year

    period = contract_year(contract, year)
    return period.insurance_start, period.end
