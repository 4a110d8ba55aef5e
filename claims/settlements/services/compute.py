"""After a batch is applied: what the supplementary cover owes on each new settlement.

A person touched by the batch whose new settlements all come after those computed before (the
daily file's usual case) continues from their stored running totals (`compute_state.py`).
Anyone else is recomputed over their whole history in the contract's scheme (so late records,
reversals and changed facts move later amounts correctly), given what was already computed
before. New settlements get a `Compensation`; changes to earlier ones come back as
`CompensationAdjustment` rows. Nothing already computed is rewritten.
Set-based reads (a few queries per chunk of people), bulk writes; no query per record.

The batch's people are cut into chunks (`BatchChunk`, by person id); each chunk is one idempotent
task on the `ingest` Celery queue, so any worker on any machine computes a share, and the chunk
that ends last marks the batch computed.
"""

from __future__ import annotations

import gc
import json
import logging
from collections import Counter, defaultdict
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta
from decimal import Decimal
from operator import itemgetter
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from claims.choices import ChangeKind
from claims.settlements.bulk import COPY_NULL, AnyOf, copy_escape, copy_lines, copy_rows
from claims.settlements.models import (
    BatchChunk,
    ChunkStatus,
    Compensation,
    CompensationAdjustment,
    CompensationStatus,
    SettlementBatch,
    SettlementRecord,
)
from claims.settlements.services.changes import change_record
from claims.settlements.services.compute_state import (
    StatesWritten,
    Stored,
    fingerprint,
    plans_signature,
    states_taken,
)
from claims.settlements.services.partitions import partitions_analyze
from claims.settlements.signals import batch_computed
from contracts.models import Contract
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
from insurance.engine.money import ZERO
from insurance.models import RETIRED_PSN_TYPES, Enrollment, Person, SchemeYear, SpecialStatus

logger = logging.getLogger(__name__)
LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)
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
    """(record id, Settlement) in person then treatment order; times in the bureau's zone.
    `records`: a queryset of settlement records."""
    names = (*_TAIL, *sorted(amounts))
    head = list(_HEAD)
    local_in_sql = connection.vendor == "postgresql"
    if local_in_sql:  # the bureau's wall-clock time, as the engine wants it, made by PostgreSQL
        table = records.model._meta.db_table
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


def _person_facts(
    person_ids: list[int], scheme_id: int
) -> tuple[dict[str, PersonFacts], dict[str, int]]:
    """The engine's facts of each person, by psn_no; and each person's id, by psn_no."""
    statuses: dict[int, list[StatusPeriod]] = defaultdict(list)
    # in a fixed order (ties broken by id): the facts are part of each stored state's fingerprint
    for person_id, kind, start, end in (
        SpecialStatus.objects.filter(AnyOf("person_id", person_ids))
        .order_by("person_id", "-valid_from", "pk")
        .values_list("person_id", "kind", "valid_from", "valid_to")
    ):
        statuses[person_id].append(StatusPeriod(status=kind, start=start, end=end))
    enrolments: dict[int, list[tuple]] = defaultdict(list)
    for person_id, kind, start, end, status, cancelled in (
        Enrollment.objects.filter(AnyOf("person_id", person_ids), scheme_year__scheme_id=scheme_id)
        .order_by("start_date", "pk")
        .values_list("person_id", "kind", "start_date", "end_date", "status", "cancelled_on")
    ):
        if status == "cancelled" and cancelled is not None:
            end = min(end, cancelled - timedelta(days=1))  # cover stops on the cancellation day
            if end < start:
                continue
        enrolments[person_id].append((kind, Enrolment(start=start, end=end)))
    facts = {}
    ids = {}
    people = Person.objects.filter(AnyOf("id", person_ids)).values_list(
        "id", "psn_no", "insutype", "cvlserv_flag", "rural", "insured_since", "hire_date",
        "psn_type",
    )  # fmt: skip
    for person_id, psn_no, insutype, cvlserv, rural, insured_since, hire_date, psn_type in people:
        periods = enrolments.get(person_id, [])
        ids[psn_no] = person_id
        facts[psn_no] = PersonFacts(
            psn_no=psn_no,
            insutype=insutype,
            cvlserv_flag=cvlserv,
            rural=rural,
            insured_since=insured_since,
            hire_date=hire_date,
            retired=psn_type in RETIRED_PSN_TYPES,
            first_enrol=bool(periods) and periods[0][0] == "first",
            statuses=tuple(statuses.get(person_id, ())),
            enrolments=tuple(period for _kind, period in periods),
        )
    return facts, ids


