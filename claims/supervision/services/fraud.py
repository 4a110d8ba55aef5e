"""Fraud flags (R-CLM-4), found set-based: each kind is one SQL statement over the contract's
settlements, never a query per row. Flags are keyed, so running again adds only new ones.

overlap             one person in hospital at two hospitals at once: two inpatient settlements
                    (med_type 2x) with different `fixmedins_code` whose stays overlap by at least
                    a night (a.begndate < b.enddate and b.begndate < a.enddate; a same-day
                    transfer does not count). Reversals and reversed settlements are left out.
after_death         treated (begndate, else the settlement day) after the person's recorded death
outside_enrollment  treated on a day no enrolment in the contract's scheme covers
cost_outlier        total cost above `factor` (default 3) times the average of the *other*
                    settlements with the same med_type and hospital (the data has no diagnosis);
                    only in groups with at least `min_group` other settlements

Incremental (`fraud_screen_new`, as each batch's compute ends and at night): only batches not
yet screened (`SettlementBatch.fraud_screened_at`) are looked at, each over its own window
(`batch_windows`: the `SCREEN_DAYS` up to its latest settlement, and back to its earliest), and
only what they touch is screened again: their people (overlaps, death, enrolment) and their
(med_type, hospital) comparison groups. People whose registry entry or enrolments changed since
the last screen began are screened apart. Untouched people and groups would only give the
flags they already have.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    DateField,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Round, TruncDate
from django.utils import timezone

from audit import events
from audit.choices import AuditAction
from audit.workflow import perform_move
from claims.choices import BatchStatus, FlagKind
from claims.settlements.models import SettlementBatch, SettlementRecord
from claims.settlements.services.time_ranges import days_q
from claims.supervision.models import FraudFlag
from claims.supervision.services.reconciliation import config_for
from insurance.choices import EnrollmentStatus, PersonStatus
from insurance.engine.money import quantize
from insurance.models import Enrollment, Person

INPATIENT_PREFIX = "2"


@dataclass(frozen=True)
class Touched:
    """What a screen is limited to (the default: the whole contract).

    batch_ids  the new batches: their people's stays and their settlements' comparison groups
    people     a condition on `SettlementRecord` adding people whose own data changed
    """

    batch_ids: list[int] | None = None
    people: Q | None = None

    @property
    def everything(self) -> bool:
        return self.batch_ids is None

    @property
    def records(self) -> QuerySet:
        # no ordering: as a subquery the model's `-id` made PostgreSQL read the whole table
        # backwards along the primary key, once per parallel worker
        return SettlementRecord.objects.filter(batch_id__in=self.batch_ids).order_by()


def _records(contract, start, end):
    # a range on the indexed instant (no per-row date conversion)
    qs = SettlementRecord.objects.filter(days_q(start, end), contract_id=contract.pk)
    return qs.filter(refd_setl_flag=False).annotate(
        treat_date=Coalesce("begndate", TruncDate("setl_time"), output_field=DateField())
    )


def _of_touched_people(qs, touched: Touched):
    if touched.everything:
        return qs
    where = Q(pk__in=[])  # no new settlement: only the people whose data changed
    if touched.batch_ids:
        where = Q(person_id__in=touched.records.values("person_id"))
    return qs.filter(where | touched.people if touched.people is not None else where)


def _overlaps(contract, start, end, touched: Touched) -> list[FraudFlag]:
    table, flags = SettlementRecord._meta.db_table, FraudFlag._meta.db_table
    params: list = [contract.pk, False, False, f"{INPATIENT_PREFIX}%", f"{INPATIENT_PREFIX}%"]
    window = ""
    if not touched.everything and not touched.batch_ids:
        return []  # no new settlement: a pair needs one, changes to people make none
    if not touched.everything:  # a pair is two stays of one person: the new ones' people
        people_sql, people_params = touched.records.values("person_id").query.sql_with_params()
        window += f" AND a.person_id IN ({people_sql})"
        params.extend(people_params)
    if start is not None:  # by the stay of `a`: a pair is found from either side
        window += " AND a.enddate >= %s"
        params.append(start)
    if end is not None:
        window += " AND a.begndate <= %s"
        params.append(end)
    params.append(FlagKind.OVERLAP.value)  # pairs flagged already are not looked at again
    # Only our own table names and fixed fragments are interpolated; values go as parameters.
    sql = f"""
        SELECT a.id, b.id, a.person_id, a.fixmedins_code, b.fixmedins_code,
               a.begndate, a.enddate, b.begndate, b.enddate, a.setl_id, b.setl_id
        FROM {table} a JOIN {table} b
          ON b.person_id = a.person_id AND b.contract_id = a.contract_id AND b.id <> a.id
        WHERE a.contract_id = %s AND a.refd_setl_flag = %s AND b.refd_setl_flag = %s
          AND a.med_type LIKE %s AND b.med_type LIKE %s
          AND a.fixmedins_code <> b.fixmedins_code
          AND a.begndate < b.enddate AND b.begndate < a.enddate {window}
          AND NOT EXISTS (SELECT 1 FROM {table} r
                          WHERE r.contract_id = a.contract_id AND r.refd_setl_flag
                            AND r.init_setl_id IN (a.setl_id, b.setl_id))
          AND NOT EXISTS (SELECT 1 FROM {flags} f
                          WHERE f.record_id = CASE WHEN a.id < b.id THEN a.id ELSE b.id END
                            AND f.other_record_id = CASE WHEN a.id < b.id THEN b.id ELSE a.id END
                            AND f.kind = %s)
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    flags: dict[str, FraudFlag] = {}
    for a_id, b_id, person_id, a_code, b_code, a_from, a_to, b_from, b_to, a_setl, b_setl in rows:
        if a_id > b_id:  # one flag per pair, on the earlier record
            a_id, b_id, a_code, b_code = b_id, a_id, b_code, a_code
            a_from, a_to, b_from, b_to, a_setl, b_setl = b_from, b_to, a_from, a_to, b_setl, a_setl
        key = f"{FlagKind.OVERLAP}:{a_id}:{b_id}"
        flags[key] = FraudFlag(
            key=key,
            kind=FlagKind.OVERLAP,
            record_id=a_id,
            other_record_id=b_id,
            contract_id=contract.pk,
            person_id=person_id,
            evidence={
                "setl_id": a_setl,
                "hospital": a_code,
                "stay": [str(a_from), str(a_to)],
                "other_setl_id": b_setl,
                "other_hospital": b_code,
                "other_stay": [str(b_from), str(b_to)],
            },
        )
    return list(flags.values())


