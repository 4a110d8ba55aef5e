"""The year-end settlement (年度清算) as a pure function: figures in, statement lines out.

Three rules, chosen per contract (`Contract.settlement_rule`, docs/funds.md):
- profit_cap (R-ORD-3/4, R-IM-4/5): the insurer keeps at most `profit_cap`% of the year's funds;
  the excess is carried over into next year's funds or returned to the basic fund; a loss is
  shared by the contract's ratio (all losses, or only those the bureau marks as caused by
  policy changes). The result is what the insurer actually received (transfers paid, reserve
  released, premiums it collected, last year's carried surplus) less claims and costs: a reserve
  the bureau held back is never counted as the insurer's, so the settlement never asks back
  money the insurer did not get, and the fund never shares a loss that the withheld reserve
  alone made.
- payout_ratio (R-HZ-2/3): at a payout ratio of 95% or more the insurer is entitled to the whole
  premium, below it to the claims plus 4% of them; what it received beyond that returns.
- self_funded (R-JN, 自负盈亏): the insurer keeps its result, profit or loss; the platform fee
  (at most 5% of premium income, R-JN-2) is computed and shown.

Every figure of the statement is a line with its label, amount and source (or how it was
computed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from contracts.choices import LossSharing, PlatformFeeKind, SettlementRule, SurplusRule
from insurance.engine.money import ZERO, quantize

HUNDRED = Decimal(100)
PLATFORM_FEE_MAX = Decimal(5)  # R-JN-2: at most 5% of premium income


@dataclass(frozen=True)
class Terms:
    rule: str = SettlementRule.PROFIT_CAP
    profit_cap: Decimal = Decimal("5.00")
    surplus_rule: str = SurplusRule.CARRY_OVER
    loss_sharing: str = LossSharing.ALL
    loss_share_insurer: Decimal = Decimal("50.00")
    payout_threshold: Decimal = Decimal("95.00")
    staff_cost_allowance: Decimal = Decimal("4.00")
    band_low: Decimal = Decimal("95.00")
    band_high: Decimal = Decimal("105.00")
    platform_fee_kind: str = PlatformFeeKind.NONE
    platform_fee_rate: Decimal | None = None
    platform_fee_amount: Decimal | None = None

    @classmethod
    def of(cls, contract) -> Terms:
        return cls(
            rule=contract.settlement_rule,
            profit_cap=contract.profit_cap,
            surplus_rule=contract.surplus_rule,
            loss_sharing=contract.loss_sharing,
            loss_share_insurer=contract.loss_share_insurer,
            payout_threshold=contract.payout_threshold,
            staff_cost_allowance=contract.staff_cost_allowance,
            band_low=contract.adjustment_band_low,
            band_high=contract.adjustment_band_high,
            platform_fee_kind=contract.platform_fee_kind,
            platform_fee_rate=contract.platform_fee_rate,
            platform_fee_amount=contract.platform_fee_amount,
        )


@dataclass(frozen=True)
class Figures:
    """The year's money, as the service reads it (every amount ≥ 0)."""

    funding: Decimal  # the year's premium: approved funding less what the bureau keeps
    funding_source: str
    claims_paid: Decimal
    claims_source: str
    transferred: Decimal = ZERO  # quarterly transfers paid
    reserve_released: Decimal = ZERO  # evaluation reserve paid to the insurer
    collected: Decimal = ZERO  # premiums people paid to the insurer directly
    carried_in: Decimal = ZERO  # last year's surplus carried into this year's funds
    interest: Decimal = ZERO
    allowed_costs: Decimal = ZERO
    policy_loss: Decimal = ZERO  # the part of a loss the bureau marks as caused by policy changes
    can_carry: bool = True  # a next year exists in the contract to carry a surplus into

    @property
    def received(self) -> Decimal:
        return self.transferred + self.reserve_released + self.collected + self.carried_in


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
    to_return: Decimal = ZERO  # insurer -> basic fund
    to_carry: Decimal = ZERO  # stays with the insurer as next year's funds
    to_pay: Decimal = ZERO  # the bureau still owes the insurer
    loss_fund_share: Decimal = ZERO  # fund -> insurer
    insurer_result: Decimal = ZERO  # the insurer's profit (negative: loss) after the settlement
    adjustment_proposed: bool = False
    lines: list[Line] = field(default_factory=list)

    def amount(self, code: str) -> Decimal | None:
        return next((line.amount for line in self.lines if line.code == code), None)


def percent_of(part: Decimal, whole: Decimal) -> Decimal:
    return quantize(part * HUNDRED / whole) if whole else ZERO


def platform_fee(terms: Terms, premium: Decimal) -> Decimal:
    """R-JN-2: the third-party platform's fee, a share of premium income or a fixed sum."""
    if terms.platform_fee_kind == PlatformFeeKind.RATE and terms.platform_fee_rate is not None:
        return quantize(premium * terms.platform_fee_rate / HUNDRED)
    if terms.platform_fee_kind == PlatformFeeKind.FIXED and terms.platform_fee_amount is not None:
        # a fixed sum where premiums are high, still within 5% of the premium income
        return min(terms.platform_fee_amount, quantize(premium * PLATFORM_FEE_MAX / HUNDRED))
    return ZERO


