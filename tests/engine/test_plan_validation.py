"""Plan documents: every error found at once, located, in Chinese and English."""

import pytest

from insurance.engine import PlanError, parse_plan, validate_plan

from .factories import SHIPPED, one_line_doc, shipped_doc


def codes(doc):
    return {(issue.path, issue.code) for issue in validate_plan(doc)}


def test_a_valid_document_has_no_issues():
    assert validate_plan(one_line_doc()) == []


def test_tier_rate_out_of_range_is_located():
    doc = one_line_doc()
    doc["lines"].append({
        "id": "second", "name": "第二", "base": {"fields": ["psn_part_amt"]},
        "tiers": [{"from": "0", "rate": "1.5"}],
    })  # fmt: skip
    (issue,) = validate_plan(doc)
    assert (issue.path, issue.code) == ("lines[1].tiers[0].rate", "range")
    assert issue.message_en == "lines[1].tiers[0].rate: must be between 0 and 1"
    assert issue.message_zh == "lines[1].tiers[0].rate：必须在 0 到 1 之间"


def test_all_errors_are_reported_together():
    doc = one_line_doc(rate=0.8, base={"fields": ["psn_part_amnt"]}, scope="x")
    doc.pop("code")
    doc["effective_to"] = "1999-01-01"
    found = codes(doc)
    assert ("code", "required") in found
    assert ("lines[0].rate", "float_number") in found  # floats never touch money
    assert ("lines[0].base.fields[0]", "unknown_amount_field") in found
    assert ("lines[0].scope", "unknown_key") in found
    assert ("effective_to", "date_order") in found


def test_references_to_later_or_unknown_lines_and_bad_overrides():
    doc = shipped_doc("ordos-2018")
    doc["lines"][0]["base"]["minus_lines"] = ["burden"]  # burden comes later
    doc["overrides"][0]["when"] = {"statuses": ["rich"]}
    doc["overrides"].append(dict(doc["overrides"][0]))
    found = codes(doc)
    assert ("lines[0].base.minus_lines[0]", "unknown_line") in found
    assert ("overrides[0].when.statuses[0]", "unknown_status") in found
    assert ("overrides[1].id", "duplicate") in found


def test_deductible_tiers_and_dates():
    doc = one_line_doc(deductible={"amount": "100", "reference": "x"})
    doc["lines"][0].pop("rate")
    doc["lines"][0]["tiers"] = [{"from": "10", "rate": "0.5"}, {"from": "5", "rate": "0.6"}]
    doc["effective_from"] = "2018-02-30"
    doc["policy_year_start"] = "02-29"
    doc["cap"] = "10.001"
    found = codes(doc)
    assert ("lines[0].deductible", "amount_or_reference") in found
    assert ("lines[0].tiers[1].from", "ascending") in found
    assert ("effective_from", "date") in found
    assert ("policy_year_start", "month_day") in found
    assert ("cap", "fen") in found


def test_rate_and_tiers_are_exclusive_and_top_up_needs_its_block():
    doc = one_line_doc(tiers=[{"from": "0", "rate": "0.1"}])
    doc["lines"].append(
        {"id": "t", "name": "补足", "kind": "top_up", "base": {"fields": ["psn_part_amt"]}}
    )
    found = codes(doc)
    assert ("lines[0]", "rate_or_tiers") in found
    assert ("lines[1].top_up", "required") in found


def test_not_an_object_and_empty_object_never_raise_key_error():
    assert codes([]) == {("", "type_object")}
    found = codes({})
    assert {("code", "required"), ("lines", "required"), ("source", "required")} <= found


def test_parse_plan_raises_with_all_issues():
    with pytest.raises(PlanError) as info:
        parse_plan(one_line_doc(rate="-0.1", id="Bad Id"))
    assert {i.code for i in info.value.issues} == {"range", "slug"}
    assert "lines[0].id" in str(info.value)


def test_every_plan_declares_where_its_own_payment_is():
    # The one source of the field reconciliation reads and the burden lines add back (R-ORD-6).
    doc = one_line_doc()
    del doc["own_payment_field"]
    assert codes(doc) == {("own_payment_field", "required")}
    doc["own_payment_field"] = "hifp_pay"  # the basic pooled fund is never this scheme's money
    assert codes(doc) == {("own_payment_field", "choice")}


def test_a_personal_quota_needs_a_cap_and_a_plan_has_one_at_most():
    doc = one_line_doc(personal_quota=True)
    assert codes(doc) == {("lines[0].personal_quota", "quota_needs_cap")}
    doc["lines"][0]["cap"] = "2000"
    doc["lines"].append({**doc["lines"][0], "id": "second"})
    assert codes(doc) == {("lines[1].personal_quota", "one_quota")}


