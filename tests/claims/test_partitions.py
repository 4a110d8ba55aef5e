"""Issue 24: settlement records, compensations and reconciliation results partitioned by year
on PostgreSQL (docs/scaling.md "Partitions"); SQLite keeps plain tables."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.models import Compensation, ReconciliationResult, SettlementRecord
from claims.settlements.services.batches import RECORD_QUERIED
from claims.settlements.services.partitions import (
    PARTITIONED,
    STALE_GROWTH,
    YEARS_AHEAD,
    partition_years,
    partitions_analyze,
    partitions_ensure,
)
from claims.settlements.services.time_ranges import days_q
from claims.supervision.services.reconciliation import reconciliation_compute
from tests.claims.supervision_data import applied_batch, compensation, record

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions: PostgreSQL only"),
]
TABLES = [table for table, _key, _kind in PARTITIONED]


def _partition_of(model, pk) -> str:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _partitions(table) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [table],
        )
        return {name for (name,) in cursor.fetchall()}


def test_the_three_tables_are_partitioned_by_year_with_a_default():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_partkeydef(c.oid), p.partdefid <> 0 "
            "FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid"
        )
        found = {name: (key, default) for name, key, default in cursor.fetchall()}
    assert found == {
        "claims_settlementrecord": ("RANGE (setl_time)", True),
        "claims_compensation": ("RANGE (year)", True),
        "claims_reconciliationresult": ("RANGE (period)", True),
    }
    for table in TABLES:
        assert set(range(2024, 2029)) <= partition_years(table)


def test_rows_of_two_years_land_in_their_own_partitions(covered_city):
    contract, person = covered_city["contract"], covered_city["people"][0]
    batch = applied_batch(contract)
    march = record(batch, person, day=dt.date(2025, 3, 10), paid="100.00")
    new_year = record(batch, person, day=dt.date(2025, 12, 31), paid="80.00")
    # half an hour into 2026 in the bureau's zone: still 31 December in UTC
    first_minutes = timezone.make_aware(dt.datetime(2026, 1, 1, 0, 30))
    assert first_minutes.astimezone(dt.UTC).year == 2025
    SettlementRecord.objects.filter(pk=new_year.pk).update(setl_time=first_minutes)
    new_year.refresh_from_db()
    comps = [compensation(march, "100.00"), compensation(new_year, "80.00")]
    reconciliation_compute(contract=contract)

    assert _partition_of(SettlementRecord, march.pk) == "claims_settlementrecord_2025"
    assert _partition_of(SettlementRecord, new_year.pk) == "claims_settlementrecord_2026"
    assert [c.year for c in comps] == [2025, 2026]
    assert [_partition_of(Compensation, c.pk) for c in comps] == [
        "claims_compensation_2025",
        "claims_compensation_2026",
    ]
    results = ReconciliationResult.objects.filter(record__in=[march, new_year]).order_by("period")
    assert [r.period for r in results] == [dt.date(2025, 3, 1), dt.date(2026, 1, 1)]
    assert [_partition_of(ReconciliationResult, r.pk) for r in results] == [
        "claims_reconciliationresult_2025",
        "claims_reconciliationresult_2026",
    ]
    # the upsert keeps one result per record (its key now holds the period)
    reconciliation_compute(contract=contract)
    assert ReconciliationResult.objects.filter(record__in=[march, new_year]).count() == 2


def _read(queryset) -> str:
    return queryset.explain()


def test_a_query_on_one_years_dates_reads_only_that_years_partition():
    records = SettlementRecord.objects.filter(days_q(dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
    plan = _read(records)
    assert "claims_settlementrecord_2025" in plan
    assert "claims_settlementrecord_2024" not in plan and "_default" not in plan
    plan = _read(Compensation.objects.filter(year=2025))
    assert "claims_compensation_2025" in plan and "claims_compensation_2026" not in plan
    periods = ReconciliationResult.objects.filter(
        period__gte=dt.date(2025, 1, 1), period__lt=dt.date(2026, 1, 1)
    )
    plan = _read(periods)
    assert "claims_reconciliationresult_2025" in plan
    assert "claims_reconciliationresult_2026" not in plan and "_default" not in plan


def test_the_reconciliation_of_a_month_joins_one_year_of_compensations(covered_city):
    contract, person = covered_city["contract"], covered_city["people"][0]
    compensation(record(applied_batch(contract), person, day=dt.date(2025, 3, 10)), "5.00")
    with CaptureQueriesContext(connection) as captured:
        reconciliation_compute(contract=contract)
    table = '"claims_reconciliationresult"'
    (write,) = [q["sql"] for q in captured.captured_queries if f"INSERT INTO {table}" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {write}")
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "claims_compensation_2025" in plan
    assert "claims_compensation_2024" not in plan and "claims_compensation_default" not in plan
    assert "claims_settlementrecord_2026" not in plan


def _ensure(*args) -> str:
    out = io.StringIO()
    call_command("partitions_ensure", *args, stdout=out)
    return out.getvalue()


def test_the_partition_job_makes_next_years_partitions_once():
    next_year = timezone.localdate().year + 1
    with connection.cursor() as cursor:
        for table in TABLES:  # as if the migration had stopped at this year
            cursor.execute(f"DROP TABLE IF EXISTS {table}_{next_year}")
    assert all(next_year not in partition_years(table) for table in TABLES)

    assert f"claims_settlementrecord_{next_year} (0 rows" in _ensure()
    assert all(next_year in partition_years(table) for table in TABLES)
    assert _ensure().strip() == "0 partitions made"
    # whatever today's date: the latest year made so far, then four more of three tables
    last = max(2028, timezone.localdate().year + YEARS_AHEAD)
    assert "12 partitions made" in _ensure("--until", str(last + 4))
    for table in TABLES:
        assert {f"{table}_{last + 3}", f"{table}_{last + 4}"} <= _partitions(table)
    assert partitions_ensure(until=last + 4) == []
    assert "6 partitions made" in _ensure("--since", "2022")  # a bureau loading earlier years
    assert all({2022, 2023} <= partition_years(table) for table in TABLES)


def _refused_delete(rec, referenced_by: str) -> None:
    """A raw DELETE (no Django collector) is refused by the records' delete guard."""
    sql = "DELETE FROM claims_settlementrecord WHERE id = %s"
    refused = pytest.raises(DatabaseError, match=f"still referenced by {referenced_by}")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [rec.pk])


