"""Funding formulas (筹资测算) as pure functions: Decimal in, Decimal out, every step explained.

The service (`contracts.services.funding`) gathers the facts from the database (headcount on the
snapshot date, premiums paid and refunded) and stores what comes out with its inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from insurance.choices import FundingKind, FundingSource
from insurance.engine.money import ZERO, quantize, split_exact, to_decimal, to_money
from insurance.funding import MIN_BASIC_FUNDING_PERCENT

HUNDRED = Decimal(100)


class FundingInputError(ValueError):
    """A fact the formula needs is missing (the message is Chinese, for people)."""


@dataclass
class FundingOutcome:
    total: Decimal
    parts: list[tuple[str, Decimal]]
    steps: list[str] = field(default_factory=list)

    def parts_json(self) -> list[dict]:
        return [{"source": source, "amount": str(amount)} for source, amount in self.parts]


def _need(value, label: str):
    if value is None:
        raise FundingInputError(f"缺少测算所需的数据：{label}。")
    return value


def _label(source: str) -> str:
    return str(FundingSource(source).label) if source in FundingSource.values else source


def _by_source(amounts) -> dict[str, Decimal]:
    """Amounts per funding source; a bare amount is what people paid the insurer directly."""
    if amounts is None:
        return {}
    if isinstance(amounts, Mapping):
        return {source: to_money(value) for source, value in amounts.items()}
    return {FundingSource.PERSONAL: to_money(amounts)}


def _add(parts: dict[str, Decimal], source: str, amount: Decimal) -> None:
    parts[source] = parts.get(source, ZERO) + amount


def funding_compute(
    kind: str,
    params: dict,
    *,
    headcount: int | None = None,
    headcounts: Mapping[str, int] | None = None,
    prev_basic_per_capita: Decimal | None = None,
    premiums=None,
    refunds=None,
    payroll: Decimal | None = None,
    balance: Decimal | None = None,
    payroll_source: str = "",
    balance_source: str = "",
    declared: Mapping[str, object] | None = None,
) -> FundingOutcome:
    """`headcounts` maps an insurance type to its headcount (composite per-capita items);
    `premiums`/`refunds` map a funding source to a sum (or are one sum paid directly to the
    insurer); `declared` holds the amounts a composite funding asks for at calculation."""
    if kind == FundingKind.PER_CAPITA:  # R-ORD-1, R-QD-1
        amount = to_money(params["amount"])
        n = _need(headcount, "参保人数")
        total = quantize(amount * n)
        source = params.get("source") or FundingSource.OTHER
        return FundingOutcome(total, [(source, total)], [f"{amount} 元/人 × {n} 人 = {total}"])
    if kind == FundingKind.BASIC_FUNDING_PERCENT:  # R-IM-1
        percent = to_decimal(params["percent"])
        minimum = to_decimal(params.get("min_percent", MIN_BASIC_FUNDING_PERCENT))
        if percent < max(minimum, MIN_BASIC_FUNDING_PERCENT):
            raise FundingInputError(
                f"筹资比例 {percent}% 低于上年人均基本医保筹资的最低比例 "
                f"{max(minimum, MIN_BASIC_FUNDING_PERCENT)}%（R-IM-1）"
            )
        prev = to_money(_need(prev_basic_per_capita, "上年人均基本医保筹资额"))
        n = _need(headcount, "参保人数")
        # multiplied out before the one rounding: a per-capita figure rounded down first would
        # leave the total under the floor (1,000.09 × 5% = 50.0045 a person)
        total = quantize(prev * percent / HUNDRED * n)
        return FundingOutcome(
            total,
            [(FundingSource.RESIDENT_FUND, total)],
            [f"{prev} 元/人 × {percent}% × {n} 人 = {total}（合计四舍五入到分）"],
        )
    if kind == FundingKind.FIXED_TOTAL:  # R-HZ-1
        total = to_money(params["total"])
        parts = _split(total, params["split"])
        percents = [part["percent"] for part in params["split"]]
        steps = [f"固定总保费 {total}"] + [
            f"{_label(s)}: {p}% → {a}" for (s, a), p in zip(parts, percents, strict=True)
        ]
        return FundingOutcome(total, parts, steps)
    if kind == FundingKind.VOLUNTARY_PREMIUM:  # R-JN-1
        paid = _by_source(_need(premiums, "实缴保费合计"))
        back = _by_source(refunds)
        parts: dict[str, Decimal] = {}
        steps = []
        for source in dict.fromkeys([*paid, *back]):
            net = paid.get(source, ZERO) - back.get(source, ZERO)
            parts[source] = net
            steps.append(
                f"{_label(source)}：实缴保费 {paid.get(source, ZERO)} − "
                f"退费 {back.get(source, ZERO)} = {net}"
            )
        total = sum(parts.values(), ZERO)
        return FundingOutcome(total, list(parts.items()), [*steps, f"合计 {total}"])
    if kind == FundingKind.PAYROLL_PERCENT:  # R-ENT-1
        pay = to_money(_need(payroll, "上年工资总额"))
        held = to_money(_need(balance, "基金累计结余"))
        if not payroll_source.strip() or not balance_source.strip():
            raise FundingInputError("请注明上年工资总额和基金累计结余的数据来源。")
        percent = to_decimal(params["percent"])
        stop = to_decimal(params["stop_percent"])
        ceiling = quantize(pay * stop / HUNDRED)
        sources = [
            f"上年工资总额 {pay}（来源：{payroll_source.strip()}）",
            f"基金累计结余 {held}（来源：{balance_source.strip()}）",
        ]
        if "deductible_percent" in params:
            deductible = to_decimal(params["deductible_percent"])
            sources.append(
                f"税前扣除上限 {pay} × {deductible}% = {quantize(pay * deductible / HUNDRED)}"
            )
        if held > ceiling:
            return FundingOutcome(
                ZERO,
                [(FundingSource.EMPLOYER, ZERO)],
                [
                    *sources,
                    f"累计结余 {held} 超过上年工资总额的 {stop}%（{ceiling}），本年暂停提取",
                ],
            )
        total = quantize(pay * percent / HUNDRED)
        return FundingOutcome(
            total,
            [(FundingSource.EMPLOYER, total)],
            [
                *sources,
                f"累计结余 {held} 未超过上限 {ceiling}",
                f"上年工资总额 {pay} × {percent}% = {total}",
            ],
        )
    if kind == FundingKind.COMPOSITE:  # R-QD-1
        return _composite(params["components"], headcounts or {}, declared or {})
    raise FundingInputError(f"未知的筹资方式：{kind}。")


def _split(total: Decimal, split: list[dict]) -> list[tuple[str, Decimal]]:
    sources = [part["source"] for part in split]
    amounts = split_exact(total=total, weights=[to_decimal(part["percent"]) for part in split])
    return list(zip(sources, amounts, strict=True))


def _composite(components: list[dict], headcounts: Mapping[str, int], declared) -> FundingOutcome:
    parts: dict[str, Decimal] = {}
    steps: list[str] = []
    for component in components:
        kind = component["kind"]
        label = component.get("label", "")
        if kind == "per_capita":
            amount = to_money(component["amount"])
            insutypes = component.get("insutypes") or []
            n = sum(headcounts.get(i, 0) for i in insutypes) if insutypes else headcounts.get("*")
            n = _need(n, "参保人数")
            value = quantize(amount * n)
            _add(parts, component["source"], value)
            who = "、".join(insutypes) if insutypes else "全部"
            steps.append(
                f"{label or _label(component['source'])}：{amount} 元/人 × {n} 人"
                f"（险种 {who}）= {value}"
            )
        elif kind == "fixed":
            total = to_money(component["total"])
            split = component.get("split") or [{"source": component["source"], "percent": "100"}]
            pieces = _split(total, split)
            for source, value in pieces:
                _add(parts, source, value)
            detail = "，".join(f"{_label(s)} {v}" for s, v in pieces)
            steps.append(f"{label or '固定金额'} {total}：{detail}")
        else:
            key = component["key"]
            if declared.get(key) in (None, ""):
                raise FundingInputError(f"请录入「{label or key}」的金额。")
            try:
                value = to_money(declared[key])
            except (ValueError, TypeError):
                raise FundingInputError(f"「{label or key}」的金额格式不正确。") from None
            if value < 0:
                raise FundingInputError(f"「{label or key}」不能为负数。")
            _add(parts, component["source"], value)
            steps.append(f"{label or _label(component['source'])}（录入）：{value}")
    total = sum(parts.values(), ZERO)
    steps.append(f"筹资合计 {total}")
    return FundingOutcome(total, list(parts.items()), steps)
