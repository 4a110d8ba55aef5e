"""After a batch is applied: what the supplementary cover owes on each new settlement.

For every person touched by the batch, the engine recomputes the person's whole history in the
contract's scheme (so late records and reversals move later amounts correctly), given what was
already computed before. New settlements get a `Compensation`; changes to earlier ones come back
as `CompensationAdjustment` rows. Nothing already computed is rewritten.
Set-based reads (a few queries per chunk of people), bulk writes; no query per record.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import fields
from datetime import timedelta
from decimal import Decimal
from operator import itemgetter
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.db.models.expressions import RawSQL
from django.utils import timezone

from claims.bulk import copy_rows
from claims.models import (
    Compensation,
    CompensationAdjustment,
    CompensationStatus,
    SettlementBatch,
    SettlementRecord,
)
from claims.parallel import can_fork, run_forked, workers
from insurance.engine import (
    CompiledPlan,
    Enrolment,
    PersonFacts,
    Settlement,
    StatusPeriod,
    compile_plan,
    compute_many,
    steps_json,
    trace_json,
)
from insurance.models import Enrollment, Person, SchemeYear, SpecialStatus

LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)
PEOPLE_PER_CHUNK = 2000
ZERO = Decimal("0.00")
COMPENSATION_FIELDS = (
    "record_id", "batch_id", "plan_code", "plan_version", "status", "reason", "lines", "total",
    "steps", "trace", "computed_at",
)  # fmt: skip
# The record id and every field of the engine's Settlement (one record, for its explanation).
RECORD_FIELDS = ("id", *(f.name for f in fields(Settlement)))


def settlement_of(row: dict) -> Settlement:
    """The engine's view of a record read with `.values(*RECORD_FIELDS)`."""
    values = {k: v for k, v in row.items() if k != "id"}
    values["setl_time"] = row["setl_time"].astimezone(LOCAL_TZ).replace(tzinfo=None)
    return Settlement(**values)


# Read positionally up to enddate, then by name: the rest of the identity fields and only the
# amounts the plans' lines use (the others keep the Settlement default, 0).
_HEAD = (
    "setl_id",
    "psn_no",
    "setl_time",
    "mdtrt_id",
    "insutype",
    "med_type",
    "begndate",
    "enddate",
)
_TAIL = ("refd_setl_flag", "init_setl_id", "trt_category", "cause")


def _settlements(records, amounts: frozenset[str]) -> list[tuple[int, Settlement]]:
    """(record id, Settlement) in person then treatment order; times in the bureau's zone."""
    names = (*_TAIL, *sorted(amounts))
    head = list(_HEAD)
    local_in_sql = connection.vendor == "postgresql"
    if local_in_sql:  # the bureau's wall-clock time, as the engine wants it, made by PostgreSQL
        table = SettlementRecord._meta.db_table
        zone = RawSQL(f'"{table}"."setl_time" AT TIME ZONE %s', [settings.TIME_ZONE])  # noqa: S611
        records = records.annotate(setl_local=zone)
        head[2] = "setl_local"
    rows = records.order_by("psn_no", "setl_time", "setl_id").values_list("id", *head, *names)
    # Settlement's fields in order, picked from the row followed by the defaults of the fields
    # not read: one C-level call per row instead of a dict and keyword arguments.
    read = {name: i for i, name in enumerate(("id", *_HEAD, *names))}
    unread = [f for f in fields(Settlement) if f.name not in read]
    pad = tuple(f.default for f in unread)
    padded_at = {f.name: len(read) + i for i, f in enumerate(unread)}
    pick = itemgetter(*(read.get(f.name, padded_at.get(f.name)) for f in fields(Settlement)))
    out = []
    for row in rows:
        args = pick(row + pad)
        if not local_in_sql:
            when = args[2].astimezone(LOCAL_TZ).replace(tzinfo=None)
            args = (*args[:2], when, *args[3:])
        out.append((row[0], Settlement(*args)))
    return out


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


def batch_has_history(batch: SettlementBatch, records, *, resuming: bool) -> bool:
    """Whether any of the people's records was computed before (else nothing is paid yet):
    records of earlier batches, or of this one when a crashed run is being resumed."""
    return resuming or records.exclude(batch=batch).exists()


def scheme_year_of(years: list[SchemeYear], record: Settlement) -> SchemeYear | None:
    """The scheme year whose coverage holds the record's day of treatment."""
    day = record.service_date
    for year in years:
        if year.coverage_start <= day <= year.coverage_end:
            return year
    return None


def _lines_writer(line_ids):
    """JSON text of a line -> amount dict, made by hand: it is written for every settlement."""
    keys = {line_id: json.dumps(line_id, ensure_ascii=False) for line_id in line_ids}

    def write(lines: dict[str, Decimal]) -> str:
        if lines.keys() - keys.keys():
            return json.dumps({k: str(v) for k, v in lines.items()}, ensure_ascii=False)
        return "{" + ",".join(f'{keys[k]}:"{v}"' for k, v in lines.items()) + "}"

    return write


