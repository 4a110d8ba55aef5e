"""Traces: the explanation rebuilt from a trace is the explanation the engine gave (steps and
amounts), for every shipped plan, random years, special statuses, reversals and caps."""

import json
from datetime import date, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insurance.engine import (
    Settlement,
    StatusPeriod,
    compile_plan,
    compute_person,
    explain_trace,
    parse_plan,
    trace_from_json,
    trace_json,
)

from .factories import SHIPPED, person, shipped, shipped_doc

D = Decimal
REFS = {"disposable_income_urban": D("30594"), "net_income_rural": D("12000")}
PLANS = {code: compile_plan(plan=shipped(code), references=REFS) for code in sorted(SHIPPED)}


def _capped_ordos() -> dict:
    """Ordos with a plan-wide cap and line caps: the plan cap is shared by the lines of one
    settlement, so what one line pays moves the room of the next (none of the shipped plans
    has a plan-wide cap)."""
    doc = shipped_doc("ordos-2018")
    doc["code"] = "ordos-capped"
    doc["cap"] = "3000"
    doc["cap_year"] = "policy"
    doc["policy_year_start"] = "07-01"
    for line in doc["lines"]:
        line["cap"] = "2500"
    return doc


PLANS["ordos-capped"] = compile_plan(plan=parse_plan(_capped_ordos()), references=REFS)
CHECK = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def fen(low: int, high: int):
    return st.integers(low * 100, high * 100).map(lambda f: D(f).scaleb(-2))


@st.composite
def histories(draw):
    """A person's settlements (some reversed) in a plan's years, with dated statuses."""
    code = draw(st.sampled_from(sorted(PLANS)))
    plan = PLANS[code]
    start = datetime.combine(plan.plan.effective_from, datetime.min.time()) - timedelta(days=60)
    records = []
    for i in range(draw(st.integers(1, 10))):
        records.append(Settlement(
            setl_id=f"S{i:02d}", psn_no="P1",
            setl_time=start + timedelta(hours=draw(st.integers(0, 800 * 24))),
            mdtrt_id=f"M{draw(st.integers(0, 3))}",
            med_type=draw(st.sampled_from(["21", "14", "11"])),
            insutype=draw(st.sampled_from(["310", "390", ""])),
            psn_part_amt=draw(fen(0, 400_000)),
            # the schemes' own payments, added back where a base reads psn_part_amt
            oth_pay=draw(st.just(D("0.00")) | fen(0, 50_000)),
            hifes_pay=draw(st.just(D("0.00")) | fen(0, 50_000)),
            hifmi_pay=draw(st.just(D("0.00")) | fen(0, 50_000)),
            inscp_scp_amt=draw(fen(0, 400_000)),
            excl_item_amt=draw(fen(0, 2_000)),
            inscp_over_max_amt=draw(st.just(D("0.00")) | fen(0, 300_000)),
            ooc_cancer_drug_amt=draw(st.just(D("0.00")) | fen(0, 20_000)),
            special_drug_amt=draw(st.just(D("0.00")) | fen(0, 50_000)),
            trt_category=draw(st.sampled_from(["", "", "dialysis", "chemotherapy"])),
        ))  # fmt: skip
    picks = draw(st.lists(st.integers(0, len(records) - 1), max_size=2, unique=True))
    for j, original in enumerate(records[i] for i in picks):
        records.append(Settlement(
            setl_id=f"R{j}", psn_no="P1", setl_time=original.setl_time + timedelta(days=2),
            mdtrt_id=original.mdtrt_id, med_type=original.med_type, refd_setl_flag=True,
            init_setl_id=original.setl_id, psn_part_amt=-original.psn_part_amt,
        ))  # fmt: skip
    statuses = tuple(
        StatusPeriod(status=kind, start=start.date() + timedelta(days=offset))
        for kind, offset in draw(
            st.lists(st.tuples(st.sampled_from(["dibao", "tekun", "youfu"]), st.integers(0, 700)),
                     max_size=2)
        )
    )  # fmt: skip
    who = person(
        insutype=draw(st.sampled_from(["310", "390"])),
        cvlserv_flag=draw(st.booleans()),
        rural=draw(st.booleans()),
        statuses=statuses,
        # waiting periods from basic insurance (R-QD-5) and the service condition (R-ENT-2)
        insured_since=draw(st.none() | st.just(start.date() + timedelta(days=30))),
        hire_date=draw(st.none() | st.just(start.date() - timedelta(days=200))),
        retired=draw(st.booleans()),
    )
    return plan, who, records


