"""The annual evaluation's computed indicators (R-SUP-2): one function per indicator code, each
reading through the claims / contracts selectors, and the linear scoring rule.

Every value is a `Decimal` in the indicator's unit (percent, or complaints per 10,000 insured,
or finding points) or None when the year has no data to judge; a None value scores nothing and
must be scored by hand before the evaluation can be submitted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone

from claims.oversight.selectors import insured_headcount, satisfaction_figures
from claims.oversight.services.year_end import payout_ratio_for
from claims.supervision.selectors import (
    complaint_figures,
    discrepancy_rate,
    manual_claims_within_limit_share,
    spot_check_points,
)
from contracts.choices import IndicatorCode as C
from contracts.choices import IndicatorMethod
from contracts.periods import contract_year
from contracts.selectors import staffing_rows
from insurance.engine.money import quantize

HUNDRED = Decimal(100)

# code, name, weight, floor (0 points), target (100 points), unit. Weights add up to 100.
DEFAULT_CATALOGUE: list[tuple[str, str, str, str, str, str]] = [
    (C.PAYOUT_RATIO, "赔付率", "15", "50", "85", "%"),
    (C.MANUAL_IN_TIME, "零星报销7个工作日内办结率", "10", "80", "100", "%"),
    (C.COMPLAINTS_PER_10K, "万人投诉率", "15", "10", "1", "件/万人"),
    (C.COMPLAINTS_ON_TIME, "投诉按时答复率", "10", "80", "100", "%"),
    (C.DISCREPANCY_RATE, "对账差异率", "10", "5", "0.5", "%"),
    (C.STAFFING, "驻点人员到岗率", "10", "80", "100", "%"),
    (C.SPOT_CHECK_FINDINGS, "抽查问题扣分", "10", "10", "0", "分"),
    (C.SATISFACTION, "参保人满意率", "20", "70", "95", "%"),
]


def linear_score(value: Decimal | None, floor: Decimal, target: Decimal) -> Decimal | None:
    """0 points at or beyond `floor`, 100 at or beyond `target`, linear in between (to 0.01).
    Works both ways: with `floor > target` a lower value is better."""
    if value is None:
        return None
    value, floor, target = Decimal(value), Decimal(floor), Decimal(target)
    fraction = (value - floor) / (target - floor)
    fraction = min(Decimal(1), max(Decimal(0), fraction))
    return quantize(fraction * HUNDRED)


def _percent(share: Decimal | None) -> Decimal | None:
    return None if share is None else quantize(share * HUNDRED)


def _year_end(contract, year: int) -> dt.date:
    return contract_year(contract, year).claims_to


def payout_ratio_value(contract, year: int, today: dt.date) -> tuple[Decimal | None, str]:
    value = payout_ratio_for(contract=contract, year=year)
    return value, "赔付金额 ÷ 已批准筹资额 × 100%，与年度清算的赔付率同一算法"


def manual_in_time_value(contract, year: int, today: dt.date):
    value = _percent(manual_claims_within_limit_share(contract, year))
    return value, "材料齐全于本年度、已办结或已超期的零星报销中，按期办结的比例"


def complaints_per_10k_value(contract, year: int, today: dt.date):
    headcount = insured_headcount(contract, year)
    if not headcount:
        return None, "本年度无参保登记人数，无法计算"
    received = complaint_figures(contract, year, today=today)["received"]
    value = quantize(Decimal(received) * Decimal(10000) / Decimal(headcount))
    return value, f"本年度受理投诉 {received} 件 ÷ 参保 {headcount} 人 × 10000"


def complaints_on_time_value(contract, year: int, today: dt.date):
    figures = complaint_figures(contract, year, today=today)
    if not figures["judged"]:
        return None, "本年度没有已答复或已超期的投诉"
    share = Decimal(figures["on_time"]) / Decimal(figures["judged"])
    return _percent(share), (
        f"按时答复 {figures['on_time']} 件 ÷ 已答复或已超期 {figures['judged']} 件"
    )


def discrepancy_rate_value(contract, year: int, today: dt.date):
    value = _percent(discrepancy_rate(contract, year))
    return value, "本年度对账结果中不一致（少付、多付、无待遇支付、应付未付）的比例"


def staffing_value(contract, year: int, today: dt.date):
    day = _year_end(contract, year)
    rows = staffing_rows(contract, day)
    committed = sum(row["committed"] for row in rows)
    if not committed:
        return None, "合同未登记驻点人员承诺"
    present = sum(min(row["actual"], row["committed"]) for row in rows)
    share = Decimal(present) / Decimal(committed)
    return _percent(share), f"{day} 在岗 {present} 人（每区不超过承诺数）÷ 承诺 {committed} 人"


def spot_check_value(contract, year: int, today: dt.date):
    figures = spot_check_points(contract, year)
    if not figures["checks"]:
        return None, "本年度没有实施抽查"
    return Decimal(figures["points"]), (
        f"本年度实施抽查 {figures['checks']} 次，发现问题 {figures['findings']} 个"
        "（一般 1 分、较重 3 分、严重 10 分）"
    )


def satisfaction_value(contract, year: int, today: dt.date):
    figures = satisfaction_figures(contract, year)
    if figures["share"] is None:
        return None, "本年度没有导入满意度调查结果"
    return _percent(figures["share"]), (
        f"{figures['surveys']} 次调查：满意 ÷ 受访 {figures['respondents']} 人"
    )


COMPUTERS: dict[str, Callable] = {
    C.PAYOUT_RATIO: payout_ratio_value,
    C.MANUAL_IN_TIME: manual_in_time_value,
    C.COMPLAINTS_PER_10K: complaints_per_10k_value,
    C.COMPLAINTS_ON_TIME: complaints_on_time_value,
    C.DISCREPANCY_RATE: discrepancy_rate_value,
    C.STAFFING: staffing_value,
    C.SPOT_CHECK_FINDINGS: spot_check_value,
    C.SATISFACTION: satisfaction_value,
}


def indicator_compute(
    *, indicator, contract, year: int, today: dt.date | None = None
) -> tuple[Decimal | None, Decimal | None, str]:
    """(value, points 0-100, source text) of one catalogue line; manual lines give Nones."""
    if indicator.method != IndicatorMethod.COMPUTED or indicator.code not in COMPUTERS:
        return None, None, "人工评分"
    value, source = COMPUTERS[indicator.code](contract, year, today or timezone.localdate())
    return value, linear_score(value, indicator.floor, indicator.target), source


def weighted_total(rows) -> Decimal:
    """Σ weight × points / 100 over the rows (points out of 100), to 0.01."""
    total = sum(
        (Decimal(row.weight) * Decimal(row.score) / HUNDRED for row in rows),
        Decimal("0"),
    )
    return quantize(total)
