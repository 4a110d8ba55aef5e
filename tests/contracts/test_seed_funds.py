"""Each seed's money from funding to year-end (issue #18, points 5-7 and 9): every figure below
is worked by hand from the seed's words in the comment beside it, not read from the code.

Seeds: 000 Ordos (R-ORD-1..4), 001 Qingdao and the company scheme (R-QD-1, R-ENT-1), 002 Huizhou
(R-HZ-1..5), 003 Jining (R-JN-1/2), 004 Inner Mongolia (R-IM-1, R-IM-4/5).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from audit.errors import RuleError
from claims.oversight.services.evaluation import evaluation_draft, evaluation_move, evaluation_score
from contracts.choices import (
    ContractStatus,
    DebarmentReason,
    LedgerAccount,
    LossSharing,
    PlatformFeeKind,
    RenewalAnswer,
    SettlementRule,
    SurplusRule,
)
from contracts.models import Debarment, Transfer
from contracts.periods import contract_year
from contracts.rules import money_term_errors
from contracts.selectors import funding_current, ledger_balances
from contracts.services.contracts import contract_transition
from contracts.services.funding import funding_calculate
from contracts.services.transfers import transfers_due
from contracts.services.year_end import year_end_approve, year_end_prepare
from insurance.choices import FundingKind, PaymentChannel
from insurance.funding import funding_errors
from insurance.models import Enrollment, Person
from tests.contracts.factories import ContractFactory, SchemeFactory
from tests.contracts.test_funds_support import (
    approve_funding,
    pay_quarters,
    pay_year,
    release_reserve,
)
from tests.insurance.factories import PersonFactory, SchemeYearFactory

D = Decimal


@pytest.fixture
def finance(role_user):
    return role_user("finance")


@pytest.fixture
def director(role_user):
    return role_user("director")


def _settle(contract, year, finance, director, claims, note="", **extra):
    settlement = year_end_prepare(
        contract=contract,
        year=year,
        claims_paid=claims,
        claims_source="核定赔付",
        actor=finance,
        **extra,
    )
    return year_end_approve(settlement=settlement, actor=director, note=note)


# --- Huizhou: the insurance year starts 2013-07-01, benefits count from 2013-01-01 -------------

HZ_TOTAL = "145891300.00"  # 第一个保险年度14589.13万元 (R-HZ-1)


@pytest.fixture
def huizhou(db):
    scheme = SchemeFactory()
    year = SchemeYearFactory(
        scheme=scheme,
        year=2013,
        coverage_start=dt.date(2013, 1, 1),  # 大病保险待遇从2013年1月1日起累计计算 (R-HZ-5)
        coverage_end=dt.date(2014, 6, 30),
        insurance_year_start=dt.date(2013, 7, 1),  # 本方案自2013年7月1日施行
        funding_kind=FundingKind.FIXED_TOTAL,
        funding_params={
            "total": HZ_TOTAL,
            "split": [  # 从职工补充医疗保险基金和居民医保基金历年结余中列支，比例为8:2
                {"source": "employee_supp_fund", "percent": "80"},
                {"source": "resident_fund", "percent": "20"},
            ],
        },
    )
    contract = ContractFactory(
        scheme=scheme,
        status=ContractStatus.ACTIVE,
        starts_on=dt.date(2013, 7, 1),
        ends_on=dt.date(2016, 6, 30),  # 保险合约期为3年
        coverage_from=dt.date(2013, 1, 1),
        settlement_rule=SettlementRule.PAYOUT_RATIO,
        transfer_share=D("100.00"),
        reserve_share=D("0.00"),
    )
    return contract, year


def test_huizhou_quarters_follow_the_insurance_year(huizhou):
    contract, _year = huizhou
    period = contract_year(contract, 2013)
    assert [period.quarter_bounds(q) for q in (1, 2, 3, 4)] == [
        (dt.date(2013, 7, 1), dt.date(2013, 9, 30)),
        (dt.date(2013, 10, 1), dt.date(2013, 12, 31)),
        (dt.date(2014, 1, 1), dt.date(2014, 3, 31)),
        (dt.date(2014, 4, 1), dt.date(2014, 6, 30)),
    ]
    # the premium pays the retroactive half-year's claims too
    assert (period.claims_from, period.claims_to) == (dt.date(2013, 1, 1), dt.date(2014, 6, 30))


def test_huizhou_four_quarters_of_the_full_premium_and_nothing_returned_twice(
    huizhou, finance, director
):
    contract, _year = huizhou
    approve_funding(contract, 2013, finance, director)
    assert transfers_due(on=dt.date(2013, 6, 30))["created"] == 0  # not started yet
    assert transfers_due(on=dt.date(2013, 7, 1))["created"] == 1
    assert transfers_due(on=dt.date(2014, 4, 1))["created"] == 3
    assert transfers_due(on=dt.date(2014, 6, 30))["created"] == 0  # idempotent
    # 145,891,300.00 ÷ 4 = 36,472,825.00 a quarter: the whole premium, not two quarters of it
    amounts = Transfer.objects.filter(contract=contract, year=2013).values_list("amount", flat=True)
    assert sorted(amounts) == [D("36472825.00")] * 4
    pay_quarters(contract, 2013, finance, director)
    # claims 100,000,000.00: ratio 68.54% < 95%: insurer gets 100,000,000 + 4% = 104,000,000.00
    # and of the 145,891,300.00 received returns 41,891,300.00 (R-HZ-2), once
    settlement = _settle(contract, 2013, finance, director, "100000000.00")
    assert settlement.payout_ratio == D("68.54")
    assert settlement.to_return == D("41891300.00")
    assert settlement.adjustment_proposed is True  # 68.54% < 95% (R-HZ-3)
    balances = ledger_balances(contract=contract, year=2013)
    insurer = sum(v for (_f, _y, a), v in balances.items() if a == LedgerAccount.INSURER)
    assert insurer == D("104000000.00")


def test_huizhou_at_95_percent_the_insurer_keeps_the_premium(huizhou, finance, director):
    contract, _year = huizhou
    approve_funding(contract, 2013, finance, director)
    pay_quarters(contract, 2013, finance, director)
    # 138,596,735.00 ÷ 145,891,300.00 = 95.00% exactly: "达到保费总额95%（含95%）"
    settlement = _settle(contract, 2013, finance, director, "138596735.00")
    assert settlement.payout_ratio == D("95.00")
    assert (settlement.to_return, settlement.to_pay) == (D("0.00"), D("0.00"))


# --- Ordos: 80% quarterly, 20% reserve by the evaluation, profit ≤ 5%, surplus carried ---------


@pytest.fixture
def ordos(db):
    scheme = SchemeFactory()
    for year in (2025, 2026):
        SchemeYearFactory(
            scheme=scheme,
            year=year,
            funding_kind=FundingKind.PER_CAPITA,
            # 从职工大额医疗保险基金中按参保人数每人每年划出60元 (R-ORD-1)
            funding_params={"amount": "60.00", "source": "employee_large_fund"},
        )
    contract = ContractFactory(
        scheme=scheme,
        status=ContractStatus.ACTIVE,
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        surplus_rule=SurplusRule.CARRY_OVER,  # 每年基金结余部分可转下年度使用 (R-ORD-3)
        loss_sharing=LossSharing.ALL,
        loss_share_insurer=D("50.00"),
    )
    return contract


def _headcount(contract, year, n=50):
    """`n` people enrolled in the contract's scheme year: last year's people again, and new
    ones while they are fewer than `n`."""
    scheme_year = contract.scheme.years.get(year=year)
    people = list(
        Person.objects.filter(enrollments__scheme_year__scheme=contract.scheme).distinct()[:n]
    )
    people += [PersonFactory() for _ in range(n - len(people))]
    for person in people:
        Enrollment.objects.create(
            person=person, scheme_year=scheme_year, kind="renewal",
            start_date=scheme_year.coverage_start, end_date=scheme_year.coverage_end,
            benefits_from=scheme_year.coverage_start,
        )  # fmt: skip


def test_ordos_withheld_reserve_is_not_asked_back_and_surplus_is_used_next_year(
    ordos, finance, director
):
    _headcount(ordos, 2025)
    # 60.00 × 50 = 3,000.00; 80% = 2,400.00 transferred, 20% = 600.00 reserved (R-ORD-2)
    approve_funding(ordos, 2025, finance, director)
    # evaluation score 75: 60% of the reserve released = 360.00, 240.00 back to the fund
    release = pay_year(ordos, 2025, finance, director, score="75")
    assert (release.released, release.returned) == (D("360.00"), D("240.00"))
    settlement = _settle(ordos, 2025, finance, director, "500.00")
    # received 2,400.00 + 360.00 = 2,760.00; result 2,760.00 − 500.00 = 2,260.00; profit cap
    # 5% of 3,000.00 = 150.00; 2,110.00 carried into 2026's funds. (On the whole 3,000.00 the
    # carry would be 2,350.00: more than the insurer holds after its claims.)
    assert settlement.to_carry == D("2110.00") and settlement.to_return == D("0.00")
    assert settlement.insurer_result == D("150.00")
    balances = ledger_balances(contract=ordos)
    # the insurer holds what it paid in claims plus its profit: 500.00 + 150.00
    assert balances[("employee_large_fund", 2025, LedgerAccount.INSURER)] == D("650.00")
    assert balances[("employee_large_fund", 2026, LedgerAccount.INSURER)] == D("2110.00")

    _headcount(ordos, 2026)
    approve_funding(ordos, 2026, finance, director)
    pay_year(ordos, 2026, finance, director, score="95")  # 100%: 600.00 released
    # a payout ratio of 150% after 16.67%: approved with the reason the warning asks for
    settlement = _settle(ordos, 2026, finance, director, "4500.00", note="赔付大幅上升，已核实")
    # funds 3,000.00 + 2,110.00 carried in = 5,110.00; the cap is 5% of the money raised
    # (总筹集资金: the 2,110.00 was capped in 2025 already) = 150.00; received 2,400.00 + 600.00 +
    # 2,110.00 = 5,110.00; result 5,110.00 − 4,500.00 = 610.00, above the cap by 460.00,
    # returned: 2026 is the contract's last year, there is no next year to carry into
    lines = {line.code: line.amount for line in settlement.lines.all()}
    assert lines["carried_in"] == D("2110.00") and lines["funds"] == D("5110.00")
    assert lines["profit_cap"] == D("150.00") and lines["result"] == D("610.00")
    assert settlement.to_return == D("460.00") and settlement.to_carry == D("0.00")


def test_ordos_loss_shared_but_not_the_forfeited_reserve(ordos, finance, director):
    _headcount(ordos, 2025)
    approve_funding(ordos, 2025, finance, director)  # 3,000.00
    pay_year(ordos, 2025, finance, director, score="50")  # below 60: nothing released
    settlement = _settle(ordos, 2025, finance, director, "3500.00")
    # received 2,400.00; result 2,400.00 − 3,500.00 = −1,100.00. On the year's whole funds the
    # loss is 3,500.00 − 3,000.00 = 500.00, shared 50/50 (由保险公司和职工大额医疗保险基金按比例
    # 分担, R-ORD-4): the fund pays 250.00. The 600.00 withheld may not deepen the loss (the held
    # reserve must not drive the insurer's balance negative): it is paid back.
    assert settlement.loss_fund_share == D("250.00")
    assert settlement.to_pay == D("600.00")
    assert settlement.insurer_result == D("-250.00")


def test_ordos_withheld_reserve_takes_the_profit_not_more(ordos, finance, director):
    _headcount(ordos, 2025)
    approve_funding(ordos, 2025, finance, director)  # 3,000.00, reserve 600.00
    pay_year(ordos, 2025, finance, director, score="50")  # nothing released
    settlement = _settle(ordos, 2025, finance, director, "2800.00")
    # the year's funds cover the claims (3,000.00 − 2,800.00 = 200.00), but the insurer got
    # 2,400.00: −400.00. The withheld reserve takes the 200.00 of profit and no more: 400.00
    # is paid back and the insurer ends at 0.00
    assert settlement.to_pay == D("400.00") and settlement.loss_fund_share == D("0.00")
    assert settlement.insurer_result == D("0.00")
    balances = ledger_balances(contract=ordos, year=2025)
    assert balances[("employee_large_fund", 2025, LedgerAccount.INSURER)] == D("2800.00")


def test_a_term_starting_mid_year_pays_the_year_over_the_quarters_it_covers(db, finance, director):
    scheme = SchemeFactory()
    SchemeYearFactory(
        scheme=scheme, year=2025, funding_kind=FundingKind.PER_CAPITA,
        funding_params={"amount": "60.00", "source": "employee_large_fund"},
    )  # fmt: skip
    contract = ContractFactory(
        scheme=scheme, status=ContractStatus.ACTIVE, starts_on=dt.date(2025, 4, 1),
        ends_on=dt.date(2028, 3, 31),
    )  # fmt: skip
    _headcount(contract, 2025, 30)
    approve_funding(contract, 2025, finance, director)  # 60.00 × 30 = 1,800.00
    pay_quarters(contract, 2025, finance, director)
    # the whole year's 80% (1,440.00) and 20% (360.00) over Q2-Q4: 480.00 and 120.00 each
    transfers = Transfer.objects.filter(contract=contract, year=2025).order_by("quarter")
    assert [(t.quarter, t.amount, t.reserve_part) for t in transfers] == [
        (q, D("480.00"), D("120.00")) for q in (2, 3, 4)
    ]
    balances = ledger_balances(contract=contract, year=2025)
    assert balances[("employee_large_fund", 2025, LedgerAccount.POOL)] == D("0.00")


def test_a_funding_approved_again_after_the_quarters_stops_the_year_end(ordos, finance, director):
    _headcount(ordos, 2025, 10)
    approve_funding(ordos, 2025, finance, director)  # 600.00
    pay_year(ordos, 2025, finance, director)
    scheme_year = ordos.scheme.years.get(year=2025)
    scheme_year.funding_params = {"amount": "70.00", "source": "employee_large_fund"}
    scheme_year.save()
    approve_funding(ordos, 2025, finance, director)  # 700.00: 100.00 neither paid nor held
    with pytest.raises(RuleError, match="不一致"):
        year_end_prepare(
            contract=ordos, year=2025, claims_paid="1", claims_source="x", actor=finance
        )


def test_ordos_year_end_waits_for_the_reserve_release(ordos, finance, director):
    _headcount(ordos, 2025, 10)
    approve_funding(ordos, 2025, finance, director)
    pay_quarters(ordos, 2025, finance, director)
    with pytest.raises(RuleError, match="考核预留款尚未"):
        year_end_prepare(
            contract=ordos, year=2025, claims_paid="1", claims_source="x", actor=finance
        )
    release_reserve(ordos, 2025, finance, director, score="90")
    assert year_end_prepare(
        contract=ordos, year=2025, claims_paid="1", claims_source="x", actor=finance
    ).pk


# --- Inner Mongolia: at least 5%, surplus back to the fund, only policy losses shared -------


@pytest.fixture
def inner_mongolia(db):
    scheme = SchemeFactory()
    SchemeYearFactory(
        scheme=scheme,
        year=2025,
        funding_kind=FundingKind.BASIC_FUNDING_PERCENT,
        funding_params={"percent": "5"},
        prev_basic_funding_per_capita=D("850.00"),
    )
    return ContractFactory(
        scheme=scheme,
        status=ContractStatus.ACTIVE,
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        transfer_share=D("100.00"),
        reserve_share=D("0.00"),
        surplus_rule=SurplusRule.RETURN_TO_FUND,  # 超过合同约定的结余全部返还基本医保基金
        loss_sharing=LossSharing.POLICY_CHANGES,  # 政策调整等原因...带来的亏损...分摊
        loss_share_insurer=D("50.00"),
    )


def test_inner_mongolia_funding_below_five_percent_is_refused(inner_mongolia, finance):
    # 不低于上年度城乡居民基本医保人均筹资标准的5% (R-IM-1)
    assert "percent" in funding_errors(FundingKind.BASIC_FUNDING_PERCENT, {"percent": "4.99"})
    assert "min_percent" in funding_errors(
        FundingKind.BASIC_FUNDING_PERCENT, {"percent": "6", "min_percent": "4"}
    )
    assert funding_errors(FundingKind.BASIC_FUNDING_PERCENT, {"percent": "5"}) == {}
    scheme_year = inner_mongolia.scheme.years.get(year=2025)
    scheme_year.funding_params = {"percent": "4.5"}
    scheme_year.save()
    with pytest.raises(RuleError, match="R-IM-1"):
        funding_calculate(contract=inner_mongolia, year=2025, actor=finance)


def test_inner_mongolia_surplus_returns_and_only_marked_policy_loss_is_shared(
    inner_mongolia, finance, director
):
    _headcount(inner_mongolia, 2025, 100)
    # 850.00 × 5% = 42.50 a person × 100 = 4,250.00
    calc = approve_funding(inner_mongolia, 2025, finance, director)
    assert calc.result == D("4250.00")
    pay_quarters(inner_mongolia, 2025, finance, director)
    # a loss: 4,250.00 − 5,000.00 = −750.00. Unmarked, the fund shares nothing.
    settlement = year_end_prepare(
        contract=inner_mongolia, year=2025, claims_paid="5000.00", claims_source="x",
        actor=finance,
    )  # fmt: skip
    assert settlement.loss_fund_share == D("0.00") and settlement.insurer_result == D("-750.00")
    with pytest.raises(RuleError, match="依据"):
        year_end_prepare(
            contract=inner_mongolia, year=2025, claims_paid="5000.00", claims_source="x",
            actor=finance, policy_loss="300.00",
        )  # fmt: skip
    # the bureau marks 300.00 as caused by a policy change: 50% of it = 150.00 from the fund
    settlement = year_end_prepare(
        contract=inner_mongolia, year=2025, claims_paid="5000.00", claims_source="x",
        actor=finance, policy_loss="300.00", policy_loss_reason="2025年起付线下调文件",
    )  # fmt: skip
    assert settlement.loss_fund_share == D("150.00")
    assert settlement.insurer_result == D("-600.00")
    # a surplus: 4,250.00 − 3,000.00 = 1,250.00; cap 5% = 212.50; 1,037.50 returned
    settlement = year_end_prepare(
        contract=inner_mongolia, year=2025, claims_paid="3000.00", claims_source="x",
        actor=finance,
    )  # fmt: skip
    assert settlement.to_return == D("1037.50") and settlement.to_carry == D("0.00")


def test_policy_loss_is_refused_where_every_loss_is_shared(ordos, finance, director):
    _headcount(ordos, 2025, 10)
    approve_funding(ordos, 2025, finance, director)
    pay_year(ordos, 2025, finance, director)
    with pytest.raises(RuleError, match="政策性亏损"):
        year_end_prepare(
            contract=ordos, year=2025, claims_paid="1", claims_source="x", actor=finance,
            policy_loss="1.00", policy_loss_reason="x",
        )  # fmt: skip


# --- Jining: the insurer collects premiums itself and runs at its own profit and loss ---------


@pytest.fixture
def jining(db):
    scheme = SchemeFactory()
    SchemeYearFactory(
        scheme=scheme,
        year=2025,
        funding_kind=FundingKind.VOLUNTARY_PREMIUM,
        funding_params={"premium": "99.00", "months": "12"},  # 每人99元，保障期为12个月
    )
    return ContractFactory(
        scheme=scheme,
        status=ContractStatus.ACTIVE,
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        settlement_rule=SettlementRule.SELF_FUNDED,  # 商保机构自负盈亏、自担风险
        transfer_share=D("100.00"),
        reserve_share=D("0.00"),
        loss_sharing=LossSharing.NONE,
        platform_fee_kind=PlatformFeeKind.RATE,
        platform_fee_rate=D("5.00"),  # 第三方服务平台服务费不高于保费收入的5% (R-JN-2)
    )


def _buy(scheme_year, channel, *, refunded=False):
    person = PersonFactory(insutype="310")
    return Enrollment.objects.create(
        person=person, scheme_year=scheme_year, kind="first",
        start_date=scheme_year.coverage_start, end_date=scheme_year.coverage_end,
        benefits_from=scheme_year.coverage_start, premium=D("99.00"), payment_channel=channel,
        refund_amount=D("99.00") if refunded else None,
        status="cancelled" if refunded else "active",
        cancelled_on=scheme_year.coverage_start - dt.timedelta(days=1) if refunded else None,
    )  # fmt: skip


def test_jining_premiums_by_who_collects_them_no_reserve_no_loss_share(jining, finance, director):
    scheme_year = jining.scheme.years.get(year=2025)
    for channel in (PaymentChannel.WECHAT,) * 3 + (PaymentChannel.ALIPAY, PaymentChannel.COUNTER):
        _buy(scheme_year, channel)
    _buy(scheme_year, PaymentChannel.WECHAT, refunded=True)
    for _ in range(4):  # 职工可使用医保个人账户...缴费 (R-JN-1)
        _buy(scheme_year, PaymentChannel.OWN_ACCOUNT)
    calc = approve_funding(jining, 2025, finance, director)
    # online/offline: 6 × 99.00 − 99.00 refunded = 495.00, paid to the insurer directly;
    # personal accounts: 4 × 99.00 = 396.00, passed on by the bureau; in all 891.00
    assert dict(calc.part_amounts()) == {
        "personal": D("495.00"),
        "employee_personal_account": D("396.00"),
    }
    pay_quarters(jining, 2025, finance, director)
    transfers = Transfer.objects.filter(contract=jining, year=2025)
    # only the 396.00 the bureau holds is paid over, 99.00 a quarter, with no reserve held back
    assert sorted(t.amount for t in transfers) == [D("99.00")] * 4
    assert {t.reserve_part for t in transfers} == {D("0.00")}
    settlement = _settle(jining, 2025, finance, director, "1200.00")
    # platform fee 5% × 891.00 = 44.55; result 891.00 − 1,200.00 − 44.55 = −353.55, the
    # insurer's own loss: nothing shared, nothing returned
    lines = {line.code: line.amount for line in settlement.lines.all()}
    assert lines["platform_fee"] == D("44.55") and lines["collected"] == D("495.00")
    assert settlement.insurer_result == D("-353.55")
    assert (settlement.loss_fund_share, settlement.to_return) == (D("0.00"), D("0.00"))


def test_self_funded_contract_terms_are_validated(jining):
    jining.reserve_share, jining.transfer_share = D("20.00"), D("80.00")
    jining.loss_sharing = LossSharing.ALL
    errors = money_term_errors(jining)
    assert "reserve_share" in errors and "loss_sharing" in errors


# --- Qingdao: several sources in one year; the enterprise scheme's figures with sources --------


def test_qingdao_composite_funding_and_the_reserve_the_bureau_keeps(db, finance, director):
    scheme = SchemeFactory()
    SchemeYearFactory(
        scheme=scheme,
        year=2017,
        funding_kind=FundingKind.COMPOSITE,
        funding_params={
            "components": [
                # 每人每年20元：职工从个人账户划转，城乡居民从个人缴纳的社会医疗保险费中划转
                {"kind": "per_capita", "amount": "20.00", "insutypes": ["310"],
                 "source": "employee_personal_account"},
                {"kind": "per_capita", "amount": "20.00", "insutypes": ["390"],
                 "source": "resident_premium"},
                # 财政投入资金…由市、区（市）两级财政按1∶1比例分担 (2.7亿)
                {"kind": "fixed", "total": "270000000.00", "split": [
                    {"source": "fiscal_city", "percent": "50"},
                    {"source": "fiscal_district", "percent": "50"}]},
                # 个人账户资金历年和当年保值增值收入
                {"kind": "declared", "key": "interest", "source": "account_interest",
                 "label": "个人账户保值增值收入"},
                # 一次性划转30亿元，作为补充医保的专项储备金
                {"kind": "fixed", "total": "3000000000.00", "source": "special_reserve"},
            ]
        },
    )  # fmt: skip
    scheme_year = scheme.years.get(year=2017)
    for insutype in ("310", "310", "310", "390", "390"):
        Enrollment.objects.create(
            person=PersonFactory(insutype=insutype), scheme_year=scheme_year, kind="renewal",
            start_date=scheme_year.coverage_start, end_date=scheme_year.coverage_end,
            benefits_from=scheme_year.coverage_start,
        )  # fmt: skip
    contract = ContractFactory(
        scheme=scheme,
        status=ContractStatus.ACTIVE,
        starts_on=dt.date(2017, 1, 1),
        ends_on=dt.date(2019, 12, 31),
    )
    with pytest.raises(RuleError, match="个人账户保值增值收入"):
        funding_calculate(contract=contract, year=2017, actor=finance)
    approve_funding(contract, 2017, finance, director, declared={"interest": "12345.67"})
    calc = funding_current(contract=contract, year=2017)
    # 3 × 20.00 = 60.00; 2 × 20.00 = 40.00; 135,000,000.00 each level; 12,345.67; 3,000,000,000.00
    assert dict(calc.part_amounts()) == {
        "employee_personal_account": D("60.00"),
        "resident_premium": D("40.00"),
        "fiscal_city": D("135000000.00"),
        "fiscal_district": D("135000000.00"),
        "account_interest": D("12345.67"),
        "special_reserve": D("3000000000.00"),
    }
    assert calc.result == D("3270012445.67")
    # the year's premium leaves the special reserve with the bureau: 270,012,445.67; 80% of it
    # = 216,009,956.536 -> 216,009,956.54 transferred, 54,002,489.13 reserved (R-ORD-2 terms)
    assert calc.premium == D("270012445.67")
    pay_quarters(contract, 2017, finance, director)
    transfers = Transfer.objects.filter(contract=contract, year=2017)
    assert sum(t.amount for t in transfers) == D("216009956.54")
    assert sum(t.reserve_part for t in transfers) == D("54002489.13")
    balances = ledger_balances(contract=contract, year=2017)
    assert balances[("special_reserve", 2017, LedgerAccount.POOL)] == D("3000000000.00")


def test_enterprise_payroll_and_balance_need_their_source(db, finance, director):
    scheme = SchemeFactory()
    SchemeYearFactory(
        scheme=scheme,
        year=2025,
        funding_kind=FundingKind.PAYROLL_PERCENT,
        # 按单位上年度工资总额的4%计提；积累余额超过上年度工资总额的8%时暂停提取；5%内税前扣除
        funding_params={"percent": "4", "stop_percent": "8", "deductible_percent": "5"},
    )
    contract = ContractFactory(
        scheme=scheme, status=ContractStatus.ACTIVE,
        starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2026, 12, 31),
    )  # fmt: skip
    with pytest.raises(RuleError, match="数据来源"):
        funding_calculate(
            contract=contract, year=2025, actor=finance, payroll="10000000.00",
            accumulated_balance="0",
        )  # fmt: skip
    calc = funding_calculate(
        contract=contract, year=2025, actor=finance, payroll="10000000.00",
        accumulated_balance="300000.00", payroll_source="2024年度决算报表",
        balance_source="基金专户2024年末对账单",
    )  # fmt: skip
    # 10,000,000.00 × 4% = 400,000.00; ceiling 8% = 800,000.00 not reached; deductible 500,000.00
    assert calc.result == D("400000.00")
    assert calc.inputs["payroll_source"] == "2024年度决算报表"
    assert "税前扣除上限 10000000.00 × 5% = 500000.00" in calc.explanation


# --- the evaluation binds: no renewal while a "not renew" stands; the bar follows the year ----


@pytest.fixture
def evaluated(db, role_user):
    contract = ContractFactory(
        status=ContractStatus.ACTIVE,
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    reviewer, director = role_user("reviewer", "rev"), role_user("director", "dir")
    evaluation, _ = evaluation_draft(contract=contract, year=2025)
    for row in evaluation.scores.all():
        evaluation_score(row=row, manual_score="55", comment="抽查问题多", actor=reviewer)
    evaluation_move(evaluation=evaluation, move="submit", actor=reviewer)
    evaluation_move(evaluation=evaluation, move="approve", actor=director)
    return contract, director


def test_failed_evaluation_refuses_the_renewal_answer(evaluated):
    contract, admin = evaluated  # the director holds contracts.change_contract
    on = dt.date(2026, 7, 1)  # within the 6 months before expiry (R-CON-2)
    contract_transition(contract=contract, move="request_renewal", actor=admin, on=on)
    contract.refresh_from_db()
    with pytest.raises(RuleError, match="次年度不再续签"):
        contract_transition(
            contract=contract, move="answer_renewal", actor=admin, on=on,
            answer=RenewalAnswer.ACCEPTED,
        )  # fmt: skip
    contract_transition(
        contract=contract, move="answer_renewal", actor=admin, on=on,
        answer=RenewalAnswer.REFUSED, reason="2025年度考核不合格（R-JN）",
    )  # fmt: skip


def test_debarment_runs_three_years_from_the_evaluated_year_not_the_click(evaluated):
    contract, _director = evaluated
    assert Debarment.objects.filter(contract=contract).count() == 1
    # 因考核不合格的3年内不得承办 (R-IM): the 2025 year ends 2025-12-31, the bar runs 2026-2028
    bars = Debarment.objects.filter(reason=DebarmentReason.FAILED_EVALUATION)
    assert {(b.starts_on, b.ends_on) for b in bars} == {
        (dt.date(2026, 1, 1), dt.date(2028, 12, 31))
    }


def test_finance_enters_declared_amounts_and_headcount_in_the_admin(db, finance, verified_client):
    scheme = SchemeFactory()
    SchemeYearFactory(
        scheme=scheme,
        year=2025,
        funding_kind=FundingKind.COMPOSITE,
        funding_params={"components": [
            {"kind": "fixed", "total": "1000.00", "source": "fiscal_city"},
            {"kind": "declared", "key": "interest", "source": "account_interest"},
        ]},
    )  # fmt: skip
    contract = ContractFactory(
        scheme=scheme, status=ContractStatus.ACTIVE,
        starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2026, 12, 31),
    )  # fmt: skip
    client = verified_client(finance)
    url = "/admin/contracts/fundingcalculation/add/"
    page = client.post(url, {"contract": contract.pk, "year": 2025, "declared": "interest 12"})
    assert "key=金额" in page.content.decode()  # located error, nothing computed
    assert not contract.funding_calculations.exists()
    response = client.post(
        url, {"contract": contract.pk, "year": 2025, "declared": "interest=12.34"}
    )
    assert response.status_code == 302
    # 1,000.00 fixed + 12.34 entered
    assert contract.funding_calculations.get().result == D("1012.34")


def test_the_year_running_follows_the_insurance_year(huizhou):
    from contracts.periods import year_on

    contract, _year = huizhou
    # 2014-03-15 lies in the first insurance year (2013-07-01 to 2014-06-30), labelled 2013
    assert year_on(contract, dt.date(2014, 3, 15)) == 2013
    assert year_on(contract, dt.date(2015, 3, 15)) == 2015  # no scheme year: the calendar year
