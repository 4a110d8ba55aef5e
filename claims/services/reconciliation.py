"""Reconciliation (对账): what the engine says the insurer owed on each settlement against what
the insurer reported paying, in the national field the settlement's plan declares as the scheme's
own payment (`own_payment_field`, claims/services/own_payment.py).

Set-based: one query reads the records with their expected amount (first computation plus the sum
of adjustments, in SQL), the classification runs in Python over the rows, and the results are
upserted in chunks. Idempotent: recomputing gives the same rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit import events
from audit.choices import AuditAction
from claims.choices import Outcome
from claims.models import (
    CompensationAdjustment,
    ReconciliationResult,
    SettlementRecord,
    SupervisionConfig,
)
from claims.services.own_payment import own_payment
from insurance.engine.money import ZERO, quantize
from insurance.fields import MoneyField

CHUNK = 2000
_MONEY = MoneyField()


def config_for(contract) -> SupervisionConfig:
    """The contract's settings; an unsaved row with the defaults when none was entered."""
    config = SupervisionConfig.objects.filter(contract_id=contract.pk).first()
    return config if config is not None else SupervisionConfig(contract=contract)


def classify(*, expected: Decimal, paid: Decimal, tolerance: Decimal) -> Outcome:
    """Matched within the tolerance; else no entitlement / nothing paid / under / over."""
    difference = paid - expected
    if abs(difference) <= tolerance:
        return Outcome.MATCHED
    if abs(expected) <= tolerance:
        return Outcome.PAID_WITHOUT_ENTITLEMENT
    if abs(paid) <= tolerance:
        return Outcome.ENTITLED_UNPAID
    return Outcome.UNDERPAID if difference < 0 else Outcome.OVERPAID


def month_of(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)


def _records(contract, *, start, end, only_changed: bool):
    adjustments = (
        CompensationAdjustment.objects.filter(record=OuterRef("pk"))
        .values("record")
        .annotate(s=Sum("total"))
        .values("s")
    )
    paid, paid_field = own_payment(contract.scheme_id)
    qs = SettlementRecord.objects.filter(contract_id=contract.pk, compensation__isnull=False)
    # the field its plan declares; none declared (no plan at all for the scheme): not reconciled
    qs = qs.alias(own_field=paid_field).exclude(own_field=None)
    if start is not None:
        qs = qs.filter(setl_time__date__gte=start)
    if end is not None:
        qs = qs.filter(setl_time__date__lte=end)
    if only_changed:
        late_adjustment = CompensationAdjustment.objects.filter(
            record=OuterRef("pk"), created_at__gt=OuterRef("reconciliation__computed_at")
        )
        qs = qs.filter(
            Q(reconciliation__isnull=True)
            | Q(compensation__computed_at__gt=F("reconciliation__computed_at"))
            | ~Q(reconciliation__paid_field=F("own_field"))
            | Exists(late_adjustment)
        )
    qs = qs.annotate(
        expected=F("compensation__total")
        + Coalesce(Subquery(adjustments, output_field=_MONEY), Value(ZERO), output_field=_MONEY),
        paid=paid,
        paid_field=F("own_field"),
    )
    return qs.values_list("pk", "batch__insurer_id", "setl_time", "expected", "paid", "paid_field")


def reconciliation_compute(
    *, contract, start=None, end=None, only_changed: bool = False, actor=None
) -> dict[str, int]:
    """(Re)compute the reconciliation of a contract's settlements dated start..end (inclusive).

    `only_changed`: only records never reconciled or whose compensation, adjustments or paid
    field changed since (the nightly run). Returns counts per outcome of the rows written.
    """
    tolerance = config_for(contract).tolerance
    now = timezone.now()
    counts: dict[str, int] = {}
    fields: set[str] = set()
    rows = _records(contract, start=start, end=end, only_changed=only_changed)
    chunk: list[ReconciliationResult] = []
    with transaction.atomic():
        for record_id, insurer_id, setl_time, expected, paid, paid_field in rows.iterator(
            chunk_size=CHUNK
        ):
            expected = quantize(expected)
            paid = quantize(paid)
            outcome = classify(expected=expected, paid=paid, tolerance=tolerance)
            counts[outcome] = counts.get(outcome, 0) + 1
            fields.add(paid_field)
            chunk.append(
                ReconciliationResult(
                    record_id=record_id,
                    contract_id=contract.pk,
                    insurer_id=insurer_id,
                    period=month_of(setl_time),
                    paid_field=paid_field,
                    expected=expected,
                    paid=paid,
                    difference=paid - expected,
                    outcome=outcome,
                    computed_at=now,
                )
            )
            if len(chunk) >= CHUNK:
                _upsert(chunk)
                chunk = []
        _upsert(chunk)
        if counts:
            events.record(
                action=AuditAction.BATCH,
                actor=actor,
                obj=contract,
                summary=f"赔付对账：{sum(counts.values())} 笔结算",
                extra={
                    "kind": "reconciliation",
                    "counts": {str(k): v for k, v in counts.items()},
                    "paid_fields": sorted(fields),
                    "start": str(start or ""),
                    "end": str(end or ""),
                    "only_changed": only_changed,
                },
            )
    return counts


def _upsert(rows: list[ReconciliationResult]) -> None:
    if not rows:
        return
    ReconciliationResult.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["record"],
        update_fields=[
            "contract", "insurer", "period", "paid_field", "expected", "paid", "difference",
            "outcome", "computed_at",
        ],
    )  # fmt: skip
