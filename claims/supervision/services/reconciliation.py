"""Reconciliation (对账): what the engine says the insurer owed on each settlement against what
the insurer reported paying, in the national field the settlement's plan declares as the scheme's
own payment (`own_payment_field`, claims/settlements/services/own_payment.py).

Set-based, in the database: for each calendar year of settlement months one statement reads the
records with their expected amount (first computation plus the sum of adjustments, joined
grouped), classifies them (`classify`, written once more as a SQL CASE), compares them with the
stored results, inserts the new ones, updates the changed ones and counts them all; no row passes
through Python. The month of a record is a CASE over the months' bounds and the records are
taken by a half-open range on the indexed `setl_time` (claims/settlements/services/time_ranges.py),
so no per-row time-zone conversion. Idempotent: recomputing gives the same rows and writes none.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import (
    Case,
    DateField,
    DateTimeField,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Round
from django.utils import timezone

from audit import events
from audit.choices import AuditAction
from claims.choices import BatchStatus, Outcome
from claims.settlements.models import (
    Compensation,
    CompensationAdjustment,
    SettlementBatch,
    SettlementRecord,
)
from claims.settlements.services.own_payment import own_payment, plan_fields, scheme_field
from claims.settlements.services.time_ranges import (
    days_q,
    local_midnight,
    months_between,
    next_month,
)
from claims.supervision.models import ReconciliationResult, SupervisionConfig
from insurance.fields import MoneyField

_MONEY = MoneyField()
# the result's columns, in the order the SELECT below produces them
_COLUMNS = (
    "record_id", "contract_id", "insurer_id", "period", "paid_field", "expected", "paid",
    "difference", "outcome", "computed_at",
)  # fmt: skip


def config_for(contract) -> SupervisionConfig:
    """The contract's settings; an unsaved row with the defaults when none was entered."""
    config = SupervisionConfig.objects.filter(contract_id=contract.pk).first()
    return config if config is not None else SupervisionConfig(contract=contract)


def classify(*, expected: Decimal, paid: Decimal, tolerance: Decimal) -> Outcome:
    """Matched within the tolerance; else no entitlement / nothing paid / under / over.
    The database applies the same rules in `_outcome` (tests hold the two equal)."""
    difference = paid - expected
    if abs(difference) <= tolerance:
        return Outcome.MATCHED
    if abs(expected) <= tolerance:
        return Outcome.PAID_WITHOUT_ENTITLEMENT
    if abs(paid) <= tolerance:
        return Outcome.ENTITLED_UNPAID
    return Outcome.UNDERPAID if difference < 0 else Outcome.OVERPAID


def _outcome_sql(tolerance: Decimal) -> tuple[str, list]:
    """`classify` as a SQL CASE over the columns src.expected, src.paid and d (their rounded
    difference); the tolerance and the outcomes go as parameters. CAST(… AS NUMERIC): SQLite
    would otherwise compare a number with the text of the parameter."""
    tol = "CAST(%s AS NUMERIC)"
    sql = (
        f"CASE WHEN ABS(d) <= {tol} THEN %s WHEN ABS(src.expected) <= {tol} THEN %s "
        f"WHEN ABS(src.paid) <= {tol} THEN %s WHEN d < 0 THEN %s ELSE %s END"
    )
    params = [
        str(tolerance), Outcome.MATCHED.value, str(tolerance),
        Outcome.PAID_WITHOUT_ENTITLEMENT.value, str(tolerance), Outcome.ENTITLED_UNPAID.value,
        Outcome.UNDERPAID.value, Outcome.OVERPAID.value,
    ]  # fmt: skip
    return sql, params


