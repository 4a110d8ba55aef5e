"""The computation: one person's settlements in treatment order, then adjustments."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from itertools import groupby
from operator import attrgetter

from .accumulate import PersonState
from .adjust import PaidMap, adjustments_for
from .compiled import Band, CompiledLine, CompiledPlan, LineParams, compile_plan
from .explain import Step, explain_base, explain_tiers, named
from .facts import PersonFacts, Settlement
from .money import ZERO, quantize
from .plan import Plan
from .results import Adjustment, EngineError, PersonResult, SettlementResult
from .trace import Trace, cap_year, take_trace

__all__ = ["compute_many", "compute_person", "explain_trace"]

Z = Decimal(0)
_ORDER = attrgetter("setl_time", "setl_id")


def _f(bands: tuple[Band, ...], amount: Decimal) -> Decimal:
    """Benefit owed on an accumulated base (unrounded)."""
    result = Z
    for lo, hi, rate, cum in bands:
        if amount <= lo:
            return result
        if hi is None or amount < hi:
            return cum + rate * (amount - lo)
        result = cum + rate * (hi - lo)
    return result


def _f1(single: tuple[Decimal, Decimal], amount: Decimal) -> Decimal:
    lo, rate = single
    return quantize(rate * (amount - lo)) if amount > lo else ZERO


def _ineligible(cp: CompiledPlan, record: Settlement, person: PersonFacts | None, day: date) -> str:
    if day < cp.start or day > cp.end:
        return "outside_plan_dates"
    if person is None:
        return "person_unknown"
    elig = cp.eligibility
    if elig.insutypes and (record.insutype or person.insutype) not in elig.insutypes:
        return "insutype"
    if elig.require_enrolment:
        for period in person.enrolments:  # inlined Enrolment.covers: this runs per settlement
            if period.start <= day and (period.end is None or day <= period.end):
                break
        else:
            return "not_enrolled"
    if (
        elig.waiting_days
        and person.waiting_until(day, elig.waiting_days, elig.waiting_from) is not None
    ):
        return "waiting_period"
    if elig.service_years and not person.retired:
        served = person.served_from(elig.service_years)
        if served is None or day < served:
            return "service"
    if record.cause and record.cause in elig.excluded_causes:
        return "excluded_cause"
    return ""


def _settle(
    cp: CompiledPlan,
    record: Settlement,
    person: PersonFacts | None,
    state: PersonState,
    fixed: tuple[LineParams, ...] | None,
    commit: bool,
    explain: bool,
    trace: bool = False,
) -> SettlementResult:
    # This is the hot path of bulk runs: explanation work sits behind `steps is not None`.
    begndate = record.begndate
    day = begndate if begndate is not None else record.setl_time.date()
    reason = _ineligible(cp, record, person, day)
    if reason:
        steps = (Step("eligibility", "", {"reason": reason}),) if explain or trace else ()
        return SettlementResult(
            record.setl_id, record.psn_no, "ineligible", dict(cp.zero_lines), ZERO, reason,
            steps=steps,
        )  # fmt: skip
    assert person is not None
    params = fixed if fixed is not None else cp.params_on(person=person, day=day)
    insutype = record.insutype or person.insutype
    taken = take_trace(cp, record, state, params, insutype) if trace else None
    result = _pay(cp, record, day, insutype, params, state, commit, explain)
    result.trace = taken
    return result


def _pay(
    cp: CompiledPlan,
    record: Settlement,
    day: date,
    insutype: str,
    params: tuple[LineParams, ...],
    state: PersonState,
    commit: bool,
    explain: bool,
) -> SettlementResult:
    """The lines of an eligible settlement, moving the person's running totals when `commit`."""
    steps: list[Step] | None = [] if explain else None
    plan = cp.plan
    accumulate_only = day < plan.effective_from
    if steps is not None and accumulate_only:
        steps.append(Step("accumulate_only", "", {
            "effective_from": plan.effective_from, "accumulate_from": plan.accumulate_from,
        }))  # fmt: skip
    year = cap_year(cp, record)
    med_type = record.med_type
    lines: dict[str, Decimal] = {}
    acc = state.accumulated
    for c, p in zip(cp.lines, params, strict=False):
        why = ""
        if c.med_types is not None and med_type not in c.med_types:
            why = "med_type"
        elif c.insutypes is not None and insutype not in c.insutypes:
            why = "insutype"
        elif p.excluded:
            why = "excluded_by_override"
        if why:
            lines[c.id] = ZERO
            if steps is not None:
                steps.append(Step("not_applicable", c.line.id, named(c, {"reason": why})))
            continue
        base = c.add(record)
        if c.own is not None:
            base += c.own(record)
        if c.sub is not None:
            base -= c.sub(record)
        if c.minus_ids:
            for j in c.minus_ids:
                base -= lines[j]
        if base <= Z:
            base = ZERO  # a refund-like or inconsistent row never makes a benefit negative
            if steps is None:
                # Nothing to add: no running total moves and every line kind pays 0 on a zero
                # base, so skip the work (most records have no over-max or drug costs).
                lines[c.id] = ZERO
                continue
        if steps is not None:
            explain_base(steps, c, record, lines, base)
            if p.overrides:
                steps.append(Step("override", c.line.id, {
                    "id": ",".join(o.id for o in p.overrides),
                    "effects_zh": p.effects_zh, "effects_en": p.effects_en,
                }))  # fmt: skip
        if c.top_up:
            target = quantize(base * c.target_rate)
            reimbursed = c.reimb_fields(record)
            for j in c.reimb_ids:
                reimbursed += lines[j]
            if reimbursed < Z:
                reimbursed = ZERO  # an inconsistent negative never creates a benefit
            raw = target - reimbursed
            if raw < Z:
                raw = ZERO
            if steps is not None:
                steps.append(Step("top_up", c.line.id, {
                    "target_rate": c.target_rate, "cost": base, "target": target,
                    "reimbursed": reimbursed, "raw": raw,
                }))  # fmt: skip
        else:
            bands = p.bands
            key = c.scope_key(record)
            if key is None:
                before = ZERO
                after = base
                raw = quantize(_f(bands, base)) if p.single is None else _f1(p.single, base)
            else:
                # The running total keeps its rounded f() so it is computed once, unless the
                # person's figures changed since (a status began): then f(before) is redone.
                prev = acc.get(key)
                if prev is None:
                    before = f_before = ZERO
                else:
                    before, f_before, prev_bands = prev
                    if prev_bands is not bands:
                        f_before = quantize(_f(bands, before))
                after = before + base
                if p.single is None:
                    f_after = quantize(_f(bands, after))
                else:  # one open band (one rate): the common case, inlined for speed
                    lo, rate = p.single
                    f_after = quantize(rate * (after - lo)) if after > lo else ZERO
                raw = f_after - f_before
                if commit:
                    acc[key] = (after, f_after, bands)
            if steps is not None:
                explain_tiers(steps, c, p, key, before, after)
        if accumulate_only:
            raw = ZERO
        if c.capped:
            raw = _apply_caps(cp, c, p, state, year, raw, commit=commit, steps=steps)
        lines[c.id] = raw
        if steps is not None:
            steps.append(Step("payable", c.line.id, named(c, {"payable": raw})))
    status = "accumulate_only" if accumulate_only else "computed"
    return SettlementResult(
        record.setl_id, record.psn_no, status, lines, sum(lines.values(), ZERO), "", False,
        () if steps is None else tuple(steps),
    )  # fmt: skip


