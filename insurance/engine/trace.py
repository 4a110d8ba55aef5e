"""Traces: the smallest record from which a settlement's explanation can be rebuilt exactly.

A computation's steps depend on the settlement itself, the plan and two things that only exist
while a person's year is being walked: the people group whose figures applied (special statuses
on the day) and the running totals just before this settlement. A trace keeps those two; the
full explanation is rebuilt from trace + record + plan version by `explain_trace` (compute.py),
which runs the very same code as `explain=True` did. Bulk jobs store traces (tens of bytes)
instead of steps (about a kilobyte), which is most of their time and storage.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from .accumulate import PersonState, policy_year_of
from .facts import Settlement

__all__ = ["Trace", "cap_year", "trace_from_json", "trace_json"]


@dataclass(slots=True)
class Trace:
    rural: bool = False
    matched: tuple[str, ...] = ()  # override ids of the people group whose figures applied
    accumulated: dict[str, Decimal] = field(default_factory=dict)  # line id -> running base
    line_paid: dict[str, Decimal] = field(default_factory=dict)  # line id -> paid in the year
    plan_paid: Decimal | None = None  # paid under the plan's cap in the year
    insutype: str = ""  # the person's, only when the record carried none
    reversed_by: str = ""


def cap_year(cp, record: Settlement) -> int:
    """The year the caps count in: calendar year or the policy year's start."""
    setl_time = record.setl_time
    if cp.calendar_caps:
        return setl_time.year
    return policy_year_of(setl_time.date(), cp.plan.policy_year_start)


def take_trace(cp, record: Settlement, state: PersonState, params, insutype: str) -> Trace:
    """What the state holds for this settlement's keys, before it is computed."""
    trace = Trace(*cp.group_of(params))
    if not record.insutype:
        trace.insutype = insutype
    acc = state.accumulated
    if acc:
        for c in cp.lines:
            if not c.top_up:
                key = c.scope_key(record)
                if key is not None and key in acc:
                    trace.accumulated[c.id] = acc[key][0]
    if state.line_paid or state.plan_paid:
        year = cap_year(cp, record)
        for c in cp.lines:
            paid = state.line_paid.get((c.index, year))
            if paid is not None:
                trace.line_paid[c.id] = paid
        trace.plan_paid = state.plan_paid.get(year)
    return trace


def trace_json(trace: Trace) -> str:
    """Compact JSON: only what differs from an empty state (`{}` for most first settlements)."""
    if not (
        trace.accumulated or trace.line_paid or trace.matched or trace.rural or trace.insutype
    ) and (trace.plan_paid is None and not trace.reversed_by):
        return "{}"
    out: dict[str, object] = {}
    if trace.rural:
        out["rural"] = True
    if trace.matched:
        out["groups"] = list(trace.matched)
    if trace.accumulated:
        out["acc"] = {k: str(v) for k, v in trace.accumulated.items()}
    if trace.line_paid:
        out["line_paid"] = {k: str(v) for k, v in trace.line_paid.items()}
    if trace.plan_paid is not None:
        out["plan_paid"] = str(trace.plan_paid)
    if trace.insutype:
        out["insutype"] = trace.insutype
    if trace.reversed_by:
        out["reversed_by"] = trace.reversed_by
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


def trace_from_json(data: Mapping[str, object]) -> Trace:
    def amounts(name: str) -> dict[str, Decimal]:
        return {k: Decimal(str(v)) for k, v in dict(data.get(name) or {}).items()}  # type: ignore[call-overload]

    plan_paid = data.get("plan_paid")
    return Trace(
        rural=bool(data.get("rural", False)),
        matched=tuple(data.get("groups") or ()),  # type: ignore[arg-type]
        accumulated=amounts("acc"),
        line_paid=amounts("line_paid"),
        plan_paid=None if plan_paid is None else Decimal(str(plan_paid)),
        insutype=str(data.get("insutype", "")),
        reversed_by=str(data.get("reversed_by", "")),
    )
