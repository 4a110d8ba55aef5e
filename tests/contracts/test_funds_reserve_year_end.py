"""The evaluation reserve and the year-end settlement (standard and Huizhou rules)."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from audit.errors import NotPermitted, RuleError
from contracts.choices import LedgerAccount, PaymentStatus, SettlementRule, SurplusRule
from contracts.models import ReserveReleaseBand, Transfer
from contracts.selectors import ledger_balances
from contracts.services.reserves import release_percent_for, reserve_release, reserve_release_move
from contracts.services.transfers import transfer_move, transfers_generate
from contracts.services.year_end import year_end_approve, year_end_prepare
from contracts.settlement_calc import Figures, Terms, settlement_compute
from tests.contracts.test_funds_support import (
    approve_funding,
    make_contract,
)

D = Decimal


@pytest.fixture
def finance(role_user):
    return role_user("finance")


@pytest.fixture
def director(role_user):
    return role_user("director")


ONE_MILLION = {"total": "1000000.00", "split": [{"source": "resident_fund", "percent": "100"}]}


def pay_year(contract, finance, director, year=2025):
    for q in (1, 2, 3, 4):
        transfers_generate(year=year, quarter=q)
    for t in Transfer.objects.filter(contract=contract, year=year).order_by("quarter"):
        transfer_move(transfer=t, move="prepare", actor=finance)
        transfer_move(transfer=t, move="approve", actor=director)
        transfer_move(
            transfer=t,
            move="pay",
            actor=finance,
            paid_on=datetime.date(year, 3 * t.quarter - 2, 5),
            bank_reference=f"B{year}{t.quarter}",
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("score", "percent"),
    [("100", "100"), ("90", "100"), ("89.99", "80"), ("80", "80"), ("75", "60"),
     ("60", "40"), ("59.99", "0"), ("0", "0")],
)  # fmt: skip
def test_release_table_default(score, percent):
    assert ReserveReleaseBand.objects.count() == 5  # seeded by sync_release_bands
    assert release_percent_for(D(score)) == D(percent)


@pytest.mark.django_db
def test_release_table_is_editable():
    ReserveReleaseBand.objects.filter(min_score=D("80")).update(release_percent=D("85"))
    assert release_percent_for(D("85")) == D("85")


@pytest.mark.django_db
def test_reserve_release_by_score_and_return(finance, director):
    contract, _y = make_contract(params=ONE_MILLION)
    approve_funding(contract, 2025, finance, director)
    transfers_generate(year=2025, quarter=1)  # a draft transfer: the reserve is not complete
    with pytest.raises(RuleError, match="未支付"):
        reserve_release(
            contract=contract, year=2025, score="85", evaluation_ref="KH-1", actor=finance
        )
    pay_year(contract, finance, director)
    release = reserve_release(
        contract=contract, year=2025, score="85", evaluation_ref="KH-2025-01", actor=finance
    )
    # reserve 20% of 1,000,000.00 = 200,000.00; score 85 -> 80% = 160,000.00; 40,000.00 back
    assert (release.held, release.released, release.returned) == (
        D("200000.00"),
        D("160000.00"),
        D("40000.00"),
    )
    finance.user_permissions.add(Permission.objects.get(codename="approve_transfer"))
    finance = type(finance).objects.get(pk=finance.pk)  # drop the permission cache
    with pytest.raises(NotPermitted, match="制单人"):
        reserve_release_move(release=release, move="approve", actor=finance)
    reserve_release_move(release=release, move="approve", actor=director)
    reserve_release_move(
        release=release,
        move="pay",
        actor=finance,
        paid_on=datetime.date(2026, 3, 1),
        bank_reference="R-2025",
    )
    release.refresh_from_db()
    assert release.status == PaymentStatus.PAID
    balances = ledger_balances(contract=contract, year=2025)
    assert balances[("resident_fund", 2025, LedgerAccount.RESERVE)] == D("0.00")
    # insurer: 800,000.00 transferred + 160,000.00 released
    assert balances[("resident_fund", 2025, LedgerAccount.INSURER)] == D("960000.00")
    # fund: −1,000,000.00 raised + 40,000.00 returned
    assert balances[("resident_fund", 2025, LedgerAccount.FUND)] == D("-960000.00")
    with pytest.raises(RuleError, match="已经生成"):
        reserve_release(contract=contract, year=2025, score="95", evaluation_ref="X", actor=finance)


# --- year-end: pure figures ------------------------------------------------------------------

HZ = Terms(rule=SettlementRule.PAYOUT_RATIO)
PREMIUM = D("1000000.00")


def hz(claims, costs="0"):
    # the whole premium was transferred over the four quarters (no reserve under R-HZ-2)
    return settlement_compute(
        terms=HZ,
        figures=Figures(
            funding=PREMIUM,
            funding_source="test",
            claims_paid=D(claims),
            claims_source="test",
            transferred=PREMIUM,
            allowed_costs=D(costs),
        ),
    )


def test_huizhou_at_95_percent_insurer_keeps_premium():
    out = hz("950000.00")  # 95.00% exactly: "含95%"
    assert out.payout_ratio == D("95.00")
    assert out.to_return == D("0.00")
    assert out.amount("insurer_gets") == PREMIUM
    assert out.adjustment_proposed is False  # 95% is inside the band


def test_huizhou_below_95_percent_claims_plus_4_percent():
    out = hz("949999.99")
    # staff 949,999.99 × 4% = 37,999.9996 -> 38,000.00; insurer 987,999.99; back 12,000.01
    assert out.amount("staff_cost") == D("38000.00")
    assert out.amount("insurer_gets") == D("987999.99")
    assert out.to_return == D("12000.01")
    assert out.adjustment_proposed is True  # 94.999999% < 95%


@pytest.mark.parametrize(
    ("claims", "costs", "proposed"),
    [
        ("950000.00", "100000.00", False),  # exactly 105%: not above
        ("950000.00", "100000.01", True),  # 105.000001%: above
        ("1200000.00", "0", True),  # 120%
        ("1000000.00", "0", False),  # 100%
    ],
)
def test_huizhou_105_percent_band(claims, costs, proposed):
    assert hz(claims, costs).adjustment_proposed is proposed


def std(terms, claims, costs="20000.00", interest="10000.00", released=PREMIUM):
    # received: the whole premium (transfers and the reserve released in full)
    return settlement_compute(
        terms=terms,
        figures=Figures(
            funding=PREMIUM,
            funding_source="test",
            claims_paid=D(claims),
            claims_source="test",
            transferred=released,
            interest=D(interest),
            allowed_costs=D(costs),
        ),
    )


def test_profit_above_cap_carries_over_for_ordos():
    # income 1,010,000.00 − 900,000.00 − 20,000.00 = 90,000.00; cap 5% = 50,000.00
    out = std(Terms(surplus_rule=SurplusRule.CARRY_OVER), "900000.00")
    assert (out.to_carry, out.to_return, out.loss_fund_share) == (
        D("40000.00"),
        D("0.00"),
        D("0.00"),
    )
    assert out.insurer_result == D("50000.00")


def test_profit_above_cap_returns_for_inner_mongolia():
    out = std(Terms(surplus_rule=SurplusRule.RETURN_TO_FUND), "900000.00")
    assert (out.to_return, out.to_carry) == (D("40000.00"), D("0.00"))


def test_profit_under_cap_stays_with_insurer():
    out = std(Terms(), "950000.00")  # 1,010,000 − 950,000 − 20,000 = 40,000 ≤ 50,000
    assert (out.to_return, out.to_carry, out.loss_fund_share) == (D("0.00"),) * 3
    assert out.insurer_result == D("40000.00")


def test_loss_is_shared_by_the_contract_ratio():
    # 1,000,000.00 − 1,080,000.01 − 20,000.00 = −100,000.01; insurer 70% = 70,000.007
    # -> 70,000.01; the fund bears the rest 30,000.00
    out = std(Terms(loss_share_insurer=D("70.00")), "1080000.01", interest="0")
    assert out.amount("loss") == D("100000.01")
    assert out.amount("loss_insurer") == D("70000.01")
    assert out.loss_fund_share == D("30000.00")


# --- year-end: the service and the orchestrator ------------------------------------------------


@pytest.mark.django_db
def test_year_end_prepare_approve_and_post(finance, director):
    """The contracts service takes claims paid as an input (contracts never reads claims); the
    orchestrator that reads it from real settlement data is tested in tests/claims/test_year_end.
    """
    contract, _y = make_contract(
        params=ONE_MILLION,
        settlement_rule=SettlementRule.PAYOUT_RATIO,
        transfer_share=D("100.00"),
        reserve_share=D("0.00"),
    )
    approve_funding(contract, 2025, finance, director)
    with pytest.raises(RuleError, match="尚未全部支付"):
        year_end_prepare(
            contract=contract, year=2025, claims_paid="1", claims_source="x", actor=finance
        )
    pay_year(contract, finance, director)
    settlement = year_end_prepare(
        contract=contract,
        year=2025,
        claims_paid="900000.00",
        claims_source="核定赔付台账 2025",
        actor=finance,
    )
    assert settlement.claims_paid == D("900000.00")
    # 90% < 95%: insurer 900,000 + 36,000 = 936,000; of the 1,000,000 transferred 64,000 back
    assert settlement.to_return == D("64000.00")
    assert settlement.lines.get(code="claims_paid").source == "核定赔付台账 2025"
    with pytest.raises(NotPermitted):
        year_end_approve(settlement=settlement, actor=finance)
    year_end_approve(settlement=settlement, actor=director)
    balances = ledger_balances(contract=contract, year=2025)
    # the insurer keeps 1,000,000 transferred − 64,000 returned
    assert balances[("resident_fund", 2025, LedgerAccount.INSURER)] == D("936000.00")
    with pytest.raises(RuleError, match="已审批"):
        year_end_prepare(
            contract=contract, year=2025, claims_paid="1", claims_source="x", actor=finance
        )


@pytest.mark.django_db
def test_year_end_needs_approved_funding(finance):
    contract, _y = make_contract()
    with pytest.raises(RuleError, match="筹资测算"):
        year_end_prepare(
            contract=contract, year=2025, claims_paid="1", claims_source="x", actor=finance
        )