def _paid_so_far(record_ids: list[int], years: set[int]) -> dict[int, dict[str, Decimal]]:
    """What was computed before on these records (settled in `years`). Looked up by record id in
    the unique index of each table (one array parameter): the cost follows the chunk's records,
    never the year's; the years keep PostgreSQL to those years' partitions of compensations."""
    paid: dict[int, dict[str, Decimal]] = {}
    computed = Compensation.objects.filter(AnyOf("record_id", record_ids), year__in=years)
    for record_id, lines in computed.values_list("record_id", "lines"):
        paid[record_id] = {line: Decimal(amount) for line, amount in lines.items()}
    adjusted = CompensationAdjustment.objects.filter(AnyOf("record_id", record_ids))
    for record_id, lines in adjusted.values_list("record_id", "lines"):
        current = paid.setdefault(record_id, {})
        for line, amount in lines.items():
            current[line] = current.get(line, ZERO) + Decimal(amount)
    return paid


@dataclass(frozen=True)
class _Job:
    """What every chunk of a batch's compute needs, read once for the batch."""

    batch: SettlementBatch
    years: list[SchemeYear]
    compiled: dict[int, CompiledPlan]
    contract_ids: list[int]  # the scheme's contracts: a person's history is in any of them
    # scheme year -> the year whose compiled plan computes it: years sharing a plan version and
    # its reference figures are one history, so a running total (a calendar-year deductible)
    # is not cut where scheme years meet (Huizhou's July-June years, R-HZ-4)
    computed_with: dict[int, int]
    # the plans, figures and coverage of the scheme's years: part of each stored state's
    # fingerprint (claims/settlements/services/compute_state.py)
    signature: str = ""
    # how many records the batch brings for each of the chunk's people: when the chunk reads no
    # more than these for the people it walks over their year, nothing of theirs was computed
    # before (no look-up of earlier compensations)
    own: Mapping[int, int] = field(default_factory=dict)

    @property
    def amounts(self) -> frozenset[str]:
        return frozenset().union(*(c.amount_fields for c in self.compiled.values()))


def _job(batch: SettlementBatch) -> _Job:
    scheme_id = batch.contract.scheme_id
    years = list(SchemeYear.objects.filter(scheme_id=scheme_id).select_related("plan"))
    compiled = {
        year.pk: compile_plan(plan=year.plan.parsed, references=year.reference_figures())
        for year in years
        if year.plan_id
    }
    contract_ids = list(Contract.objects.filter(scheme_id=scheme_id).values_list("id", flat=True))
    computed_with: dict[int, int] = {}
    first_of: dict[tuple, int] = {}
    for year in sorted(years, key=lambda y: y.coverage_start):
        if year.plan_id:
            key = (year.plan_id, tuple(sorted(year.reference_figures().items())))
            computed_with[year.pk] = first_of.setdefault(key, year.pk)
    signature = plans_signature(years, computed_with)
    return _Job(batch, years, compiled, contract_ids, computed_with, signature)


def _chunks_planned(batch: SettlementBatch) -> list[BatchChunk]:
    """The batch's chunks, made once: its people in id order, cut every
    MEDSUPP_COMPUTE_CHUNK_PEOPLE. A second call (a resumed or doubled run) finds them made."""
    with transaction.atomic():
        SettlementBatch.objects.select_for_update().filter(pk=batch.pk).first()  # one planner
        chunks = list(BatchChunk.objects.filter(batch=batch).order_by("index"))
        if chunks:
            return chunks
        people = list(
            SettlementRecord.objects.filter(batch=batch)
            .order_by("person_id")
            .values_list("person_id", flat=True)
            .distinct()
        )
        size = max(1, settings.MEDSUPP_COMPUTE_CHUNK_PEOPLE)
        parts = [people[start : start + size] for start in range(0, len(people), size)]
        chunks = BatchChunk.objects.bulk_create(
            BatchChunk(
                batch=batch,
                index=index,
                first_person_id=part[0],
                last_person_id=part[-1],
                people=len(part),
            )
            for index, part in enumerate(parts)
        )
        SettlementBatch.objects.filter(pk=batch.pk).update(
            people_total=len(people), people_computed=0
        )
    return chunks