def _apply_caps(
    cp: CompiledPlan,
    c: CompiledLine,
    p: LineParams,
    state: PersonState,
    year: int,
    raw: Decimal,
    *,
    commit: bool,
    steps: list[Step] | None,
) -> Decimal:
    if p.capless:
        return raw
    for kind, cap, table, key in (
        ("line", c.cap, state.line_paid, (c.index, year)),
        ("plan", cp.plan.cap, state.plan_paid, year),
    ):
        if cap is None:
            continue
        before = table.get(key, ZERO)  # type: ignore[call-overload]
        room = max(ZERO, cap - before)
        reached = raw >= room
        if raw > room:
            raw = room
        if commit:
            table[key] = before + raw  # type: ignore[index]
        if steps is not None:
            steps.append(Step("cap", c.line.id, {
                "kind": kind, "cap": cap, "paid_before": before, "room": room, "reached": reached,
            }))  # fmt: skip
    return raw


def compute_person(
    *,
    plan: Plan | CompiledPlan | Mapping[str, object],
    person: PersonFacts | None,
    settlements: Iterable[Settlement],
    references: Mapping[str, Decimal] | None = None,
    already_paid: PaidMap | None = None,
    explain: bool = True,
    trace: bool = False,
) -> PersonResult:
    """Compute all of one person's settlements (pass the whole year, already-paid ones too).

    Results come in treatment order (setl_time, then setl_id). `already_paid` maps setl_id to
    the line amounts paid before; for those, differences come back as `adjustments`.
    """
    cp = plan if isinstance(plan, CompiledPlan) else compile_plan(plan=plan, references=references)
    return _compute(
        cp, person, list(settlements), already_paid, explain, report_unmatched=True, trace=trace
    )