def test_eligibility_waiting_from_and_service_years_are_checked():
    doc = one_line_doc()
    doc["eligibility"] = {"waiting_days": 90, "waiting_from": "first_claim", "service_years": -1}
    assert codes(doc) == {
        ("eligibility.waiting_from", "choice"),
        ("eligibility.service_years", "minimum"),
    }


def im2_doc(**line):
    """A plan declaring R-IM-2 with a valid critical-illness line; keywords replace line keys."""
    doc = shipped_doc("inner-mongolia-2015")
    doc["lines"][0].update(line)
    return doc


def test_r_im_2_lowest_band_at_least_half_and_rates_rising():
    # Seed 004, 三（三）: "支付比例采取分段设定，逐段递增，最低段不低于50%"
    assert codes(im2_doc()) == set()
    low = im2_doc(tiers=[{"from": "0", "rate": "0.45"}, {"from": "50000", "rate": "0.60"}])
    assert codes(low) == {("lines[0].tiers[0].rate", "lowest_band_below_half")}
    falling = im2_doc(tiers=[{"from": "0", "rate": "0.60"}, {"from": "50000", "rate": "0.55"}])
    assert codes(falling) == {("lines[0].tiers[1].rate", "rate_falls")}
    single = im2_doc(tiers=None, rate="0.49")
    del single["lines"][0]["tiers"]
    assert codes(single) == {("lines[0].rate", "lowest_band_below_half")}
    # the same figures in a plan that does not declare R-IM-2 are the city's own business
    low["source"]["rules"] = ["R-TEST-1"]
    low["lines"][0]["rules"] = []
    assert codes(low) == set()


def test_r_im_2_deductible_not_below_the_reference_except_for_poor_groups():
    # "起付线原则上不低于当地上一年度城镇居民年人均可支配收入、农村牧区居民年人均纯收入"; only
    # "城乡重点救助对象、低收入救助对象、因病致贫家庭重病患者等困难群众" may get a lower one.
    fixed = im2_doc(deductible={"amount": "10000"})
    assert ("lines[0].deductible", "deductible_below_reference") in codes(fixed)
    lowered = im2_doc(deductible={"reference": "disposable_income_urban", "factor": "0.8"})
    assert codes(lowered) == {("lines[0].deductible", "deductible_below_reference")}
    funding = im2_doc(deductible={"reference": "basic_funding_per_capita"})
    assert codes(funding) == {("lines[0].deductible", "deductible_below_reference")}
    veterans = im2_doc()
    veterans["overrides"][0]["when"] = {"statuses": ["youfu"]}  # 优抚: not a poor group
    assert codes(veterans) == {("overrides[0].when", "lower_deductible_not_poor")}
    civil = im2_doc()
    civil["overrides"][0]["when"] = {"cvlserv": True}
    assert codes(civil) == {("overrides[0].when", "lower_deductible_not_poor")}


def test_r_jn_3_refuses_waiting_periods_conditions_and_a_partial_population():
    # Seed 003, 二（二）: "投保不设置年龄、健康状况（既往症）、职业类型等限制性前提条件，
    # 不设置理赔等待期"; 三（一）: "我市职工基本医疗保险和居民基本医疗保险的参保人员...
    # 均可自主选择购买".
    doc = shipped_doc("jining-2022")
    assert codes(doc) == set()
    doc["eligibility"] = {"waiting_days": 30, "service_years": 1, "insutypes": ["310"]}
    assert codes(doc) == {
        ("eligibility.waiting_days", "waiting_not_allowed"),
        ("eligibility.service_years", "condition_not_allowed"),
        ("eligibility.insutypes", "must_cover_everyone"),
    }
    issue = next(i for i in validate_plan(doc) if i.code == "waiting_not_allowed")
    assert issue.message_zh == "eligibility.waiting_days：R-JN-3：不得设置理赔等待期"


def test_every_shipped_plan_is_valid_and_declares_its_own_payment_field():
    fields = {code: parse_plan(shipped_doc(code)).own_payment_field for code in SHIPPED}
    assert fields == {
        "ordos-2018": "oth_pay",
        "huizhou-2013": "hifmi_pay",
        "qingdao-2017": "oth_pay",
        "inner-mongolia-2015": "hifmi_pay",
        "jining-2022": "oth_pay",
        "shaanxi-enterprise-2011": "hifes_pay",
    }
