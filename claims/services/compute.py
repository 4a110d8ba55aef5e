"""After a batch is applied: what the supplementary cover owes on each new settlement.

For every person touched by the batch, the engine recomputes the person's whole history in the
contract's scheme (so late records and reversals move later amounts correctly), given what was
already computed before. New settlements get a `Compensation`; changes to earlier ones come back
as `CompensationAdjustment` rows. Nothing already computed is rewritten.
Set-based reads (a few queries per chunk of people), bulk writes; no query per record.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from claims.bulk import copy_rows
from claims.models import (
    Compensation,
    CompensationAdjustment,
    CompensationStatus,
    SettlementBatch,
    SettlementRecord,
)
from insurance.engine import (
    AMOUNT_FIELDS,
    Enrolment,
    PersonFacts,
    Settlement,
    StatusPeriod,
    compile_plan,
    compute_many,
    steps_json,
)
from insurance.models import Enrollment, Person, SchemeYear, SpecialStatus

LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)
PEOPLE_PER_CHUNK = 2000
ZERO = Decimal("0.00")
COMPENSATION_FIELDS = (
    "record_id", "batch_id", "plan_code", "plan_version", "status", "reason", "lines", "total",
    "steps", "computed_at",
)  # fmt: skip
RECORD_FIELDS = (
    "id", "setl_id", "psn_no", "setl_time", "mdtrt_id", "insutype", "med_type", "begndate",
    "enddate", "refd_setl_flag", "init_setl_id", "trt_category", "cause", *AMOUNT_FIELDS,
)  # fmt: skip


def _settlement(row: dict) -> Settlement:
    values = {k: v for k, v in row.items() if k != "id"}
    values["setl_time"] = row["setl_time"].astimezone(LOCAL_TZ).replace(tzinfo=None)
    return Settlement(**values)


def _person_facts(person_ids: list[int], scheme_id: int) -> dict[str, PersonFacts]:
    statuses: dict[int, list[StatusPeriod]] = defaultdict(list)
    for person_id, kind, start, end in SpecialStatus.objects.filter(
        person_id__in=person_ids
    ).values_list("person_id", "kind", "valid_from", "valid_to"):
        statuses[person_id].append(StatusPeriod(status=kind, start=start, end=end))
    enrolments: dict[int, list[tuple]] = defaultdict(list)
    for person_id, kind, start, end, status, cancelled in (
        Enrollment.objects.filter(person_id__in=person_ids, scheme_year__scheme_id=scheme_id)
        .order_by("start_date")
        .values_list("person_id", "kind", "start_date", "end_date", "status", "cancelled_on")
    ):
        if status == "cancelled" and cancelled is not None:
            end = min(end, cancelled - timedelta(days=1))  # cover stops on the cancellation day
            if end < start:
                continue
        enrolments[person_id].append((kind, Enrolment(start=start, end=end)))
    facts = {}
    for person_id, psn_no, insutype, cvlserv in Person.objects.filter(
        id__in=person_ids
    ).values_list("id", "psn_no", "insutype", "cvlserv_flag"):
        periods = enrolments.get(person_id, [])
        facts[psn_no] = PersonFacts(
            psn_no=psn_no,
            insutype=insutype,
            cvlserv_flag=cvlserv,
            first_enrol=bool(periods) and periods[0][0] == "first",
            statuses=tuple(statuses.get(person_id, ())),
            enrolments=tuple(period for _kind, period in periods),
        )
    return facts


def _paid_so_far(records) -> dict[int, dict[str, Decimal]]:
    """What was computed before on `records` (a queryset: joined in SQL, not a list of ids)."""
    paid: dict[int, dict[str, Decimal]] = {}
    for record_id, lines in Compensation.objects.filter(record__in=records).values_list(
        "record_id", "lines"
    ):
        paid[record_id] = {line: Decimal(amount) for line, amount in lines.items()}
    for record_id, lines in CompensationAdjustment.objects.filter(record__in=records).values_list(
        "record_id", "lines"
    ):
        current = paid.setdefault(record_id, {})
        for line, amount in lines.items():
            current[line] = current.get(line, ZERO) + Decimal(amount)
    return paid


def batch_has_history(batch: SettlementBatch, records) -> bool:
    """Whether any of the people's records was computed before (else nothing is paid yet)."""
    return (
        records.exclude(batch=batch).exists() or Compensation.objects.filter(batch=batch).exists()
    )


