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
