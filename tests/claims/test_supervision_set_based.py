"""Set-based supervision (issue #24): the SQL gives exactly what the Python rules give, on
whichever database the suite runs (CI: PostgreSQL; `make test` without DATABASE_URL: SQLite)."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.choices import FlagKind, Outcome
from claims.models import (
    Compensation,
    CompensationAdjustment,
    FraudFlag,
    ReconciliationResult,
    SettlementBatch,
    SettlementRecord,
)
from claims.oversight.services.disclosure_figures import (
    beneficiaries_section,
    contracts_for,
    paid_in_year,
)
from claims.settlements.services.time_ranges import days_q, local_midnight, months_between
from claims.supervision.services.fraud import fraud_detect, fraud_screen_new
from claims.supervision.services.reconciliation import (
    classify,
    reconciliation_compute,
    reconciliation_nightly,
)
from contracts.choices import ContractStatus
from insurance.choices import PersonStatus
from insurance.models import Enrollment, Person
from tests.claims.supervision_data import applied_batch, claim, compensation, record

D = dt.date

# (expected, adjustment, paid): sums and edges where float arithmetic would miss the fen
CASES = [
    ("100.00", None, "100.00"),
    ("100.00", None, "100.01"),
    ("100.00", None, "99.99"),
    ("100.00", None, "99.98"),
    ("100.00", None, "150.00"),
    ("0.00", None, "80.00"),
    ("80.00", None, "0.00"),
    ("0.00", None, "0.00"),
    ("-50.00", None, "-50.00"),
    ("0.10", "0.20", "0.31"),  # 0.1 + 0.2 != 0.3 in floats; 0.31 - 0.30 is within the fen
    ("0.10", "0.20", "0.32"),
    ("0.00", "0.01", "0.00"),
    ("1234567.89", "-0.01", "1234567.87"),
    ("1234567.89", "-0.01", "1234567.90"),
]


@pytest.mark.django_db
def test_the_sql_classifies_every_case_as_classify_does(covered_city):
    contract, person = covered_city["contract"], covered_city["people"][0]
    batch = applied_batch(contract)
    made = []
    for expected, adjust, paid in CASES:
        rec = record(batch, person, paid=paid)
        compensation(rec, expected, adjust=adjust)
        owed = Decimal(expected) + Decimal(adjust or "0")
        made.append((rec.pk, owed, Decimal(paid)))
    reconciliation_compute(contract=contract)
    tolerance = Decimal("0.01")
    for pk, owed, paid in made:
        row = ReconciliationResult.objects.get(record_id=pk)
        assert row.outcome == classify(expected=owed, paid=paid, tolerance=tolerance), (owed, paid)
        assert (row.expected, row.paid, row.difference) == (owed, paid, paid - owed)


@pytest.mark.django_db
def test_the_period_is_the_local_month_even_an_instant_after_midnight(covered_city):
    # 2025-04-01 00:30 in Shanghai is 2025-03-31 16:30 UTC: an April settlement
    contract, person = covered_city["contract"], covered_city["people"][0]
    batch = applied_batch(contract)
    april = claim(batch, person, expected="10.00", paid="10.00")
    march = claim(batch, person, expected="10.00", paid="10.00")
    after_midnight = timezone.make_aware(dt.datetime(2025, 4, 1, 0, 30))
    before_midnight = timezone.make_aware(dt.datetime(2025, 3, 31, 23, 59, 59))
    type(april).objects.filter(pk=april.pk).update(setl_time=after_midnight)
    type(march).objects.filter(pk=march.pk).update(setl_time=before_midnight)
    assert sum(reconciliation_compute(contract=contract).values()) == 2
    assert ReconciliationResult.objects.get(record=april).period == dt.date(2025, 4, 1)
    assert ReconciliationResult.objects.get(record=march).period == dt.date(2025, 3, 1)
    # a run of March alone (a statement's month) takes the March record only
    ReconciliationResult.objects.all().delete()
    counts = reconciliation_compute(
        contract=contract, start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31)
    )
    assert sum(counts.values()) == 1
    assert list(ReconciliationResult.objects.values_list("record_id", flat=True)) == [march.pk]


@pytest.mark.django_db
def test_the_date_filters_are_ranges_on_the_timestamp_not_per_row_conversions(covered_city):
    contract, person = covered_city["contract"], covered_city["people"][0]
    claim(applied_batch(contract), person, expected="10.00", paid="10.00")
    with CaptureQueriesContext(connection) as queries:
        reconciliation_compute(
            contract=contract, start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31)
        )
    sql = " ".join(q["sql"] for q in queries.captured_queries).upper()
    assert "AT TIME ZONE" not in sql and "DJANGO_DATETIME_CAST_DATE" not in sql
    assert "INSERT INTO" in sql and "SELECT" in sql  # written from a SELECT, not row by row


def test_days_and_months_helpers():
    q = days_q(dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    assert dict(q.children) == {
        "setl_time__gte": local_midnight(dt.date(2025, 3, 1)),
        "setl_time__lt": local_midnight(dt.date(2025, 4, 1)),
    }
    assert local_midnight(dt.date(2025, 3, 1)) == dt.datetime(2025, 2, 28, 16, 0, tzinfo=dt.UTC)
    assert months_between(dt.date(2024, 11, 15), dt.date(2025, 2, 1)) == [
        dt.date(2024, 11, 1), dt.date(2024, 12, 1), dt.date(2025, 1, 1), dt.date(2025, 2, 1),
    ]  # fmt: skip


# --- the incremental fraud screen ---------------------------------------------------------------


def _keys():
    return sorted(FraudFlag.objects.values_list("key", flat=True))


def _stay(batch, person, hospital, first, last, **kw):
    return record(batch, person, hospital=hospital, begndate=first, enddate=last, day=last, **kw)


@pytest.mark.django_db
def test_the_incremental_screen_finds_what_the_full_screen_finds(covered_city):
    contract, (p1, p2, p3) = covered_city["contract"], covered_city["people"]
    first = applied_batch(contract)
    _stay(first, p1, "H001", D(2025, 3, 1), D(2025, 3, 10))
    for n in range(6):  # a comparison group of six 1,000.00 stays at H005
        _stay(first, p3, "H005", D(2025, 1, 1 + n), D(2025, 1, 2 + n), cost="1000.00")
    assert fraud_screen_new(contract=contract) == {
        FlagKind.OVERLAP: 0, FlagKind.AFTER_DEATH: 0, FlagKind.OUTSIDE_ENROLLMENT: 0,
        FlagKind.COST_OUTLIER: 0,
    }  # fmt: skip
    second = applied_batch(contract)
    # overlaps p1's first stay (8th-12th against 1st-10th) and costs 4,000.00 > 3 x 1,000.00
    _stay(second, p1, "H002", D(2025, 3, 8), D(2025, 3, 12))
    _stay(second, p2, "H005", D(2025, 2, 1), D(2025, 2, 3), cost="4000.00")
    created = fraud_screen_new(contract=contract)
    assert (created[FlagKind.OVERLAP], created[FlagKind.COST_OUTLIER]) == (1, 1)
    incremental = _keys()
    FraudFlag.objects.all().delete()
    fraud_detect(contract=contract)
    assert _keys() == incremental and len(incremental) == 2


@pytest.mark.django_db
def test_what_is_flagged_already_does_not_come_back_from_the_detectors(covered_city):
    """Each batch's screen re-judges whole comparison groups and the new people's stays: the
    outliers and pairs flagged by earlier screens are left out in the database, so a screen's
    cost does not grow with the year's flags (they were all sent back to be skipped)."""
    from claims.supervision.services.fraud import Touched, _cost_outliers, _overlaps

    contract, (p1, p2, p3) = covered_city["contract"], covered_city["people"]
    batch = applied_batch(contract)
    _stay(batch, p1, "H001", D(2025, 3, 1), D(2025, 3, 10))
    _stay(batch, p1, "H002", D(2025, 3, 8), D(2025, 3, 12))
    for n in range(6):  # six 1,000.00 stays at H005; 4,000.00 > 3 x 1,000.00
        _stay(batch, p3, "H005", D(2025, 1, 1 + n), D(2025, 1, 2 + n), cost="1000.00")
    _stay(batch, p2, "H005", D(2025, 2, 1), D(2025, 2, 3), cost="4000.00")
    everything = Touched()
    assert len(_overlaps(contract, None, None, everything)) == 1
    assert len(_cost_outliers(contract, None, None, everything)) == 1
    assert fraud_detect(contract=contract)[FlagKind.COST_OUTLIER] == 1
    assert _overlaps(contract, None, None, everything) == []
    assert _cost_outliers(contract, None, None, everything) == []
    FraudFlag.objects.filter(kind=FlagKind.COST_OUTLIER).delete()  # dismissed rows stay: deleted
    assert len(_cost_outliers(contract, None, None, everything)) == 1
    assert len(_keys()) == 1  # the overlap's flag


