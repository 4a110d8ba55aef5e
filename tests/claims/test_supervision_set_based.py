"""Set-based supervision (issue #24): the SQL gives exactly what the Python rules give, on
whichever database the suite runs (CI: PostgreSQL; `make test` without DATABASE_URL: SQLite)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.models import ReconciliationResult
from claims.services.reconciliation import classify, reconciliation_compute
from claims.services.time_ranges import days_q, local_midnight, months_between
from tests.claims.supervision_data import applied_batch, claim, compensation, record

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
    assert "INSERT INTO" in sql and "ON CONFLICT" in sql


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
