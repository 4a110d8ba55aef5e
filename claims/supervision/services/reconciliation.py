"""Reconciliation (对账): what the engine says the insurer owed on each settlement against what
the insurer reported paying, in the national field the settlement's plan declares as the scheme's
own payment (`own_payment_field`, claims/settlements/services/own_payment.py).

Set-based, in the database: for each settlement month one `INSERT … SELECT … ON CONFLICT DO
UPDATE` reads the records with their expected amount (first computation plus the sum of
adjustments), classifies them (`classify`, written once more as a SQL CASE) and upserts the
results; no row passes through Python. The month is a constant of its statement, the records
are taken by a half-open range on the indexed `setl_time`
(claims/settlements/services/time_ranges.py), so
no per-row time-zone conversion. Idempotent: recomputing gives the same rows.
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


def _records(contract, *, only_changed: bool):
    """The contract's computed records to reconcile, with their first computation and paid
    amount annotated (the adjustments are added in `_source`)."""
    paid, paid_field = own_payment(contract.scheme_id)
    qs = SettlementRecord.objects.filter(contract_id=contract.pk, compensation__isnull=False)
    qs = qs.alias(own_field=paid_field)
    if scheme_field(contract.scheme_id, plan_fields()) is None:
        # no fallback: a record whose plan declares no field (none at all for the scheme) is
        # not reconciled. With one the field is never NULL, and the filter would only blur
        # the planner's estimates (it scanned every compensation for each month).
        qs = qs.exclude(own_field=None)
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
        .order_by()  # no sort: the upsert takes the rows in any order
    )
    select, params = rows.query.sql_with_params()
    outcome, outcome_params = _outcome_sql(tolerance)
    # What is owed: the first computation plus the sum of the adjustments, joined grouped
    # (a correlated subquery would run once a record for every reference to the amount).
    # ROUND(CAST(… AS NUMERIC), 2): exact on PostgreSQL, no float noise of sums on SQLite.
    adjustments = CompensationAdjustment._meta.db_table
    expected = (
        "CAST(ROUND(CAST(s.r_first_total + COALESCE(adj.total, 0) AS NUMERIC), 2) AS NUMERIC)"
    )
    sql = (
        f"SELECT src.*, {outcome} AS outcome FROM (SELECT s.*, "  # noqa: S608 (names are ours)
        f"ROUND(s.paid - s.expected, 2) AS d FROM (SELECT s.r_record AS record_id, "
        f"s.r_insurer AS insurer_id, s.r_period AS period, s.r_field AS paid_field, "
        f"{expected} AS expected, s.r_pd AS paid FROM ({select}) s "
        f"LEFT JOIN (SELECT record_id, SUM(total) AS total FROM {adjustments} "
        f"GROUP BY record_id) adj ON adj.record_id = s.r_record) s) src"
    )
    return sql, [*outcome_params, *params]  # in the order they appear


def _upsert_year(records, *, contract, months, start, end, tolerance, now) -> dict:
    """One `INSERT … SELECT … ON CONFLICT DO UPDATE` for the records settled in `months` (one
    year's, within start..end); returns {(outcome, paid field): records reconciled}.

    The classified rows are a MATERIALIZED common table expression (the adjustments' subquery
    runs once a record). Only rows that are new or whose figures differ from the stored result
    are written: a recomputation that changes nothing rewrites nothing (no dead rows, no index
    entries, no WAL), and an unchanged result keeps the instant it was last computed. The
    counts are of every record reconciled, written or not: on PostgreSQL from the same
    statement (a data-modifying CTE), on SQLite by a read of the source before the upsert."""
    source, params = _source(records, months=months, start=start, end=end, tolerance=tolerance)
    qn = connection.ops.quote_name
    table = qn(ReconciliationResult._meta.db_table)
    updates = ", ".join(f"{qn(c)} = EXCLUDED.{qn(c)}" for c in _COLUMNS if c != "record_id")
    changed = " OR ".join(
        f"old.{qn(c)} <> cls.{qn(c)}"
        for c in ("insurer_id", "period", "paid_field", "expected", "paid", "outcome")
    )
    insert = (
        f"INSERT INTO {table} ({', '.join(qn(c) for c in _COLUMNS)}) "  # noqa: S608 (names are ours)
        f"SELECT cls.record_id, %s, cls.insurer_id, cls.period, cls.paid_field, cls.expected, "
        f"cls.paid, cls.d, cls.outcome, %s FROM cls LEFT JOIN {table} old "
        f"ON old.{qn('record_id')} = cls.record_id "
        f"WHERE old.{qn('id')} IS NULL OR {changed} "
        f"ON CONFLICT ({qn('record_id')}) DO UPDATE SET {updates}"
    )
    constants = [contract.pk, DateTimeField().get_db_prep_value(now, connection)]
    count = "SELECT outcome, paid_field, COUNT(*) FROM cls GROUP BY outcome, paid_field"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # the statement's estimated cost makes PostgreSQL JIT-compile it: seconds for nothing
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(
                f"WITH cls AS MATERIALIZED ({source}), w AS ({insert}) {count}",
                [*params, *constants],
            )
            return {(outcome, field): n for outcome, field, n in cursor.fetchall()}
        # counted before the upsert: with `only_changed` the source depends on the results
        cursor.execute(f"WITH cls AS ({source}) {count}", params)
        counts = {(outcome, field): n for outcome, field, n in cursor.fetchall()}
        cursor.execute(f"WITH cls AS MATERIALIZED ({source}) {insert}", [*params, *constants])
        return counts


def reconciliation_compute(
    *, contract, start=None, end=None, only_changed: bool = False, actor=None, batch_ids=None
) -> dict[str, int]:
    """(Re)compute the reconciliation of a contract's settlements dated start..end (inclusive).

    `only_changed`: only records never reconciled or whose compensation, adjustments or paid
    field changed since. `batch_ids`: only records these batches computed or adjusted (the
    nightly run, `reconciliation_nightly`). Returns counts per outcome of the records
    reconciled (a result whose figures did not change is counted but not rewritten).
    """
    if batch_ids is not None and not batch_ids:
        return {}
    tolerance = config_for(contract).tolerance
    now = timezone.now()
    records = _records(contract, only_changed=only_changed)
    if batch_ids is not None:
        # the compensation is joined already: its batch is a filter on that row, not a
        # subquery over every compensation of the batches
        records = records.filter(
            Q(compensation__batch_id__in=batch_ids)
            | Q(
                pk__in=CompensationAdjustment.objects.filter(batch_id__in=batch_ids).values(
                    "record_id"
                )
            )
        )
    with transaction.atomic():
        written: dict[tuple[str, str], int] = {}
        for months in _years(_months(contract, start, end)):
            year = _upsert_year(
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
