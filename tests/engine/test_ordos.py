"""Worked examples for Ordos 2018 (seed 000; R-ORD-5/6/7). Figures by hand in the comments."""

from decimal import Decimal

from insurance.engine import compute_person, parse_plan, render_plan

from .factories import person, setl, shipped, shipped_doc

D = Decimal
PLAN = shipped("ordos-2018")


def run(*settlements, who=None):
    return compute_person(plan=PLAN, person=who or person(), settlements=list(settlements))


def test_one_admission_all_three_lines():
    # over-max  (R-ORD-5): 80% x 20,000                                  = 16,000.00
    # drug      (R-ORD-7): 70% x 10,000 - 0 already reimbursed           =  7,000.00
    # burden    (R-ORD-6): base 60,000 - 5,000 excluded - 16,000 - 7,000 = 32,000
    #                      (32,000 - 20,000) x 30%                        =  3,600.00
    record = setl(
        "S1", "2018-05-01", psn_part_amt="60000", excl_item_amt="5000",
        inscp_over_max_amt="20000", ooc_cancer_drug_amt="10000",
    )  # fmt: skip
    res = run(record).settlements[0]
    assert res.lines == {"over-max": D("16000.00"), "cancer-drug": D("7000.00"),
                         "burden": D("3600.00")}  # fmt: skip
    assert res.total == D("26600.00")


def test_burden_accumulates_per_admission_not_per_settlement():
    # Two interim settlements of one stay (M1): 15,000 + 15,000 = 30,000 -> second pays
    # (30,000 - 20,000) x 30% = 3,000. A separate stay (M2) of 15,000 starts again from 0 -> 0.
    s1 = setl("S1", "2018-03-01", mdtrt_id="M1", psn_part_amt="15000")
    s2 = setl("S2", "2018-03-20", mdtrt_id="M1", psn_part_amt="15000")
    s3 = setl("S3", "2018-06-01", mdtrt_id="M2", psn_part_amt="15000")
    result = run(s1, s2, s3)
    assert [r.lines["burden"] for r in result.settlements] == [D("0.00"), D("3000.00"), D("0")]


def test_chemo_and_radiotherapy_accumulate_over_the_calendar_year():
    # Three chemotherapy stays of 9,000 each (different mdtrt_id): 9,000 / 18,000 / 27,000
    # accumulated -> 0, 0, (27,000 - 20,000) x 30% = 2,100. Radiotherapy shares the pool
    # (放化疗), so a radiotherapy stay of 1,000 after them pays 1,000 x 30% = 300.
    # Dialysis has its own pool: 9,000 -> 0. A normal stay of 9,000 is per admission -> 0.
    records = [
        setl("C1", "2018-02-01", trt_category="chemotherapy", psn_part_amt="9000"),
        setl("C2", "2018-04-01", trt_category="chemotherapy", psn_part_amt="9000"),
        setl("C3", "2018-06-01", trt_category="chemotherapy", psn_part_amt="9000"),
        setl("R1", "2018-07-01", trt_category="radiotherapy", psn_part_amt="1000"),
        setl("D1", "2018-08-01", trt_category="dialysis", psn_part_amt="9000"),
        setl("N1", "2018-09-01", psn_part_amt="9000"),
    ]
    paid = [r.lines["burden"] for r in run(*records).settlements]
    assert paid == [D("0"), D("0"), D("2100.00"), D("300.00"), D("0"), D("0")]


def test_calendar_year_accumulation_restarts_in_a_new_year():
    # chemo 15,000 in Dec 2018 and 15,000 in Jan 2019: different calendar years -> both 0.
    # (A same-year pair would reach 30,000 and pay 3,000.)
    a = setl("C1", "2018-12-10", trt_category="chemotherapy", psn_part_amt="15000")
    b = setl("C2", "2019-01-10", trt_category="chemotherapy", psn_part_amt="15000")
    assert [r.lines["burden"] for r in run(a, b).settlements] == [D("0"), D("0")]


def test_civil_servant_subsidy_recipients_keep_their_old_rules_for_over_max():
    # cvlserv person: over-max does not apply (0), so the burden base keeps the 10,000:
    # 50,000 -> (50,000 - 20,000) x 30% = 9,000.
    # Everyone else: over-max 8,000; burden base 50,000 - 8,000 = 42,000 -> 22,000 x 30% = 6,600.
    record = setl("S1", "2018-05-01", psn_part_amt="50000", inscp_over_max_amt="10000")
    civil = run(record, who=person(cvlserv_flag=True)).settlements[0]
    other = run(record).settlements[0]
    assert (civil.lines["over-max"], civil.lines["burden"]) == (D("0"), D("9000.00"))
    assert (other.lines["over-max"], other.lines["burden"]) == (D("8000.00"), D("6600.00"))


