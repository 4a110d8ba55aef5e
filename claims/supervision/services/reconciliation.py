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
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Round
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
from insurance.engine.money import ZERO
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
    """The contract's computed records to reconcile, with their classification annotated."""
    adjustments = (
        CompensationAdjustment.objects.filter(record=OuterRef("pk"))
        .values("record")
        .annotate(s=Sum("total"))
        .values("s")
    )
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
    expected = F("compensation__total") + Coalesce(
        Subquery(adjustments, output_field=_MONEY), Value(ZERO), output_field=_MONEY
    )
    return qs.alias(
        r_expected=Round(expected, 2, output_field=_MONEY),
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


def _insert_month(records, *, contract, month, start, end, tolerance, now) -> None:
    """One `INSERT … SELECT … ON CONFLICT DO UPDATE` for the records settled in `month`
    (within start..end). The records with their amounts are a MATERIALIZED common table
    expression, so the adjustments' subquery runs once a record however often the
    classification reads the amounts (SQLite 3.35+ and PostgreSQL 12+ both have it)."""
    lower = max(local_midnight(month), local_midnight(start)) if start else local_midnight(month)
    upper = local_midnight(next_month(month))
    rows = records.filter(setl_time__gte=lower, setl_time__lt=upper).filter(days_q(None, end))
    # the month's compensations carry its year: PostgreSQL then joins one partition of them
    rows = rows.filter(compensation__year=month.year)
    rows = rows.annotate(
        r_record=F("pk"),
        r_insurer=F("batch__insurer_id"),
        r_field=F("r_paid_field"),
        r_exp=F("r_expected"),
        r_pd=F("r_paid"),
    ).values("r_record", "r_insurer", "r_field", "r_exp", "r_pd")
    select, params = rows.query.sql_with_params()
    outcome, outcome_params = _outcome_sql(tolerance)
    qn = connection.ops.quote_name
    # the conflict key holds the month: PostgreSQL's unique keys include the partition key
    key = ("record_id", "period")
    updates = ", ".join(f"{qn(c)} = EXCLUDED.{qn(c)}" for c in _COLUMNS if c not in key)
    # `WHERE true`: SQLite needs it to read ON CONFLICT as the upsert, not as part of the join
    sql = (
        f"WITH src (record_id, insurer_id, paid_field, expected, paid) AS MATERIALIZED ({select}) "  # noqa: S608 (names are ours)
        f"INSERT INTO {qn(ReconciliationResult._meta.db_table)} "
        f"({', '.join(qn(c) for c in _COLUMNS)}) "
        f"SELECT src.record_id, %s, src.insurer_id, %s, src.paid_field, src.expected, src.paid, "
        f"d, {outcome}, %s "
        f"FROM (SELECT src.*, ROUND(src.paid - src.expected, 2) AS d FROM src) src WHERE true "
        f"ON CONFLICT ({', '.join(qn(c) for c in key)}) DO UPDATE SET {updates}"
    )
    date_field, time_field = DateField(), DateTimeField()
    constants = [
        contract.pk,
        date_field.get_db_prep_value(month, connection),
        *outcome_params,
        time_field.get_db_prep_value(now, connection),
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # the statement's estimated cost makes PostgreSQL JIT-compile it each month: a
            # fifth of a month's time for nothing
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, [*params, *constants])


def reconciliation_compute(
    *, contract, start=None, end=None, only_changed: bool = False, actor=None, batch_ids=None
) -> dict[str, int]:
    """(Re)compute the reconciliation of a contract's settlements dated start..end (inclusive).

    `only_changed`: only records never reconciled or whose compensation, adjustments or paid
    field changed since. `batch_ids`: only records these batches computed or adjusted (the
    nightly run, `reconciliation_nightly`). Returns counts per outcome of the rows written.
    """
    if batch_ids is not None and not batch_ids:
        return {}
    tolerance = config_for(contract).tolerance
    now = timezone.now()
    records = _records(contract, only_changed=only_changed)
    if batch_ids is not None:
        records = records.filter(
            Q(pk__in=Compensation.objects.filter(batch_id__in=batch_ids).values("record_id"))
            | Q(
                pk__in=CompensationAdjustment.objects.filter(batch_id__in=batch_ids).values(
                    "record_id"
                )
            )
        )
    with transaction.atomic():
        for month in _months(contract, start, end):
            _insert_month(
                records, contract=contract, month=month, start=start, end=end,
                tolerance=tolerance, now=now,
            )  # fmt: skip
        # the rows this run wrote carry its instant: count them in the database
        written = (
            ReconciliationResult.objects.filter(contract_id=contract.pk, computed_at=now)
            .values_list("outcome", "paid_field")
            .annotate(n=Count("id"))
            .order_by()
        )
        counts: dict[str, int] = {}
        fields: set[str] = set()
        for outcome, paid_field, n in written:
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