def _simple(kind, rows, evidence) -> list[FraudFlag]:
    return [
        FraudFlag(
            key=f"{kind}:{row['pk']}",
            kind=kind,
            record_id=row["pk"],
            contract_id=row["contract_id"],
            person_id=row["person_id"],
            evidence=evidence(row),
        )
        for row in rows
    ]


def _after_death(contract, start, end, touched: Touched) -> list[FraudFlag]:
    rows = (
        _of_touched_people(_records(contract, start, end), touched)
        .filter(person__status=PersonStatus.DECEASED, person__status_date__isnull=False)
        .filter(treat_date__gt=F("person__status_date"))
        .values("pk", "contract_id", "person_id", "setl_id", "treat_date", "person__status_date")
    )
    return _simple(
        FlagKind.AFTER_DEATH,
        rows,
        lambda r: {
            "setl_id": r["setl_id"],
            "treatment_date": str(r["treat_date"]),
            "death_date": str(r["person__status_date"]),
        },
    )


def _outside_enrollment(contract, start, end, touched: Touched) -> list[FraudFlag]:
    covering = Enrollment.objects.filter(
        person=OuterRef("person"),
        scheme_year__scheme_id=contract.scheme_id,
        start_date__lte=OuterRef("treat_date"),
        end_date__gte=OuterRef("treat_date"),
    ).filter(
        Q(status=EnrollmentStatus.ACTIVE)
        | Q(cancelled_on__isnull=False, cancelled_on__gte=OuterRef("treat_date"))
    )
    rows = (
        _of_touched_people(_records(contract, start, end), touched)
        .filter(~Exists(covering))
        .values("pk", "contract_id", "person_id", "setl_id", "treat_date")
    )
    return _simple(
        FlagKind.OUTSIDE_ENROLLMENT,
        rows,
        lambda r: {"setl_id": r["setl_id"], "treatment_date": str(r["treat_date"])},
    )


