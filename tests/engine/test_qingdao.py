"""Worked examples for Qingdao 2017 (seed 001; R-QD-3 80%, R-QD-4 70% above 50,000, R-QD-5)."""

from datetime import date
from decimal import Decimal

from insurance.engine import Enrolment, StatusPeriod, compute_person

from .factories import person, setl, shipped

D = Decimal
PLAN = shipped("qingdao-2017")


def run(*settlements, who=None):
    return compute_person(plan=PLAN, person=who or person(), settlements=list(settlements))


def test_special_drug_then_remaining_burden():
    # special drugs 10,000 x 80% = 8,000.
    # burden: out-of-catalogue 60,000 (the drug included) - 8,000 paid = 52,000
    #         (52,000 - 50,000) x 70% = 1,400. Total 9,400.
    record = setl("S1", "2017-04-01", special_drug_amt="10000", fulamt_ownpay_amt="60000")
    res = run(record).settlements[0]
    assert res.lines == {"special-drug": D("8000.00"), "burden": D("1400.00")}
    assert res.total == D("9400.00")


def test_dibao_has_no_deductible_from_the_day_the_status_starts():
    # dibao from 2017-06-01. May: 30,000 out-of-catalogue, under 50,000 -> 0.
    # July: no deductible that day; the year so far is 30,000 + 30,000 = 60,000, all above a
    # deductible of 0: f(60,000) - f(30,000) = 42,000 - 21,000 = 21,000.
    who = person(statuses=(StatusPeriod("dibao", date(2017, 6, 1)),))
    may = setl("S1", "2017-05-02", fulamt_ownpay_amt="30000")
    july = setl("S2", "2017-07-02", fulamt_ownpay_amt="30000")
    assert [r.total for r in run(may, july, who=who).settlements] == [D("0"), D("21000.00")]
    # without the status: 60,000 -> (60,000 - 50,000) x 70% = 7,000 on the second
    assert [r.total for r in run(may, july).settlements] == [D("0"), D("7000.00")]


def test_annual_cap_of_200000():
    # 400,000 burden: (400,000 - 50,000) x 70% = 245,000 -> capped at 200,000; later costs in
    # the same year get 0; next year the cap is fresh: (100,000 - 50,000) x 70% = 35,000.
    a = setl("S1", "2017-03-01", fulamt_ownpay_amt="400000")
    b = setl("S2", "2017-09-01", fulamt_ownpay_amt="10000")
    c = setl("S3", "2018-02-01", fulamt_ownpay_amt="100000")
    totals = [r.total for r in run(a, b, c).settlements]
    assert totals == [D("200000.00"), D("0"), D("35000.00")]


# Seed 001, 三（一）1.: "除规定情形外，初次参加或中断后再次参加青岛市社会医疗保险的，设立补充
# 医疗保险待遇等待期" -- the waiting period belongs to joining BASIC insurance, not to the first
# supplementary enrolment (R-QD-5). The plan's 90 days are an example (the seed gives no length).


def test_people_insured_for_years_do_not_wait_when_the_scheme_starts():
    # Insured since 2005, enrolled (for the first time: the scheme is new) on 2017-01-01.
    # A special drug of 1,000 on 2017-01-05 is paid at once: 1,000 x 80% = 800.00.
    veteran = person(insured_since=date(2005, 3, 1), first_enrol=True,
                     enrolments=(Enrolment(date(2017, 1, 1)),))  # fmt: skip
    res = run(setl("S1", "2017-01-05", special_drug_amt="1000"), who=veteran).settlements[0]
    assert (res.status, res.total) == ("computed", D("800.00"))


def test_first_time_joiners_of_basic_insurance_wait_from_the_day_they_joined():
    # Joined basic insurance on 2017-03-01 (and the scheme with it): 90 days -> covered from
    # 2017-05-30 (30 days to 31 March, 30 more to 30 April, 30 more to 30 May).
    newcomer = person(insured_since=date(2017, 3, 1), enrolments=(Enrolment(date(2017, 3, 1)),))
    early = setl("S1", "2017-05-29", special_drug_amt="1000")
    late = setl("S2", "2017-05-30", special_drug_amt="1000")
    early_res, late_res = run(early, late, who=newcomer).settlements
    assert (early_res.reason, early_res.total) == ("waiting_period", D("0"))
    assert late_res.total == D("800.00")  # 1,000 x 80%


def test_rejoining_basic_insurance_after_a_break_waits_again_whatever_the_enrolment():
    # Insured 2010-2016, a break, insured again from 2016-11-15: the current uninterrupted
    # insurance began 2016-11-15, so the 90 days end on 2017-02-12 (15 Nov + 90 days = 13 Feb:
    # 15 days to 30 Nov, 31 Dec, 31 Jan -> 77, +13 Feb = 90). The scheme enrolment of 2017-01-01
    # is a seamless renewal of 2016's, which does not matter: the break was in basic insurance.
    back = person(insured_since=date(2016, 11, 15),
                  enrolments=(Enrolment(date(2016, 1, 1), date(2016, 12, 31)),
                              Enrolment(date(2017, 1, 1))))  # fmt: skip
    waiting = run(setl("S1", "2017-02-12", special_drug_amt="1000"), who=back).settlements[0]
    covered = run(setl("S2", "2017-02-13", special_drug_amt="1000"), who=back).settlements[0]
    assert (waiting.reason, covered.total) == ("waiting_period", D("800.00"))


def test_an_unknown_insurance_start_means_no_waiting_period():
    # The waiting period is an exception for newcomers ("除规定情形外"): without the date the
    # person is treated as insured before (docs/plans.md); the register should hold the date.
    unknown = person(
        insured_since=None, first_enrol=True, enrolments=(Enrolment(date(2017, 3, 1)),)
    )
    res = run(setl("S1", "2017-03-02", special_drug_amt="1000"), who=unknown).settlements[0]
    assert res.total == D("800.00")


def test_not_enrolled_on_the_day_and_general_outpatient():
    ended = person(enrolments=(Enrolment(date(2010, 1, 1), date(2017, 1, 31)),))
    assert run(setl("S1", "2017-02-01", special_drug_amt="100"), who=ended).settlements[
        0
    ].reason == ("not_enrolled")
    # general outpatient (11): special drugs still paid (80 of 100), the burden line does not apply
    res = run(setl("S1", "2017-02-01", med_type="11", special_drug_amt="100",
                   fulamt_ownpay_amt="90000")).settlements[0]  # fmt: skip
    assert res.lines == {"special-drug": D("80.00"), "burden": D("0")}
