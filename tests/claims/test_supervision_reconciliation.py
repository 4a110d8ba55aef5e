"""Reconciliation: each discrepancy class, tolerance, adjustments, the paid field (the plan's
`own_payment_field`), re-runs."""

import datetime as dt
from decimal import Decimal

import pytest

from claims.choices import Outcome, PaidField
from claims.models import (
    Compensation,
    CompensationAdjustment,
    ReconciliationResult,
    SupervisionConfig,
)
from claims.supervision.selectors import discrepancy_rate
from claims.supervision.services.reconciliation import classify, reconciliation_compute
from insurance.engine import OWN_PAYMENT_FIELDS
from insurance.models import BenefitPlan
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
def test_the_paid_field_is_the_one_the_plan_declares(covered_city):
    # Issue #18: the plan is the one source of the field carrying the scheme's own payment.
    contract, person = covered_city["contract"], covered_city["people"][0]
    batch = applied_batch(contract)
    # computed with Ordos (own_payment_field oth_pay): the hifmi_pay amount is not this scheme's
    ordos = record(batch, person, paid="200.00", field="hifmi_pay")
    compensation(ordos, "200.00", plan="ordos-2018")
    # computed with Inner Mongolia (hifmi_pay): the same amount is what the insurer paid
    mongolia = record(batch, person, paid="200.00", field="hifmi_pay")
    compensation(mongolia, "200.00", plan="inner-mongolia-2015")
    reconciliation_compute(contract=contract)
    first = ReconciliationResult.objects.get(record=ordos)
    second = ReconciliationResult.objects.get(record=mongolia)
    assert (first.outcome, first.paid_field, first.paid) == (
        Outcome.ENTITLED_UNPAID, "oth_pay", Decimal("0.00"),
    )  # fmt: skip
    assert (second.outcome, second.paid_field, second.paid) == (
        Outcome.MATCHED, "hifmi_pay", Decimal("200.00"),
    )  # fmt: skip


@pytest.mark.django_db
def test_a_settlement_without_a_plan_reads_the_field_of_the_schemes_plan(covered_city):
    contract, person, year = (
        covered_city["contract"],
        covered_city["people"][0],
        covered_city["year"],
    )
    batch = applied_batch(contract)
    rec = record(batch, person, paid="35.00", field="hifes_pay")
    Compensation.objects.create(record=rec, batch=batch, status="no_plan", reason="no_plan",
                                total=Decimal("0.00"), lines={})  # fmt: skip
    # the scheme has no plan at all: nobody declared a field, nothing to reconcile against
    assert reconciliation_compute(contract=contract) == {}
    year.plan = BenefitPlan.objects.get(code="shaanxi-enterprise-2011", status="active")
    year.save()
    assert reconciliation_compute(contract=contract) == {Outcome.PAID_WITHOUT_ENTITLEMENT: 1}
    row = ReconciliationResult.objects.get(record=rec)
    assert (row.paid_field, row.paid) == ("hifes_pay", Decimal("35.00"))


def test_the_reconciliation_fields_are_the_plan_formats_own_payment_fields():
    assert set(PaidField.values) == set(OWN_PAYMENT_FIELDS)


@pytest.mark.django_db
def test_the_tolerance_is_still_per_contract(covered_city):
    contract, person = covered_city["contract"], covered_city["people"][0]
    rec = claim(applied_batch(contract), person, expected="100.00", paid="100.50")
    reconciliation_compute(contract=contract)
    assert ReconciliationResult.objects.get(record=rec).outcome == Outcome.OVERPAID
    SupervisionConfig.objects.create(contract=contract, tolerance=Decimal("1.00"))
    reconciliation_compute(contract=contract)
    assert ReconciliationResult.objects.get(record=rec).outcome == Outcome.MATCHED


@pytest.mark.django_db
def test_a_stored_version_that_later_checks_refuse_still_says_where_its_money_is(covered_city):
    # A version stored before R-JN-3 was checked (a waiting period): it no longer parses, but
    # its settlements are reconciled on the field its document declares.
    contract, person = covered_city["contract"], covered_city["people"][0]
    document = BenefitPlan.objects.get(code="jining-2022", status="active").document
    old = BenefitPlan.objects.create(
        code="jining-2022", version=99, name="旧版", status="retired",
        document={**document, "version": 99, "eligibility": {"waiting_days": 30}},
        effective_from=dt.date(2022, 1, 1),
    )  # fmt: skip
    rec = record(applied_batch(contract), person, paid="50.00", field="oth_pay")
    Compensation.objects.create(record=rec, batch=rec.batch, plan_code=old.code, plan_version=99,
                                status="computed", total=Decimal("50.00"), lines={})  # fmt: skip
    assert reconciliation_compute(contract=contract) == {Outcome.MATCHED: 1}
