"""Seed rules a plan must keep when it declares them in `source.rules`.

A plan that says it implements a rule is refused when its figures break it:

- R-IM-2 (seed 004, 三（三）): "起付线原则上不低于当地上一年度城镇居民年人均可支配收入、
  农村牧区居民年人均纯收入", "支付比例采取分段设定，逐段递增，最低段不低于50%", and only
  "城乡重点救助对象、低收入救助对象、因病致贫家庭重病患者等困难群众" may get a lower threshold.
  Checked on the lines that list R-IM-2 in their `rules` (every tiered line when none does).
- R-JN-3 (seed 003, 二（二）、三（一）): "不设置年龄、健康状况（既往症）、职业类型等限制性前提
  条件，不设置理赔等待期", for "我市职工基本医疗保险和居民基本医疗保险的参保人员".
"""

from __future__ import annotations

from decimal import Decimal

from .plan import Line, Plan
from .planread import Reader

__all__ = ["INCOME_REFERENCES", "POOR_STATUSES", "check_seed_rules"]

# Reference keys that hold last year's income figures (insurance.models.SchemeYear)
URBAN_INCOME = ("disposable_income_urban",)
RURAL_INCOME = ("net_income_rural", "disposable_income_rural")
INCOME_REFERENCES = URBAN_INCOME + RURAL_INCOME
# 困难群众: 低保, 低保边缘 (low income), 特困, 返贫致贫 (poor through illness); not 优抚 (veterans)
POOR_STATUSES = frozenset({"dibao", "dibao_edge", "tekun", "fanpin"})
HALF = Decimal("0.5")


def check_seed_rules(r: Reader, plan: Plan) -> None:
    if "R-IM-2" in plan.source_rules:
        _check_im2(r, plan)
    if "R-JN-3" in plan.source_rules:
        _check_jn3(r, plan)


def _im2_lines(plan: Plan) -> list[tuple[int, Line]]:
    marked = [(i, line) for i, line in enumerate(plan.lines) if "R-IM-2" in line.rules]
    return marked or [(i, line) for i, line in enumerate(plan.lines) if line.kind == "tiered"]


def _check_im2(r: Reader, plan: Plan) -> None:
    refused: set[int] = set()  # an override is reported once, whichever lines it lowers
    for index, line in _im2_lines(plan):
        path = f"lines[{index}]"
        rates = [tier.rate for tier in line.tiers]
        if rates and rates[0] < HALF:
            r.add(f"{path}.tiers[0].rate" if len(rates) > 1 else f"{path}.rate",
                  "lowest_band_below_half")  # fmt: skip
        for i in range(1, len(rates)):
            if rates[i] < rates[i - 1]:
                r.add(f"{path}.tiers[{i}].rate", "rate_falls")
        d = line.deductible
        if (
            d is None
            or d.reference not in URBAN_INCOME
            or (d.reference_rural is not None and d.reference_rural not in RURAL_INCOME)
            or d.factor < 1
        ):
            r.add(f"{path}.deductible", "deductible_below_reference",
                  references=", ".join(INCOME_REFERENCES))  # fmt: skip
        for o_index, override in enumerate(plan.overrides):
            if override.lines and line.id not in override.lines:
                continue
            lowers = (
                override.waive_deductible
                or override.deductible_amount is not None
                or (override.deductible_factor is not None and override.deductible_factor < 1)
            )
            poor_only = bool(override.statuses) and override.statuses <= POOR_STATUSES
            if lowers and (override.cvlserv or not poor_only) and o_index not in refused:
                refused.add(o_index)
                r.add(f"overrides[{o_index}].when", "lower_deductible_not_poor",
                      statuses=", ".join(sorted(POOR_STATUSES)))  # fmt: skip


def _check_jn3(r: Reader, plan: Plan) -> None:
    elig = plan.eligibility
    if elig.waiting_days:
        r.add("eligibility.waiting_days", "waiting_not_allowed")
    if elig.service_years:
        r.add("eligibility.service_years", "condition_not_allowed")
    if elig.insutypes and not {"310", "390"} <= elig.insutypes:
        r.add("eligibility.insutypes", "must_cover_everyone")
