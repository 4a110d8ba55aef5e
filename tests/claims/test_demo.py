"""The demo of `make run`: the six seed schemes dated from the day it runs, last year closed and
published, this year running."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from audit.models import DisclosureReport
from audit.roles import ROLES
from audit.services import user_ensure
from claims.demo import SCHEMES, demo_claims_ensure, demo_years
from contracts.choices import PaymentStatus, SettlementStatus
from contracts.models import Contract, Evaluation, Transfer, YearEndSettlement
from insurance.services.demo import demo_city_ensure

TODAY = dt.date(2026, 3, 15)


@pytest.fixture
def demo(db):
    for code in ROLES:
        user_ensure(username=f"demo_{code}", role_code=code)
    demo_city_ensure(people=120, seed=1)
    demo_claims_ensure(today=TODAY)


def test_years_are_dated_from_today():
    assert demo_years(TODAY, july=False) == (2025, 2026)
    assert demo_years(TODAY, july=True) == (2024, 2025)  # Huizhou's July-June years
    assert demo_years(dt.date(2026, 7, 1), july=True) == (2025, 2026)


def test_six_seed_schemes_last_year_closed_this_year_running(demo):
    contracts = {c.scheme.code: c for c in Contract.objects.select_related("scheme")}
    assert set(contracts) == {spec.code for spec in SCHEMES}
    for spec in SCHEMES:
        contract = contracts[spec.code]
        last, this = demo_years(TODAY, spec.july)
        settlement = YearEndSettlement.objects.get(contract=contract, year=last)
        assert settlement.status == SettlementStatus.APPROVED
        assert Evaluation.objects.get(contract=contract, year=last).status == "approved"
        assert DisclosureReport.objects.get(scheme_id=contract.scheme_id, year=last).status == (
            "published"
        )
        closed = Transfer.objects.filter(contract=contract, year=last)
        assert {t.status for t in closed} == {PaymentStatus.PAID} and closed.count() == 4
        running = Transfer.objects.filter(contract=contract, year=this).order_by("quarter")
        # the newest quarter begun waits for the director; earlier ones are paid
        assert running.last().status == PaymentStatus.PREPARED
        assert {t.status for t in running[: running.count() - 1]} <= {PaymentStatus.PAID}
        if spec.who == "buyers":  # what buyers paid is fixed: their claims are sized to it
            assert Decimal("30") <= settlement.payout_ratio <= spec.payout * 100
        elif spec.payout is not None and spec.code != "UNIV-SUPP":
            # the funding is sized to about this ratio (a headcount is a whole number of people;
            # Qingdao's 20 CNY a person alone may be more than the claims need)
            assert abs(settlement.payout_ratio - spec.payout * 100) < Decimal("1.00")
    huizhou = contracts["CRIT-2ND"].scheme.years.get(year=2024)
    assert (huizhou.coverage_start, huizhou.coverage_end) == (
        dt.date(2024, 7, 1),
        dt.date(2025, 6, 30),
    )


def test_running_it_again_adds_nothing(demo):
    counts = (Contract.objects.count(), Transfer.objects.count(), YearEndSettlement.objects.count())
    demo_claims_ensure(today=TODAY)
    assert counts == (
        Contract.objects.count(),
        Transfer.objects.count(),
        YearEndSettlement.objects.count(),
    )


def test_the_demo_figures_are_plausible_without_a_stated_reason(demo):
    """Premium and claims consistent in every seed scheme: last year's payout ratio, the
    evaluation's and the published report's are believable (30%..110%, a bureau's range for
    these schemes), and no move of the demo needed a reason for implausible figures."""
    from audit.models.workflow import StatusChange
    from claims.oversight.services.evaluation import evaluation_warnings
    from claims.oversight.services.year_end import payout_ratio_for

    assert not StatusChange.objects.exclude(reason="").filter(reason__contains="演示数据").exists()
    for settlement in YearEndSettlement.objects.select_related("contract__scheme"):
        code = settlement.contract.scheme.code
        assert Decimal("30") <= settlement.payout_ratio <= Decimal("110"), (code, settlement)
    for report in DisclosureReport.objects.all():
        ratio = Decimal(report.content["payout_ratio"])
        assert Decimal("30") <= ratio <= Decimal("110"), (report.scheme_name, ratio)
    for evaluation in Evaluation.objects.all():
        assert not evaluation_warnings(evaluation), evaluation
    for contract in Contract.objects.select_related("scheme"):  # this year, to date
        spec = next(s for s in SCHEMES if s.code == contract.scheme.code)
        ratio = payout_ratio_for(contract=contract, year=demo_years(TODAY, spec.july)[1], on=TODAY)
        assert ratio is None or ratio <= Decimal("110"), (spec.code, ratio)
