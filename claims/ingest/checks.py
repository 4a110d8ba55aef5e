"""Checks that need the database, run as set operations over a batch's staging rows.

Each check returns (number of bad rows, the first `limit` errors in row order). No query per row.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from claims.ingest.errors import RowError, error
from claims.models import SettlementRecord, SettlementStage
from insurance.models import Enrollment, Person


def _collect(queryset, code: str, column: str, value_field: str, limit: int):
    count = queryset.count()
    if not count:  # the ordered listing can be planned far slower than the count: skip it
        return 0, []
    rows = queryset.order_by("row_number").values_list("row_number", value_field)[:limit]
    return count, [error(number, column, code, value=value) for number, value in rows]


def check_batch(
    *, batch_id: int, scheme_id: int, reversals: bool = True, limit: int = 200
) -> tuple[dict, list[RowError]]:
    """Run every set-based check; return counts per error code and the located errors.
    `reversals`: whether any staged row is a reversal (else their check reads nothing)."""
    stage = SettlementStage.objects.filter(batch_id=batch_id)
    known = Exists(Person.objects.filter(psn_no=OuterRef("psn_no")))
    enrolled = Exists(
        Enrollment.objects.filter(
            person__psn_no=OuterRef("psn_no"),
            scheme_year__scheme_id=scheme_id,
            start_date__lte=OuterRef("service_date"),
            end_date__gte=OuterRef("service_date"),
        ).filter(
            Q(status="active") | Q(status="cancelled", cancelled_on__gt=OuterRef("service_date"))
        )
    )
    stored = Exists(SettlementRecord.objects.filter(setl_id=OuterRef("setl_id")))
    original_in_batch = Exists(
        SettlementStage.objects.filter(batch_id=batch_id, setl_id=OuterRef("init_setl_id"))
    )
    original_stored = Exists(SettlementRecord.objects.filter(setl_id=OuterRef("init_setl_id")))

    checks = (
        (stage.filter(~known), "unknown_person", "psn_no", "psn_no"),
        (stage.filter(known).filter(~enrolled), "not_enrolled", "setl_time", "service_date"),
        (stage.filter(stored), "duplicate_stored", "setl_id", "setl_id"),
    )
    if reversals:
        checks += (
            (
                stage.filter(refd_setl_flag=True).filter(~original_in_batch, ~original_stored),
                "reversal_without_original",
                "init_setl_id",
                "init_setl_id",
            ),
        )
    counts: dict[str, int] = {}
    errors: list[RowError] = []
    for queryset, code, column, value_field in checks:
        count, found = _collect(queryset, code, column, value_field, limit)
        if count:
            counts[code] = count
            errors.extend(found)
    errors.sort(key=lambda e: (e.row, e.column))
    return counts, errors
