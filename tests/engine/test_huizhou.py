"""Worked examples for Huizhou 2013 (seed 002; R-HZ-4 95% above 10,000 a year, R-HZ-5)."""

from decimal import Decimal

from insurance.engine import compute_person

from .factories import person, setl, shipped

D = Decimal
PLAN = shipped("huizhou-2013")


def stay(setl_id, when, inscp, hifp, over_max="0"):
    return setl(setl_id, when, inscp_scp_amt=inscp, hifp_pay=hifp, inscp_over_max_amt=over_max)


def run(*settlements):
    return compute_person(plan=PLAN, person=person(), settlements=list(settlements))


def test_costs_from_january_accumulate_though_the_scheme_starts_in_july():
    # March: self-pay 30,000 - 21,000 = 9,000 -> counted, not paid (before 2013-07-01).
    # August: 20,000 - 16,000 = 4,000 -> accumulated 9,000 -> 13,000: (13,000 - 10,000) x 95%
    # = 2,850.
    result = run(
        stay("S1", "2013-03-05", "30000", "21000"), stay("S2", "2013-08-05", "20000", "16000")
    )
    march, august = result.settlements
    assert (march.status, march.total) == ("accumulate_only", D("0"))
    assert august.total == D("2850.00")
    # Without the March costs August alone stays under 10,000 and gets nothing.
    assert run(stay("S2", "2013-08-05", "20000", "16000")).settlements[0].total == D("0")


def test_year_accumulation_across_admissions():
    # self-pay 6,000 + 6,000 + 3,000 = 15,000: payments 0, (12,000-10,000) x 95% = 1,900,
    # 3,000 x 95% = 2,850; total 4,750 = (15,000 - 10,000) x 95%.
    result = run(
        stay("S1", "2013-07-10", "10000", "4000"),
        stay("S2", "2013-09-10", "10000", "4000"),
        stay("S3", "2013-11-10", "5000", "2000"),
    )
    assert [r.total for r in result.settlements] == [D("0"), D("1900.00"), D("2850.00")]
    assert result.total == D("4750.00")


def test_costs_above_the_pooled_maximum_are_not_self_pay_ratio_costs():
    # 200,000 in-policy - 150,000 pooled fund - 30,000 above the maximum = 20,000 self-pay
    # -> (20,000 - 10,000) x 95% = 9,500
    assert run(stay("S1", "2013-08-01", "200000", "150000", "30000")).total == D("9500.00")


def test_new_year_starts_again_and_dates_before_accumulation_are_outside():
    # 2012 costs are before the accumulation start: outside the plan.
    # 2014: a new calendar year, 12,000 self-pay -> 2,000 x 95% = 1,900.
    result = run(
        stay("S0", "2012-12-01", "50000", "10000"), stay("S1", "2014-02-01", "20000", "8000")
    )
    first, second = result.settlements
    assert (first.status, first.reason) == ("ineligible", "outside_plan_dates")
    assert second.total == D("1900.00")


def test_rounds_half_up_to_the_fen():
    # 10,000.01 self-pay: 0.01 x 95% = 0.0095 -> 0.01 (half up); 10,000.10: 0.095 -> 0.10
    assert run(stay("S1", "2013-08-01", "10000.01", "0")).total == D("0.01")
    assert run(stay("S1", "2013-08-01", "10000.10", "0")).total == D("0.10")
