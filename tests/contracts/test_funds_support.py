"""Helpers shared by the fund-flow tests (no tests here)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from contracts.choices import ContractStatus
from contracts.services.funding import funding_approve, funding_calculate
from insurance.choices import EnrollmentKind, EnrollmentStatus, FundingKind
from insurance.models import Enrollment
from tests.contracts.factories import ContractFactory, SchemeFactory
from tests.insurance.factories import PersonFactory, SchemeYearFactory

HZ_PARAMS = {
    "total": "145891300.00",
    "split": [
        {"source": "employee_supp_fund", "percent": "80"},
        {"source": "resident_fund", "percent": "20"},
    ],
}


def make_contract(*, kind=FundingKind.FIXED_TOTAL, params=None, year=2025, members=None, **terms):
    scheme = SchemeFactory()
    scheme_year = SchemeYearFactory(
        scheme=scheme, year=year, funding_kind=kind, funding_params=params or HZ_PARAMS
    )
    contract = ContractFactory(
        scheme=scheme,
        status=ContractStatus.ACTIVE,
        starts_on=datetime.date(2024, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        members=members,
        **terms,
    )
    return contract, scheme_year


def enroll(scheme_year, *, start=None, end=None, status=EnrollmentStatus.ACTIVE, **extra):
    start = start or scheme_year.coverage_start
    return Enrollment.objects.create(
        person=PersonFactory(),
        scheme_year=scheme_year,
        kind=EnrollmentKind.RENEWAL,
        start_date=start,
        end_date=end or scheme_year.coverage_end,
        benefits_from=start,
        status=status,
        **extra,
    )


def approve_funding(contract, year, maker, checker, **kwargs):
    calc = funding_calculate(contract=contract, year=year, actor=maker, **kwargs)
    return funding_approve(calculation=calc, actor=checker)


D = Decimal


def pay_quarters(contract, year, maker, checker) -> None:
    """Every quarter of the contract's year generated, prepared, approved and paid (a day into
    the quarter)."""
    from contracts.models import Transfer
    from contracts.periods import QUARTERS, contract_year
    from contracts.services.transfers import transfer_move, transfers_generate

    period = contract_year(contract, year)
    for quarter in QUARTERS:
        transfers_generate(year=year, quarter=quarter)
    for transfer in Transfer.objects.filter(contract=contract, year=year).order_by("quarter"):
        transfer_move(transfer=transfer, move="prepare", actor=maker)
        transfer_move(transfer=transfer, move="approve", actor=checker)
        transfer_move(
            transfer=transfer,
            move="pay",
            actor=maker,
            paid_on=period.quarter_bounds(transfer.quarter)[0] + datetime.timedelta(days=4),
            bank_reference=f"B{contract.pk}-{year}-{transfer.quarter}",
        )


def release_reserve(contract, year, maker, checker, *, score="95"):
    """The evaluation's reserve release for `score`, approved and paid."""
    from contracts.services.reserves import reserve_release, reserve_release_move

    release = reserve_release(
        contract=contract, year=year, score=score, evaluation_ref=f"KH-{year}", actor=maker
    )
    reserve_release_move(release=release, move="approve", actor=checker)
    return reserve_release_move(
        release=release,
        move="pay",
        actor=maker,
        paid_on=datetime.date(year + 1, 3, 1),
        bank_reference=f"R{contract.pk}-{year}",
    )


def pay_year(contract, year, maker, checker, *, score="95"):
    """The year's money settled before its year-end: four quarters paid, reserve released."""
    pay_quarters(contract, year, maker, checker)
    return release_reserve(contract, year, maker, checker, score=score)