def settlement_compute(*, terms: Terms, figures: Figures) -> Outcome:
    f = figures
    ratio = percent_of(f.claims_paid, f.funding)
    fee = platform_fee(terms, f.funding)
    lines = [
        Line("funding", "筹资（保费）收入", f.funding, f.funding_source),
        Line("transferred", "已拨付保险机构（季度拨付）", f.transferred, "已支付的季度拨付"),
        Line("reserve_released", "考核预留款已拨付", f.reserve_released, "已支付的预留款拨付"),
        Line("collected", "保险机构直接收取的保费", f.collected, "线上线下个人缴费"),
        Line("carried_in", "上年结余转入", f.carried_in, "上一年度清算结转"),
        Line("received", "保险机构实收合计", f.received, "拨付 + 预留款 + 直接收取 + 上年结转"),
        Line("interest", "利息收入", f.interest, "经办录入"),
        Line("claims_paid", "赔付支出", f.claims_paid, f.claims_source),
        Line("allowed_costs", "合规经办费用", f.allowed_costs, "经办录入（招标文件及协议约定）"),
        Line("platform_fee", "第三方平台服务费", fee, _fee_source(terms)),
        Line("payout_ratio", "赔付率(%)", ratio, "赔付支出 ÷ 筹资收入 × 100"),
    ]
    if terms.rule == SettlementRule.PAYOUT_RATIO:
        return _payout_ratio(terms, f, fee, ratio, lines)
    if terms.rule == SettlementRule.SELF_FUNDED:
        return _self_funded(f, fee, ratio, lines)
    return _profit_cap(terms, f, fee, ratio, lines)


def _fee_source(terms: Terms) -> str:
    if terms.platform_fee_kind == PlatformFeeKind.RATE:
        return f"保费收入 × {terms.platform_fee_rate}%（不超过 5%，R-JN-2）"
    if terms.platform_fee_kind == PlatformFeeKind.FIXED:
        return "合同约定的固定金额，以保费收入的 5% 为限（R-JN-2）"
    return "合同未约定平台费"


def _profit_cap(terms: Terms, f: Figures, fee: Decimal, ratio: Decimal, lines: list) -> Outcome:
    out = Outcome(rule=SettlementRule.PROFIT_CAP, payout_ratio=ratio, lines=lines)
    funds = f.funding + f.carried_in
    spent = f.claims_paid + f.allowed_costs + fee
    result = f.received + f.interest - spent
    # R-ORD-3 "盈利率不得高于总筹集资金的5%": the money raised for the year; a surplus carried in
    # was capped in its own year already
    cap = quantize(f.funding * terms.profit_cap / HUNDRED)
    lines += [
        Line("funds", "本年度基金总额", funds, "筹资收入 + 上年结余转入"),
        Line("result", "保险机构当年结余（负数为亏损）", result,
             "实收合计 + 利息 − 赔付 − 经办费用 − 平台费"),
        Line("profit_cap", "利润上限", cap, f"筹资收入 × {terms.profit_cap}%（R-ORD-3/R-IM-4）"),
    ]  # fmt: skip
    if result > cap:
        excess = result - cap
        if terms.surplus_rule == SurplusRule.CARRY_OVER and f.can_carry:
            out.to_carry = excess
            lines.append(Line("to_carry", "超额结余结转下年基金", excess,
                              "结余 − 利润上限，并入下一年度基金使用（R-ORD-3）"))  # fmt: skip
        else:
            out.to_return = excess
            why = (
                "结余 − 利润上限（R-IM-4）"
                if terms.surplus_rule == SurplusRule.RETURN_TO_FUND
                else "结余 − 利润上限；合同最后一年，无下一年度可结转"
            )
            lines.append(Line("to_return", "超额结余返还基本医保基金", excess, why))
        out.insurer_result = cap
    elif result >= 0:
        out.insurer_result = result
    else:
        _loss(terms, out, f, loss=-result, true_loss=max(ZERO, spent - funds - f.interest))
    lines.append(Line("insurer_result", "保险机构利润（负数为亏损）", out.insurer_result,
                      "清算后保险机构的当年结果"))  # fmt: skip
    return out