def _records(contract, *, only_changed: bool, batch_ids=None):
    """The contract's computed records to reconcile, with their first computation and paid
    amount annotated (the adjustments are added in `_source`). `batch_ids`: only those these
    batches computed (and, with `only_changed`, changed since their result) or adjusted."""
    paid, paid_field = own_payment(contract.scheme_id)
    qs = SettlementRecord.objects.filter(contract_id=contract.pk, compensation__isnull=False)
    qs = qs.alias(own_field=paid_field)
    if scheme_field(contract.scheme_id, plan_fields()) is None:
        # no fallback: a record whose plan declares no field (none at all for the scheme) is
        # not reconciled. With one the field is never NULL, and the filter would only blur
        # the planner's estimates (it scanned every compensation for each month).
        qs = qs.exclude(own_field=None)
    changed = Q()
    if only_changed:
        late_adjustment = CompensationAdjustment.objects.filter(
            record=OuterRef("pk"), created_at__gt=OuterRef("reconciliation__computed_at")
        )
        changed = (
            Q(reconciliation__isnull=True)
            | Q(compensation__computed_at__gt=F("reconciliation__computed_at"))
            | ~Q(reconciliation__paid_field=F("own_field"))
            | Exists(late_adjustment)
        )
    if batch_ids is None:
        qs = qs.filter(changed)
    else:
        # The records the batches adjusted are compared again whatever the instants say: an
        # adjustment is stamped when its chunk writes it, before it commits, so a run that
        # read the record meanwhile (another batch's) left a result stamped later than it.
        # The records are found first through the batches' own rows (their compensations and
        # adjustments, by batch id): the OR spans two tables, so alone it was a filter over
        # every record of the year (a 2,000-row batch at city size joined the year's 1.5M
        # records, compensations and results: 3.2 s).
        adjusted = CompensationAdjustment.objects.filter(batch_id__in=batch_ids)
        adjusted = adjusted.order_by().values("record_id")
        computed = Compensation.objects.filter(batch_id__in=batch_ids).order_by()
        qs = qs.filter(pk__in=computed.values("record_id").union(adjusted, all=True))
        qs = qs.filter((Q(compensation__batch_id__in=batch_ids) & changed) | Q(pk__in=adjusted))
    # Round(…, 2): exact on PostgreSQL's numeric; on SQLite it removes the float noise of sums
    return qs.alias(
        r_first=F("compensation__total"),
        r_paid=Round(paid, 2, output_field=_MONEY),
        r_paid_field=F("own_field"),
    )


def _months(contract, start, end) -> list[dt.date]:
    """The settlement months to reconcile: start..end, or the contract's records' own span."""
    if start is None or end is None:
        span = SettlementRecord.objects.filter(contract_id=contract.pk).aggregate(
            first=Min("setl_time"), last=Max("setl_time")
        )
        if span["first"] is None:
            return []
        start = start or timezone.localdate(span["first"])
        end = end or timezone.localdate(span["last"])
    return months_between(start, end)


def _years(months: list[dt.date]) -> list[list[dt.date]]:
    """The months cut by calendar year: one statement a year (a year's records are one
    partition once the big tables are partitioned by year)."""
    years: dict[int, list[dt.date]] = {}
    for month in months:
        years.setdefault(month.year, []).append(month)
    return list(years.values())


def _period(months: list[dt.date]) -> Case:
    """The local settlement month of `setl_time`, as a CASE over the months' upper bounds (the
    rows are already within the first month's lower bound): no per-row time-zone conversion."""
    return Case(
        *(When(setl_time__lt=local_midnight(next_month(m)), then=Value(m)) for m in months),
        output_field=DateField(),
    )


