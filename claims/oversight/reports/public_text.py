"""What the public reads, in words: amounts with thousands separators, dates in the bureau's
time zone, the funding rule as sentences (never parameter names or JSON) and the plan's plain
words without its code. The disclosure page, its PDF and the hospital notice all use these."""

from __future__ import annotations

import ast
import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from insurance.choices import FundingKind, FundingSource
from insurance.engine.money import grouped

# "惠州市大病二次补偿（2013）（huizhou-2013 第2版）": the code and version are for staff only
PLAN_CODE = re.compile(r"[（(][A-Za-z0-9][A-Za-z0-9_.-]*\s*(?:第\s*\d+\s*版|v\d+)[）)]")


def _dec(value) -> Decimal | None:
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def amount(value) -> str:
    """An amount in yuan to the fen with thousands separators ("1,234,567.80"); a suppressed cell
    ("<5") as it is; nothing as a dash."""
    if value is None or value == "":
        return "—"
    number = _dec(value)
    return str(value) if number is None else grouped(number)


# a settlement statement's figures that are not amounts: "费用率(%)" and the yes/no proposal
PERCENT_SUFFIX = "(%)"
YES_NO_SUFFIX = "(1=是,0=否)"


def settlement_line(line: dict) -> tuple[str, str]:
    """(label, value) of a year-end settlement line as the public reads it: a percent with its
    sign, a proposal as yes or no, an amount with thousands separators; the labels' notation
    (stored in the report's snapshot) is for staff only."""
    label, value = line["label"], line["amount"]
    if label.endswith(PERCENT_SUFFIX):
        number = _dec(value)
        return label.removesuffix(PERCENT_SUFFIX), "—" if number is None else f"{value}%"
    if label.endswith(YES_NO_SUFFIX):
        number = _dec(value)
        return label.removesuffix(YES_NO_SUFFIX), str(_("是") if number else _("否"))
    return label, amount(value)


def local_day(moment: dt.datetime | None) -> str:
    """The calendar day of a moment in the bureau's time zone (the web page's day too)."""
    return "—" if moment is None else timezone.localdate(moment).isoformat()


def _percent(value) -> str:
    number = _dec(value)
    return "—" if number is None else format(number.normalize(), "f")


def _source(code) -> str:
    return str(dict(FundingSource.choices).get(code, _("其他资金来源")))


def _parts(value) -> list:
    """A list parameter; the report's content keeps parameters as text (a list's Python repr)."""
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            return []
    return [p for p in value if isinstance(p, dict)] if isinstance(value, list) else []


def _split(value) -> str:
    return "、".join(
        f"{_source(p.get('source'))} {_percent(p.get('percent'))}%" for p in _parts(value)
    )


def _component(part: dict) -> str:
    who = part.get("label") or (_split(part["split"]) if "split" in part else "")
    who = who or _source(part.get("source"))
    if part.get("kind") == "per_capita":
        return _("%(who)s：每人 %(a)s 元") % {"who": who, "a": amount(part.get("amount"))}
    if part.get("kind") == "fixed":
        return _("%(who)s：%(a)s 元") % {"who": who, "a": amount(part.get("total"))}
    return _("%(who)s：按当年实际金额") % {"who": who}


def funding_words(funding: dict) -> str:
    """The year's funding rule as one sentence for the public."""
    kind, p = funding.get("kind"), funding.get("params") or {}
    words: list[str] = []
    if kind == FundingKind.PER_CAPITA and "amount" in p:
        words.append(_("每人 %(a)s 元") % {"a": amount(p["amount"])})
        if p.get("source"):
            words.append(_("资金来源：%(s)s") % {"s": _source(p["source"])})
    elif kind == FundingKind.BASIC_FUNDING_PERCENT and "percent" in p:
        words.append(_("上年人均基本医保筹资的 %(p)s%%") % {"p": _percent(p["percent"])})
        if p.get("min_percent"):
            words.append(_("不低于 %(p)s%%") % {"p": _percent(p["min_percent"])})
    elif kind == FundingKind.FIXED_TOTAL and "total" in p:
        words.append(_("年度总保费 %(a)s 元") % {"a": amount(p["total"])})
        if _split(p.get("split")):
            words.append(_("由%(s)s分摊") % {"s": _split(p.get("split"))})
    elif kind == FundingKind.VOLUNTARY_PREMIUM and "premium" in p:
        words.append(_("每人保费 %(a)s 元") % {"a": amount(p["premium"])})
        if p.get("months"):
            words.append(_("保障 %(m)s 个月") % {"m": p["months"]})
    elif kind == FundingKind.PAYROLL_PERCENT and "percent" in p:
        words.append(_("上年工资总额的 %(p)s%%") % {"p": _percent(p["percent"])})
        if p.get("stop_percent"):
            words.append(
                _("累计结余超过工资总额的 %(p)s%% 时停缴") % {"p": _percent(p["stop_percent"])}
            )
        if p.get("deductible_percent"):
            words.append(
                _("税前扣除上限为工资总额的 %(p)s%%") % {"p": _percent(p["deductible_percent"])}
            )
    elif kind == FundingKind.COMPOSITE:
        words.extend(_component(part) for part in _parts(p.get("components")))
    label = funding.get("kind_label") or "—"
    return f"{label}：{'；'.join(words)}" if words else label


def plan_words(text: str) -> list[str]:
    """The plan's plain words, line by line, without its code and version."""
    lines = (PLAN_CODE.sub("", line).strip() for line in (text or "").splitlines())
    return [line for line in lines if line]
