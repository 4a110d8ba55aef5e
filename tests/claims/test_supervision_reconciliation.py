"""Reconciliation: each discrepancy class, tolerance, adjustments, the paid field, re-runs."""

import datetime as dt
from decimal import Decimal

import pytest

from claims.choices_supervision import Outcome
from claims.models import CompensationAdjustment, ReconciliationResult, SupervisionConfig
from claims.selectors import discrepancy_rate
from claims.services.reconciliation import classify, config_for, reconciliation_compute
from tests.claims.supervision_data import applied_batch, claim, compensation, record

TOL = Decimal("0.01")


@pytest.mark.parametrize(
    ("expected", "paid", "outcome"),
    [
        ("100.00", "100.00", Outcome.MATCHED),
        ("100.00", "100.01", Outcome.MATCHED),
        ("100.00", "99.99", Outcome.MATCHED),
        ("100.00", "99.98", Outcome.UNDERPAID),
        ("100.00", "150.00", Outcome.OVERPAID),
        ("0.00", "80.00", Outcome.PAID_WITHOUT_ENTITLEMENT),
        ("80.00", "0.00", Outcome.ENTITLED_UNPAID),
        ("0.00", "0.00", Outcome.MATCHED),
        ("-50.00", "-50.00", Outcome.MATCHED),
    ],
)
def test_classify(expected, paid, outcome):
    assert classify(expected=Decimal(expected), paid=Decimal(paid), tolerance=TOL) == outcome


@pytest.mark.django_db
def test_every_class_is_written_with_amounts(covered_city):
    contract, (p1, p2, p3) = covered_city["contract"], covered_city["people"]
    batch = applied_batch(contract)
    cases = {
        claim(batch, p1, expected="100.00", paid="100.00").pk: (Outcome.MATCHED, "0.00"),
        claim(batch, p1, expected="300.00", paid="250.00").pk: (Outcome.UNDERPAID, "-50.00"),
        claim(batch, p2, expected="300.00", paid="310.00").pk: (Outcome.OVERPAID, "10.00"),
        claim(batch, p2, expected="0.00", paid="75.50").pk: (
            Outcome.PAID_WITHOUT_ENTITLEMENT,
            "75.50",
        ),
        claim(batch, p3, expected="420.00", paid="0.00").pk: (Outcome.ENTITLED_UNPAID, "-420.00"),
    }
    record(batch, p3, paid="9.00")  # no compensation yet: not reconciled
    counts = reconciliation_compute(contract=contract)
    assert sum(counts.values()) == 5
    for pk, (outcome, diff) in cases.items():
        row = ReconciliationResult.objects.get(record_id=pk)
        assert (row.outcome, row.difference) == (outcome, Decimal(diff))
        assert row.period == dt.date(2025, 3, 1) and row.insurer_id == contract.lead_insurer_id
    assert discrepancy_rate(contract, 2025) == Decimal("0.8000")
    assert discrepancy_rate(contract, 2024) is None


@pytest.mark.django_db
def test_adjustments_count_and_nightly_run_picks_up_changes(covered_city):
    contract, person = covered_city["contract"], covered_city["people"][0]
    batch = applied_batch(contract)
    rec = record(batch, person, paid="150.00")
    compensation(rec, "100.00", adjust="50.00")
    reconciliation_compute(contract=contract)
    assert ReconciliationResult.objects.get(record=rec).outcome == Outcome.MATCHED
    assert reconciliation_compute(contract=contract, only_changed=True) == {}
    CompensationAdjustment.objects.create(
        record=rec,
        batch=applied_batch(contract),
        reason="reversal",
        total=Decimal("-150.00"),
        paid_before=Decimal("150.00"),
        new_total=Decimal("0.00"),
    )
    assert reconciliation_compute(contract=contract, only_changed=True) == {
        Outcome.PAID_WITHOUT_ENTITLEMENT: 1
    }
    assert ReconciliationResult.objects.count() == 1


@pytest.mark.django_db
def test_paid_field_is_configurable(covered_city):
    contract, person = covered_city["contract"], covered_city["people"][0]
    assert config_for(contract).paid_field == "oth_pay"  # employee supplementary default
    batch = applied_batch(contract)
    rec = record(batch, person, paid="200.00", field="hifmi_pay")
    compensation(rec, "200.00")
    reconciliation_compute(contract=contract)
    assert ReconciliationResult.objects.get(record=rec).outcome == Outcome.ENTITLED_UNPAID
    SupervisionConfig.objects.create(contract=contract, paid_field="hifmi_pay")
    reconciliation_compute(contract=contract, only_changed=True)
    row = ReconciliationResult.objects.get(record=rec)
    assert (row.outcome, row.paid_field) == (Outcome.MATCHED, "hifmi_pay")