class PeopleChangedMeanwhile(RuntimeError):
    """Another batch's settlements of the chunk's people were stored and computed between the
    chunk's read of their records and its read of what was paid on them: retried at once (the
    task's `CHUNK_CONFLICTS`), then reading both."""


def _scheme_records(job: _Job, people: list[int]):
    """The records of `people` in the scheme (this contract's twin of a settlement only)."""
    records = SettlementRecord.objects.filter(
        AnyOf("person_id", people), contract_id__in=job.contract_ids
    )
    if len(job.contract_ids) > 1:
        records = _without_twins(records, job)
    return records


def _chunk_settlements(job: _Job, chunk: list[int]) -> list[tuple[int, Settlement]]:
    """(record id, Settlement) of the chunk's people in the scheme, grouped by person in
    treatment order."""
    return _settlements(_scheme_records(job, chunk), job.amounts)


def _without_twins(records, job: _Job):
    """A settlement id is unique within a contract, not across them: a person covered under two
    contracts of the scheme may have the same national settlement sent under both. The history
    counts it once, as this contract's: another contract's twin of one of this contract's
    settlements is left out."""
    contract_id = job.batch.contract_id
    twin = Exists(
        SettlementRecord.objects.filter(contract_id=contract_id, setl_id=OuterRef("setl_id"))
    )
    return records.exclude(twin, ~Q(contract_id=contract_id))


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
    # Most settlements are owed nothing: every line is the engine's own ZERO object. Their text
    # depends only on the lines' order, so it is made once per order.
    nothing_owed: dict[tuple[str, ...], str] = {}

    def write(lines: dict[str, Decimal]) -> str:
        if all(amount is ZERO for amount in lines.values()):
            order = tuple(lines)
            text = nothing_owed.get(order)
            if text is None:
                text = nothing_owed[order] = spell(lines)
            return text
        return spell(lines)

    def spell(lines: dict[str, Decimal]) -> str:
        if lines.keys() - keys.keys():
            return json.dumps({k: str(v) for k, v in lines.items()}, ensure_ascii=False)
        return "{" + ",".join(f'{keys[k]}:"{v}"' for k, v in lines.items()) + "}"

    return write


def _steps(result) -> str:
    return "[]" if result.trace is not None or not result.steps else steps_json(result.steps)


def _trace(result) -> str | None:
    return None if result.trace is None else trace_json(result.trace)


@contextmanager
def _collector_paused():
    """No cyclic garbage collection meanwhile. A chunk makes hundreds of thousands of objects
    that live until it ends (and die by reference counting): each collection on the way would
    walk them all again, which cost a quarter of the compute time. Restored after the chunk."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# Seam: tests wrap this to watch progress between chunks (tests/claims/test_batch_progress.py).
def chunk_people_compute(job: _Job, chunk: list[int]) -> tuple[int, int]:
    """One chunk's people computed, cyclic garbage collection paused meanwhile."""
    with _collector_paused():
        return people_compute(job, chunk)


