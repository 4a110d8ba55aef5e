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


def test_waiting_period_for_first_time_and_re_enrolled_people():
    first_time = person(first_enrol=True, enrolments=(Enrolment(date(2017, 3, 1)),))
    # 90 days from 2017-03-01: covered from 2017-05-30.
    early = setl("S1", "2017-05-29", special_drug_amt="1000")
    late = setl("S2", "2017-05-30", special_drug_amt="1000")
    early_res, late_res = run(early, late, who=first_time).settlements
    assert (early_res.reason, early_res.total) == ("waiting_period", D("0"))
    assert late_res.total == D("800.00")  # 1,000 x 80%
    # re-enrolled after a break (2016-12-31 -> 2017-03-01): waits again
    broke = person(enrolments=(Enrolment(date(2015, 1, 1), date(2016, 12, 31)),
                               Enrolment(date(2017, 3, 1))))  # fmt: skip
    assert run(early, who=broke).settlements[0].reason == "waiting_period"
    # seamless renewal: no waiting period
    seamless = person(enrolments=(Enrolment(date(2015, 1, 1), date(2017, 2, 28)),
                                  Enrolment(date(2017, 3, 1))))  # fmt: skip
    assert run(early, who=seamless).settlements[0].total == D("800.00")


def test_not_enrolled_on_the_day_and_general_outpatient():
    ended = person(enrolments=(Enrolment(date(2010, 1, 1), date(2017, 1, 31)),))
    assert run(setl("S1", "2017-02-01", special_drug_amt="100"), who=ended).settlements[
        0
    ].reason == ("not_enrolled")
    # general outpatient (11): special drugs still paid (80 of 100), the burden line does not apply
    res = run(setl("S1", "2017-02-01", med_type="11", special_drug_amt="100",
                   fulamt_ownpay_amt="90000")).settlements[0]  # fmt: skip
    assert res.lines == {"special-drug": D("80.00"), "burden": D("0")}
