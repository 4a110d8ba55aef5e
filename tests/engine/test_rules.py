"""Overrides, reference deductibles, eligibility and scopes on the example plans."""

from datetime import date
from decimal import Decimal

import pytest

from insurance.engine import EngineError, StatusPeriod, compute_many, compute_person, parse_plan

from .factories import one_line_doc, person, setl, shipped

D = Decimal
IM = shipped("inner-mongolia-2015")
REFS = {"disposable_income_urban": D("30594"), "net_income_rural": D("12000")}


def im(amount, who):
    record = setl("S1", "2015-06-01", inscp_scp_amt=amount, hifp_pay="0")
    return compute_person(plan=IM, person=who, settlements=[record], references=REFS).settlements[0]


def test_reference_deductible_and_bands():
    # urban: deductible 30,594; 100,000 -> excess 69,406: 50,000 x 50% + 19,406 x 60%
    #        = 25,000 + 11,643.60 = 36,643.60
    assert im("100000", person(insutype="390")).total == D("36643.60")
    # rural: deductible 12,000; 100,000 -> excess 88,000: 25,000 + 38,000 x 60% = 47,800
    assert im("100000", person(insutype="390", rural=True)).total == D("47800.00")


def test_poor_groups_lower_deductible_higher_rate_no_cap():
    dibao = person(insutype="390", statuses=(StatusPeriod("dibao", date(2015, 1, 1)),))
    # deductible 30,594 x 0.5 = 15,297; excess 84,703: 50,000 x 55% + 34,703 x 65%
    #   = 27,500 + 22,556.95 = 50,056.95
    assert im("100000", dibao).total == D("50056.95")
    # 1,000,000: normal cap 300,000 applies to others; dibao has no cap:
    # excess 984,703: 50,000 x 55% + 50,000 x 65% + 884,703 x 75% = 27,500 + 32,500 + 663,527.25
    assert im("1000000", dibao).total == D("723527.25")
    assert im("1000000", person(insutype="390")).total == D("300000.00")


def test_missing_reference_figure_is_a_clear_error():
    record = setl("S1", "2015-06-01", inscp_scp_amt="1")
    with pytest.raises(EngineError) as info:
        compute_person(plan=IM, person=person(), settlements=[record], references={})
    assert info.value.code == "reference_missing"
    assert "disposable_income_urban" in info.value.message_en


def test_enterprise_excluded_causes_top_up_and_quota():
    plan = shipped("shaanxi-enterprise-2011")
    who = person(hire_date=date(2005, 1, 1))  # long past the year of service
    drunk = setl("S1", "2012-03-01", cause="drunkenness", inscp_scp_amt="1000", hifp_pay="700")
    res = compute_person(plan=plan, person=who, settlements=[drunk]).settlements[0]
    assert (res.status, res.reason) == ("ineligible", "excluded_cause")
    # top-up to 90%: 1,000 x 90% - 700 = 200. Outpatient quota: burden 300 - 200 paid = 100.
    visit = setl("S2", "2012-03-01", med_type="11", inscp_scp_amt="1000", hifp_pay="700",
                 psn_part_amt="300")  # fmt: skip
    res = compute_person(plan=plan, person=who, settlements=[visit]).settlements[0]
    assert res.lines == {
        "co-pay-top-up": D("200.00"),
        "critical-illness": D("0"),
        "quota": D("100.00"),
    }


def test_enterprise_quota_cap_per_year():
    # 100% of outpatient burden, at most 2,000 a year: 1,500 + 1,500 -> 1,500 then 500.
    plan = shipped("shaanxi-enterprise-2011")
    a = setl("S1", "2012-03-01", med_type="11", psn_part_amt="1500")
    b = setl("S2", "2012-04-01", med_type="11", psn_part_amt="1500")
    res = compute_person(plan=plan, person=person(retired=True), settlements=[a, b])
    assert [r.lines["quota"] for r in res.settlements] == [D("1500.00"), D("500.00")]


def test_policy_year_scope_and_cap_year():
    # Policy year from 07-01. 2019-06-30 and 2019-07-01 fall in different policy years:
    # each 15,000 is under the 20,000 deductible -> 0 and 0. Two in the same policy year
    # (2019-07-01, 2020-06-30) reach 30,000 -> 10,000 x 50% = 5,000.
    doc = one_line_doc(accumulation={"scope": "policy_year"}, deductible={"amount": "20000"})
    doc["policy_year_start"] = "07-01"
    plan = parse_plan(doc)

    def pay(*dates):
        records = [setl(f"S{i}", d, psn_part_amt="15000") for i, d in enumerate(dates)]
        return [
            r.total
            for r in compute_person(plan=plan, person=person(), settlements=records).settlements
        ]

    assert pay("2019-06-30", "2019-07-01") == [D("0"), D("0")]
    assert pay("2019-07-01", "2020-06-30") == [D("0"), D("5000.00")]


def test_per_settlement_scope_applies_the_deductible_every_time():
    # deductible 1,000 per settlement: two of 1,500 -> 500 x 50% = 250 each
    plan = parse_plan(
        one_line_doc(accumulation={"scope": "settlement"}, deductible={"amount": "1000"})
    )
    records = [
        setl("S1", "2019-01-01", psn_part_amt="1500"),
        setl("S2", "2019-01-02", psn_part_amt="1500"),
    ]
    totals = [
        r.total for r in compute_person(plan=plan, person=person(), settlements=records).settlements
    ]
    assert totals == [D("250.00"), D("250.00")]


def test_absolute_tiers_and_plan_cap():
    # absolute bands: 0-10,000 at 0%, 10,000-100,000 at 50%, above at 60%; no deductible.
    # 150,000 -> 90,000 x 50% + 50,000 x 60% = 45,000 + 30,000 = 75,000; plan cap 70,000.
    tiers = [
        {"from": "0", "rate": "0"},
        {"from": "10000", "rate": "0.5"},
        {"from": "100000", "rate": "0.6"},
    ]
    doc = one_line_doc(tier_basis="absolute", rate=None, tiers=tiers)
    del doc["lines"][0]["rate"]
    plan = parse_plan(doc)
    record = setl("S1", "2019-01-01", psn_part_amt="150000")
    assert compute_person(plan=plan, person=person(), settlements=[record]).total == D("75000.00")
    doc["cap"] = "70000"
    capped = compute_person(plan=parse_plan(doc), person=person(), settlements=[record])
    assert capped.total == D("70000.00")


def test_compute_many_groups_by_person_and_marks_unknown_people():
    plan = shipped("huizhou-2013")
    records = [
        setl("A1", "2013-08-01", psn_no="A", inscp_scp_amt="12000"),
        setl("B1", "2013-08-01", psn_no="B", inscp_scp_amt="12000"),
        setl("A2", "2013-09-01", psn_no="A", inscp_scp_amt="1000"),
    ]
    results = {
        r.psn_no: r
        for r in compute_many(plan=plan, persons={"A": person("A")}, settlements=records)
    }
    # A: 12,000 -> 1,900; then 1,000 more -> 950. B is unknown: nothing.
    assert [s.total for s in results["A"].settlements] == [D("1900.00"), D("950.00")]
    assert results["B"].settlements[0].reason == "person_unknown"
