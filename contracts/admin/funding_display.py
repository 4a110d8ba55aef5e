"""A funding calculation's inputs and parts as tables in words: the stored JSON
(`{"source": "employee_large_fund", "amount": "60.00"}`) is the services' format, not a reader's."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from insurance.choices import FundingSource

# The keys the funding services store (contracts/services/funding.py, insurance/funding.py).
KEY_LABELS = {
    "payroll": _("上年工资总额"),
    "payroll_source": _("工资总额来源"),
    "accumulated_balance": _("基金累计结余"),
    "balance_source": _("结余数据来源"),
    "headcount": _("参保人数"),
    "headcounts": _("分险种参保人数"),
    "headcount_source": _("参保人数来源"),
    "snapshot_date": _("参保人数统计日"),
    "prev_basic_funding_per_capita": _("上年基本医保人均筹资"),
    "funding_params": _("筹资参数"),
    "declared": _("申报金额"),
    "premiums": _("保费收入"),
    "refunds": _("退保退费"),
    "percent": _("比例（%）"),
    "stop_percent": _("停缴上限比例（%）"),
    "deductible_percent": _("起付比例（%）"),
    "amount": _("金额（元）"),
    "source": _("资金来源"),
    "split": _("按资金来源分摊"),
    "total": _("总额（元）"),
    "components": _("筹资分项"),
    "months": _("保障月数"),
    "premium": _("保费（元）"),
    "label": _("名称"),
    "kind": _("类型"),
    "insutypes": _("险种"),
    "key": _("录入项"),
    "*": _("合计"),
}
SOURCES = dict(FundingSource.choices)
TABLE = '<table class="text-sm border-collapse">{}</table>'
ROW = (
    '<tr><th class="pr-4 py-1 text-left font-medium align-top">{}</th><td class="py-1">{}</td></tr>'
)


def label_of(key: str) -> str:
    return str(KEY_LABELS.get(key) or SOURCES.get(key) or key)


def value_html(key: str, value) -> str:
    if isinstance(value, dict):
        return inputs_html(value)
    if isinstance(value, list):
        if all(isinstance(item, dict) for item in value):
            return format_html_join(
                "", "<div class='mb-2'>{}</div>", ((inputs_html(i),) for i in value)
            )
        return "、".join(str(item) for item in value)
    if key == "source":
        return str(SOURCES.get(value, value))
    return str(value)


def inputs_html(data: dict) -> str:
    """A dict of inputs as a two-column table, nested dicts and lists as tables inside it."""
    if not data:
        return "-"
    rows = format_html_join("", ROW, ((label_of(k), value_html(k, v)) for k, v in data.items()))
    return format_html(TABLE, rows)


def parts_html(parts: list[dict]) -> str:
    """[{"source": ..., "amount": ...}] as a table: the fund's Chinese name and the amount."""
    if not parts:
        return "-"
    rows = format_html_join(
        "",
        ROW,
        (
            (SOURCES.get(p["source"], p["source"]), _("%(amount)s 元") % {"amount": p["amount"]})
            for p in parts
        ),
    )
    head = format_html(ROW, _("资金来源"), _("金额"))
    return format_html(TABLE, head + rows)
