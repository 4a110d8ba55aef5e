"""Reads of the claims app: the one door (`*_for_user`) to every claims table."""

from __future__ import annotations

from django.db.models import QuerySet

from claims.models import SettlementBatch, SettlementRecord
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
