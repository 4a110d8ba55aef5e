"""The year-end settlement (年度清算) as a pure function: figures in, statement lines out.

Two rules: the standard one (profit cap R-ORD-3 / R-IM-4, loss sharing R-ORD-4 / R-IM-5) and
the Huizhou payout-ratio rule (R-HZ-2 / R-HZ-3) when the contract enables it. Every figure of
the statement is a line with its label, amount and source (or how it was computed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from contracts.choices import SurplusRule
from insurance.engine.money import ZERO, quantize

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Terms:
    profit_cap: Decimal = Decimal("5.00")
    surplus_rule: str = SurplusRule.CARRY_OVER
    loss_share_insurer: Decimal = Decimal("50.00")
    payout_rule_enabled: bool = False
    payout_threshold: Decimal = Decimal("95.00")
    staff_cost_allowance: Decimal = Decimal("4.00")
    band_low: Decimal = Decimal("95.00")
    band_high: Decimal = Decimal("105.00")

    @classmethod
    def of(cls, contract) -> Terms:
        return cls(
            profit_cap=contract.profit_cap,
            surplus_rule=contract.surplus_rule,
            loss_share_insurer=contract.loss_share_insurer,
            payout_rule_enabled=contract.payout_rule_enabled,
            payout_threshold=contract.payout_threshold,
            staff_cost_allowance=contract.staff_cost_allowance,
            band_low=contract.adjustment_band_low,
            band_high=contract.adjustment_band_high,
        )


@dataclass(frozen=True)
class Line:
    code: str
    label: str
    amount: Decimal
    source: str


@dataclass
class Outcome:
    rule: str
    payout_ratio: Decimal
    to_return: Decimal = ZERO
    to_carry: Decimal = ZERO
    loss_fund_share: Decimal = ZERO
    adjustment_proposed: bool = False
    lines: list[Line] = field(default_factory=list)


def percent_of(part: Decimal, whole: Decimal) -> Decimal:
    return quantize(part * HUNDRED / whole) if whole else ZERO


def settlement_compute(
    *,
    terms: Terms,
    funding: Decimal,
    funding_source: str,
    claims_paid: Decimal,
    claims_source: str,
    interest: Decimal = ZERO,
    allowed_costs: Decimal = ZERO,
) -> Outcome:
    ratio = percent_of(claims_paid, funding)
    lines = [
        Line("funding", "筹资（保费）收入", funding, funding_source),
        Line("interest", "利息收入", interest, "经办录入"),
        Line("claims_paid", "赔付支出", claims_paid, claims_source),
        Line(
            "allowed_costs", "合规经办费用", allowed_costs, "经办录入（招标文件及协议约定的费用）"
        ),
        Line("payout_ratio", "赔付率(%)", ratio, "赔付支出 ÷ 筹资收入 × 100"),
    ]
    if terms.payout_rule_enabled:
        return _huizhou(terms, funding, claims_paid, interest, allowed_costs, ratio, lines)
    return _standard(terms, funding, claims_paid, interest, allowed_costs, ratio, lines)


def _standard(terms, funding, claims, interest, costs, ratio, lines) -> Outcome:
    out = Outcome(rule="standard", payout_ratio=ratio, lines=lines)
    income = funding + interest
    result = income - claims - costs
    cap = quantize(funding * terms.profit_cap / HUNDRED)
    lines += [
        Line("income", "收入合计", income, "筹资收入 + 利息收入"),
        Line("result", "当年结余（负数为亏损）", result, "收入合计 − 赔付支出 − 合规经办费用"),
        Line("profit_cap", "利润上限", cap, f"筹资收入 × {terms.profit_cap}%（R-ORD-3/R-IM-4）"),
    ]
    if result > cap:
        excess = result - cap
        if terms.surplus_rule == SurplusRule.RETURN_TO_FUND:
            out.to_return = excess
            lines.append(Line("to_return", "超额结余返还基金", excess, "结余 − 利润上限（R-IM-4）"))
        else:
            out.to_carry = excess
            lines.append(Line("to_carry", "超额结余结转下年", excess, "结余 − 利润上限（R-ORD-3）"))
        lines.append(Line("insurer_profit", "保险机构利润", cap, "以利润上限为限"))
    elif result < 0:
        loss = -result
        insurer = quantize(loss * terms.loss_share_insurer / HUNDRED)
        out.loss_fund_share = loss - insurer
        lines += [
            Line("loss", "亏损", loss, "−当年结余"),
            Line(
                "loss_insurer",
                "保险机构承担亏损",
                insurer,
                f"亏损 × {terms.loss_share_insurer}%（R-ORD-4/R-IM-5）",
            ),
            Line("loss_fund", "基金分担亏损", out.loss_fund_share, "亏损 − 保险机构承担部分"),
        ]
    else:
        lines.append(Line("insurer_profit", "保险机构利润", result, "结余未超过利润上限"))
    return out


def _huizhou(terms, premium, claims, interest, costs, ratio, lines) -> Outcome:
    out = Outcome(rule="huizhou", payout_ratio=ratio, lines=lines)
    if claims * HUNDRED >= terms.payout_threshold * premium:
        insurer = premium
        lines.append(
            Line(
                "insurer_gets",
                "划拨保险机构",
                insurer,
                f"赔付率 ≥ {terms.payout_threshold}%：全年保费全额划拨（R-HZ-2）",
            )
        )
    else:
        staff = quantize(claims * terms.staff_cost_allowance / HUNDRED)
        insurer = claims + staff
        out.to_return = premium - insurer
        lines += [
            Line(
                "staff_cost",
                "人员工作经费",
                staff,
                f"赔付支出 × {terms.staff_cost_allowance}%（R-HZ-2）",
            ),
            Line(
                "insurer_gets",
                "划拨保险机构",
                insurer,
                f"赔付率 < {terms.payout_threshold}%：赔付支出 + 人员工作经费（R-HZ-2）",
            ),
            Line("to_return", "返还基金", out.to_return, "保费 − 划拨保险机构"),
        ]
    spend = claims + costs
    spend_ratio = percent_of(spend, premium)
    low, high = terms.band_low, terms.band_high
    out.adjustment_proposed = bool(premium) and (
        spend * HUNDRED > high * premium or spend * HUNDRED < low * premium
    )
    lines += [
        Line("interest_note", "利息收入（留存基金，不计入保费）", interest, "经办录入"),
        Line("spend_ratio", "费用率(%)", spend_ratio, "(赔付支出 + 合规经办费用) ÷ 保费 × 100"),
        Line(
            "adjustment",
            "建议调整下年度保费(1=是,0=否)",
            Decimal(int(out.adjustment_proposed)),
            f"费用率高于 {high}% 或低于 {low}% 时可调整（R-HZ-3）",
        ),
    ]
    return out