def test_cancer_drug_top_up_never_below_zero():
    # 70% x 10,000 = 7,000; already reimbursed 2,500 -> 4,500; reimbursed 8,000 -> 0, not -1,000
    a = setl("S1", "2018-05-01", med_type="11", ooc_cancer_drug_amt="10000",
             ooc_cancer_drug_reimbursed="2500")  # fmt: skip
    b = setl("S2", "2018-05-02", med_type="11", ooc_cancer_drug_amt="10000",
             ooc_cancer_drug_reimbursed="8000")  # fmt: skip
    lines = [r.lines for r in run(a, b).settlements]
    assert [x["cancer-drug"] for x in lines] == [D("4500.00"), D("0")]
    # general outpatient (11): the inpatient lines do not apply
    assert lines[0]["burden"] == lines[0]["over-max"] == D("0")


def test_residents_are_not_covered_by_the_employee_scheme():
    record = setl("S1", "2018-05-01", psn_part_amt="90000")
    res = run(record, who=person(insutype="390")).settlements[0]
    assert (res.status, res.reason, res.total) == ("ineligible", "insutype", D("0"))


def test_the_burden_is_counted_before_this_schemes_own_payment():
    # R-ORD-6 pays on "个人承担的...医疗费用": the patient's burden BEFORE this scheme pays. In
    # one-stop settlement psn_part_amt is already net of the insurer's payment (oth_pay, the
    # plan's own_payment_field). A stay of 50,000 burden on which the insurer paid 9,000 at the
    # hospital arrives as psn_part_amt 41,000 + oth_pay 9,000:
    #   burden = 41,000 + 9,000 = 50,000 -> (50,000 - 20,000) x 30% = 9,000.00
    #   (read net, it would be (41,000 - 20,000) x 30% = 6,300.00)
    record = setl("S1", "2018-05-01", psn_part_amt="41000", oth_pay="9000")
    res = run(record).settlements[0]
    assert res.lines["burden"] == D("9000.00")
    base = next(s for s in res.steps if s.code == "base" and s.line == "burden")
    assert base.values["own_payment"] == {"field": "oth_pay", "amount": D("9000")}
    assert base.values["base"] == D("50000")
    assert "个人负担费用 41000 + 本方案在结算中已付（其他支付） 9000 −" in res.text("zh")
    assert "= 50000.00（不低于 0）" in res.text("zh")
    assert "paid by this scheme at settlement (other payments) 9000" in res.text("en")


def test_the_own_payment_is_added_back_before_the_earlier_lines_are_deducted():
    # A stay with a 60,000 burden before the scheme pays, 5,000 of it excluded items and 20,000
    # above the pooled maximum. What the scheme owes (and paid at the hospital, oth_pay):
    #   over-max: 20,000 x 80%                                   = 16,000.00
    #   burden:   60,000 - 5,000 - 16,000 = 39,000 -> 19,000 x 30% =  5,700.00
    #   oth_pay = 21,700; psn_part_amt = 60,000 - 21,700          = 38,300
    # The burden base read back: 38,300 + 21,700 - 5,000 - 16,000 = 39,000.
    record = setl("S1", "2018-05-01", psn_part_amt="38300", oth_pay="21700",
                  excl_item_amt="5000", inscp_over_max_amt="20000")  # fmt: skip
    res = run(record).settlements[0]
    assert res.lines == {"over-max": D("16000.00"), "cancer-drug": D("0"), "burden": D("5700.00")}
    assert res.total == D("21700.00")  # what the insurer paid at the hospital: reconciled


def test_the_plain_words_say_the_burden_is_before_the_schemes_payment():
    zh = render_plan(plan=PLAN, lang="zh")
    assert "个人负担费用（本方案支付前）" in zh
    assert "before this scheme's own payment" in render_plan(plan=PLAN, lang="en")


def test_the_own_payment_field_is_the_plans_declaration():
    # The same record under a plan declaring hifes_pay: oth_pay is someone else's money now.
    doc = shipped_doc("ordos-2018")
    doc["own_payment_field"] = "hifes_pay"
    record = setl("S1", "2018-05-01", psn_part_amt="41000", oth_pay="9000", hifes_pay="3000")
    res = compute_person(plan=parse_plan(doc), person=person(), settlements=[record])
    # 41,000 + 3,000 = 44,000 -> (44,000 - 20,000) x 30% = 7,200.00
    assert res.settlements[0].lines["burden"] == D("7200.00")
