"""Each computed indicator of the annual evaluation on known data, and the scoring rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from claims.choices import ManualClaimStatus, Outcome
from claims.models import (
    Complaint,
    ManualClaim,
    ReconciliationResult,
    SatisfactionSurvey,
    SpotCheck,
    SpotCheckFinding,
)
from claims.oversight.services.evaluation import evaluation_draft
from claims.oversight.services.evaluation_indicators import linear_score
from contracts.models import StaffAssignment
from tests.claims.supervision_data import applied_batch, compensation, record
from tests.contracts.factories import CommitmentFactory, InsurerStaffFactory, RegionFactory
from tests.contracts.test_funds_support import approve_funding, enroll, make_contract

D = Decimal
YEAR = 2025
ONE_MILLION = {"total": "1000000.00", "split": [{"source": "resident_fund", "percent": "100"}]}


@pytest.mark.parametrize(
    ("value", "floor", "target", "points"),
    [
        ("85", "50", "85", "100.00"),
        ("90", "50", "85", "100.00"),  # beyond the target: capped
        ("67.5", "50", "85", "50.00"),
        ("40", "50", "85", "0.00"),
        ("0.5", "5", "0.5", "100.00"),  # lower is better
        ("2.75", "5", "0.5", "50.00"),
        ("6", "5", "0.5", "0.00"),
        ("1", "0", "3", "33.33"),
    ],
)
def test_linear_score(value, floor, target, points):
    assert linear_score(D(value), D(floor), D(target)) == D(points)


def test_no_value_no_points():
    assert linear_score(None, D(0), D(1)) is None


@pytest.fixture
def year_data(role_user):
    """One contract year with known figures behind every computed indicator."""
    contract, scheme_year = make_contract(kind="fixed_total", params=ONE_MILLION, year=YEAR)
    approve_funding(contract, YEAR, role_user("finance"), role_user("director"))
    people = [enroll(scheme_year).person for _ in range(4)]
    # payout: 850,000 owed on settlements of the year over 1,000,000 funding = 85.00 %
    batch = applied_batch(contract)
    rec_a = record(batch, people[0], day=dt.date(YEAR, 3, 10))
    rec_b = record(batch, people[1], day=dt.date(YEAR, 6, 10))
    compensation(rec_a, "600000.00")
    compensation(rec_b, "250000.00")
    # reconciliation: 1 of 4 results is a discrepancy = 25.00 %
    recs = [rec_a, rec_b, record(batch, people[2]), record(batch, people[3])]
    for i, rec in enumerate(recs):
        ReconciliationResult.objects.create(
            record=rec,
            contract=contract,
            insurer=contract.lead_insurer,
            period=dt.date(YEAR, 3, 1),
            paid_field="oth_pay",
            expected=D("10.00"),
            paid=D("10.00") if i else D("5.00"),
            difference=D("0.00") if i else D("-5.00"),
            outcome=Outcome.MATCHED if i else Outcome.UNDERPAID,
            computed_at=dt.datetime(YEAR, 4, 1, tzinfo=dt.UTC),
        )
    # manual claims: 9 of 10 paid by their deadline = 90.00 %
    for i in range(10):
        ManualClaim.objects.create(
            contract=contract,
            person=people[0],
            claim_no=f"LX{i}",
            received_on=dt.date(YEAR, 5, 1),
            hospital_name="外地医院",
            treatment_from=dt.date(YEAR, 4, 1),
            treatment_to=dt.date(YEAR, 4, 10),
            amount_claimed=D("1000.00"),
            documents_complete_on=dt.date(YEAR, 5, 6),
            due_on=dt.date(YEAR, 5, 15),
            status=ManualClaimStatus.PAID,
            paid_on=dt.date(YEAR, 5, 20) if i == 0 else dt.date(YEAR, 5, 14),
        )
    # complaints: 2 received (per 10,000 of 4 insured = 5000), 1 of 2 answered on time
    for i, answered in enumerate((dt.date(YEAR, 7, 3), dt.date(YEAR, 7, 20))):
        Complaint.objects.create(
            number=f"TS{i}",
            contract=contract,
            insurer=contract.lead_insurer,
            person=people[i],
            channel="hotline",
            category="delay",
            received_on=dt.date(YEAR, 7, 1),
            content="赔付拖延",
            status="answered",
            assigned_on=dt.date(YEAR, 7, 1),
            due_on=dt.date(YEAR, 7, 8),
            answered_on=answered,
        )
    # staffing: 10 committed, 9 on duty on 31 December = 90.00 %
    region = RegionFactory()
    CommitmentFactory(contract=contract, region=region, committed=10)
    for _ in range(9):
        StaffAssignment.objects.create(
            contract=contract,
            staff=InsurerStaffFactory(insurer=contract.lead_insurer),
            region=region,
            starts_on=dt.date(YEAR, 1, 1),
        )
    # spot checks: one performed, 1 major (3) + 2 minor (1 each) = 5 points
    check = SpotCheck.objects.create(
        contract=contract,
        kind="files",
        subject="住院案卷",
        planned_on=dt.date(YEAR, 9, 1),
        performed_on=dt.date(YEAR, 9, 2),
    )
    for severity in ("major", "minor", "minor"):
        SpotCheckFinding.objects.create(spot_check=check, severity=severity, description="问题")
    # satisfaction: 170 of 200 respondents satisfied = 85.00 %
    SatisfactionSurvey.objects.create(
        contract=contract,
        period_start=dt.date(YEAR, 1, 1),
        period_end=dt.date(YEAR, 12, 31),
        respondents=200,
        satisfied=170,
        score=D("88.00"),
    )
    return contract


EXPECTED = {
    # code: (value, points) with the default catalogue's floor/target
    "payout_ratio": ("85.00", "100.00"),  # 50 → 85
    "manual_in_time": ("90.00", "50.00"),  # 80 → 100
    "complaints_per_10k": ("5000.00", "0.00"),  # 10 → 1 (lower is better)
    "complaints_on_time": ("50.00", "0.00"),  # 80 → 100
    "discrepancy_rate": ("25.00", "0.00"),  # 5 → 0.5
    "staffing": ("90.00", "50.00"),  # 80 → 100
    "spot_check_findings": ("5", "50.00"),  # 10 → 0
    "satisfaction": ("85.00", "60.00"),  # 70 → 95
}


def test_every_computed_indicator_on_known_data(year_data):
    evaluation, created = evaluation_draft(
        contract=year_data, year=YEAR, today=dt.date(YEAR + 1, 1, 5)
    )
    assert created
    got = {row.indicator.code: (row.value, row.computed_score) for row in evaluation.scores.all()}
    for code, (value, points) in EXPECTED.items():
        assert got[code] == (D(value), D(points)), code
    # 15*1 + 10*.5 + 15*0 + 10*0 + 10*0 + 10*.5 + 10*.5 + 20*.6 = 42.00
    assert evaluation.total_score == D("42.00")
    sources = dict(evaluation.scores.values_list("indicator__code", "source"))
    assert "参保 4 人" in sources["complaints_per_10k"]


def test_unanswered_complaint_counts_late_once_past_its_deadline(year_data):
    Complaint.objects.filter(number="TS1").update(status="assigned", answered_on=None)
    before_deadline, _ = evaluation_draft(contract=year_data, year=YEAR, today=dt.date(YEAR, 7, 8))
    row = before_deadline.scores.get(indicator__code="complaints_on_time")
    assert row.value == D("100.00")  # only the answered one is judged yet
    before_deadline.delete()
    after, _ = evaluation_draft(contract=year_data, year=YEAR, today=dt.date(YEAR, 7, 9))
    assert after.scores.get(indicator__code="complaints_on_time").value == D("50.00")