def compute_many(
    *,
    plan: Plan | CompiledPlan | Mapping[str, object],
    persons: Mapping[str, PersonFacts],
    settlements: Iterable[Settlement],
    references: Mapping[str, Decimal] | None = None,
    already_paid: PaidMap | None = None,
    explain: bool = False,
    presorted: bool = False,
    trace: bool = False,
    states: Mapping[str, PersonState] | None = None,
) -> Iterator[PersonResult]:
    """Bulk entry: group by psn_no and compute each person. With presorted=True the input must
    already be grouped by person (e.g. ORDER BY psn_no) and is streamed, not held in memory.
    With trace=True each result carries a `trace` that `explain_trace` turns into its steps.
    `states`: running totals to start from, by psn_no (a `PersonResult.state` of earlier
    settlements, all of them before these in treatment order and none a reversal)."""
    cp = plan if isinstance(plan, CompiledPlan) else compile_plan(plan=plan, references=references)
    if presorted:
        groups: Iterable[tuple[str, Iterable[Settlement]]] = groupby(
            settlements, key=attrgetter("psn_no")
        )
    else:
        grouped: dict[str, list[Settlement]] = {}
        for record in settlements:
            grouped.setdefault(record.psn_no, []).append(record)
        groups = grouped.items()
    for psn_no, records in groups:
        yield _compute(
            cp, persons.get(psn_no), list(records), already_paid, explain,
            report_unmatched=False, trace=trace,
            state=states.get(psn_no) if states is not None else None,
        )  # fmt: skip


def _compute(
    cp: CompiledPlan,
    person: PersonFacts | None,
    records: list[Settlement],
    already_paid: PaidMap | None,
    explain: bool,
    *,
    report_unmatched: bool,
    trace: bool = False,
    state: PersonState | None = None,
) -> PersonResult:
    records.sort(key=_ORDER)
    by_id = {record.setl_id: record for record in records}
    if len(by_id) != len(records):
        seen: set[str] = set()
        for record in records:
            if record.setl_id in seen:
                raise EngineError(
                    "duplicate_setl_id",
                    f"结算号 {record.setl_id} 重复出现", f"setl_id {record.setl_id} appears twice",
                )  # fmt: skip
            seen.add(record.setl_id)
    paid = already_paid or {}
    state = state if state is not None else PersonState()
    fixed = cp.fixed_params(person)
    ordered: tuple[SettlementResult, ...]
    final: PersonState | None = state
    if not [record for record in records if record.refd_setl_flag]:
        ordered = tuple(
            [_settle(cp, r, person, state, fixed, True, explain, trace) for r in records]
        )
    else:
        ordered = _with_reversals(cp, person, records, by_id, paid, state, fixed, explain, trace)
        final = None
    adjustments: tuple[Adjustment, ...] = ()
    if paid:
        for res in ordered:
            res.already_paid = res.setl_id in paid
        adjustments = adjustments_for(records, ordered, paid)
    unmatched = tuple(k for k in paid if k not in by_id) if report_unmatched else ()
    psn_no = person.psn_no if person else (records[0].psn_no if records else "")
    return PersonResult(psn_no, ordered, adjustments, unmatched, cp.line_ids, final)