@pytest.mark.django_db
def test_nothing_new_screens_nothing_and_only_new_peoples_windows_are_looked_at(covered_city):
    contract, (p1, p2, _p3) = covered_city["contract"], covered_city["people"]
    old = applied_batch(contract)
    # an overlap in a batch already marked screened (as if screened before the rule existed)
    _stay(old, p2, "H001", D(2025, 3, 1), D(2025, 3, 10))
    _stay(old, p2, "H002", D(2025, 3, 8), D(2025, 3, 12))
    SettlementBatch.objects.filter(pk=old.pk).update(fraud_screened_at=timezone.now())
    # the people were registered yesterday: no change within the screen's look-back either
    yesterday = timezone.now() - dt.timedelta(days=1)
    Person.objects.update(updated_at=yesterday)
    Enrollment.objects.update(created_at=yesterday)
    with CaptureQueriesContext(connection) as queries:
        assert fraud_screen_new(contract=contract) == {}
    assert not any("claims_settlementrecord" in q["sql"] for q in queries.captured_queries)
    new = applied_batch(contract)
    _stay(new, p1, "H003", D(2025, 4, 1), D(2025, 4, 3))
    fraud_screen_new(contract=contract)
    assert _keys() == []  # p2's old pair is no window the new batch touched
    assert SettlementBatch.objects.get(pk=new.pk).fraud_screened_at is not None
    fraud_detect(contract=contract)  # the full screen still finds it
    assert len(_keys()) == 1


