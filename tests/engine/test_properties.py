"""Property tests (hypothesis): invariants that must hold for any plan and any year."""

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from insurance.engine import Settlement, compute_person, parse_plan, split_exact

from .factories import one_line_doc, person, shipped

D = Decimal
ZERO = D("0")
ORDOS = shipped("ordos-2018")
FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def fen(low: int, high: int):
    return st.integers(low * 100, high * 100).map(lambda f: D(f).scaleb(-2))


rates = st.integers(0, 100).map(lambda p: D(p) / 100)


@st.composite
def plans(draw):
    starts = sorted(set(draw(st.lists(st.integers(1, 100_000), max_size=2))))
    tiers = [{"from": str(s), "rate": str(draw(rates))} for s in [0, *starts]]
    line = {
        "accumulation": {
            "scope": draw(
                st.sampled_from(["settlement", "admission", "calendar_year", "policy_year"])
            ),
            "by_category": draw(st.sampled_from([{}, {"dialysis": "calendar_year"}])),
        },
        "tier_basis": draw(st.sampled_from(["above_deductible", "absolute"])),
        "tiers": tiers,
    }
    deductible = draw(st.none() | fen(0, 30_000))
    if deductible is not None:
        line["deductible"] = {"amount": str(deductible)}
    cap = draw(st.none() | fen(1, 50_000))
    if cap is not None:
        line["cap"] = str(cap)
    doc = one_line_doc(**line)
    del doc["lines"][0]["rate"]
    doc["policy_year_start"] = draw(st.sampled_from(["01-01", "07-01"]))
    return parse_plan(doc)


@st.composite
def years(draw, max_size=8):
    """A person's settlements over 2019-2020: unique ids, some shared admissions."""
    n = draw(st.integers(1, max_size))
    out = []
    for i in range(n):
        out.append(Settlement(
            setl_id=f"S{i:02d}", psn_no="P1",
            setl_time=datetime(2019, 1, 1) + timedelta(hours=draw(st.integers(0, 2 * 365 * 24))),
            mdtrt_id=f"M{draw(st.integers(0, 3))}",
            med_type=draw(st.sampled_from(["21", "14", "11"])),
            insutype="310",
            psn_part_amt=draw(fen(0, 60_000)),
            oth_pay=draw(st.just(ZERO) | fen(0, 20_000)),  # this scheme's own payment (R-ORD-6)
            excl_item_amt=draw(fen(0, 2_000)),
            inscp_over_max_amt=draw(st.just(ZERO) | fen(0, 30_000)),
            ooc_cancer_drug_amt=draw(st.just(ZERO) | fen(0, 20_000)),
            trt_category=draw(st.sampled_from(["", "", "dialysis", "chemotherapy"])),
        ))  # fmt: skip
    return out


def cap_year_totals(plan, results, records):
    when = {r.setl_id: r.setl_time for r in records}
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for res in results.settlements:
        totals[when[res.setl_id].year] += res.total
    return totals


@FAST
@given(plan=plans(), records=years())
def test_payable_is_between_zero_and_the_base_and_caps_hold(plan, records):
    result = compute_person(plan=plan, person=person(), settlements=records)
    # the burden before this scheme's own payment: psn_part_amt + oth_pay (own_payment_field)
    base = {r.setl_id: r.psn_part_amt + r.oth_pay for r in records}
    for res in result.settlements:
        assert ZERO <= res.total <= base[res.setl_id]
        assert res.total == res.total.quantize(D("0.01"))
    cap = plan.lines[0].cap
    if cap is not None:
        assert all(total <= cap for total in cap_year_totals(plan, result, records).values())


@FAST
@given(plan=plans(), records=years(), which=st.integers(0, 7), extra=fen(0, 50_000))
def test_monotone_in_cost(plan, records, which, extra):
    rates = [tier.rate for tier in plan.lines[0].tiers]
    # With a rate that falls from one band to the next, more cost in a capped year can push a
    # later year's settlement of the same admission into the lower band: less in total, by
    # design (each year is capped on its own). Rates rise in every seed (R-IM-2 "逐段递增").
    assume(plan.lines[0].cap is None or rates == sorted(rates))
    before = compute_person(plan=plan, person=person(), settlements=records).total
    target = records[which % len(records)]
    target.psn_part_amt += extra
    after = compute_person(plan=plan, person=person(), settlements=records).total
    # Running payments are rounded to the fen, and an annual cap clips each year on its own: an
    # admission whose settlements fall in two cap years can move a fen of rounding from one year
    # to a year whose cap is already reached, so a fen per capped year is the most it may lose.
    years = {r.setl_time.year for r in records} if plan.lines[0].cap is not None else set()
    assert after >= before - D("0.01") * len(years)


