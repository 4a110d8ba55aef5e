"""Worked examples for Huizhou 2013 (seed 002; R-HZ-4 95% above 10,000 a year, R-HZ-5)."""

from decimal import Decimal

from insurance.engine import compute_person, parse_plan

from .factories import person, setl, shipped, shipped_doc

D = Decimal
PLAN = shipped("huizhou-2013")


def stay(setl_id, when, inscp, hifp, over_max="0"):
    return setl(setl_id, when, inscp_scp_amt=inscp, hifp_pay=hifp, inscp_over_max_amt=over_max)


def run(*settlements):
    return compute_person(plan=PLAN, person=person(), settlements=list(settlements))


def test_admissions_from_january_are_paid_retroactively_though_the_scheme_starts_in_july():
    # Seed 002, 六: "本方案自2013年7月1日施行，大病保险待遇从2013年1月1日起累计计算", and
    # 一（一）: "年度内...总额超过1万元以上的费用由大病保险再支付95%": the benefit year is 2013
    # from 1 January, so a March admission is paid, not only counted (R-HZ-5).
    # March: self-pay 30,000 - 16,000 = 14,000 -> (14,000 - 10,000) x 95% = 3,800.00
    # August: 20,000 - 16,000 = 4,000 more -> 4,000 x 95% = 3,800.00
    # year: (18,000 - 10,000) x 95% = 7,600.00
    result = run(
        stay("S1", "2013-03-05", "30000", "16000"), stay("S2", "2013-08-05", "20000", "16000")
    )
    march, august = result.settlements
    assert (march.status, march.total) == ("computed", D("3800.00"))
    assert august.total == D("3800.00")
    assert result.total == D("7600.00")


def test_counted_not_paid_stays_an_option_of_the_plan_format():
    # A city that wants January-June costs counted towards the threshold but not paid writes
    # effective_from 2013-07-01 and accumulate_from 2013-01-01.
    # March: 14,000 self-pay -> counted, not paid. August: 4,000 more -> accumulated 18,000:
    # f(18,000) - f(14,000) = 7,600 - 3,800 = 3,800.00 (the part above 10,000 is all August's).
    doc = shipped_doc("huizhou-2013")
    doc["effective_from"], doc["accumulate_from"] = "2013-07-01", "2013-01-01"
    result = compute_person(
        plan=parse_plan(doc),
        person=person(),
        settlements=[
            stay("S1", "2013-03-05", "30000", "16000"),
            stay("S2", "2013-08-05", "20000", "16000"),
        ],
    )
    march, august = result.settlements
    assert (march.status, march.total) == ("accumulate_only", D("0"))
    assert august.total == D("3800.00")
    # Without the March costs August alone (4,000) stays under 10,000 and gets nothing.
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
    # 2012 costs are before the benefit year 2013: outside the plan.
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
