"""Reads of the claims app: the one door (`*_for_user`) to every claims table."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet, Sum

from claims.models import Compensation, CompensationAdjustment, SettlementBatch, SettlementRecord
from contracts.selectors import contract_for_user, insurer_of
from insurance.selectors import ALL, region_scope_ids


def _insurer_scoped(qs: QuerySet, user) -> QuerySet:
    """Insurer users: their contracts only. Bureau staff: everything (then region, see below)."""
    if not user.is_authenticated:
        return qs.none()
    if insurer_of(user) is not None or "insurer" in user.role_codes:
        return qs.filter(contract_id__in=contract_for_user(user).values("id"))
    return qs


def settlement_batch_for_user(user) -> QuerySet[SettlementBatch]:
    qs = SettlementBatch.objects.select_related("contract", "insurer", "uploaded_by")
    qs = _insurer_scoped(qs, user)
    insurer = insurer_of(user)
    if insurer is not None:
        # A co-insurer sees the contract, but only its own uploads.
        qs = qs.filter(insurer=insurer)
    return qs


def settlement_record_for_user(user) -> QuerySet[SettlementRecord]:
    qs = _insurer_scoped(SettlementRecord.objects.select_related("batch", "contract"), user)
    if insurer_of(user) is None and user.is_authenticated:
        scope = region_scope_ids(user)
        if scope is not ALL:
            qs = qs.filter(person__region_id__in=scope)
    return qs


def compensation_due_total(*, contract_id: int, start, end) -> Decimal:
    """What the engine says the insurer owed on the contract's settlements dated start..end
    (inclusive, by settlement date): first computations plus every adjustment since."""
    records = SettlementRecord.objects.filter(
        contract_id=contract_id, setl_time__date__gte=start, setl_time__date__lte=end
    )
    first = Compensation.objects.filter(record__in=records).aggregate(s=Sum("total"))["s"]
    adjusted = CompensationAdjustment.objects.filter(record__in=records).aggregate(
        s=Sum("total")
    )["s"]
    return (first or Decimal("0.00")) + (adjusted or Decimal("0.00"))