def _source(records, *, months, start, end, tolerance) -> tuple[str, list]:
    """The SELECT of every result row the months' records give, classified; and its params."""
    lower = max(local_midnight(months[0]), local_midnight(start)) if start else None
    lower = lower or local_midnight(months[0])
    upper = local_midnight(next_month(months[-1]))
    rows = records.filter(setl_time__gte=lower, setl_time__lt=upper).filter(days_q(None, end))
    # the year's compensations carry its year: PostgreSQL then joins one partition of them
    rows = rows.filter(compensation__year=months[0].year)
    rows = (
        rows.annotate(
            r_record=F("pk"),
            r_insurer=F("batch__insurer_id"),
            r_period=_period(months),
            r_field=F("r_paid_field"),
            r_first_total=F("r_first"),
            r_pd=F("r_paid"),
        )
        .values("r_record", "r_insurer", "r_period", "r_field", "r_first_total", "r_pd")
        .order_by()  # no sort here: only the new rows are ordered, by the INSERT
    )
    select, params = rows.query.sql_with_params()
    outcome, outcome_params = _outcome_sql(tolerance)
    # What is owed: the first computation plus the sum of the adjustments, joined grouped
    # (a correlated subquery would run once a record for every reference to the amount), and
    # only those of these records: the rows are a CTE read twice, not the whole table grouped.
    # ROUND(CAST(… AS NUMERIC), 2): exact on PostgreSQL, no float noise of sums on SQLite.
    adjustments = CompensationAdjustment._meta.db_table
    expected = (
        "CAST(ROUND(CAST(s.r_first_total + COALESCE(adj.total, 0) AS NUMERIC), 2) AS NUMERIC)"
    )
    sql = (
        f"WITH rows0 AS MATERIALIZED ({select}) "  # noqa: S608 (names are ours)
        f"SELECT src.*, {outcome} AS outcome FROM (SELECT s.*, "
        f"ROUND(s.paid - s.expected, 2) AS d FROM (SELECT s.r_record AS record_id, "
        f"s.r_insurer AS insurer_id, s.r_period AS period, s.r_field AS paid_field, "
        f"{expected} AS expected, s.r_pd AS paid FROM rows0 s "
        f"LEFT JOIN (SELECT record_id, SUM(total) AS total FROM {adjustments} "
        f"WHERE record_id IN (SELECT r_record FROM rows0) "
        f"GROUP BY record_id) adj ON adj.record_id = s.r_record) s) src"
    )
    return sql, [*params, *outcome_params]  # in the order they appear


def _write_year(records, *, contract, months, start, end, tolerance, now) -> dict:
    """Reconcile the records settled in `months` (one year's, within start..end): new results
    inserted, changed ones updated, unchanged ones left alone; returns {(outcome, paid field):
    records reconciled}, written or not.

    The classified rows, each with its stored result's state (new, changed, same), are a
    MATERIALIZED common table expression read once. A recomputation that changes nothing
    writes nothing (no dead rows, no index entries, no WAL), and an unchanged result keeps the
    instant it was last computed. New rows are a plain INSERT in (period, record) order, not
    an upsert: PostgreSQL's speculative insertion cost a third more per row, and the rows go
    into each index in order. Plain is safe because the runs of a contract take turns
    (`_take_turn`) and nothing else writes results. On PostgreSQL one statement (data-modifying
    CTEs) does it all and counts; on SQLite the source is counted first (with `only_changed`
    it depends on the results), then updated, then inserted."""
    source, params = _source(records, months=months, start=start, end=end, tolerance=tolerance)
    qn = connection.ops.quote_name
    table = qn(ReconciliationResult._meta.db_table)
    changed = " OR ".join(
        f"old.{qn(c)} <> src.{qn(c)}"
        for c in ("insurer_id", "period", "paid_field", "expected", "paid", "outcome")
    )
    # state: 0 new, 1 changed, 2 the same. The stored results looked at are the contract's of
    # these months and the month on either side (a record's month is fixed by its setl_time;
    # the margin only keeps a result found were the bureau's zone ever changed): one year's
    # partition and its neighbours' edges, not every year of every contract.
    classified = (
        f"SELECT src.*, CASE WHEN old.{qn('id')} IS NULL THEN 0 WHEN {changed} THEN 1 "  # noqa: S608 (names are ours)
        f"ELSE 2 END AS state FROM ({source}) src LEFT JOIN {table} old "
        f"ON old.{qn('record_id')} = src.record_id AND old.{qn('contract_id')} = %s "
        f"AND old.{qn('period')} >= %s AND old.{qn('period')} < %s"
    )
    date_field = DateField()
    before = (months[0] - dt.timedelta(days=1)).replace(day=1)
    after = next_month(next_month(months[-1]))
    params = [
        *params,
        contract.pk,
        date_field.get_db_prep_value(before, connection),
        date_field.get_db_prep_value(after, connection),
    ]
    insert = (
        f"INSERT INTO {table} ({', '.join(qn(c) for c in _COLUMNS)}) "  # noqa: S608 (names are ours)
        f"SELECT cls.record_id, %s, cls.insurer_id, cls.period, cls.paid_field, cls.expected, "
        f"cls.paid, cls.d, cls.outcome, %s FROM cls WHERE cls.state = 0 "
        f"ORDER BY cls.period, cls.record_id"
    )
    sets = ", ".join(
        f"{qn(c)} = cls.{c}" for c in ("insurer_id", "period", "paid_field", "expected", "paid")
    )
    update = (
        f"UPDATE {table} SET {sets}, {qn('difference')} = cls.d, "  # noqa: S608 (names are ours)
        f"{qn('outcome')} = cls.outcome, {qn('computed_at')} = %s FROM cls "
        f"WHERE {table}.{qn('record_id')} = cls.record_id AND cls.state = 1"
    )
    instant = DateTimeField().get_db_prep_value(now, connection)
    count = "SELECT outcome, paid_field, COUNT(*) FROM cls GROUP BY outcome, paid_field"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # the statement's estimated cost makes PostgreSQL JIT-compile it: seconds for nothing
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(
                f"WITH cls AS MATERIALIZED ({classified}), ins AS ({insert}), "
                f"upd AS ({update}) {count}",
                [*params, contract.pk, instant, instant],
            )
            return {(outcome, field): n for outcome, field, n in cursor.fetchall()}
        cursor.execute(f"WITH cls AS ({classified}) {count}", params)
        counts = {(outcome, field): n for outcome, field, n in cursor.fetchall()}
        cursor.execute(f"WITH cls AS MATERIALIZED ({classified}) {update}", [*params, instant])
        cursor.execute(
            f"WITH cls AS MATERIALIZED ({classified}) {insert}", [*params, contract.pk, instant]
        )
        return counts