def test_rows_waiting_in_the_default_partition_move_into_their_year(covered_city):
    contract, person = covered_city["contract"], covered_city["people"][0]
    batch = applied_batch(contract)
    late = record(batch, person, day=dt.date(2034, 5, 1))  # beyond the partitions made
    comp = compensation(late, "10.00")
    assert _partition_of(SettlementRecord, late.pk) == "claims_settlementrecord_default"
    assert _partition_of(Compensation, comp.pk) == "claims_compensation_default"

    made = partitions_ensure(until=2034)
    assert ("claims_settlementrecord", 2034, 1) in made and ("claims_compensation", 2034, 1) in made
    assert _partition_of(SettlementRecord, late.pk) == "claims_settlementrecord_2034"
    assert _partition_of(Compensation, comp.pk) == "claims_compensation_2034"
    assert "claims_settlementrecord_default" in _partitions("claims_settlementrecord")
    # the delete guard is on the moved row's partition too: still referenced, still kept
    _refused_delete(late, "claims_compensation")
    # and on the DEFAULT partition, attached again
    stray = record(batch, person, day=dt.date(2040, 5, 1))
    ReconciliationResult.objects.create(
        record=stray, contract=contract, insurer=contract.lead_insurer,
        period=dt.date(2040, 5, 1), paid_field="oth_pay", expected=0, paid=0, difference=0,
        outcome="matched", computed_at=timezone.now(),
    )  # fmt: skip
    _refused_delete(stray, "claims_reconciliationresult")


def _counted(table: str) -> float:
    """The rows `table` held at its last ANALYZE (set by ANALYZE itself, exactly for so few)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        return cursor.fetchone()[0]


def test_after_a_batch_its_partitions_are_analysed_and_the_whole_table_once_grown(covered_city):
    contract, person = covered_city["contract"], covered_city["people"][0]
    table = "claims_settlementrecord"
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")  # what earlier tests left counted: nothing now
    assert _counted(table) == 0

    def batch_of(*days):
        batch = applied_batch(contract)
        for day in days:
            record(batch, person, day=day)
        return partitions_analyze(
            SettlementRecord, RECORD_QUERIED, batch_id=batch.pk, rows=len(days)
        )

    march = dt.date(2025, 3, 10)
    # from 0 to 4 rows: the whole table (which analyses its partitions too)
    assert batch_of(*[march] * 4) == [table]
    assert (_counted(f"{table}_2025"), _counted(table)) == (4, 4)

    # 6 rows are not more than half as many again as the 4 counted: the batch's partitions
    assert STALE_GROWTH == 0.5
    assert batch_of(march, dt.date(2026, 2, 1)) == [f"{table}_2025", f"{table}_2026"]
    assert (_counted(f"{table}_2025"), _counted(f"{table}_2026"), _counted(table)) == (5, 1, 4)

    # 9 are: the whole table again
    assert batch_of(*[dt.date(2026, 2, 1)] * 3) == [table]
    assert (_counted(f"{table}_2025"), _counted(f"{table}_2026"), _counted(table)) == (5, 4, 9)
