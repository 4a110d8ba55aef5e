"""Test data for claims supervision: applied batches, records and compensations made directly."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from claims.choices import BatchSource, BatchStatus
from claims.models import Compensation, CompensationAdjustment, SettlementBatch, SettlementRecord
from insurance.models import BenefitPlan

_seq = itertools.count(1)


def applied_batch(contract, insurer=None) -> SettlementBatch:
    n = next(_seq)
    return SettlementBatch.objects.create(
        contract=contract,
        insurer=insurer or contract.lead_insurer,
        status=BatchStatus.APPLIED,
        source=BatchSource.COMMAND,
        file=f"settlements/test-{n}",
        filename=f"test-{n}.csv",
        sha256=f"{n:064d}",
    )


def record(
    batch,
    person,
    *,
    day=dt.date(2025, 3, 10),
    paid="0.00",
    field="oth_pay",
    begndate=None,
    enddate=None,
    hospital="H001",
    med_type="21",
    cost="10000.00",
    setl_time=None,
    **extra,
) -> SettlementRecord:
    n = next(_seq)
    moment = setl_time or timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    return SettlementRecord.objects.create(
        batch=batch,
        contract=batch.contract,
        person=person,
        row_number=n,
        setl_id=f"T{n:08d}",
        mdtrt_id=f"M{n:08d}",
        psn_no=person.psn_no,
        insutype="310",
        med_type=med_type,
        fixmedins_code=hospital,
        begndate=begndate or day - dt.timedelta(days=5),
        enddate=enddate or day,
        setl_time=moment,
        medfee_sumamt=Decimal(cost),
        **{field: Decimal(paid)},
        **extra,
    )


def compensation(rec, total, *, status="computed", adjust=None, plan="ordos-2018") -> Compensation:
    """Computed with the active version of shipped `plan`: its own_payment_field (oth_pay for
    Ordos) is what reconciliation reads as paid."""
    version = BenefitPlan.objects.get(code=plan, status="active").version
    comp = Compensation.objects.create(
        record=rec,
        batch=rec.batch,
        plan_code=plan,
        plan_version=version,
        status=status,
        total=Decimal(total),
        lines={"a": str(total)},
        steps=[
            {
                "code": "payable",
                "line": "a",
                "values": {"line_name": "住院补充", "line_name_en": "Inpatient", "payable": total},
            }
        ],
    )
    if adjust is not None:
        CompensationAdjustment.objects.create(
            record=rec,
            batch=applied_batch(rec.contract),
            reason="late",
            total=Decimal(adjust),
            paid_before=Decimal(total),
            new_total=Decimal(total) + Decimal(adjust),
        )
    return comp


def claim(rec_batch, person, *, expected, paid, day=dt.date(2025, 3, 10), **kw):
    rec = record(rec_batch, person, paid=paid, day=day, **kw)
    compensation(rec, expected)
    return rec
