"""Worked examples for the company scheme (seed 001, 企业补充医疗保险实施方案; R-ENT-2/3).

The figures of the shipped plan are examples (the report sheet, 附件1, is not in the seed):
co-payment top-up to 90%, critical illness 50% above 20,000 a year, outpatient quota 2,000.
"""

from datetime import date
from decimal import Decimal

from insurance.engine import compute_person, render_plan

from .factories import person, setl, shipped

D = Decimal
PLAN = shipped("shaanxi-enterprise-2011")


def run(*settlements, who):
    return compute_person(plan=PLAN, person=who, settlements=list(settlements))


def visit(setl_id: str, when: str):
    # outpatient, in-policy 1,000 of which the pooled fund paid 700: top-up 90% -> 200
    return setl(setl_id, when, med_type="11", inscp_scp_amt="1000", hifp_pay="700")


# 第三条: "(一) 与公司签订劳动合同，并参加了职工基本医疗保险的，在高速集团内部工作时间满一年的
# 企业职工；(二) 退休、退职职工。" The year of service is the labour contract's, counted
# from the hire date, and retirees need none -- not a waiting period from the first enrolment.


def test_cover_starts_once_a_year_of_service_is_complete():
    # hired 2011-09-01: a year of service is complete on 2012-09-01
    hired = person(hire_date=date(2011, 9, 1))
    before, after = run(visit("S1", "2012-08-31"), visit("S2", "2012-09-01"), who=hired).settlements
    assert (before.status, before.reason, before.total) == ("ineligible", "service", D("0"))
    assert after.lines["co-pay-top-up"] == D("200.00")  # 1,000 x 90% - 700


def test_staff_hired_long_ago_are_covered_from_the_first_enrolment():
    # The scheme starts 2011-06-02; hired 2003: covered on day one. (Read as a 365-day waiting
    # period from the first enrolment, as before, this visit would have waited until 2012.)
    veteran = person(hire_date=date(2003, 4, 1), first_enrol=True)
    res = run(visit("S1", "2011-07-01"), who=veteran).settlements[0]
    assert res.lines["co-pay-top-up"] == D("200.00")


def test_retirees_need_no_service_and_an_unknown_hire_date_is_not_a_year_of_service():
    retiree = person(retired=True)  # no hire date registered: none needed
    assert run(visit("S1", "2011-07-01"), who=retiree).settlements[0].total == D("200.00")
    unknown = person()
    res = run(visit("S1", "2015-07-01"), who=unknown).settlements[0]
    assert (res.reason, res.total) == ("service", D("0"))


def test_a_hire_date_of_29_february_completes_its_year_on_28_february():
    leap = person(hire_date=date(2012, 2, 29))
    waiting, covered = run(
        visit("S1", "2013-02-27"), visit("S2", "2013-02-28"), who=leap
    ).settlements
    assert (waiting.reason, covered.total) == ("service", D("200.00"))


def test_the_critical_illness_burden_is_counted_before_the_schemes_own_payment():
    # An admission of 150,000: 100,000 in-policy (pooled fund 60,000), 50,000 out of catalogue.
    # Burden before the company scheme pays: 150,000 - 60,000 = 90,000.
    #   top-up: 100,000 x 90% - 60,000                 = 30,000.00
    #   critical illness: 90,000 - 30,000 = 60,000 -> (60,000 - 20,000) x 50% = 20,000.00
    # The scheme paid 50,000 at the hospital (hifes_pay, the plan's own_payment_field), so the
    # record says psn_part_amt = 90,000 - 50,000 = 40,000 and is read back as 40,000 + 50,000.
    stay = setl("S1", "2012-05-01", medfee_sumamt="150000", inscp_scp_amt="100000",
                hifp_pay="60000", hifes_pay="50000", psn_part_amt="40000")  # fmt: skip
    res = run(stay, who=person(retired=True)).settlements[0]
    assert res.lines == {
        "co-pay-top-up": D("30000.00"),
        "critical-illness": D("20000.00"),
        "quota": D("0"),  # outpatient (11) only
    }


def test_the_quota_line_is_marked_and_said_in_plain_words():
    assert PLAN.quota_line is not None and PLAN.quota_line.id == "quota"
    assert PLAN.quota_line.cap == D("2000")
    zh = render_plan(plan=PLAN, lang="zh")
    assert "离职时未使用的余额转入公共账户" in zh
    assert "须在本单位工作满1年（退休、退职人员除外）" in zh
