"""Funding rules of a scheme year: a kind plus parameters, validated here (no ORM).

Parameters are stored as JSON with amounts and percentages as strings so that no float ever
touches money; `funding_errors` returns Chinese messages keyed by parameter name.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from insurance.choices import FundingKind, FundingSource

HUNDRED = Decimal(100)
# R-IM-1: at least 5% of last year's per-capita basic funding; a city may require more.
MIN_BASIC_FUNDING_PERCENT = Decimal(5)
COMPONENT_KINDS = ("per_capita", "fixed", "declared")

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
    FundingKind.COMPOSITE: {"components": True},
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
        minimum = MIN_BASIC_FUNDING_PERCENT
        if "min_percent" in params:
            minimum = _positive(errors, params, "min_percent", maximum=HUNDRED)
            if "min_percent" not in errors and minimum < MIN_BASIC_FUNDING_PERCENT:
                errors["min_percent"] = _(
                    "最低比例不能低于上年人均基本医保筹资的 %(m)s%%（R-IM-1）。"
                ) % {"m": MIN_BASIC_FUNDING_PERCENT}
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
    elif kind == FundingKind.COMPOSITE:
        _component_errors(errors, params["components"])
    elif kind == FundingKind.PAYROLL_PERCENT:
        percent = _positive(errors, params, "percent", maximum=HUNDRED)
        stop = _positive(errors, params, "stop_percent", maximum=HUNDRED)
        if "deductible_percent" in params:
            _positive(errors, params, "deductible_percent", maximum=HUNDRED)
        if not errors and stop < percent:
            errors["stop_percent"] = _("停缴上限比例不能低于缴费比例。")
    return errors


def _component_errors(errors: dict, components) -> None:
    """A composite funding (R-QD-1): a list of components, each a per-capita amount (optionally
    for some insurance types), a fixed sum (one source or a split) or a declared sum entered at
    the calculation (e.g. personal-account interest), each naming where its money comes from."""
    if not isinstance(components, list) or not components:
        errors["components"] = _("筹资分项 components 必须是非空列表。")
        return
    keys: set[str] = set()
    for number, component in enumerate(components, start=1):
        where = _("第 %(n)s 项") % {"n": number}
        if not isinstance(component, dict):
            errors["components"] = _("%(w)s必须是 JSON 对象。") % {"w": where}
            return
        kind = component.get("kind")
        allowed = {
            "per_capita": {"kind", "amount", "source", "insutypes", "label"},
            "fixed": {"kind", "total", "source", "split", "label"},
            "declared": {"kind", "key", "source", "label"},
        }.get(kind)
        if allowed is None:
            errors["components"] = _("%(w)s的 kind 必须是 %(k)s 之一。") % {
                "w": where,
                "k": "、".join(COMPONENT_KINDS),
            }
            return
        unknown = sorted(set(component) - allowed)
        if unknown:
            errors["components"] = _("%(w)s不接受参数：%(names)s。") % {
                "w": where,
                "names": ", ".join(unknown),
            }
            return
        problems: dict[str, str] = {}
        if kind == "fixed" and "split" in component:
            if "source" in component:
                problems["source"] = _("固定金额写 source 或 split，不能同时写。")
            else:
                _split_errors(problems, component["split"])
        elif component.get("source") not in FundingSource.values:
            problems["source"] = _("资金来源“%(source)s”不存在。") % {
                "source": component.get("source")
            }
        if kind == "per_capita":
            _positive(problems, component, "amount")
            insutypes = component.get("insutypes", [])
            if not isinstance(insutypes, list) or not all(isinstance(i, str) for i in insutypes):
                problems["insutypes"] = _('insutypes 必须是险种代码的列表，如 ["310"]。')
        elif kind == "fixed":
            _positive(problems, component, "total")
        else:
            key = component.get("key")
            if not isinstance(key, str) or not key.strip():
                problems["key"] = _("录入项必须有 key（测算时按它录入金额）。")
            elif key in keys:
                problems["key"] = _("录入项的 key“%(k)s”重复。") % {"k": key}
            else:
                keys.add(key)
        if problems:
            name, message = next(iter(problems.items()))
            errors["components"] = f"{where} {name}：{message}"
            return


def declared_keys(params) -> list[tuple[str, str]]:
    """(key, label) of the amounts a composite funding asks for at calculation time."""
    return [
        (c["key"], c.get("label") or c["key"])
        for c in (params or {}).get("components", [])
        if isinstance(c, dict) and c.get("kind") == "declared"
    ]