@pytest.mark.django_db
def test_a_death_registered_after_the_screen_is_screened_the_next_night(covered_city):
    contract, person = covered_city["contract"], covered_city["people"][0]
    batch = applied_batch(contract)
    treated = _stay(batch, person, "H001", D(2025, 3, 8), D(2025, 3, 10))
    fraud_screen_new(contract=contract)
    assert _keys() == []
    person.status, person.status_date = PersonStatus.DECEASED, D(2025, 3, 5)
    person.save()
    assert fraud_screen_new(contract=contract)[FlagKind.AFTER_DEATH] == 1
    assert _keys() == [f"{FlagKind.AFTER_DEATH}:{treated.pk}"]


@pytest.mark.django_db
def test_a_death_registered_late_is_screened_over_the_person_own_stays_not_a_batch_window(
    covered_city,
):
    """The people whose registry entry changed are screened over all their stays: a late
    batch of older settlements screened beside them does not narrow them to its own window."""
    contract, (p1, p2, _p3) = covered_city["contract"], covered_city["people"]
    recent = applied_batch(contract)
    stays = [
        _stay(recent, p1, "H001", D(2025, 11, 25), D(2025, 11, 27)),
        _stay(recent, p1, "H001", D(2025, 11, 28), D(2025, 11, 30)),
    ]
    fraud_screen_new(contract=contract, today=D(2025, 12, 1))
    p1.status, p1.status_date = PersonStatus.DECEASED, D(2025, 11, 20)
    p1.save()
    late = applied_batch(contract)  # an insurer's late file: one May settlement of someone else
    _stay(late, p2, "H002", D(2025, 5, 1), D(2025, 5, 3))
    created = fraud_screen_new(contract=contract, today=D(2025, 12, 2))
    assert created[FlagKind.AFTER_DEATH] == 2
    assert _keys() == sorted(f"{FlagKind.AFTER_DEATH}:{stay.pk}" for stay in stays)


@pytest.mark.django_db
def test_batches_screened_together_are_each_screened_over_their_own_settlements(covered_city):
    """Two pending batches more than SCREEN_DAYS apart, screened at once (the second applied
    before the first's screen ran): each is screened over its own window."""
    from claims.supervision.services.fraud import SCREEN_DAYS, batch_windows

    contract, (p1, p2, _p3) = covered_city["contract"], covered_city["people"]
    _stay(applied_batch(contract), p2, "H001", D(2025, 1, 5), D(2025, 1, 6))
    fraud_screen_new(contract=contract, today=D(2025, 1, 10))  # the contract's first screen
    march = applied_batch(contract)
    _stay(march, p1, "H001", D(2025, 3, 1), D(2025, 3, 10))
    _stay(march, p1, "H002", D(2025, 3, 8), D(2025, 3, 12))
    later = applied_batch(contract)
    _stay(later, p2, "H003", D(2026, 11, 30), D(2026, 12, 1))
    days = dt.timedelta(days=SCREEN_DAYS)
    assert batch_windows(contract, [march.pk, later.pk]) == [
        ([march.pk], D(2025, 3, 12) - days, D(2025, 3, 12)),
        ([later.pk], D(2026, 12, 1) - days, D(2026, 12, 1)),
    ]
    assert fraud_screen_new(contract=contract, today=D(2026, 12, 4))[FlagKind.OVERLAP] == 1


