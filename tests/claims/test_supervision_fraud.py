"""Fraud flags (R-CLM-4): each kind with its evidence, set-based, and idempotent."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from claims.choices import FlagKind, FlagStatus
from claims.models import FraudFlag
from claims.supervision.services.fraud import fraud_detect, fraud_flag_review
from insurance.choices import PersonStatus
from tests.claims.supervision_data import applied_batch, record
from tests.insurance.factories import PersonFactory

D = dt.date


def _kinds(kind):
    return list(FraudFlag.objects.filter(kind=kind))


@pytest.mark.django_db
def test_overlapping_admissions_in_two_hospitals(covered_city):
    contract, (p1, p2, _p3) = covered_city["contract"], covered_city["people"]
    batch = applied_batch(contract)
    a = record(batch, p1, hospital="H001", begndate=D(2025, 3, 1), enddate=D(2025, 3, 10))
    b = record(batch, p1, hospital="H002", begndate=D(2025, 3, 8), enddate=D(2025, 3, 12))
    # same-day transfer, same hospital, another person, outpatient: no flag
    record(batch, p1, hospital="H003", begndate=D(2025, 3, 12), enddate=D(2025, 3, 20))
    record(batch, p1, hospital="H001", begndate=D(2025, 3, 2), enddate=D(2025, 3, 4))
    record(batch, p2, hospital="H009", begndate=D(2025, 3, 2), enddate=D(2025, 3, 4))
    record(batch, p1, hospital="H010", med_type="11", begndate=D(2025, 3, 5), enddate=D(2025, 3, 5))
    fraud_detect(contract=contract)
    flags = _kinds(FlagKind.OVERLAP)
    assert [(f.record_id, f.other_record_id) for f in flags] == [(a.pk, b.pk)]
    assert flags[0].evidence["other_hospital"] == "H002"
    assert flags[0].evidence["stay"] == ["2025-03-01", "2025-03-10"]


@pytest.mark.django_db
def test_another_contracts_refund_of_the_same_setl_id_does_not_hide_an_overlap(
    covered_city, other_insurer_contract
):
    # Settlement ids are unique per contract: another insurer's refund naming the same id
    # refunds its own settlement, not this one.
    contract, person = covered_city["contract"], covered_city["people"][0]
    batch = applied_batch(contract)
    a = record(batch, person, hospital="H001", begndate=D(2025, 3, 1), enddate=D(2025, 3, 10))
    b = record(batch, person, hospital="H002", begndate=D(2025, 3, 8), enddate=D(2025, 3, 12))
    elsewhere = applied_batch(other_insurer_contract)
    record(elsewhere, person, refd_setl_flag=True, init_setl_id=a.setl_id, cost="-10000.00")
    fraud_detect(contract=contract)
    assert [(f.record_id, f.other_record_id) for f in _kinds(FlagKind.OVERLAP)] == [(a.pk, b.pk)]


@pytest.mark.django_db
def test_treatment_after_death(covered_city):
    contract, person = covered_city["contract"], covered_city["people"][0]
    person.status, person.status_date = PersonStatus.DECEASED, D(2025, 3, 5)
    person.save()
    batch = applied_batch(contract)
    before = record(batch, person, begndate=D(2025, 3, 1), enddate=D(2025, 3, 4))
    after = record(batch, person, begndate=D(2025, 3, 6), enddate=D(2025, 3, 9))
    fraud_detect(contract=contract)
    flags = _kinds(FlagKind.AFTER_DEATH)
    assert [f.record_id for f in flags] == [after.pk]
    assert flags[0].evidence == {
        "setl_id": after.setl_id,
        "treatment_date": "2025-03-06",
        "death_date": "2025-03-05",
    }
    assert before.pk not in [f.record_id for f in FraudFlag.objects.all()]


@pytest.mark.django_db
def test_treatment_outside_enrollment(covered_city):
    contract, person = covered_city["contract"], covered_city["people"][0]
    stranger = PersonFactory(psn_no="P9999")
    batch = applied_batch(contract)
    record(batch, person, begndate=D(2025, 3, 1))
    outside = record(batch, stranger, begndate=D(2025, 3, 1))
    early = record(batch, person, day=D(2025, 1, 3), begndate=D(2024, 12, 28))
    fraud_detect(contract=contract)
    assert sorted(f.record_id for f in _kinds(FlagKind.OUTSIDE_ENROLLMENT)) == sorted(
        [outside.pk, early.pk]
    )


@pytest.mark.django_db
def test_cost_far_above_average_and_idempotent(covered_city, role_user):
    contract, person = covered_city["contract"], covered_city["people"][0]
    batch = applied_batch(contract)
    for n in range(5):
        record(
            batch, person, cost="10000.00", begndate=D(2025, 2, 1 + n), enddate=D(2025, 2, 1 + n)
        )
    high = record(batch, person, cost="30000.01", begndate=D(2025, 2, 20), enddate=D(2025, 2, 20))
    edge = record(batch, person, cost="30000.00", hospital="H002", begndate=D(2025, 4, 1))
    for n in range(5):
        record(batch, person, cost="10000.00", hospital="H002", begndate=D(2025, 5, 1 + n))
    fraud_detect(contract=contract)
    flags = _kinds(FlagKind.COST_OUTLIER)
    assert [f.record_id for f in flags] == [high.pk]  # `edge` is exactly 3x: not above
    assert flags[0].evidence["average_of_others"] == "10000.00"
    assert flags[0].evidence["others"] == 5 and edge.pk
    reviewer = role_user("reviewer")
    with pytest.raises(ValidationError, match="「排除疑点」必须填写理由"):
        fraud_flag_review(flag=flags[0], confirmed=False, actor=reviewer)
    fraud_flag_review(flag=flags[0], confirmed=False, note="器官移植，费用合理", actor=reviewer)
    assert fraud_detect(contract=contract)[FlagKind.COST_OUTLIER] == 0
    assert FraudFlag.objects.get(pk=flags[0].pk).status == FlagStatus.DISMISSED
    assert Decimal(flags[0].evidence["cost"]) == Decimal("30000.01")
