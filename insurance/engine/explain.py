"""Explanation steps: structured data for a UI, plus a plain Chinese (or English) text form."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from .accumulate import describe_key
from .money import ZERO, quantize

if TYPE_CHECKING:
    from .compiled import CompiledLine, LineParams
    from .facts import Settlement
    from .plan import Plan

__all__ = [
    "REASONS",
    "Step",
    "explain_text",
    "step_from_dict",
    "step_text",
    "step_to_dict",
    "steps_json",
]

_NAMED = frozenset({"base", "not_applicable", "payable"})  # steps that carry the line's name


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a computation. `code` says what kind; `values` holds its figures.

    Codes: eligibility, accumulate_only, not_applicable, base, accumulation, deductible, tier,
    top_up, override, cap, payable, reversal, reversed, orphan_reversal, unreproducible (a
    rebuilt explanation whose amounts differ from the stored ones).
    """

    code: str
    line: str  # line id, "" for the settlement as a whole
    values: Mapping[str, object]


# reason code -> (Chinese, English)
REASONS: dict[str, tuple[str, str]] = {
    "outside_plan_dates": ("就医日期不在方案有效期内", "treatment date outside the plan's dates"),
    "person_unknown": ("无此参保人信息", "no facts for this person"),
    "insutype": ("险种不在保障范围", "insurance type not covered"),
    "not_enrolled": ("就医当日未参保", "not enrolled on the day of treatment"),
    "waiting_period": ("处于待遇等待期", "in the waiting period"),
    "service": (
        "未满规定的工作年限（退休人员除外）",
        "required years of service not complete (retirees exempt)",
    ),
    "excluded_cause": ("属于除外责任（致病原因）", "excluded cause"),
    "med_type": ("医疗类别不适用本责任", "medical type not covered by this line"),
    "excluded_by_override": ("该人群不适用本责任", "this group is excluded from this line"),
}

_SCOPES = {
    "settlement": ("单次结算", "per settlement"),
    "admission": ("单次住院", "per admission"),
    "calendar_year": ("自然年度", "calendar year"),
    "policy_year": ("保单年度", "policy year"),
}


def key_text(key: str, zh: bool = True) -> str:
    """A running total's key ("calendar_year:2025", "admission:M1:pool") in words."""
    scope, _sep, rest = str(key).partition(":")
    value, _sep, pool = rest.partition(":")
    if scope == "calendar_year":
        text = f"{value}年" if zh else value
    elif scope == "policy_year":
        text = f"自 {value} 起的保单年度" if zh else f"policy year from {value}"
    elif scope == "admission":
        text = f"就诊 {value}" if zh else f"admission {value}"
    else:
        text = str(key)
    if pool:
        text += f"，{pool}" if zh else f", {pool}"
    return text


def _pct(rate: object) -> str:
    value = Decimal(str(rate)) * 100
    text = format(value.normalize(), "f")
    return f"{text}%"


def _amt(value: object) -> str:
    return "不封顶" if value is None else f"{value}"


