"""Funding formulas (筹资测算) as pure functions: Decimal in, Decimal out, every step explained.

The service (`contracts.services.funding`) gathers the facts from the database (headcount on the
snapshot date, premiums paid and refunded) and stores what comes out with its inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from insurance.choices import FundingKind, FundingSource
from insurance.engine.money import ZERO, quantize, split_exact, to_decimal, to_money

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


def funding_compute(
    kind: str,
    params: dict,
    *,
    headcount: int | None = None,
    prev_basic_per_capita: Decimal | None = None,
    premiums: Decimal | None = None,
    refunds: Decimal | None = None,
    payroll: Decimal | None = None,
    balance: Decimal | None = None,
) -> FundingOutcome:
    if kind == FundingKind.PER_CAPITA:  # R-ORD-1, R-QD-1
        amount = to_money(params["amount"])
        n = _need(headcount, "参保人数")
        total = quantize(amount * n)
        source = params.get("source") or FundingSource.OTHER
        return FundingOutcome(total, [(source, total)], [f"{amount} 元/人 × {n} 人 = {total}"])
    if kind == FundingKind.BASIC_FUNDING_PERCENT:  # R-IM-1
        percent = to_decimal(params["percent"])
        prev = to_money(_need(prev_basic_per_capita, "上年人均基本医保筹资额"))
        n = _need(headcount, "参保人数")
        per_capita = quantize(prev * percent / HUNDRED)
        total = quantize(per_capita * n)
        return FundingOutcome(
            total,
            [(FundingSource.RESIDENT_FUND, total)],
            [
                f"人均筹资 = {prev} × {percent}% = {per_capita}（四舍五入到分）",
                f"{per_capita} 元/人 × {n} 人 = {total}",
            ],
        )
    if kind == FundingKind.FIXED_TOTAL:  # R-HZ-1
        total = to_money(params["total"])
        sources = [part["source"] for part in params["split"]]
        weights = [to_decimal(part["percent"]) for part in params["split"]]
        amounts = split_exact(total=total, weights=weights)
        steps = [f"固定总保费 {total}"] + [
            f"{s}: {w}% → {a}" for s, w, a in zip(sources, weights, amounts, strict=True)
        ]
        return FundingOutcome(total, list(zip(sources, amounts, strict=True)), steps)
    if kind == FundingKind.VOLUNTARY_PREMIUM:  # R-JN-1
        paid = to_money(_need(premiums, "实缴保费合计"))
        back = to_money(refunds or ZERO)
        total = paid - back
        return FundingOutcome(
            total,
            [(FundingSource.PERSONAL, total)],
            [f"实缴保费 {paid} − 退费 {back} = {total}"],
        )
    if kind == FundingKind.PAYROLL_PERCENT:  # R-ENT-1
        pay = to_money(_need(payroll, "上年工资总额"))
        held = to_money(_need(balance, "基金累计结余"))
        percent = to_decimal(params["percent"])
        stop = to_decimal(params["stop_percent"])
        ceiling = quantize(pay * stop / HUNDRED)
        if held > ceiling:
            return FundingOutcome(
                ZERO,
                [(FundingSource.EMPLOYER, ZERO)],
                [f"累计结余 {held} 超过上年工资总额的 {stop}%（{ceiling}），本年暂停提取"],
            )
        total = quantize(pay * percent / HUNDRED)
        return FundingOutcome(
            total,
            [(FundingSource.EMPLOYER, total)],
            [
                f"累计结余 {held} 未超过上限 {ceiling}",
                f"上年工资总额 {pay} × {percent}% = {total}",
            ],
        )
    raise FundingInputError(f"未知的筹资方式：{kind}。")