def _loss(terms: Terms, out: Outcome, f: Figures, *, loss: Decimal, true_loss: Decimal) -> None:
    """A year the insurer ends below zero. `true_loss` is the loss on the year's whole funds, as
    if the reserve had been released in full. The withheld reserve may take the insurer's profit
    but never make a loss nor deepen one: the part of the loss it alone made is paid back to the
    insurer (`to_pay`). Of the true loss the fund shares what the contract says (R-ORD-4: all,
    R-IM-5: what the bureau marks as caused by policy changes)."""
    withheld = loss - true_loss
    shareable = true_loss
    if terms.loss_sharing == LossSharing.POLICY_CHANGES:
        shareable = min(shareable, f.policy_loss)
    elif terms.loss_sharing == LossSharing.NONE:
        shareable = ZERO
    insurer_part = quantize(shareable * terms.loss_share_insurer / HUNDRED)
    out.loss_fund_share = shareable - insurer_part
    out.to_pay = withheld
    out.insurer_result = -(true_loss - out.loss_fund_share)
    out.lines.extend([
        Line("loss", "亏损", loss, "−当年结余"),
        Line("loss_withheld", "未拨付预留款造成的亏损（补拨保险机构）", withheld,
             "亏损 − 按全年基金计算的亏损：预留款扣减以保险机构利润为限"),
        Line("loss_shareable", "可分担亏损", shareable, _shareable_source(terms)),
        Line("loss_insurer", "保险机构承担亏损", true_loss - out.loss_fund_share,
             f"可分担亏损 × {terms.loss_share_insurer}% + 不分担部分（R-ORD-4/R-IM-5）"),
        Line("loss_fund", "基金分担亏损", out.loss_fund_share, "可分担亏损 − 保险机构承担部分"),
    ])  # fmt: skip
    if withheld:
        out.lines.append(Line("to_pay", "应补拨保险机构", withheld, "未拨付预留款造成的亏损"))


def _shareable_source(terms: Terms) -> str:
    if terms.loss_sharing == LossSharing.POLICY_CHANGES:
        return "经办机构认定的政策性亏损，以按全年基金计算的亏损为限（R-IM-5）"
    if terms.loss_sharing == LossSharing.NONE:
        return "合同约定基金不分担亏损"
    return "按全年基金计算的亏损（R-ORD-4）"


def _settle_difference(out: Outcome, received: Decimal, entitled: Decimal, lines: list) -> None:
    """What the insurer received against what it is entitled to: the excess returns to the
    fund, a shortfall the bureau still pays."""
    if received > entitled:
        out.to_return = received - entitled
        lines.append(Line("to_return", "返还基金", out.to_return, "实收合计 − 应得"))
    elif received < entitled:
        out.to_pay = entitled - received
        lines.append(Line("to_pay", "应补拨保险机构", out.to_pay, "应得 − 实收合计"))


def _payout_ratio(terms: Terms, f: Figures, fee: Decimal, ratio, lines: list) -> Outcome:
    out = Outcome(rule=SettlementRule.PAYOUT_RATIO, payout_ratio=ratio, lines=lines)
    premium, claims = f.funding, f.claims_paid
    if claims * HUNDRED >= terms.payout_threshold * premium:
        entitled = premium
        why = f"赔付率 ≥ {terms.payout_threshold}%：全年保费全额划拨（R-HZ-2）"
        lines.append(Line("insurer_gets", "保险机构应得", entitled, why))
    else:
        staff = quantize(claims * terms.staff_cost_allowance / HUNDRED)
        entitled = claims + staff
        lines += [
            Line("staff_cost", "人员工作经费", staff,
                 f"赔付支出 × {terms.staff_cost_allowance}%（R-HZ-2）"),
            Line("insurer_gets", "保险机构应得", entitled,
                 f"赔付率 < {terms.payout_threshold}%：赔付支出 + 人员工作经费（R-HZ-2）"),
        ]  # fmt: skip
    _settle_difference(out, f.received, entitled, lines)
    spend = claims + f.allowed_costs
    low, high = terms.band_low, terms.band_high
    out.adjustment_proposed = bool(premium) and (
        spend * HUNDRED > high * premium or spend * HUNDRED < low * premium
    )
    out.insurer_result = entitled - claims - f.allowed_costs - fee
    lines += [
        Line("interest_note", "利息收入（留存基金，不计入保费）", f.interest, "经办录入"),
        Line("spend_ratio", "费用率(%)", percent_of(spend, premium),
             "(赔付支出 + 合规经办费用) ÷ 保费 × 100"),
        Line("adjustment", "建议调整下年度保费(1=是,0=否)", Decimal(int(out.adjustment_proposed)),
             f"费用率高于 {high}% 或低于 {low}% 时可调整（R-HZ-3）"),
        Line("insurer_result", "保险机构利润（负数为亏损）", out.insurer_result,
             "应得 − 赔付 − 经办费用 − 平台费"),
    ]  # fmt: skip
    return out


def _self_funded(f: Figures, fee: Decimal, ratio, lines: list) -> Outcome:
    out = Outcome(rule=SettlementRule.SELF_FUNDED, payout_ratio=ratio, lines=lines)
    _settle_difference(out, f.received, f.funding, lines)
    out.insurer_result = f.funding + f.interest - f.claims_paid - f.allowed_costs - fee
    lines.append(Line("insurer_result", "保险机构损益（自负盈亏，负数为亏损）", out.insurer_result,
                      "保费收入 + 利息 − 赔付 − 经办费用 − 平台费；基金不分担亏损"))  # fmt: skip
    return out