@CHECK
@given(case=histories())
def test_an_explanation_rebuilt_from_its_trace_is_the_engines_explanation(case):
    plan, who, records = case
    explained = compute_person(plan=plan, person=who, settlements=records)
    traced = compute_person(plan=plan, person=who, settlements=records, explain=False, trace=True)
    by_id = {r.setl_id: r for r in records}
    rebuilt_any = False
    for full, fast in zip(explained.settlements, traced.settlements, strict=True):
        assert fast.lines == full.lines and fast.status == full.status
        if fast.trace is None:  # ineligible, reversal: the short steps are kept as they are
            assert fast.steps == full.steps
            continue
        stored = trace_from_json(json.loads(trace_json(fast.trace)))
        again = explain_trace(plan=plan, record=by_id[fast.setl_id], trace=stored)
        assert again.steps == full.steps
        assert again.lines == full.lines
        rebuilt_any = True
    assert rebuilt_any or all(r.status != "computed" for r in explained.settlements)


def test_a_trace_holds_the_running_totals_before_the_settlement():
    plan = PLANS["ordos-2018"]
    common = {"psn_no": "P1", "mdtrt_id": "M1", "med_type": "21", "insutype": "310"}
    first = Settlement(setl_id="A", setl_time=datetime(2019, 3, 1, 9),
                       psn_part_amt=D("30000.00"), **common)  # fmt: skip
    second = Settlement(setl_id="B", setl_time=datetime(2019, 3, 2, 9),
                        psn_part_amt=D("5000.00"), **common)  # fmt: skip
    who = person()
    result = compute_person(plan=plan, person=who, settlements=[first, second], explain=False,
                            trace=True)  # fmt: skip
    a, b = result.settlements
    assert trace_json(a.trace) == "{}"
    assert b.trace.accumulated == {"burden": D("30000.00")}
    again = explain_trace(plan=plan, record=second, trace=b.trace)
    assert again.lines == b.lines and again.total == b.total > 0
    assert date(2019, 3, 2) == second.service_date


def test_a_reversed_settlement_is_rebuilt_as_computed_under_a_shared_plan_cap():
    # Computed without moving the totals: each line saw the plan cap's room before the others.
    plan = PLANS["ordos-capped"]
    common = {"psn_no": "P1", "mdtrt_id": "M1", "med_type": "21", "insutype": "310"}
    paid = Settlement(setl_id="A", setl_time=datetime(2019, 3, 1, 9), **common,
                      inscp_over_max_amt=D("10000.00"), psn_part_amt=D("60000.00"))  # fmt: skip
    back = Settlement(setl_id="R", setl_time=datetime(2019, 3, 5, 9), refd_setl_flag=True,
                      init_setl_id="A", **common)  # fmt: skip
    explained = compute_person(plan=plan, person=person(), settlements=[paid, back])
    traced = compute_person(plan=plan, person=person(), settlements=[paid, back], explain=False,
                            trace=True)  # fmt: skip
    original = traced.settlements[0]
    assert original.status == "reversed" and original.trace.reversed_by == "R"
    assert sum(1 for amount in original.lines.values() if amount > 0) == 2  # both lines pay
    again = explain_trace(plan=plan, record=paid, trace=original.trace)
    assert again.lines == original.lines
    assert again.steps == explained.settlements[0].steps
