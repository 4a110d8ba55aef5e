"""Funding of a contract year: the five formulas with the seeds' figures, versions, approval."""

import datetime
from decimal import Decimal

import pytest

from audit.errors import NotPermitted, RuleError
from contracts.choices import FundingCalcStatus, LedgerAccount
from contracts.funding_calc import funding_compute
from contracts.selectors import funding_current, ledger_balances
from contracts.services.funding import funding_approve, funding_calculate
from insurance.choices import EnrollmentStatus, FundingKind
from tests.contracts.test_funds_support import (
    HZ_PARAMS,
    enroll,
    make_contract,
)

D = Decimal


@pytest.fixture
def finance(role_user):
    return role_user("finance")


@pytest.fixture
def director(role_user):
    return role_user("director")


def test_huizhou_fixed_total_split_8_2():
    # R-HZ-1: 145,891,300.00 × 80% = 116,713,040.00; × 20% = 29,178,260.00
    out = funding_compute(FundingKind.FIXED_TOTAL, HZ_PARAMS)
    assert out.total == D("145891300.00")
    assert out.parts == [
        ("employee_supp_fund", D("116713040.00")),
        ("resident_fund", D("29178260.00")),
    ]


def test_fixed_total_split_keeps_every_fen():
    # 100.01 split 8:2: exact shares 80.008 / 20.002 -> 80.01 / 20.00 (largest remainder)
    params = {"total": "100.01", "split": HZ_PARAMS["split"]}
    out = funding_compute(FundingKind.FIXED_TOTAL, params)
    assert [a for _s, a in out.parts] == [D("80.01"), D("20.00")]


def test_basic_funding_percent_r_im_1():
    # per capita 850.00 × 5% = 42.50; × 1,000 people = 42,500.00
    out = funding_compute(
        FundingKind.BASIC_FUNDING_PERCENT,
        {"percent": "5"},
        headcount=1000,
        prev_basic_per_capita=D("850.00"),
    )
    assert out.total == D("42500.00")


def test_voluntary_premiums_minus_refunds_r_jn_1():
    # 3 × 99.00 paid − 99.00 refunded = 198.00
    out = funding_compute(
        FundingKind.VOLUNTARY_PREMIUM, {"premium": "99"}, premiums=D("297.00"), refunds=D("99.00")
    )
    assert out.total == D("198.00")
    assert out.parts == [("personal", D("198.00"))]


@pytest.mark.parametrize(
    ("balance", "expected"),
    [
        # ceiling 8% × 10,000,000.00 = 800,000.00; at the ceiling we still draw 4% = 400,000.00
        ("800000.00", "400000.00"),
        # one fen above the ceiling: stop (R-ENT-1)
        ("800000.01", "0.00"),
        ("0", "400000.00"),
    ],
)
def test_payroll_percent_with_stop_ceiling(balance, expected):
    out = funding_compute(
        FundingKind.PAYROLL_PERCENT,
        {"percent": "4", "stop_percent": "8"},
        payroll=D("10000000.00"),
        balance=D(balance),
        payroll_source="2024 年度财务决算",
        balance_source="补充医疗保险基金专户对账单",
    )
    assert out.total == D(expected)
    assert "来源：2024 年度财务决算" in "\n".join(out.steps)


@pytest.mark.django_db
def test_ordos_per_capita_headcount_on_snapshot_date(finance, director):
    contract, year = make_contract(
        kind=FundingKind.PER_CAPITA,
        params={"amount": "60.00", "source": "employee_large_fund"},
    )
    snapshot = datetime.date(2025, 3, 31)
    for _ in range(3):
        enroll(year)  # counted
    enroll(year, start=datetime.date(2025, 4, 1))  # starts after the snapshot: not counted
    enroll(year, status=EnrollmentStatus.CANCELLED, cancelled_on=datetime.date(2025, 3, 1))
    enroll(year, status=EnrollmentStatus.CANCELLED, cancelled_on=datetime.date(2025, 6, 1))
    # 3 active + 1 cancelled after the snapshot = 4 people × 60.00 = 240.00 (R-ORD-1)
    calc = funding_calculate(contract=contract, year=2025, snapshot_date=snapshot, actor=finance)
    assert calc.inputs["headcount"] == 4
    assert calc.inputs["snapshot_date"] == "2025-03-31"
    assert calc.result == D("240.00")
    assert calc.parts == [{"source": "employee_large_fund", "amount": "240.00"}]
    assert calc.prepared_by == finance and calc.version == 1


@pytest.mark.django_db
def test_recalculation_is_a_new_version_and_approval_supersedes(finance, director):
    contract, year = make_contract()
    first = funding_calculate(contract=contract, year=2025, actor=finance)
    funding_approve(calculation=first, actor=director)
    year.funding_params = {**HZ_PARAMS, "total": "150000000.00"}
    year.save()
    second = funding_calculate(contract=contract, year=2025, actor=finance)
    assert second.version == 2
    assert funding_current(contract=contract, year=2025) == first  # still the approved one
    funding_approve(calculation=second, actor=director)
    first.refresh_from_db()
    assert first.status == FundingCalcStatus.SUPERSEDED
    assert funding_current(contract=contract, year=2025) == second
    # the ledger holds the new total: 150,000,000.00 = 120,000,000.00 + 30,000,000.00
    balances = ledger_balances(contract=contract, year=2025)
    assert balances[("employee_supp_fund", 2025, LedgerAccount.POOL)] == D("120000000.00")
    assert balances[("resident_fund", 2025, LedgerAccount.POOL)] == D("30000000.00")
    assert balances[("resident_fund", 2025, LedgerAccount.FUND)] == D("-30000000.00")


@pytest.mark.django_db
def test_funding_approval_needs_another_person(finance, director):
    contract, _year = make_contract()
    calc = funding_calculate(contract=contract, year=2025, actor=finance)
    with pytest.raises(NotPermitted):
        funding_approve(calculation=calc, actor=finance)  # lacks approve_transfer
    director_calc = None
    with pytest.raises(NotPermitted):  # director lacks prepare_transfer
        director_calc = funding_calculate(contract=contract, year=2025, actor=director)
    assert director_calc is None


@pytest.mark.django_db
def test_missing_scheme_year_is_a_clear_error(finance):
    contract, _year = make_contract()
    with pytest.raises(RuleError, match="2031"):
        funding_calculate(contract=contract, year=2031, actor=finance)