# the advisory-lock space of reconciliation runs (audit/jobs.py uses 7_310_391, the audit
# chain 7_310_390)
_LOCK_SPACE = 7_310_392


def _take_turn(contract) -> None:
    """Wait for any other run reconciling this contract (a statement submitted during the
    nightly run) to commit: each run then sees the other's results, so its new rows are new.
    Held to the end of the transaction. SQLite has one writer at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_SPACE, contract.pk])


def reconciliation_compute(
    *, contract, start=None, end=None, only_changed: bool = False, actor=None, batch_ids=None
) -> dict[str, int]:
    """(Re)compute the reconciliation of a contract's settlements dated start..end (inclusive).

    `only_changed`: only records never reconciled or whose compensation, adjustments or paid
    field changed since. `batch_ids`: only records these batches computed or adjusted (the
    nightly run, `reconciliation_nightly`); those they adjusted are compared again whatever
    `only_changed` says (`_records`). Returns counts per outcome of the records
    reconciled (a result whose figures did not change is counted but not rewritten).
    """
    if batch_ids is not None and not batch_ids:
        return {}
    tolerance = config_for(contract).tolerance
    now = timezone.now()
    records = _records(contract, only_changed=only_changed, batch_ids=batch_ids)
    with transaction.atomic():
        _take_turn(contract)
        written: dict[tuple[str, str], int] = {}
        for months in _years(_months(contract, start, end)):
            year = _write_year(
                records, contract=contract, months=months, start=start, end=end,
                tolerance=tolerance, now=now,
            )  # fmt: skip
            for key, n in year.items():
                written[key] = written.get(key, 0) + n
        counts: dict[str, int] = {}
        fields: set[str] = set()
        for (outcome, paid_field), n in written.items():
            counts[outcome] = counts.get(outcome, 0) + n
            fields.add(paid_field)
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


def reconciliation_nightly(*, contract, actor=None) -> dict[str, int]:
    """The nightly run: the records of the contract's applied batches not reconciled yet (their
    settlements, and the earlier ones they adjusted), those that changed since. A night without
    new batches reads no settlement. A batch is marked reconciled only if it had finished its
    compute before the run began; one still computing is looked at again the next night.
    Changes that come from no batch (a plan's paid field declared anew) are reconciled by a
    run over the contract (`reconciliation_compute(only_changed=True)`) or a statement."""
    pending = SettlementBatch.objects.filter(
        contract_id=contract.pk, status=BatchStatus.APPLIED, reconciled_at__isnull=True
    )
    batch_ids = list(pending.values_list("pk", flat=True))
    computed = list(pending.filter(computed_at__isnull=False).values_list("pk", flat=True))
    counts = reconciliation_compute(
        contract=contract, only_changed=True, actor=actor, batch_ids=batch_ids
    )
    SettlementBatch.objects.filter(pk__in=computed).update(reconciled_at=timezone.now())
    return counts