# Seam: tests and the slow test worker wrap this to fail or pause inside a chunk.
def people_compute(job: _Job, chunk: list[int]) -> tuple[int, int]:
    """Compensations and adjustments of `chunk`'s people written, and where their running
    totals now stand: (made, adjusted). A person whose stored totals fit continues from them
    with the batch's records alone; the others are computed over their whole year."""
    batch = job.batch
    scheme_id = batch.contract.scheme_id
    facts, ids = _person_facts(chunk, scheme_id)
    prints = {ids[psn_no]: fingerprint(f, job.signature) for psn_no, f in facts.items()}
    taken = states_taken(
        scheme_id=scheme_id, people=chunk, prints=prints, single_contract=len(job.contract_ids) == 1
    )
    stored = {person_id: state for person_id, state in taken.items() if state is not None}
    new_rows = _batch_settlements(job, list(stored)) if stored else []
    # each new record's scheme year, taken once: checked against the totals, then grouped by
    year_ids = {record_id: _year_id(job, record) for record_id, record in new_rows}
    for person_id in _not_after(new_rows, year_ids, stored, ids):
        del stored[person_id]
    if len(stored) < len(chunk):
        new_rows = [row for row in new_rows if ids.get(row[1].psn_no) in stored]
    walked = [person_id for person_id in chunk if person_id not in stored]
    rows = _chunk_settlements(job, walked) if walked else []
    # Only records of other batches can have been computed before: a chunk of people new to the
    # year (most of a city's daily file) asks nothing.
    history = len(rows) > sum(job.own.get(person_id, 0) for person_id in walked)
    # each record's settlement year in the bureau's zone (setl_time is local here): the partition
    # key of its compensation and of the earlier ones looked up
    year_of = {record_id: record.setl_time.year for record_id, record in rows}
    paid = _paid_so_far(list(year_of), set(year_of.values())) if history else {}
    if history and _scheme_records(job, walked).count() != len(rows):
        # Each read sees what was committed when it began: a batch of the same people applied
        # and computed between the two would be paid for here (its compensations read) without
        # its settlements, and this chunk would undo them (nothing it writes meets a key).
        # Its records were committed before what it paid, so they show in a count made now.
        raise PeopleChangedMeanwhile(f"batch {batch.pk}: people of this chunk computed meanwhile")
    rows += new_rows  # people of each list follow each other: still grouped by person
    year_of.update((record_id, record.setl_time.year) for record_id, record in new_rows)
    by_setl = {record.setl_id: record_id for record_id, record in rows}
    states = StatesWritten(batch=batch, scheme_id=scheme_id, prints=prints, taken=set(taken))
    for person_id in chunk:
        states.start(person_id, stored.get(person_id))
    groups: dict[int | None, list[Settlement]] = defaultdict(list)
    for record_id, record in rows:
        year_id = year_ids[record_id] if record_id in year_ids else _year_id(job, record)
        groups[year_id].append(record)
        states.count(ids.get(record.psn_no), record_id)
    now = timezone.now()
    compensations: list[tuple] = []
    adjustments: list[CompensationAdjustment] = []
    for year_id, group in groups.items():
        if year_id is None:
            compensations.extend(
                (by_setl[r.setl_id], batch.pk, "", None, CompensationStatus.NO_PLAN, "no_plan",
                 "{}", ZERO, "[]", None, now)
                for r in group
                if by_setl[r.setl_id] not in paid
            )  # fmt: skip
            continue
        year = next(y for y in job.years if y.pk == year_id)
        plan = year.plan
        compiled = job.compiled[year.pk]
        already = {r.setl_id: paid[by_setl[r.setl_id]] for r in group if by_setl[r.setl_id] in paid}
        start_from = {
            psn_no: stored[person_id].state(year_id)
            for psn_no in {r.psn_no for r in group}
            if (person_id := ids.get(psn_no)) in stored
        }
        last: dict[str, Settlement] = {}  # each person's last in the engine's order
        for r in group:
            seen = last.get(r.psn_no)
            if seen is None or (r.setl_time, r.setl_id) > (seen.setl_time, seen.setl_id):
                last[r.psn_no] = r
        lines_json = _lines_writer(compiled.line_ids)
        results = compute_many(
            plan=compiled,
            persons=facts,
            settlements=group,
            already_paid=already,
            presorted=True,
            trace=True,  # steps are rebuilt from it on display:
            # claims/settlements/services/explanations.py
            states=start_from,
        )
        for person in results:
            states.fold(ids.get(person.psn_no), year_id, person.state, last[person.psn_no])
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
    _write_compensations(compensations, year_of)
    CompensationAdjustment.objects.bulk_create(adjustments, batch_size=2000, ignore_conflicts=True)
    states.write()
    return len(compensations), len(adjustments)