@pytest.mark.django_db
def test_a_late_file_of_old_years_does_not_average_away_todays_outlier(covered_city):
    """A late batch of 2023's dearer stays screened beside today's batch: each is compared with
    its own window's group, so today's 4,000.00 against six 1,000.00 stays is still flagged."""
    contract, (p1, p2, p3) = covered_city["contract"], covered_city["people"]
    first = applied_batch(contract)
    for n in range(6):  # six 1,000.00 stays at H005 in January 2025
        _stay(first, p3, "H005", D(2025, 1, 1 + n), D(2025, 1, 2 + n), cost="1000.00")
    fraud_screen_new(contract=contract)
    late = applied_batch(contract)
    for n in range(6):  # six 5,000.00 stays at H005 in 2023, sent late
        _stay(late, p1, "H005", D(2023, 5, 1 + n), D(2023, 5, 2 + n), cost="5000.00")
    today = applied_batch(contract)
    dear = _stay(today, p2, "H005", D(2025, 2, 10), D(2025, 2, 12), cost="4000.00")
    # together in one window the group's average of the others would be 3,000.00: no flag
    assert fraud_screen_new(contract=contract)[FlagKind.COST_OUTLIER] == 1
    assert FraudFlag.objects.get(kind=FlagKind.COST_OUTLIER).record_id == dear.pk


@pytest.mark.django_db
def test_a_registry_change_saved_while_a_screen_ran_is_new_to_the_next(covered_city):
    """The batches are stamped with the instant their screen began: a change saved after that
    (while the screen ran, unseen by it) is newer than the stamp and screened next time."""
    contract, (person, other, _p3) = covered_city["contract"], covered_city["people"]
    batch = applied_batch(contract)
    treated = _stay(batch, person, "H001", D(2025, 3, 8), D(2025, 3, 10))
    _stay(batch, other, "H001", D(2025, 4, 1), D(2025, 4, 10))  # an overlap: flagged meanwhile
    _stay(batch, other, "H002", D(2025, 4, 8), D(2025, 4, 12))
    fraud_screen_new(contract=contract)
    stamp = SettlementBatch.objects.get(pk=batch.pk).fraud_screened_at
    during = FraudFlag.objects.get().detected_at  # an instant inside the screen
    assert stamp < during
    person.status, person.status_date = PersonStatus.DECEASED, D(2025, 3, 5)
    person.save()
    # saved while the screen ran, committed after it had read the people
    Person.objects.filter(pk=person.pk).update(updated_at=during)
    assert fraud_screen_new(contract=contract)[FlagKind.AFTER_DEATH] == 1
    assert f"{FlagKind.AFTER_DEATH}:{treated.pk}" in _keys()


# --- disclosure: per-person sums in the database --------------------------------------------------


@pytest.mark.django_db
def test_per_person_sums_are_exact_at_the_tier_edges_and_come_back_grouped(covered_city, settings):
    settings.DISCLOSURE_MIN_CELL = 1  # nothing suppressed: every figure is visible
    contract, (p1, p2, p3) = covered_city["contract"], covered_city["people"]
    contract.status = ContractStatus.ACTIVE
    contract.save()
    batch = applied_batch(contract)
    # p1: 999.90 + 0.10 = 1,000.00 exactly: the second tier (1000 included), not the first
    compensation(record(batch, p1), "999.90", adjust="0.10")
    # p2: 0.10 + 0.20 = 0.30 (a float sum would give 0.30000000000000004)
    compensation(record(batch, p2), "0.10")
    compensation(record(batch, p2), "0.20")
    # p3: 500.00 then reversed in full: paid nothing, counted nowhere
    compensation(record(batch, p3), "500.00", adjust="-500.00")
    contracts = contracts_for(contract.scheme_id, 2025)
    paid = paid_in_year(contracts, 2025)
    assert len(paid.by_region_tier) == 2  # grouped by region and tier: no row per person
    section = beneficiaries_section(paid)
    assert section["people"] == 2
    assert section["amount"] == "1000.30"  # 1,000.00 + 0.30
    tiers = {row["label"]: (row["people"], row["amount"]) for row in section["by_tier"]}
    assert tiers["1000元以下"] == (1, "0.30")
    assert tiers["1000–10000元"] == (1, "1000.00")
    assert tiers["10000–50000元"] == (0, "0.00")


