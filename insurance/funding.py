"""Funding rules of a scheme year: a kind plus parameters, validated here (no ORM).

Parameters are stored as JSON with amounts and percentages as strings so that no float ever
touches money; `funding_errors` returns Chinese messages keyed by parameter name.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from insurance.choices import FundingKind, FundingSource

HUNDRED = Decimal(100)

# kind -> {parameter: (required, label)}; "split" is handled separately.
FUNDING_PARAMETERS: dict[str, dict[str, bool]] = {
    FundingKind.PER_CAPITA: {"amount": True, "source": False},
    FundingKind.BASIC_FUNDING_PERCENT: {"percent": True, "min_percent": False},
    FundingKind.FIXED_TOTAL: {"total": True, "split": True},
    FundingKind.VOLUNTARY_PREMIUM: {"premium": True, "months": False},
    FundingKind.PAYROLL_PERCENT: {
        "percent": True,
        "stop_percent": True,
        "deductible_percent": False,
    },
}


def _decimal(value) -> Decimal | None:
    if isinstance(value, float):
        return None  # floats are refused: write "4.5", not 4.5
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _positive(errors: dict, params: dict, name: str, *, maximum: Decimal | None = None) -> Decimal:
    number = _decimal(params.get(name))
    if number is None:
        errors[name] = _('参数 %(name)s 必须是数字（如 "20.00"）。') % {"name": name}
        return Decimal(0)
    if number <= 0:
        errors[name] = _("参数 %(name)s 必须大于 0。") % {"name": name}
    elif maximum is not None and number > maximum:
        errors[name] = _("参数 %(name)s 不能超过 %(max)s。") % {"name": name, "max": maximum}
    return number


def _split_errors(errors: dict, split) -> None:
    if not isinstance(split, list) or not split:
        errors["split"] = _(
            '资金来源分摊 split 必须是列表，如 [{"source": ..., "percent": "80"}]。'
        )
        return
    total = Decimal(0)
    seen = set()
    for part in split:
        source = part.get("source") if isinstance(part, dict) else None
        percent = _decimal(part.get("percent")) if isinstance(part, dict) else None
        if source not in FundingSource.values:
            errors["split"] = _("资金来源“%(source)s”不存在。") % {"source": source}
            return
        if source in seen:
            errors["split"] = _("资金来源“%(source)s”重复。") % {"source": source}
            return
        seen.add(source)
        if percent is None or percent <= 0:
            errors["split"] = _("每个资金来源的分摊比例必须是大于 0 的数字。")
            return
        total += percent
    if total != HUNDRED:
        errors["split"] = _("各资金来源的分摊比例之和必须为 100%%，当前为 %(total)s%%。") % {
            "total": total
        }


def funding_errors(kind: str, params) -> dict[str, str]:
    """Return {parameter: message} for everything wrong with `params` of `kind`; {} when valid."""
    if kind not in FUNDING_PARAMETERS:
        return {"funding_kind": _("未知的筹资方式。")}
    if not isinstance(params, dict):
        return {"funding_params": _("筹资参数必须是 JSON 对象。")}
    errors: dict[str, str] = {}
    allowed = FUNDING_PARAMETERS[kind]
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        errors["funding_params"] = _("此筹资方式不接受参数：%(names)s。") % {
            "names": ", ".join(unknown)
        }
    for name, required in allowed.items():
        if required and name not in params:
            errors[name] = _("缺少参数 %(name)s。") % {"name": name}
    if errors:
        return errors
    if kind == FundingKind.PER_CAPITA:
        _positive(errors, params, "amount")
        if "source" in params and params["source"] not in FundingSource.values:
            errors["source"] = _("资金来源不存在。")
    elif kind == FundingKind.BASIC_FUNDING_PERCENT:
        percent = _positive(errors, params, "percent", maximum=HUNDRED)
        if "min_percent" in params:
            minimum = _positive(errors, params, "min_percent", maximum=HUNDRED)
            if not errors and percent < minimum:
                errors["percent"] = _("筹资比例 %(p)s%% 低于规定的最低比例 %(m)s%%。") % {
                    "p": percent,
                    "m": minimum,
                }
    elif kind == FundingKind.FIXED_TOTAL:
        _positive(errors, params, "total")
        _split_errors(errors, params["split"])
    elif kind == FundingKind.VOLUNTARY_PREMIUM:
        _positive(errors, params, "premium")
        if "months" in params:
            months = _decimal(params["months"])
            if months is None or months != months.to_integral_value() or not 1 <= months <= 12:
                errors["months"] = _("保障月数必须是 1 到 12 的整数。")
    elif kind == FundingKind.PAYROLL_PERCENT:
        percent = _positive(errors, params, "percent", maximum=HUNDRED)
        stop = _positive(errors, params, "stop_percent", maximum=HUNDRED)
        if "deductible_percent" in params:
            _positive(errors, params, "deductible_percent", maximum=HUNDRED)
        if not errors and stop < percent:
            errors["stop_percent"] = _("停缴上限比例不能低于缴费比例。")
    return errors
