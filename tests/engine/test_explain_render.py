"""Explanations (structured and as text) and the plain-words rendering of plans."""

import json
import re
from decimal import Decimal

from insurance.engine import compute_person, parse_plan, render_plan, step_to_dict
from insurance.engine.explain import key_text, step_text
from insurance.plans import load_shipped_plans

from .factories import SHIPPED, person, setl, shipped

D = Decimal


def ordos_burden_steps():
    # base 45,000 - 5,000 excluded = 40,000 -> deductible 20,000 used, 20,000 in the 30% band
    record = setl("S1", "2018-05-01", psn_part_amt="45000", excl_item_amt="5000")
    res = compute_person(plan=shipped("ordos-2018"), person=person(), settlements=[record])
    return res.settlements[0]


def test_steps_are_structured_data():
    res = ordos_burden_steps()
    burden = [s for s in res.steps if s.line == "burden"]
    by_code = {s.code: s.values for s in burden}
    assert by_code["base"]["base"] == D("40000.00")
    assert by_code["base"]["excluded"][0]["amount"] == D("5000")
    assert (by_code["accumulation"]["before"], by_code["accumulation"]["after"]) == (
        D("0"),
        D("40000"),
    )
    assert by_code["deductible"] == {"deductible": D("20000.00"), "used": D("20000.00")}
    assert (by_code["tier"]["amount"], by_code["tier"]["rate"], by_code["tier"]["pay"]) == (
        D("20000.00"), D("0.30"), D("6000.00"),
    )  # fmt: skip
    assert by_code["payable"]["payable"] == D("6000.00")
    # JSON-ready without floats
    text = json.dumps([step_to_dict(s) for s in res.steps], ensure_ascii=False)
    assert '"6000.00"' in text


def test_text_in_chinese_and_english():
    res = ordos_burden_steps()
    zh, en = res.text("zh"), res.text("en")
    assert "起付线 20000.00，本次计入起付线 20000.00" in zh
    assert "20000.00 以上 段：20000.00 × 30% = 6000.00" in zh
    assert "个人负担住院费用补偿：本次应付 6000.00" in zh
    assert "诊查费" in zh  # the exclusion is named
    assert "Deductible 20000.00, used by this settlement 20000.00" in en


def test_ineligible_and_override_steps_explain_why():
    record = setl("S1", "2018-05-01", psn_part_amt="45000", inscp_over_max_amt="100")
    res = compute_person(plan=shipped("ordos-2018"), person=person(cvlserv_flag=True),
                         settlements=[record]).settlements[0]  # fmt: skip
    assert "不适用（该人群不适用本责任）" in res.text()
    resident = compute_person(plan=shipped("ordos-2018"), person=person(insutype="390"),
                              settlements=[record]).settlements[0]  # fmt: skip
    assert resident.text() == "不符合待遇条件：险种不在保障范围"


def test_render_ordos_in_plain_chinese():
    text = render_plan(plan=shipped("ordos-2018"))
    assert "超过统筹基金（含大额）年度最高支付限额的政策范围内费用，按80%补偿，不设封顶线" in text
    assert "享受公务员医疗补助的人员不适用本项" in text
    assert "单次住院超过20,000元的部分" in text
    assert "血液透析、放疗、化疗一个自然年度内累计" in text
    assert "补足至70%" in text


def test_render_qingdao_cap_and_override_and_english():
    plan = shipped("qingdao-2017")
    zh = render_plan(plan=plan)
    assert "按70%补偿，每人每年最高支付200,000元" in zh
    assert "优抚对象不设起付线" in zh
    assert "设90天待遇等待期" in zh
    en = render_plan(plan=plan, lang="en")
    assert "at most CNY 200,000 per person per year" in en


def test_plain_words_override_the_generated_text():
    doc = dict(SHIPPED["huizhou-2013"], plain_words={"zh": "自定义说明", "en": "Own words"})
    plan = parse_plan(doc)
    assert render_plan(plan=plan) == "自定义说明"
    assert render_plan(plan=plan, lang="en") == "Own words"
    assert "95%" in render_plan(plan=plan, use_plain_words=False)