def arrive_in_batches(plan, records, order, cuts):
    """Feed records in arrival order, a batch at a time, paying amounts and adjustments."""
    paid: dict[str, dict[str, Decimal]] = {}
    arrived: list[Settlement] = []
    arrival = [records[i] for i in order]
    bounds = sorted({0, len(arrival), *[c % (len(arrival) + 1) for c in cuts]})
    for lo, hi in pairwise(bounds):
        arrived += arrival[lo:hi]
        result = compute_person(plan=plan, person=person(), settlements=list(arrived),
                                already_paid=paid)  # fmt: skip
        for res in result.settlements:
            if res.setl_id not in paid:
                paid[res.setl_id] = dict(res.lines)
        for adj in result.adjustments:
            for line, delta in adj.lines.items():
                paid[adj.setl_id][line] = paid[adj.setl_id].get(line, ZERO) + delta
    return paid


@FAST
@given(records=years(), data=st.data())
def test_arrival_order_does_not_change_what_each_settlement_ends_with(records, data):
    order = data.draw(st.permutations(range(len(records))))
    cuts = data.draw(st.lists(st.integers(0, 20), max_size=3))
    plan = data.draw(st.sampled_from([ORDOS]) | plans())
    paid = arrive_in_batches(plan, records, order, cuts)
    at_once = compute_person(plan=plan, person=person(), settlements=records)
    for res in at_once.settlements:
        assert paid[res.setl_id] == res.lines


@FAST
@given(records=years(), which=st.integers(0, 7))
def test_a_reversal_nets_to_zero_and_leaves_the_year_as_if_never_paid(records, which):
    original = records[which % len(records)]
    back = Settlement(
        setl_id="R1", psn_no="P1", setl_time=original.setl_time + timedelta(days=3),
        refd_setl_flag=True, init_setl_id=original.setl_id,
        psn_part_amt=-original.psn_part_amt,
    )  # fmt: skip
    with_pair = compute_person(plan=ORDOS, person=person(), settlements=[*records, back])
    without = compute_person(
        plan=ORDOS, person=person(), settlements=[r for r in records if r is not original]
    )
    results = {r.setl_id: r for r in with_pair.settlements}
    assert results["R1"].lines == {k: -v for k, v in results[original.setl_id].lines.items()}
    assert with_pair.totals == without.totals


@FAST
@given(records=years(), data=st.data())
def test_the_fast_path_without_explanations_gives_the_same_amounts(records, data):
    plan = data.draw(st.sampled_from([ORDOS]) | plans())
    explained = compute_person(plan=plan, person=person(), settlements=records)
    fast = compute_person(plan=plan, person=person(), settlements=records, explain=False)
    assert [r.lines for r in fast.settlements] == [r.lines for r in explained.settlements]
    assert all(r.steps == () for r in fast.settlements)


@settings(max_examples=300, deadline=None)
@given(
    total=st.integers(-(10**9), 10**9).map(lambda f: D(f).scaleb(-2)),
    weights=st.lists(st.integers(0, 10**6), min_size=1, max_size=12).filter(any),
)
def test_split_exact_parts_sum_to_the_total_and_stay_within_a_fen(total, weights):
    parts = split_exact(total=total, weights=weights)
    assert sum(parts, ZERO) == total
    assert len(parts) == len(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = Fraction(total) * weight / sum(weights)
        assert abs(Fraction(part) - exact) < Fraction(1, 100)
        assert part.as_tuple().exponent == -2


def test_a_capped_admission_over_two_years_may_lose_a_fen_of_rounding():
    # The case hypothesis found: one admission (M1) in 2019 and 2020, a 1.00 cap a year, 35%.
    plan = parse_plan(one_line_doc(accumulation={"scope": "admission"}, rate="0.35", cap="1.00"))

    def total(cost_2019: str) -> Decimal:
        records = [
            Settlement(setl_id="A", psn_no="P1", setl_time=datetime(2019, 1, 1), mdtrt_id="M1",
                       psn_part_amt=D(cost_2019)),
            Settlement(setl_id="B", psn_no="P1", setl_time=datetime(2020, 1, 1), mdtrt_id="M1",
                       psn_part_amt=D("0.01")),
        ]  # fmt: skip
        return compute_person(plan=plan, person=person(), settlements=records).total

    # 3.18 -> f 1.11, capped 1.00; 2020 adds f(3.19) - f(3.18) = 0.01. With 3.19 the 2019 share
    # is f = 1.12 (capped 1.00) and 2020 adds f(3.20) - f(3.19) = 0.
    assert (total("3.18"), total("3.19")) == (D("1.01"), D("1.00"))