def _cost_outliers(contract, start, end, touched: Touched) -> list[FraudFlag]:
    """Compared in the database, in whole fen (exact on PostgreSQL and SQLite): a settlement
    is an outlier when cost × others > factor × (group's sum − cost), the others' sum being
    positive and at least `min_group` others. Only the outliers come back, with their group's
    figures for the evidence."""
    config = config_for(contract)
    factor, min_group = config.outlier_factor, config.outlier_min_group
    records = _records(contract, start, end)
    if not touched.everything and not touched.batch_ids:
        return []  # no new settlement: every group is as it was
    if not touched.everything:  # whole groups a new settlement joined, nothing else
        joined = touched.records.filter(
            med_type=OuterRef("med_type"), fixmedins_code=OuterRef("fixmedins_code")
        )
        records = records.filter(Exists(joined))
    fen = Cast(Round(F("medfee_sumamt") * Value(100)), output_field=BigIntegerField())
    columns = ("pk", "contract_id", "person_id", "setl_id", "med_type", "fixmedins_code")
    rows = (
        records.annotate(fen=fen, **{f"o_{c}": F(c) for c in columns})
        .values(*(f"o_{c}" for c in columns), "fen")  # named aliases, read by name below
        .order_by()
    )
    select, params = rows.query.sql_with_params()
    factor_fen = int(factor * 100)  # two decimal places: a whole number of hundredths
    outer = ", ".join(f"r.o_{c} AS {c}" for c in columns)
    flags = FraudFlag._meta.db_table
    # The groups' sums by GROUP BY joined back (a hash aggregate of a few dozen groups), not
    # a window over every row (a sort of the year's records, spilled to disk at city size).
    # Outliers flagged already are left out in the database: the year's outliers do not come
    # back to Python at every batch only for the insert to skip them.
    sql = (
        f"SELECT {outer}, r.fen, g.group_fen, g.group_n FROM ({select}) r "  # noqa: S608 (ours)
        f"JOIN (SELECT o_med_type, o_fixmedins_code, SUM(fen) AS group_fen, "
        f"COUNT(*) AS group_n FROM ({select}) r GROUP BY o_med_type, o_fixmedins_code) g "
        f"ON g.o_med_type = r.o_med_type AND g.o_fixmedins_code = r.o_fixmedins_code "
        f"WHERE g.group_n - 1 >= %s AND g.group_fen - r.fen > 0 "
        f"AND r.fen * (g.group_n - 1) * 100 > %s * (g.group_fen - r.fen) "
        f"AND NOT EXISTS (SELECT 1 FROM {flags} f WHERE f.record_id = r.o_pk AND f.kind = %s)"
    )
    params = [*params, *params]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, min_group, factor_fen, FlagKind.COST_OUTLIER.value])
        names = [c[0] for c in cursor.description]
        flagged = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in flagged:
        others = row["group_n"] - 1
        row["others"] = others
        row["average"] = quantize(Decimal(row["group_fen"] - row["fen"]) / 100 / others)
        row["cost"] = Decimal(row["fen"]) / 100
    return _simple(
        FlagKind.COST_OUTLIER,
        flagged,
        lambda r: {
            "setl_id": r["setl_id"],
            "group": {"med_type": r["med_type"], "fixmedins_code": r["fixmedins_code"]},
            "cost": str(quantize(r["cost"])),
            "average_of_others": str(r["average"]),
            "others": r["others"],
            "factor": str(factor),
        },
    )


_WRITTEN = (
    "key", "kind", "record_id", "other_record_id", "contract_id", "person_id", "evidence",
    "status", "detected_at", "review_note",
)  # fmt: skip