def test_shipped_plans_are_valid_and_cite_their_sources():
    plans = load_shipped_plans()
    assert set(plans) == {
        "ordos-2018", "huizhou-2013", "qingdao-2017", "inner-mongolia-2015", "jining-2022",
        "shaanxi-enterprise-2011",
    }  # fmt: skip
    for code, doc in plans.items():
        plan = parse_plan(doc)
        assert re.fullmatch(r"00[0-4]_[0-9a-f]{16}\.txt", plan.source_seed), code
        assert plan.source_rules and all(
            re.fullmatch(r"R-[A-Z]+-\d+", r) for r in plan.source_rules
        )
        # every line cites rules of its plan's source
        assert all(set(line.rules) <= set(plan.source_rules) for line in plan.lines), code
    examples = {code for code, doc in plans.items() if doc.get("example")}
    assert examples == {"inner-mongolia-2015", "jining-2022", "shaanxi-enterprise-2011"}


def test_compact_steps_round_trip_to_the_same_text():
    from datetime import date, datetime
    from decimal import Decimal

    from insurance.engine import (
        Enrolment,
        PersonFacts,
        Settlement,
        compute_person,
        parse_plan,
        step_from_dict,
        step_to_dict,
    )
    from insurance.plans import load_shipped_plans

    plan = parse_plan(load_shipped_plans()["ordos-2018"])
    person = PersonFacts(
        psn_no="A", insutype="310", enrolments=(Enrolment(start=date(2018, 1, 1)),)
    )
    record = Settlement(
        setl_id="S1", psn_no="A", insutype="310", setl_time=datetime(2018, 3, 1), med_type="21",
        psn_part_amt=Decimal("30000"), inscp_over_max_amt=Decimal("100"),
        excl_item_amt=Decimal("500"),
    )  # fmt: skip
    steps = compute_person(plan=plan, person=person, settlements=[record]).settlements[0].steps
    full = [step_to_dict(s) for s in steps]
    compact = [step_to_dict(s, compact=True) for s in steps]
    import json

    def size(data) -> int:
        return len(json.dumps(data, ensure_ascii=False).encode())

    assert size(compact) < size(full) * 0.6  # the labels are most of the stored bytes
    from insurance.engine import explain_text

    for lang in ("zh", "en"):
        assert explain_text(steps=[step_from_dict(d, plan=plan) for d in compact], lang=lang) == (
            explain_text(steps=steps, lang=lang)
        )


def test_steps_json_equals_the_compact_dicts():
    import json
    from datetime import date, datetime
    from decimal import Decimal

    from insurance.engine import (
        Enrolment,
        PersonFacts,
        Settlement,
        compute_person,
        parse_plan,
        step_to_dict,
        steps_json,
    )
    from insurance.plans import load_shipped_plans

    plan = parse_plan(load_shipped_plans()["ordos-2018"])
    person = PersonFacts(
        psn_no="A", insutype="310", enrolments=(Enrolment(start=date(2018, 1, 1)),)
    )
    record = Settlement(
        setl_id="S1", psn_no="A", insutype="310", setl_time=datetime(2018, 3, 1), med_type="21",
        psn_part_amt=Decimal("30000"), excl_item_amt=Decimal("500"),
    )  # fmt: skip
    steps = compute_person(plan=plan, person=person, settlements=[record]).settlements[0].steps
    assert json.loads(steps_json(steps)) == [step_to_dict(s, compact=True) for s in steps]


def test_the_running_total_is_named_in_words_not_by_its_key():
    # Ordos' burden line accumulates per admission: settlement S1 has no admission id, so its own
    res = ordos_burden_steps()
    [step] = [s for s in res.steps if s.line == "burden" and s.code == "accumulation"]
    zh, en = step_text(step=step), step_text(step=step, lang="en")
    assert "按单次住院累计（就诊 S1）" in zh
    assert "admission:" not in zh and "admission:" not in en
    assert "(admission S1)" in en


def test_key_text_of_each_scope():
    assert key_text("calendar_year:2025") == "2025年"
    assert key_text("policy_year:2025-07-01") == "自 2025-07-01 起的保单年度"
    assert key_text("admission:MD1:特药") == "就诊 MD1，特药"
    assert key_text("policy_year:2025-07-01", zh=False) == "policy year from 2025-07-01"