def _year_of(years: list[SchemeYear], row: dict) -> SchemeYear | None:
    day = row["begndate"] or row["setl_time"].astimezone(LOCAL_TZ).date()
    for year in years:
        if year.coverage_start <= day <= year.coverage_end:
            return year
    return None


def _compute_chunk(batch: SettlementBatch, person_ids: list[int], years: list[SchemeYear]):
    scheme_id = batch.contract.scheme_id
    records = SettlementRecord.objects.filter(
        person_id__gte=person_ids[0],
        person_id__lte=person_ids[-1],
        person_id__in=SettlementRecord.objects.filter(batch=batch).values("person_id"),
        contract__scheme_id=scheme_id,
    )
    rows = list(records.order_by("psn_no", "setl_time", "setl_id").values(*RECORD_FIELDS))
    by_setl = {row["setl_id"]: row["id"] for row in rows}
    paid = _paid_so_far(records.values("id")) if batch_has_history(batch, records) else {}
    facts = _person_facts(person_ids, scheme_id)
    groups: dict[int | None, list[dict]] = defaultdict(list)
    for row in rows:
        year = _year_of(years, row)
        groups[year.pk if year and year.plan_id else None].append(row)
    now = timezone.now()
    compensations: list[tuple] = []
    adjustments: list[CompensationAdjustment] = []
    for year_id, group in groups.items():
        if year_id is None:
            compensations.extend(
                (row["id"], batch.pk, "", None, CompensationStatus.NO_PLAN, "no_plan", {}, ZERO,
                 [], now)
                for row in group
                if row["id"] not in paid
            )  # fmt: skip
            continue
        year = next(y for y in years if y.pk == year_id)
        plan = year.plan
        compiled = compile_plan(plan=plan.parsed, references=year.reference_figures())
        already = {row["setl_id"]: paid[row["id"]] for row in group if row["id"] in paid}
        results = compute_many(
            plan=compiled,
            persons=facts,
            settlements=[_settlement(row) for row in group],
            already_paid=already,
            explain=True,
            presorted=True,
        )
        for person in results:
            compensations.extend(
                (
                    by_setl[result.setl_id], batch.pk, plan.code, plan.version, result.status,
                    result.reason[:64], {k: str(v) for k, v in result.lines.items()},
                    result.total, steps_json(result.steps),
                    now,
                )
                for result in person.settlements
                if not result.already_paid
            )  # fmt: skip
            adjustments.extend(
                CompensationAdjustment(
                    record_id=by_setl[adj.setl_id],
                    batch=batch,
                    reason=adj.reason,
                    lines={k: str(v) for k, v in adj.lines.items()},
                    total=adj.total,
                    paid_before=adj.paid_before,
                    new_total=adj.new_total,
                )
                for adj in person.adjustments
            )
    copy_rows(Compensation, COMPENSATION_FIELDS, compensations)
    CompensationAdjustment.objects.bulk_create(adjustments, batch_size=2000, ignore_conflicts=True)
    return len(compensations), len(adjustments)


def batch_compute(*, batch_id: int) -> tuple[int, int]:
    """Compute the batch's people in chunks, each in its own transaction. Idempotent: records
    that already have a compensation are passed to the engine as paid, never recomputed."""
    started = time.monotonic()
    batch = SettlementBatch.objects.select_related("contract").get(pk=batch_id)
    if batch.computed_at is not None:
        return 0, 0
    years = list(
        SchemeYear.objects.filter(scheme_id=batch.contract.scheme_id).select_related("plan")
    )
    person_ids = sorted(
        set(SettlementRecord.objects.filter(batch=batch).values_list("person_id", flat=True))
    )
    made = adjusted = 0
    # Chunks are id ranges of the batch's people, so no query carries a long list of ids.
    for start in range(0, len(person_ids), PEOPLE_PER_CHUNK):
        chunk = person_ids[start : start + PEOPLE_PER_CHUNK]
        with transaction.atomic():
            new, changed = _compute_chunk(batch, chunk, years)
        made += new
        adjusted += changed
        SettlementBatch.objects.filter(pk=batch_id).update(stage=f"compute {start + len(chunk)}")
    SettlementBatch.objects.filter(pk=batch_id).update(
        computed_at=timezone.now(), stage="", seconds_compute=time.monotonic() - started
    )
    return made, adjusted