def _year_id(job: _Job, record: Settlement) -> int | None:
    """The scheme year whose plan computes `record` (None: no plan covers its day)."""
    year = scheme_year_of(job.years, record)
    return job.computed_with.get(year.pk) if year and year.plan_id else None


def _batch_settlements(job: _Job, people: list[int]) -> list[tuple[int, Settlement]]:
    """(record id, Settlement) the batch brings for `people`, grouped by person in treatment
    order: all that is computed for a person who continues from stored totals."""
    records = SettlementRecord.objects.filter(AnyOf("person_id", people), batch=job.batch)
    return _settlements(records, job.amounts)


def _not_after(
    rows, year_ids: dict[int, int | None], stored: dict[int, Stored], ids: dict[str, int]
) -> set[int]:
    """The people (ids) among `rows`, the batch's records of people with stored totals, whose
    totals cannot be continued: a reversal, or a record dated before their last one folded or
    possibly folded already (see `Stored.after_last`)."""
    behind = set()
    for record_id, record in rows:
        person_id = ids.get(record.psn_no)
        if person_id not in stored:
            continue  # a record whose psn_no is no longer its person's: not continued
        year_id = year_ids[record_id]
        if record.refd_setl_flag or not stored[person_id].after_last(year_id, record_id, record):
            behind.add(person_id)
    return behind


def _write_compensations(rows: list[tuple], year_of: dict[int, int]) -> None:
    """Rows in COMPENSATION_FIELDS order (JSON fields as text), written in record order: the
    unique index on the record then fills in order, not at random, which PostgreSQL does
    a fifth quicker. `year_of`: each record's settlement year (the compensation's `year`)."""
    rows.sort(key=itemgetter(0))
    fields = (*COMPENSATION_FIELDS, "year")
    if connection.vendor != "postgresql":
        copy_rows(Compensation, fields, [(*row, year_of[row[0]]) for row in rows])
        return
    stamps: dict[object, str] = {}

    def line(row: tuple) -> str:
        record_id, batch_id, code, version, status, reason, lines, total, steps, trace, at = row
        stamp = stamps.get(at) or stamps.setdefault(at, at.isoformat())
        return (
            f"{record_id}\t{batch_id}\t{copy_escape(code)}\t"
            f"{COPY_NULL if version is None else version}\t{copy_escape(status)}\t"
            f"{copy_escape(reason)}\t{copy_escape(lines)}\t{total}\t{copy_escape(steps)}\t"
            f"{COPY_NULL if trace is None else copy_escape(trace)}\t{stamp}\t{year_of[record_id]}\n"
        )

    copy_lines(Compensation, fields, map(line, rows))


def _finish_if_done(batch_id: int, job: _Job | None = None) -> bool:
    """Mark the batch computed once every chunk is done, exactly once: under the batch's row
    lock, whichever chunk ends last (or a resumed run) finds none pending and finishes it."""
    with transaction.atomic():
        batch = (
            SettlementBatch.objects.select_for_update(of=("self",))
            .select_related("contract")
            .get(pk=batch_id)
        )
        if batch.computed_at is not None:
            return True
        if BatchChunk.objects.filter(batch_id=batch_id, status=ChunkStatus.PENDING).exists():
            return False
        job = job or _job(batch)
        seconds = (timezone.now() - batch.applied_at).total_seconds() if batch.applied_at else 0
        SettlementBatch.objects.filter(pk=batch_id).update(
            computed_at=timezone.now(),
            stage="",
            seconds_compute=max(0.0, seconds),
            compute_references={
                str(year.pk): {k: str(v) for k, v in year.reference_figures().items()}
                for year in job.years
                if year.plan_id
            },
        )
        change_record(
            kind=ChangeKind.BATCH_COMPUTED, obj=batch, insurer_id=batch.insurer_id,
            contract_id=batch.contract_id,
        )  # fmt: skip
        # the dashboard's month figures follow in their own task, off the batch's clock; the
        # capabilities above (supervision) queue theirs on the signal
        from claims.settlements.tasks import month_figures_add

        transaction.on_commit(lambda: month_figures_add.delay(batch_id))
        batch_computed.send(sender=SettlementBatch, batch_id=batch_id)
    # Fresh statistics for the next batch's look-ups of these compensations by record id:
    # without them PostgreSQL read a whole year's partition per chunk (seconds each). A
    # compensation for each of its records: as many rows as it applied.
    partitions_analyze(Compensation, ("record_id", "year"), batch_id=batch_id, rows=batch.rows_good)
    return True


