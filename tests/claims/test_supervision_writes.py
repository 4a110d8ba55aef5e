"""What the supervision jobs write at city scale (issue #24): a reconciliation that changes
nothing writes nothing, one statement a year keeps each record's month, cost outliers are
compared to the fen, the first screen of a contract is the whole screen, the month figures'
catch-up reads every pending batch at once. On whichever database the suite runs."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.choices import FlagKind, Outcome
from claims.models import (
    CompensationAdjustment,
    FraudFlag,
    MonthFigure,
    ReconciliationResult,
    SettlementBatch,
)
from claims.settlements.services.month_figures import (
    month_figures_add_batch,
    month_figures_catch_up,
)
from claims.supervision.services.fraud import fraud_detect, fraud_screen_new
from claims.supervision.services.reconciliation import reconciliation_compute
from tests.claims.supervision_data import applied_batch, claim, record
from tests.insurance.factories import PersonFactory

D = dt.date


def _stamps():
    return dict(ReconciliationResult.objects.values_list("record_id", "computed_at"))


@pytest.mark.django_db
def test_a_recomputation_that_changes_nothing_writes_nothing_but_counts_everything(
    covered_city,
):
    contract, person = covered_city["contract"], covered_city["people"][0]
    batch = applied_batch(contract)
    same = claim(batch, person, expected="100.00", paid="100.00")
    changing = claim(batch, person, expected="50.00", paid="50.00")
    assert reconciliation_compute(contract=contract) == {Outcome.MATCHED: 2}
    first = _stamps()
    # every record is counted again (the audit entry and the nightly total say so) ...
    assert reconciliation_compute(contract=contract) == {Outcome.MATCHED: 2}
    assert _stamps() == first  # ... but no row was rewritten
    CompensationAdjustment.objects.create(
        record=changing, batch=applied_batch(contract), reason="late", total=Decimal("10.00"),
        paid_before=Decimal("50.00"), new_total=Decimal("60.00"),
    )  # fmt: skip
    assert reconciliation_compute(contract=contract) == {
        Outcome.MATCHED: 1,
        Outcome.UNDERPAID: 1,
    }
    after = _stamps()
    assert after[same.pk] == first[same.pk]  # untouched
    assert after[changing.pk] > first[changing.pk]  # rewritten, with the run's instant
    row = ReconciliationResult.objects.get(record=changing)
    assert (row.expected, row.paid, row.difference, row.outcome) == (
        Decimal("60.00"), Decimal("50.00"), Decimal("-10.00"), Outcome.UNDERPAID,
    )  # fmt: skip
    assert ReconciliationResult.objects.count() == 2


@pytest.mark.django_db
def test_one_statement_a_year_keeps_each_records_local_month(covered_city):
    contract, person = covered_city["contract"], covered_city["people"][0]
    batch = applied_batch(contract)
    moments = {
        # 2025-01-01 00:30 in Shanghai is 2024-12-31 16:30 UTC: January, in the second year
        "new_year": (timezone.make_aware(dt.datetime(2025, 1, 1, 0, 30)), D(2025, 1, 1)),
        "old_year": (timezone.make_aware(dt.datetime(2024, 12, 31, 23, 59)), D(2024, 12, 1)),
        "june": (timezone.make_aware(dt.datetime(2025, 6, 30, 23, 59)), D(2025, 6, 1)),
    }
    made = {}
    for name, (moment, _month) in moments.items():
        # made at its moment: moving a record's time later would move it between partitions
        day = timezone.localtime(moment).date()
        rec = claim(batch, person, expected="10.00", paid="10.00", day=day, setl_time=moment)
        made[name] = rec.pk
    assert reconciliation_compute(contract=contract) == {Outcome.MATCHED: 3}
    periods = dict(ReconciliationResult.objects.values_list("record_id", "period"))
    assert {name: periods[pk] for name, pk in made.items()} == {
        name: month for name, (_moment, month) in moments.items()
    }


FEB = D(2025, 2, 1)


def _group(batch, person, hospital, costs, start=FEB):
    return [
        record(
            batch,
            person,
            hospital=hospital,
            cost=cost,
            begndate=start + dt.timedelta(n),
            enddate=start + dt.timedelta(n),
        )
        for n, cost in enumerate(costs)
    ]


@pytest.mark.django_db
def test_cost_outliers_are_compared_and_averaged_to_the_fen(covered_city):
    contract, person = covered_city["contract"], covered_city["people"][0]
    batch = applied_batch(contract)
    # H701: others sum to 1.00 over five: average 0.20; 0.60 is exactly 3x (not above)
    (edge,) = _group(batch, person, "H701", ["0.60"])
    _group(batch, person, "H701", ["0.10", "0.20", "0.30", "0.30", "0.10"], D(2025, 3, 1))
    # H702: six others sum to 0.75: average 0.125, 0.13 half up; 0.38 > 3 x 0.125
    (above,) = _group(batch, person, "H702", ["0.38"])
    _group(batch, person, "H702", ["0.10", "0.10", "0.10", "0.15", "0.15", "0.15"], D(2025, 4, 1))
    fraud_detect(contract=contract)
    flags = list(FraudFlag.objects.filter(kind=FlagKind.COST_OUTLIER))
    assert [f.record_id for f in flags] == [above.pk]
    assert edge.pk not in {f.record_id for f in flags}  # exactly three times is not above
    assert flags[0].evidence == {
        "setl_id": above.setl_id,
        "group": {"med_type": "21", "fixmedins_code": "H702"},
        "cost": "0.38",
        "average_of_others": "0.13",
        "others": 6,
        "factor": "3.00",
    }
    assert fraud_detect(contract=contract)[FlagKind.COST_OUTLIER] == 0  # keyed: once


@pytest.mark.django_db
def test_the_first_screen_of_a_contract_is_the_whole_screen(covered_city):
    contract, (p1, p2, _p3) = covered_city["contract"], covered_city["people"]
    first = applied_batch(contract)
    record(first, p1, hospital="H001", begndate=D(2025, 3, 1), enddate=D(2025, 3, 10))
    record(first, p1, hospital="H002", begndate=D(2025, 3, 8), enddate=D(2025, 3, 12))
    by_batch = '"claims_settlementrecord"."batch_id" IN'
    with CaptureQueriesContext(connection) as queries:
        assert fraud_screen_new(contract=contract)[FlagKind.OVERLAP] == 1
    # nothing screened before: no semi-join on the new batches' records
    assert not any(by_batch in q["sql"] for q in queries.captured_queries)
    assert SettlementBatch.objects.get(pk=first.pk).fraud_screened_at is not None
    second = applied_batch(contract)
    record(second, p2, hospital="H003", begndate=D(2025, 4, 1), enddate=D(2025, 4, 3))
    with CaptureQueriesContext(connection) as queries:
        fraud_screen_new(contract=contract)
    assert any(by_batch in q["sql"] for q in queries.captured_queries)  # the next night's
    keys = sorted(FraudFlag.objects.values_list("key", flat=True))
    FraudFlag.objects.all().delete()
    fraud_detect(contract=contract)
    assert sorted(FraudFlag.objects.values_list("key", flat=True)) == keys


@pytest.mark.django_db
def test_the_catch_up_adds_every_pending_batch_in_one_read(covered_city):
    contract, person = covered_city["contract"], covered_city["people"][0]
    batches = [applied_batch(contract) for _ in range(3)]
    for n, batch in enumerate(batches):
        claim(batch, person, expected=f"{n + 1}0.00", paid="0.00", day=D(2025, 3 + n % 2, 10))
    SettlementBatch.objects.update(computed_at=timezone.now())
    with CaptureQueriesContext(connection) as queries:
        assert month_figures_catch_up() == 2  # two figure rows: March and April
    reads = [q for q in queries.captured_queries if 'FROM "claims_compensation"' in q["sql"]]
    assert len(reads) == 1  # one grouped read for the three batches
    figures = {f.month: (f.settlements, f.owed) for f in MonthFigure.objects.all()}
    assert figures == {
        D(2025, 3, 1): (2, Decimal("40.00")),  # batches 1 and 3: 10.00 + 30.00
        D(2025, 4, 1): (1, Decimal("20.00")),
    }
    assert all(SettlementBatch.objects.values_list("figures_added_at", flat=True))
    assert month_figures_catch_up() == 0
    assert month_figures_add_batch(batch_id=batches[0].pk) == 0  # once
    # a batch computed later is added to its month's row
    late = applied_batch(contract)
    claim(late, person, expected="5.00", paid="0.00", day=D(2025, 3, 20))
    SettlementBatch.objects.filter(pk=late.pk).update(computed_at=timezone.now())
    assert month_figures_add_batch(batch_id=late.pk) == 1
    assert MonthFigure.objects.get(month=D(2025, 3, 1)).owed == Decimal("45.00")


@pytest.mark.django_db
def test_many_flags_and_figure_rows_are_written_in_statements_the_database_takes(covered_city):
    # SQLite may take 999 parameters a statement: the writes cut their rows to fit
    from claims.settlements.services.month_figures import _add

    contract = covered_city["contract"]
    stranger = PersonFactory(psn_no="P9998")  # enrolled nowhere: every treatment is outside
    batch = applied_batch(contract)
    for n in range(150):
        record(batch, stranger, day=D(2025, 3, 1) + dt.timedelta(n % 60))
    assert fraud_detect(contract=contract)[FlagKind.OUTSIDE_ENROLLMENT] == 150
    assert fraud_detect(contract=contract)[FlagKind.OUTSIDE_ENROLLMENT] == 0
    region_id = stranger.region_id
    months = [D(1990 + n // 12, n % 12 + 1, 1) for n in range(400)]
    deltas = {(contract.pk, region_id, m): [1, Decimal("0.10")] for m in months}
    _add(deltas, timezone.now())
    _add(deltas, timezone.now())
    figures = MonthFigure.objects.filter(contract=contract)
    assert figures.count() == 400
    assert {(f.settlements, f.owed) for f in figures} == {(2, Decimal("0.20"))}
