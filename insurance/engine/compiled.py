"""A plan compiled for speed: reference figures resolved, getters built, overrides cached."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import attrgetter

from .accumulate import policy_year_of
from .facts import NET_OF_FUNDS_FIELDS, PersonFacts, Settlement
from .money import ZERO, quantize, to_decimal
from .plan import Line, Override, Plan
from .planparse import parse_plan
from .results import EngineError

__all__ = ["Band", "CompiledLine", "CompiledPlan", "LineParams", "compile_plan"]

Z = Decimal(0)
ONE = Decimal(1)
Band = tuple[Decimal, Decimal | None, Decimal, Decimal]  # lo, hi (None: open), rate, f(lo)


def _summer(names: tuple[str, ...]) -> Callable[[Settlement], Decimal]:
    if not names:
        return lambda record: ZERO
    if len(names) == 1:
        return attrgetter(names[0])
    getter = attrgetter(*names)
    return lambda record: sum(getter(record), ZERO)


@dataclass(frozen=True, slots=True)
class LineParams:
    """A line's figures for one group of people (after overrides)."""

    excluded: bool
    deductible: Decimal
    bands: tuple[Band, ...]
    capless: bool
    single: tuple[Decimal, Decimal] | None  # (lo, rate) when bands is one open band
    overrides: tuple[Override, ...]
    effects_zh: str
    effects_en: str


class CompiledLine:
    __slots__ = (
        "add",
        "by_category",
        "cap",
        "capped",
        "deductible_rural",
        "deductible_urban",
        "id",
        "index",
        "insutypes",
        "line",
        "med_types",
        "minus_ids",
        "names",
        "own",
        "own_field",
        "policy_start",
        "reimb_fields",
        "reimb_ids",
        "scope",
        "sub",
        "target_rate",
        "top_up",
    )

    def __init__(self, *, plan: Plan, line: Line, index: int, refs: Mapping[str, Decimal]):
        self.line = line
        self.index = index
        self.add = _summer(line.base.fields)
        excluded = tuple(e.field for e in line.base.exclude)
        self.sub = _summer(excluded) if excluded else None
        # A net-of-funds burden is counted before this scheme's own payment: added back.
        net = NET_OF_FUNDS_FIELDS.intersection(line.base.fields)
        self.own_field = plan.own_payment_field if net else ""
        self.own = attrgetter(self.own_field) if net else None
        self.id = line.id
        self.names = {x.id: (x.name, x.name_en or x.id) for x in plan.lines}
        self.minus_ids = line.base.minus_lines
        self.med_types = line.med_types or None
        self.insutypes = line.insutypes or None
        acc = line.accumulation
        pools = dict(acc.category_pools)
        self.scope = acc.scope
        # trt_category -> (scope, pool): categories that accumulate in their own pot
        self.by_category = {cat: (scope, pools.get(cat, cat)) for cat, scope in acc.by_category}
        self.policy_start = plan.policy_year_start
        self.cap = line.cap
        self.capped = line.cap is not None or plan.cap is not None
        self.top_up = line.kind == "top_up"
        self.target_rate = line.top_up.target_rate if line.top_up else Z
        self.reimb_fields = _summer(line.top_up.reimbursed_fields if line.top_up else ())
        self.reimb_ids = line.top_up.reimbursed_lines if line.top_up else ()
        self.deductible_urban = self.deductible_rural = ZERO
        d = line.deductible
        if d is not None:
            if d.amount is not None:
                self.deductible_urban = self.deductible_rural = quantize(d.amount * d.factor)
            else:
                urban = _reference(refs, d.reference or "", line.id)
                rural = _reference(refs, d.reference_rural, line.id) if d.reference_rural else urban
                self.deductible_urban = quantize(urban * d.factor)
                self.deductible_rural = quantize(rural * d.factor)

    def scope_key(self, record: Settlement) -> tuple[object, ...] | None:
        """Running-total key (line, scope, value, pool), or None for a per-settlement line."""
        scope = self.scope
        pool = ""
        category = record.trt_category
        if category and category in self.by_category:
            scope, pool = self.by_category[category]
        if scope == "admission":
            return (self.index, "admission", record.mdtrt_id or record.setl_id, pool)
        if scope == "calendar_year":
            return (self.index, "calendar_year", record.setl_time.year, pool)
        if scope == "settlement":
            return None
        start = policy_year_of(record.setl_time.date(), self.policy_start)
        return (self.index, "policy_year", start, pool)


def _reference(refs: Mapping[str, Decimal], key: str, line_id: str) -> Decimal:
    if key not in refs:
        raise EngineError(
            "reference_missing",
            f"责任 {line_id} 的起付线引用参考数据 {key}，但未提供该年度数值",
            f"line {line_id}: deductible refers to {key}, but no figure was given for the year",
        )
    value = to_decimal(refs[key])
    if value < 0:
        raise EngineError(
            "reference_negative", f"参考数据 {key} 不能为负数", f"reference {key} is negative"
        )
    return value


def _bands(line: Line, deductible: Decimal, rate_add: Decimal) -> tuple[Band, ...]:
    tiers = line.tiers
    if line.tier_basis == "absolute":
        starts = [max(t.start, deductible) for t in tiers]
    else:
        starts = [deductible + t.start for t in tiers]
    out: list[Band] = []
    cum = Z
    for i, tier in enumerate(tiers):
        lo = starts[i]
        hi = starts[i + 1] if i + 1 < len(tiers) else None
        if hi is not None and hi <= lo:
            continue  # a band swallowed by the deductible (absolute basis)
        rate = min(ONE, tier.rate + rate_add)
        out.append((lo, hi, rate, cum))
        if hi is not None:
            cum += rate * (hi - lo)
    return tuple(out)