def _insert_new(flags: list[FraudFlag]) -> int:
    """Insert the flags whose key is not there yet (`ON CONFLICT (key) DO NOTHING`: the
    database skips the existing ones, no list of keys is sent to look them up); returns how
    many were new. Plain rows of parameters: `bulk_create` on PostgreSQL sends arrays whose
    text escaping of the evidence cost more than the screen's queries."""
    if not flags:
        return 0
    qn = connection.ops.quote_name
    fields = [FraudFlag._meta.get_field(name) for name in _WRITTEN]
    now = timezone.now()
    # as many rows a statement as the database takes parameters (SQLite's may be 999)
    chunk = max(1, min(1000, (connection.features.max_query_params or 65535) // len(fields)))
    row = f"({', '.join(['%s'] * len(fields))})"
    columns = ", ".join(qn(f.column) for f in fields)
    inserted = 0
    with connection.cursor() as cursor:
        for first in range(0, len(flags), chunk):
            part = flags[first : first + chunk]
            params = []
            for flag in part:
                flag.detected_at = now
                params += [f.get_db_prep_save(getattr(flag, f.attname), connection) for f in fields]
            cursor.execute(
                f"INSERT INTO {qn(FraudFlag._meta.db_table)} "  # noqa: S608 (names are ours)
                f"({columns}) VALUES {', '.join([row] * len(part))} "
                f"ON CONFLICT ({qn('key')}) DO NOTHING",
                params,
            )
            inserted += cursor.rowcount
    return inserted


DETECTORS = {
    FlagKind.OVERLAP: _overlaps,
    FlagKind.AFTER_DEATH: _after_death,
    FlagKind.OUTSIDE_ENROLLMENT: _outside_enrollment,
    FlagKind.COST_OUTLIER: _cost_outliers,
}


@transaction.atomic
def fraud_detect(
    *, contract, start=None, end=None, actor=None, touched: Touched | None = None
) -> dict[str, int]:
    """Run every detector over the contract's settlements (start..end by settlement day),
    limited to what `touched` names when given. Idempotent: an existing flag (same key) is
    kept as it is, whatever its review status."""
    touched = touched or Touched()
    created: dict[str, int] = {}
    for kind, detector in DETECTORS.items():
        created[kind] = _insert_new(detector(contract, start, end, touched))
    if any(created.values()):
        events.record(
            action=AuditAction.BATCH,
            actor=actor,
            obj=contract,
            summary=f"欺诈疑点筛查：新增 {sum(created.values())} 条",
            extra={"kind": "fraud_detect", "created": {str(k): v for k, v in created.items()}},
        )
    return created


# how far back a screen looks from its last day: a year's comparison groups and a month more
SCREEN_DAYS = 400
# the advisory-lock space of screens (reconciliation uses 7_310_392)
_LOCK_SPACE = 7_310_393


def window_of(first: dt.date, latest: dt.date) -> tuple[dt.date, dt.date]:
    """The days a screen of settlements dated first..latest looks at: the `SCREEN_DAYS` up to
    the latest (a year's comparison groups), and back to the first if that is earlier."""
    return min(latest - dt.timedelta(days=SCREEN_DAYS), first), latest


def batch_windows(contract, batch_ids: list[int]) -> list[tuple[list[int], dt.date, dt.date]]:
    """The batches to screen, in groups that share one window: batches whose settlements all
    lie within `SCREEN_DAYS` of each other share it (the day's files: one screen of their
    comparison groups); a batch of other years gets its own, so a late file of old
    settlements is compared with its own year's groups, not averaged into today's, and today's
    batch with today's. Anchored on the data, never on the day the screen runs. Batches
    without settlements are left out (nothing to screen)."""
    spans = (
        SettlementRecord.objects.filter(contract_id=contract.pk, batch_id__in=batch_ids)
        .values("batch_id")
        .annotate(first=Min("setl_time"), latest=Max("setl_time"))
        .order_by()
    )
    days = sorted(
        (timezone.localdate(row["first"]), timezone.localdate(row["latest"]), row["batch_id"])
        for row in spans
    )
    groups: list[tuple[list[int], dt.date, dt.date]] = []
    for first, latest, batch_id in days:
        if groups:
            ids, start, end = groups[-1]
            if max(end, latest) - start <= dt.timedelta(days=SCREEN_DAYS):
                groups[-1] = ([*ids, batch_id], start, max(end, latest))
                continue
        groups.append(([batch_id], first, latest))
    return [(ids, *window_of(first, latest)) for ids, first, latest in groups]


def contract_window(contract) -> tuple[dt.date, dt.date] | None:
    """The window of the contract's settlements, all of them (its first screen)."""
    span = SettlementRecord.objects.filter(contract_id=contract.pk).aggregate(
        first=Min("setl_time"), latest=Max("setl_time")
    )
    if span["latest"] is None:
        return None
    return window_of(timezone.localdate(span["first"]), timezone.localdate(span["latest"]))


# A save's time (`auto_now`) is taken in Python up to moments before its transaction's first
# statement (a bulk import builds its whole first batch of rows first): changes are looked for
# from this much before the last screen's instant.
SAVE_CLOCK_MARGIN = dt.timedelta(seconds=10)


def _screen_instant() -> dt.datetime:
    """What a screen is stamped with: now, or the start of the oldest transaction of another
    session on this database still running. A registry change saved in such a transaction
    (a long import) is not seen by this screen but commits later with an earlier time than
    now; the next screen looks for changes since this instant, so it finds it. Sessions of other
    database users show no start (PostgreSQL hides it) and are not waited for; SQLite has one
    writer at a time."""
    now = timezone.now()
    if connection.vendor != "postgresql":
        return now
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # not an earlier read's cached view
        cursor.execute(
            "SELECT min(xact_start) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        oldest = cursor.fetchone()[0]
    return min(now, oldest) if oldest is not None else now


def _take_turn(contract) -> None:
    """One screen of a contract at a time (a batch's screen beside the nightly run): the second
    then finds the batches the first marked screened. Held to the end of the transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_SPACE, contract.pk])


def _add(total: dict[str, int], more: dict[str, int]) -> dict[str, int]:
    return {kind: total.get(kind, 0) + more.get(kind, 0) for kind in {*total, *more}}


@transaction.atomic
def fraud_screen_new(*, contract, today: dt.date | None = None, actor=None) -> dict[str, int]:
    """The screen of what is new:
    - the contract's applied batches not screened yet, their people and comparison groups,
      each group of batches over its window (`batch_windows`);
    - the people whose registry entry or enrolments changed since the last screen's instant
      (`_screen_instant`: a change still uncommitted then counts as after it), over
      their settlements from `SCREEN_DAYS` before the earlier of `today`
      (default today) and the contract's latest settlement: a death registered late flags the
      stays after it, whatever the dates of the batches screened beside it.
    Nothing new: no query over the settlements at all. The batches are marked screened in the
    same transaction."""
    _take_turn(contract)
    began = _screen_instant()
    today = today or timezone.localdate()
    unscreened = SettlementBatch.objects.filter(
        contract_id=contract.pk, status=BatchStatus.APPLIED, fraud_screened_at__isnull=True
    )
    batch_ids = list(unscreened.values_list("pk", flat=True))
    last = SettlementBatch.objects.filter(contract_id=contract.pk).aggregate(
        at=Max("fraud_screened_at")
    )["at"]
    people = None
    if last is not None:
        since = last - SAVE_CLOCK_MARGIN
        changed = Person.objects.filter(updated_at__gt=since)
        enrolled = Enrollment.objects.filter(
            scheme_year__scheme_id=contract.scheme_id, created_at__gt=since
        )
        if changed.exists() or enrolled.exists():
            people = Q(person_id__in=changed.values("pk")) | Q(
                person_id__in=enrolled.values("person_id")
            )
    if not batch_ids and people is None:
        return {}
    created: dict[str, int] = {}
    if last is None:
        # The first screen of the contract (no batch screened yet): every applied batch is
        # new, so the new batches' people and groups are all of them. The whole screen gives
        # the same flags without a semi-join over every record.
        window = contract_window(contract)
        if window is not None:
            created = fraud_detect(contract=contract, start=window[0], end=window[1], actor=actor)
    else:
        for ids, start, end in batch_windows(contract, batch_ids):
            new = Touched(batch_ids=ids)
            more = fraud_detect(contract=contract, start=start, end=end, actor=actor, touched=new)
            created = _add(created, more)
    if last is not None and people is not None:
        latest = SettlementRecord.objects.filter(contract_id=contract.pk).aggregate(
            at=Max("setl_time")
        )["at"]
        anchor = min(today, timezone.localdate(latest)) if latest is not None else today
        changed_people = Touched(batch_ids=[], people=people)
        start = anchor - dt.timedelta(days=SCREEN_DAYS)
        more = fraud_detect(contract=contract, start=start, actor=actor, touched=changed_people)
        created = _add(created, more)
    # stamped with the screen's instant: a change saved while it ran, or by a transaction that
    # was still running when it began, is new to the next
    SettlementBatch.objects.filter(pk__in=batch_ids).update(fraud_screened_at=began)
    return created


# --- the review (declared in `claims.supervision.workflows.FRAUD_FLAG`) ---------------------------


def guard_review(step) -> None:
    step.doc.review_note = step.reason


def fraud_flag_review(*, flag, confirmed: bool, actor, note: str = "") -> FraudFlag:
    """A person checked the flag: confirmed (属实) or dismissed (排除, with a reason)."""
    move = "confirm" if confirmed else "dismiss"
    return perform_move(doc=flag, move=move, actor=actor, reason=note)