def _with_reversals(
    cp: CompiledPlan,
    person: PersonFacts | None,
    records: list[Settlement],
    by_id: Mapping[str, Settlement],
    paid: PaidMap,
    state: PersonState,
    fixed: tuple[LineParams, ...] | None,
    explain: bool,
    trace: bool,
) -> tuple[SettlementResult, ...]:
    reversal_of: dict[str, str] = {}  # original setl_id -> its (first) reversal's setl_id
    for record in records:
        original = by_id.get(record.init_setl_id) if record.refd_setl_flag else None
        if original is not None and not original.refd_setl_flag:
            reversal_of.setdefault(original.setl_id, record.setl_id)
    results: dict[str, SettlementResult] = {}
    for record in records:
        if record.refd_setl_flag:
            continue
        by = reversal_of.get(record.setl_id)
        # A reversed settlement is shown as it stood but never enters the running totals, so
        # the year ends as if it had never happened.
        res = _settle(cp, record, person, state, fixed, by is None, explain, trace)
        if by is not None:
            if record.setl_id in paid:
                res.lines = dict(paid[record.setl_id])
                res.total = sum(res.lines.values(), ZERO)
            res.status = "reversed"
            if res.trace is not None:
                res.trace.reversed_by = by  # explain_trace adds the step
            if explain or (trace and res.trace is None):
                res.steps = (*res.steps, Step("reversed", "", {"by": by}))
        results[record.setl_id] = res
    for record in records:
        if record.refd_setl_flag:
            results[record.setl_id] = _reversal(cp, record, results, reversal_of, paid)
    return tuple(results[r.setl_id] for r in records)


def _reversal(
    cp: CompiledPlan,
    record: Settlement,
    results: Mapping[str, SettlementResult],
    reversal_of: Mapping[str, str],
    paid: PaidMap,
) -> SettlementResult:
    original_id = record.init_setl_id
    if reversal_of.get(original_id) == record.setl_id:
        source: Mapping[str, Decimal] | None = results[original_id].lines
    else:
        source = paid.get(original_id) if original_id not in reversal_of else None
    if source is None:
        step = Step("orphan_reversal", "", {"original": original_id})
        return SettlementResult(
            record.setl_id, record.psn_no, "orphan_reversal", dict(cp.zero_lines), ZERO,
            "orphan_reversal", steps=(step,),
        )  # fmt: skip
    lines = {k: -v for k, v in source.items()}
    total = sum(lines.values(), ZERO)
    step = Step("reversal", "", {"original": original_id, "taken_back": -total})
    return SettlementResult(record.setl_id, record.psn_no, "reversal", lines, total, steps=(step,))


def explain_trace(*, plan: CompiledPlan, record: Settlement, trace: Trace) -> SettlementResult:
    """Rebuild a settlement's explained result from its trace: the running totals and people
    group it was computed with are put back, and the same code as `explain=True` runs again.
    Compare `lines` with what was stored: a difference means the plan's reference figures
    were changed after the computation."""
    params = plan.params(rural=trace.rural, matched_ids=trace.matched)
    state = PersonState()
    for c, p in zip(plan.lines, params, strict=True):
        before = trace.accumulated.get(c.id)
        key = c.scope_key(record) if before is not None and not c.top_up else None
        if key is not None:
            state.accumulated[key] = (before, quantize(_f(p.bands, before)), p.bands)
    year = cap_year(plan, record)
    for c in plan.lines:
        if c.id in trace.line_paid:
            state.line_paid[(c.index, year)] = trace.line_paid[c.id]
    if trace.plan_paid is not None:
        state.plan_paid[year] = trace.plan_paid
    insutype = record.insutype or trace.insutype
    # A reversed settlement was computed without moving the totals, line after line too.
    commit = not trace.reversed_by
    result = _pay(plan, record, record.service_date, insutype, params, state, commit, True)
    if trace.reversed_by:
        result.status = "reversed"
        result.steps = (*result.steps, Step("reversed", "", {"by": trace.reversed_by}))
    return result