# --- the nightly reconciliation: only what new batches touched --------------------------------


def _computed(batch):
    SettlementBatch.objects.filter(pk=batch.pk).update(computed_at=timezone.now())
    return batch


@pytest.mark.django_db
def test_the_nightly_reconciliation_reads_only_what_new_batches_touched(covered_city):
    contract, person = covered_city["contract"], covered_city["people"][0]
    first = _computed(applied_batch(contract))
    old = claim(first, person, expected="100.00", paid="100.00")
    assert reconciliation_nightly(contract=contract) == {Outcome.MATCHED: 1}
    assert SettlementBatch.objects.get(pk=first.pk).reconciled_at is not None
    with CaptureQueriesContext(connection) as queries:
        assert reconciliation_nightly(contract=contract) == {}  # nothing new: nothing read
    assert not any("claims_settlementrecord" in q["sql"] for q in queries.captured_queries)

    # a lost result of an already reconciled batch is not the nightly's business ...
    ReconciliationResult.objects.filter(record=old).delete()
    assert reconciliation_nightly(contract=contract) == {}
    # ... a later batch adjusting the old settlement is: 100.00 - 100.00 owed, 100.00 paid
    later = _computed(applied_batch(contract))
    CompensationAdjustment.objects.create(
        record=old, batch=later, reason="reversal", total=Decimal("-100.00"),
        paid_before=Decimal("100.00"), new_total=Decimal("0.00"),
    )  # fmt: skip
    assert reconciliation_nightly(contract=contract) == {Outcome.PAID_WITHOUT_ENTITLEMENT: 1}


def _year_of_records(batch, template, count: int) -> None:
    """`count` more computed settlements of `template`'s day in `batch`, written in bulk."""
    fields = {
        f.attname: getattr(template, f.attname)
        for f in SettlementRecord._meta.concrete_fields
        if f.attname not in ("id", "batch_id", "row_number", "setl_id", "mdtrt_id")
    }
    made = SettlementRecord.objects.bulk_create(
        SettlementRecord(
            **fields, batch=batch, row_number=n, setl_id=f"Y{n:07d}", mdtrt_id=f"Y{n:07d}"
        )
        for n in range(count)
    )
    comp = Compensation.objects.get(record=template)
    Compensation.objects.bulk_create(
        Compensation(
            record=r,
            batch=batch,
            year=comp.year,
            plan_code=comp.plan_code,
            plan_version=comp.plan_version,
            status=comp.status,
            total=comp.total,
            lines=comp.lines,
            steps=comp.steps,
        )
        for r in made
    )


def _rows_read(sql: str, table: str) -> int:
    """Rows the plan of `sql` read from `table`'s partitions (run in a savepoint, undone)."""
    with connection.cursor() as cursor:
        cursor.execute("SAVEPOINT plan")
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
        cursor.execute("ROLLBACK TO SAVEPOINT plan")
    plan = plan if isinstance(plan, list) else json.loads(plan)

    def walk(node):
        own = 0
        if re.fullmatch(rf"{table}_\w+", node.get("Relation Name", "")):
            per_loop = node["Actual Rows"] + node.get("Rows Removed by Filter", 0)
            own = per_loop * node["Actual Loops"]
        return own + sum(walk(child) for child in node.get("Plans", []))

    return walk(plan[0]["Plan"])


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan: PostgreSQL")
def test_a_new_batch_is_reconciled_through_its_own_rows_not_a_filter_over_the_year(
    covered_city,
):
    contract, person = covered_city["contract"], covered_city["people"][0]
    year = _computed(applied_batch(contract))
    template = claim(year, person, expected="10.00", paid="10.00")
    _year_of_records(year, template, 3000)
    assert reconciliation_nightly(contract=contract) == {Outcome.MATCHED: 3001}
    with connection.cursor() as cursor:
        for table in ("claims_settlementrecord", "claims_compensation",
                      "claims_reconciliationresult"):  # fmt: skip
            cursor.execute(f"ANALYZE {table}")

    new = _computed(applied_batch(contract))
    claim(new, person, expected="20.00", paid="20.00")
    with CaptureQueriesContext(connection) as queries:
        assert reconciliation_nightly(contract=contract) == {Outcome.MATCHED: 1}
    [sql] = [q["sql"] for q in queries.captured_queries if "WITH cls AS" in q["sql"]]
    # before: the OR over two tables filtered all 3,002 records of the year (and joined all
    # their compensations and results)
    assert _rows_read(sql, "claims_settlementrecord") <= 10