# One job per process for the batch it last computed: the chunks of a batch that one worker
# takes in a row compile its plans once. Keyed by the apply's time too: an id alone can come
# back for another batch (SQLite hands out a rolled-back id again), which then computed with
# the plans of the one before.
_cached_job: dict[tuple, _Job] = {}


def _job_for(batch: SettlementBatch) -> _Job:
    key = (batch.pk, batch.applied_at)
    job = _cached_job.get(key)
    if job is None:
        _cached_job.clear()
        job = _cached_job[key] = _job(batch)
    return job


def compute_chunk(*, batch_id: int, index: int, worker: str = "") -> tuple[int, int]:
    """Compute one chunk of the batch: its people's new compensations and adjustments, the chunk
    marked done and the batch's progress counted, all in one transaction under the chunk's row
    lock. Idempotent: a chunk found done (a retried or doubled task) is left as it is, and a
    chunk whose task died left nothing of its work. Returns what this run added."""
    # Counted on its own, committed at once: a try whose worker dies still shows, and by whom.
    BatchChunk.objects.filter(batch_id=batch_id, index=index, status=ChunkStatus.PENDING).update(
        attempts=F("attempts") + 1, worker=worker[:200]
    )
    with transaction.atomic():
        # FOR UPDATE of the chunk alone: the joined batch and contract rows are only read (locking
        # the batch's row too made every chunk of a batch wait for the one before)
        chunk = (
            BatchChunk.objects.select_for_update(of=("self",))
            .select_related("batch__contract")
            .get(batch_id=batch_id, index=index)
        )
        if chunk.status == ChunkStatus.DONE:
            return 0, 0
        batch = chunk.batch
        own = Counter(
            SettlementRecord.objects.filter(
                batch=batch,
                person_id__gte=chunk.first_person_id,
                person_id__lte=chunk.last_person_id,
            ).values_list("person_id", flat=True)
        )
        people = sorted(own)
        job = replace(_job_for(batch), own=own)
        made, adjusted = chunk_people_compute(job, people)
        chunk.status = ChunkStatus.DONE
        chunk.compensations = made
        chunk.adjustments = adjusted
        chunk.finished_at = timezone.now()
        chunk.save()
        SettlementBatch.objects.filter(pk=batch_id).update(
            people_computed=F("people_computed") + chunk.people
        )
    _finish_if_done(batch_id, job)
    return made, adjusted


def batch_compute(*, batch_id: int) -> tuple[int, int]:
    """Compute the batch in chunks (`BatchChunk`), each one task on the `ingest` queue that any
    worker takes; the chunk that ends last marks the batch computed. Without a broker (tasks
    run eagerly: `make run`, the tests) the chunks run here, in order. Idempotent: chunks
    already done are not queued again, so a second call resumes a batch whose chunks were lost.
    Returns the (new compensations, adjustments) computed here: (0, 0) when queued."""
    batch = SettlementBatch.objects.select_related("contract").get(pk=batch_id)
    if batch.computed_at is not None:
        return 0, 0
    SettlementBatch.objects.filter(pk=batch_id).update(stage="compute")
    pending = [c.index for c in _chunks_planned(batch) if c.status == ChunkStatus.PENDING]
    made = adjusted = 0
    if settings.CELERY_TASK_ALWAYS_EAGER:
        for index in pending:
            new, changed = compute_chunk(batch_id=batch_id, index=index)
            made += new
            adjusted += changed
    else:
        from claims.settlements.tasks import compute_chunk as chunk_task

        for index in pending:
            chunk_task.delay(batch_id, index)
    _finish_if_done(batch_id)  # a batch without people, or whose chunks were all done
    return made, adjusted