def step_text(*, step: Step, lang: str = "zh") -> str:
    v = step.values
    zh = lang == "zh"
    name = str(v.get("line_name" if zh else "line_name_en", step.line))
    code = step.code
    if code == "eligibility":
        reason = REASONS[str(v["reason"])][0 if zh else 1]
        return f"不符合待遇条件：{reason}" if zh else f"Not eligible: {reason}"
    if code == "accumulate_only":
        if zh:
            return (
                f"就医日期早于方案施行日 {v['effective_from']}，费用自 {v['accumulate_from']} "
                "起累计：本次只计入累计，不支付"
            )
        return (
            f"Treated before the plan starts ({v['effective_from']}); costs accumulate from "
            f"{v['accumulate_from']}: counted, not paid"
        )
    if code == "not_applicable":
        reason = REASONS[str(v["reason"])][0 if zh else 1]
        return f"{name}：不适用（{reason}）" if zh else f"{name}: not applicable ({reason})"
    if code == "base":
        return _base_text(v, name, zh)
    if code == "accumulation" and v["scope"] == "settlement":
        if zh:
            return f"按单次结算计算，不跨结算累计：本次 {v['after']}"
        return f"Per settlement, nothing carried over: {v['after']}"
    if code == "accumulation":
        scope = _SCOPES[str(v["scope"])][0 if zh else 1]
        if zh:
            key = key_text(str(v["key"]))
            return f"按{scope}累计（{key}）：本次前 {v['before']}，本次后 {v['after']}"
        key = key_text(str(v["key"]), zh=False)
        return f"Accumulated {scope} ({key}): before {v['before']}, after {v['after']}"
    if code == "deductible":
        if zh:
            return f"起付线 {v['deductible']}，本次计入起付线 {v['used']}"
        return f"Deductible {v['deductible']}, used by this settlement {v['used']}"
    if code == "tier":
        if zh:
            band = f"{v['from']} 以上" if v["to"] is None else f"{v['from']}–{v['to']}"
            return f"{band} 段：{v['amount']} × {_pct(v['rate'])} = {v['pay']}"
        band = f"above {v['from']}" if v["to"] is None else f"{v['from']}–{v['to']}"
        return f"Band {band}: {v['amount']} × {_pct(v['rate'])} = {v['pay']}"
    if code == "top_up":
        if zh:
            return (
                f"补足至 {_pct(v['target_rate'])}：{v['cost']} × {_pct(v['target_rate'])} = "
                f"{v['target']}，减已报销 {v['reimbursed']}，得 {v['raw']}（不低于 0）"
            )
        return (
            f"Top-up to {_pct(v['target_rate'])}: {v['cost']} × {_pct(v['target_rate'])} = "
            f"{v['target']}, minus already reimbursed {v['reimbursed']} = {v['raw']} (not below 0)"
        )
    if code == "override":
        if zh:
            return f"特殊人群政策 {v['id']} 适用：{v['effects_zh']}"
        return f"Override {v['id']} applies: {v['effects_en']}"
    if code == "cap":
        kind = ("责任" if v["kind"] == "line" else "方案") if zh else v["kind"]
        if zh:
            state = "已达封顶" if v["reached"] else "未达封顶"
            return (
                f"{kind}年度封顶线 {_amt(v['cap'])}：此前已付 {v['paid_before']}，"
                f"本次最多 {v['room']}，{state}"
            )
        state = "cap reached" if v["reached"] else "within cap"
        return (
            f"{kind} annual cap {_amt(v['cap'])}: paid before {v['paid_before']}, "
            f"room {v['room']}, {state}"
        )
    if code == "payable":
        return f"{name}：本次应付 {v['payable']}" if zh else f"{name}: payable {v['payable']}"
    if code == "reversal":
        if zh:
            return f"冲销原结算 {v['original']}：追回原支付 {v['taken_back']}"
        return f"Reversal of {v['original']}: takes back {v['taken_back']}"
    if code == "reversed":
        if zh:
            return f"本结算已被 {v['by']} 冲销，不再计入累计"
        return f"Reversed by {v['by']}; no longer accumulates"
    if code == "unreproducible":
        if v["rebuilt"] == "-":
            if zh:
                return (
                    f"注意：计算过程无法重建（方案或参考数据已缺失），以入库金额 {v['stored']} 为准"
                )
            return (
                "Note: the computation cannot be rebuilt (its plan or reference figures are "
                f"missing); the stored amount {v['stored']} holds"
            )
        if zh:
            return (
                f"注意：重建的计算过程得出 {v['rebuilt']}，与入库金额 {v['stored']} 不一致，"
                "以入库金额为准"
            )
        return (
            f"Note: the rebuilt computation gives {v['rebuilt']}, not the stored "
            f"{v['stored']}; the stored amount holds"
        )
    if code == "orphan_reversal":
        if zh:
            return f"冲销记录找不到原结算 {v['original']}，不支付"
        return f"Reversal whose original {v['original']} is unknown: nothing paid"
    return f"{code}: {dict(v)}"


def _base_text(v: Mapping[str, object], name: str, zh: bool) -> str:
    from .render import FIELD_LABELS

    def label(field: str) -> str:
        return FIELD_LABELS.get(field, (field, field))[0 if zh else 1]

    fields = dict(v["fields"])  # type: ignore[call-overload]
    parts = " + ".join(f"{label(k)} {a}" for k, a in fields.items())
    own = v.get("own_payment")
    if own:  # the burden before this scheme's own payment (R-ORD-6)
        if zh:
            parts += f" + 本方案在结算中已付（{label(own['field'])}） {own['amount']}"
        else:
            parts += f" + paid by this scheme at settlement ({label(own['field'])}) {own['amount']}"
    for item in v["excluded"]:  # type: ignore[attr-defined]
        text = (item["label_zh"] if zh else item["label_en"]) or label(item["field"])
        parts += f" − {text} {item['amount']}"
    for item in v["minus_lines"]:  # type: ignore[attr-defined]
        if zh:
            parts += f" − {item['name_zh']}已付 {item['amount']}"
        else:
            parts += f" − paid by {item['name_en']} {item['amount']}"
    if zh:
        return f"{name}：计算基数 = {parts} = {v['base']}（不低于 0）"
    return f"{name}: base = {parts} = {v['base']} (not below 0)"