@pytest.mark.django_db
def test_an_adjustment_stamped_before_another_run_read_its_record_is_still_reconciled(
    covered_city,
):
    """A chunk stamps its adjustment when it writes it, before it commits. Another batch's run
    reading the record meanwhile does not see it and leaves a result stamped later. The
    adjusting batch's own run must still compare the record again."""
    contract, person = covered_city["contract"], covered_city["people"][0]
    first = _computed(applied_batch(contract))
    old = claim(first, person, expected="100.00", paid="100.00")
    assert reconciliation_nightly(contract=contract) == {Outcome.MATCHED: 1}
    adjusting = applied_batch(contract)
    CompensationAdjustment.objects.create(
        record=old, batch=adjusting, reason="reversal", total=Decimal("-100.00"),
        paid_before=Decimal("100.00"), new_total=Decimal("0.00"),
    )  # fmt: skip
    # the other run's result: computed after the adjustment's stamp (and after the record's
    # compensation), without the adjustment
    read_at = timezone.now()
    CompensationAdjustment.objects.filter(record=old).update(
        created_at=read_at - dt.timedelta(seconds=1)
    )
    ReconciliationResult.objects.filter(record=old).update(computed_at=read_at)
    _computed(adjusting)
    # 100.00 - 100.00 owed, 100.00 paid
    assert reconciliation_nightly(contract=contract) == {Outcome.PAID_WITHOUT_ENTITLEMENT: 1}
    result = ReconciliationResult.objects.get(record=old)
    assert (result.expected, result.paid) == (Decimal("0.00"), Decimal("100.00"))


@pytest.mark.django_db
def test_a_batch_still_computing_is_looked_at_again_the_next_night(covered_city):
    contract, person = covered_city["contract"], covered_city["people"][0]
    computing = applied_batch(contract)  # applied, its compute not finished (no computed_at)
    claim(computing, person, expected="10.00", paid="10.00")
    assert reconciliation_nightly(contract=contract) == {Outcome.MATCHED: 1}
    assert SettlementBatch.objects.get(pk=computing.pk).reconciled_at is None
    claim(computing, person, expected="20.00", paid="0.00")  # computed after the first night
    _computed(computing)
    assert reconciliation_nightly(contract=contract) == {Outcome.ENTITLED_UNPAID: 1}
    assert SettlementBatch.objects.get(pk=computing.pk).reconciled_at is not None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="another session: PostgreSQL")
@pytest.mark.django_db(transaction=True)  # the other session must see the committed people
def test_a_death_saved_in_a_transaction_running_during_a_screen_is_screened_by_the_next(
    covered_city, monkeypatch
):
    """A registry import's transaction saves a death while a screen runs and commits after it:
    the screen cannot see it, and its time is before the screen began. The screen is stamped
    with that transaction's start, so the next screen finds it."""
    from django.db import connections

    from claims.supervision.services import fraud

    monkeypatch.setattr(fraud, "SAVE_CLOCK_MARGIN", dt.timedelta(0))  # the stamp alone
    contract, person = covered_city["contract"], covered_city["people"][0]
    batch = applied_batch(contract)
    treated = _stay(batch, person, "H001", D(2025, 3, 8), D(2025, 3, 10))
    registry = connections.create_connection("default")
    try:
        registry.set_autocommit(False)
        with registry.cursor() as cursor:  # as Django's auto_now: the time of the save
            cursor.execute(
                "UPDATE insurance_person SET status = %s, status_date = %s, "
                "updated_at = clock_timestamp() WHERE id = %s",
                [PersonStatus.DECEASED, D(2025, 3, 5), person.pk],
            )
        assert fraud_screen_new(contract=contract).get(FlagKind.AFTER_DEATH, 0) == 0
        registry.commit()
    finally:
        registry.close()
    assert fraud_screen_new(contract=contract)[FlagKind.AFTER_DEATH] == 1
    assert _keys() == [f"{FlagKind.AFTER_DEATH}:{treated.pk}"]