class CompiledPlan:
    def __init__(self, plan: Plan, references: Mapping[str, Decimal] | None = None) -> None:
        refs = references or {}
        self.plan = plan
        self.lines = tuple(
            CompiledLine(plan=plan, line=line, index=i, refs=refs)
            for i, line in enumerate(plan.lines)
        )
        self.line_ids = tuple(line.id for line in plan.lines)
        # The settlement amounts the lines read: a bulk caller may load only these.
        self.amount_fields = frozenset(
            name
            for line in plan.lines
            for name in (
                *line.base.fields,
                *(e.field for e in line.base.exclude),
                *(line.top_up.reimbursed_fields if line.top_up else ()),
            )
        ) | {c.own_field for c in self.lines if c.own_field}
        self.zero_lines = dict.fromkeys(self.line_ids, ZERO)
        self.overrides = plan.overrides
        self.start = plan.accumulate_from or plan.effective_from
        self.end = plan.effective_to or date.max
        self.eligibility = plan.eligibility
        self.calendar_caps = plan.cap_year == "calendar"
        self._cvlserv_overrides = any(o.cvlserv for o in plan.overrides)
        self._cache: dict[tuple[bool, tuple[str, ...]], tuple[LineParams, ...]] = {}
        self._groups: dict[int, tuple[bool, tuple[str, ...]]] = {}  # id(params) -> its key

    def params(self, *, rural: bool, matched_ids: tuple[str, ...]) -> tuple[LineParams, ...]:
        """Line figures for a group of people; cached, so bands are built once per group."""
        key = (rural, matched_ids)
        found = self._cache.get(key)
        if found is None:
            matched = tuple(o for o in self.overrides if o.id in matched_ids)
            found = tuple(self._line_params(c, rural, matched) for c in self.lines)
            self._cache[key] = found
            self._groups[id(found)] = key
        return found

    def group_of(self, params: tuple[LineParams, ...]) -> tuple[bool, tuple[str, ...]]:
        """(rural, matched override ids) that `params` were built for (see `params`)."""
        return self._groups[id(params)]

    def fixed_params(self, person: PersonFacts | None) -> tuple[LineParams, ...] | None:
        """The person's figures if they cannot change with the day (no dated statuses)."""
        if person is None:
            return None
        cvl = self._cvlserv_overrides and person.cvlserv_flag
        if not cvl and (not person.statuses or not self.overrides):
            found = self._cache.get((person.rural, ()))
            if found is not None:
                return found
        if person.statuses and self.overrides:
            return None
        matched = tuple(o.id for o in self.overrides if o.cvlserv) if cvl else ()
        return self.params(rural=person.rural, matched_ids=matched)

    def params_on(self, *, person: PersonFacts, day: date) -> tuple[LineParams, ...]:
        """The person's figures on the day of treatment (special status held that day)."""
        statuses = person.statuses_on(day)
        matched = tuple(
            o.id for o in self.overrides
            if (o.statuses & statuses) or (o.cvlserv and person.cvlserv_flag)
        )  # fmt: skip
        return self.params(rural=person.rural, matched_ids=matched)

    def _line_params(
        self, c: CompiledLine, rural: bool, matched: tuple[Override, ...]
    ) -> LineParams:
        base = c.deductible_rural if rural else c.deductible_urban
        applying = tuple(o for o in matched if not o.lines or c.line.id in o.lines)
        # Several matching groups: each effect takes its most favourable value, so the
        # result does not depend on the order overrides are written in.
        deductible = base
        rate_add = Z
        zh: list[str] = []
        en: list[str] = []
        for o in applying:
            if o.waive_deductible:
                deductible = ZERO
                zh.append("不设起付线")
                en.append("no deductible")
            if o.deductible_factor is not None:
                deductible = min(deductible, quantize(base * o.deductible_factor))
                zh.append(f"起付线×{o.deductible_factor}")
                en.append(f"deductible × {o.deductible_factor}")
            if o.deductible_amount is not None:
                deductible = min(deductible, o.deductible_amount)
                zh.append(f"起付线降为{o.deductible_amount}")
                en.append(f"deductible lowered to {o.deductible_amount}")
            if o.rate_add:
                rate_add = max(rate_add, o.rate_add)
                zh.append(f"比例提高{o.rate_add * 100}个百分点")
                en.append(f"rate + {o.rate_add * 100} points")
            if o.no_cap:
                zh.append("不设封顶线")
                en.append("no cap")
            if o.exclude:
                zh.append("不适用本责任")
                en.append("line does not apply")
        bands = () if c.top_up else _bands(c.line, deductible, rate_add)
        single = None
        if len(bands) == 1 and bands[0][1] is None:
            single = (bands[0][0], bands[0][2])
        return LineParams(
            excluded=any(o.exclude for o in applying),
            deductible=deductible,
            bands=bands,
            single=single,
            capless=any(o.no_cap for o in applying),
            overrides=applying,
            effects_zh="；".join(zh),
            effects_en="; ".join(en),
        )


def compile_plan(
    *, plan: Plan | Mapping[str, object], references: Mapping[str, Decimal] | None = None
) -> CompiledPlan:
    """Compile once, compute many times. Raises PlanError / EngineError up front."""
    parsed = plan if isinstance(plan, Plan) else parse_plan(plan)
    return CompiledPlan(parsed, references)