def _steps(result) -> str:
    return "[]" if result.trace is not None or not result.steps else steps_json(result.steps)


def _trace(result) -> str | None:
    return None if result.trace is None else trace_json(result.trace)


def _compute_chunk(
    batch: SettlementBatch,
    person_ids: list[int],
    years: list[SchemeYear],
    compiled_plans: dict[int, CompiledPlan],
    *,
    resuming: bool,
):
    scheme_id = batch.contract.scheme_id
    records = SettlementRecord.objects.filter(
        person_id__gte=person_ids[0],
        person_id__lte=person_ids[-1],
        person_id__in=SettlementRecord.objects.filter(batch=batch).values("person_id"),
        contract__scheme_id=scheme_id,
    )
    amounts = frozenset().union(*(c.amount_fields for c in compiled_plans.values()))
    rows = _settlements(records, amounts)
    by_setl = {record.setl_id: record_id for record_id, record in rows}
    history = batch_has_history(batch, records, resuming=resuming)
    paid = _paid_so_far(records.values("id")) if history else {}
    facts = _person_facts(person_ids, scheme_id)
    groups: dict[int | None, list[Settlement]] = defaultdict(list)
    for _record_id, record in rows:
        year = scheme_year_of(years, record)
        groups[year.pk if year and year.plan_id else None].append(record)
    now = timezone.now()
    compensations: list[tuple] = []
    adjustments: list[CompensationAdjustment] = []
    for year_id, group in groups.items():
        if year_id is None:
            compensations.extend(
                (by_setl[r.setl_id], batch.pk, "", None, CompensationStatus.NO_PLAN, "no_plan",
                 {}, ZERO, "[]", None, now)
                for r in group
                if by_setl[r.setl_id] not in paid
            )  # fmt: skip
            continue
        year = next(y for y in years if y.pk == year_id)
        plan = year.plan
        compiled = compiled_plans[year.pk]
        already = {r.setl_id: paid[by_setl[r.setl_id]] for r in group if by_setl[r.setl_id] in paid}
        lines_json = _lines_writer(compiled.line_ids)
        results = compute_many(
            plan=compiled,
            persons=facts,
            settlements=group,
            already_paid=already,
            presorted=True,
            trace=True,  # steps are rebuilt from it on display: claims/services/explanations.py
        )
        for person in results:
            compensations.extend(
                (
                    by_setl[result.setl_id], batch.pk, plan.code, plan.version, result.status,
                    result.reason[:64], lines_json(result.lines),
                    result.total, _steps(result), _trace(result), now,
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


def _finished_people(batch: SettlementBatch) -> set[int]:
    return set(
        Compensation.objects.filter(batch=batch)
        .values_list("record__person_id", flat=True)
        .distinct()
    )


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
    compiled = {
        year.pk: compile_plan(plan=year.plan.parsed, references=year.reference_figures())
        for year in years
        if year.plan_id
    }
    # DISTINCT in SQL: a million-row batch would otherwise send a million ids to Python.
    person_ids = list(
        SettlementRecord.objects.filter(batch=batch)
        .order_by("person_id")
        .values_list("person_id", flat=True)
        .distinct()
    )
    # Chunks commit one by one: compensations of this batch mean a crashed run is resumed.
    resuming = Compensation.objects.filter(batch=batch).exists()
    # Chunks are id ranges of the batch's people, so no query carries a long list of ids.
    # Several chunks per process, so that processes finish at about the same time.
    size = max(1, min(PEOPLE_PER_CHUNK, -(-len(person_ids) // (4 * workers()))))
    chunks = [person_ids[start : start + size] for start in range(0, len(person_ids), size)]
    # A chunk commits all its people at once: people with a compensation of this batch were
    # finished by the crashed run, and a chunk of only such people has nothing left to do.
    finished = _finished_people(batch) if resuming else set()
    chunks = [chunk for chunk in chunks if not finished.issuperset(chunk)]
    left = sum(len(chunk) for chunk in chunks)
    SettlementBatch.objects.filter(pk=batch_id).update(
        stage="compute", people_total=len(person_ids), people_computed=len(person_ids) - left
    )

    def work(index: int) -> tuple[int, int]:
        with transaction.atomic():
            done = _compute_chunk(batch, chunks[index], years, compiled, resuming=resuming)
        # Added in SQL: processes finish chunks in any order, the count only grows.
        SettlementBatch.objects.filter(pk=batch_id).update(
            people_computed=F("people_computed") + len(chunks[index])
        )
        return done

    processes = min(workers(), len(chunks))
    if processes > 1 and can_fork():
        made, adjusted = run_forked(range(len(chunks)), processes, work)
    else:
        made = adjusted = 0
        for index in range(len(chunks)):
            new, changed = work(index)
            made += new
            adjusted += changed
    SettlementBatch.objects.filter(pk=batch_id).update(
        computed_at=timezone.now(),
        stage="",
        seconds_compute=time.monotonic() - started,
        compute_references={
            str(year.pk): {k: str(v) for k, v in year.reference_figures().items()}
            for year in years
            if year.plan_id
        },
    )
    return made, adjusted
