"""Plan documents: every error found at once, located, in Chinese and English."""

import pytest

from insurance.engine import PlanError, parse_plan, validate_plan

from .factories import one_line_doc, shipped_doc


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