def explain_text(*, steps: Iterable[Step], lang: str = "zh") -> str:
    return "\n".join(step_text(step=step, lang=lang) for step in steps)


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def step_to_dict(step: Step, *, compact: bool = False) -> dict[str, object]:
    """JSON-ready form (Decimal as text, so no float ever appears).

    `compact` leaves out the labels the plan itself holds (line names, exclusion labels), which
    are most of the bytes; `step_from_dict(data, plan=...)` puts them back for display.
    """
    values = _plain(step.values)
    if compact:
        values.pop("line_name", None)
        values.pop("line_name_en", None)
        for item in values.get("excluded", ()):
            item.pop("label_zh", None)
            item.pop("label_en", None)
        for item in values.get("minus_lines", ()):
            item.pop("name_zh", None)
            item.pop("name_en", None)
    return {"code": step.code, "line": step.line, "values": values}


_LABEL_KEYS = frozenset({"line_name", "line_name_en"})


def _without(items, keys: tuple[str, str]) -> list:
    return [{k: v for k, v in item.items() if k not in keys} for item in items]


def steps_json(steps: Iterable[Step]) -> str:
    """The compact form of `step_to_dict(compact=True)` for a list of steps, as JSON text,
    made in one pass (the bulk path writes a million of these)."""
    out = []
    for step in steps:
        values = step.values
        if _LABEL_KEYS & values.keys() or "excluded" in values or "minus_lines" in values:
            values = {k: v for k, v in values.items() if k not in _LABEL_KEYS}
            if "excluded" in values:
                values["excluded"] = _without(values["excluded"], ("label_zh", "label_en"))
            if "minus_lines" in values:
                values["minus_lines"] = _without(values["minus_lines"], ("name_zh", "name_en"))
        out.append({"code": step.code, "line": step.line, "values": values})
    return json.dumps(out, ensure_ascii=False, default=str, separators=(",", ":"))


def step_from_dict(data: Mapping[str, object], *, plan: Plan | None = None) -> Step:
    """A stored step, with the labels a compact one left out restored from its plan."""
    values = dict(data.get("values") or {})  # type: ignore[arg-type]
    line_id = str(data.get("line", ""))
    lines = {line.id: line for line in plan.lines} if plan is not None else {}
    line = lines.get(line_id)
    if line is not None and values.get("line_name") is None and data.get("code") in _NAMED:
        values["line_name"] = line.name
        values["line_name_en"] = line.name_en or line.id
    if line is not None and "excluded" in values:
        labels = {e.field: e for e in line.base.exclude}
        values["excluded"] = [
            {"label_zh": getattr(labels.get(i.get("field")), "label_zh", ""),
             "label_en": getattr(labels.get(i.get("field")), "label_en", ""), **i}
            for i in values["excluded"]  # type: ignore[union-attr]
        ]  # fmt: skip
    if "minus_lines" in values:
        values["minus_lines"] = [
            {"name_zh": getattr(lines.get(i.get("line")), "name", i.get("line")),
             "name_en": getattr(lines.get(i.get("line")), "name_en", i.get("line")), **i}
            for i in values["minus_lines"]  # type: ignore[union-attr]
        ]  # fmt: skip
    return Step(str(data.get("code", "")), line_id, values)


# Builders used by the computation (only when an explanation is asked for).


def named(c: CompiledLine, values: dict[str, object]) -> dict[str, object]:
    values["line_name"] = c.line.name
    values["line_name_en"] = c.line.name_en or c.line.id
    return values


def explain_base(
    steps: list[Step], c: CompiledLine, record: Settlement, lines: dict[str, Decimal], base: Decimal
) -> None:
    spec = c.line.base
    own = {"field": c.own_field, "amount": getattr(record, c.own_field)} if c.own_field else None
    steps.append(Step("base", c.line.id, named(c, {
        "fields": {name: getattr(record, name) for name in spec.fields},
        **({"own_payment": own} if own else {}),
        "excluded": [
            {"field": e.field, "label_zh": e.label_zh, "label_en": e.label_en,
             "amount": getattr(record, e.field)}
            for e in spec.exclude
        ],
        "minus_lines": [
            {"line": name, "name_zh": c.names[name][0], "name_en": c.names[name][1],
             "amount": lines[name]}
            for name in spec.minus_lines
        ],
        "base": base,
    })))  # fmt: skip


def explain_tiers(
    steps: list[Step],
    c: CompiledLine,
    p: LineParams,
    key: tuple[object, ...] | None,
    before: Decimal,
    after: Decimal,
) -> None:
    scope = key[1] if key is not None else "settlement"
    steps.append(Step("accumulation", c.line.id, {
        "scope": scope, "key": describe_key(key), "before": before, "after": after,
    }))  # fmt: skip
    if p.deductible:
        used = max(ZERO, min(after, p.deductible) - min(before, p.deductible))
        steps.append(Step("deductible", c.line.id, {"deductible": p.deductible, "used": used}))
    for lo, hi, rate, _cum in p.bands:
        top = after if hi is None else min(after, hi)
        amount = top - max(before, lo)
        if amount > ZERO:
            steps.append(Step("tier", c.line.id, {
                "from": lo, "to": hi, "rate": rate, "amount": amount,
                "pay": quantize(rate * amount),
            }))  # fmt: skip
