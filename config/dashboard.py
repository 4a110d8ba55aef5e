"""The admin home page (工作台). Each feature adds its tiles by appending a provider to
`TILE_PROVIDERS`: a function `(request) -> list[Tile]` that returns only what the user may see
(read through `audit.scoping.restrict`; a tile the user may not see is simply not returned).

A tile may carry a small bar chart (`Tile.chart`, a tuple of `Bar`), drawn by unfold's chart
component (Chart.js, shipped with unfold: no CDN). Tiles are grouped by `section` in `SECTIONS`
order.

The page shows one month (`selected_month`): the `?period=YYYY-MM` the user picked, else the
latest month with data that a `PERIOD_PROVIDERS` function reports for the user (the demo's data
is years old: "this month" would be empty), else the current month.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminSelectWidget

from audit.replica import reports

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal


@dataclass(frozen=True)
class Tile:
    title: str
    value: str
    link: str = ""
    note: str = ""
    section: str = ""
    chart: tuple[Bar, ...] = field(default_factory=tuple)
    rows: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # small (label, value) list


SECTIONS = (
    ("funds", _("资金")),
    ("claims", _("赔付")),
    ("supervision", _("监督")),
    ("contracts", _("合同")),
    ("", _("其他")),
)

TILE_PROVIDERS: list[Callable] = []

# Sections for providers whose tiles do not name one (by the provider function's name).
PROVIDER_SECTIONS = {
    "fund_tiles": "funds",
    "reminder_tiles": "contracts",
    "complaint_tiles": "supervision",
    "overdue_manual_claim_tiles": "supervision",
}

# Functions `(request) -> date | None`: the latest month with data the user may see.
PERIOD_PROVIDERS: list[Callable] = []
MONTHS_OFFERED = 24  # how far back the period selector goes from the latest month


def month_label(month: dt.date) -> str:
    """A month with its year: "2025年3月"."""
    return gettext("%(y)s年%(m)s月") % {"y": month.year, "m": month.month}


def month_back(month: dt.date, back: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def _latest_month(request) -> dt.date | None:
    found = []
    for provider in PERIOD_PROVIDERS:
        try:
            month = provider(request)
        except Exception:  # like a tile provider: the page must render
            if settings.DEBUG or settings.DASHBOARD_STRICT:
                raise
            log.exception("dashboard period provider %s failed", provider)
            continue
        if month is not None:
            found.append(month)
    return max(found, default=None)


def _parse_month(text: str) -> dt.date | None:
    year, _dash, month = text.strip().partition("-")
    if not (year.isdigit() and month.isdigit() and 1 <= int(month) <= 12 and len(year) == 4):
        return None
    return dt.date(int(year), int(month), 1)


def selected_month(request) -> dt.date:
    """The first day of the month the dashboard shows (asked once per request)."""
    cached = getattr(request, "_dashboard_month", None)
    if cached is not None:
        return cached
    latest = _latest_month(request)
    month = _parse_month(request.GET.get("period", "")) if hasattr(request, "GET") else None
    if month is None:
        month = latest or timezone.localdate().replace(day=1)
    request._dashboard_month = month
    request._dashboard_latest = latest
    return month


def period_choices(request) -> list[tuple[str, str]]:
    """("2025-03", "2025年3月"), newest first: the months up to the latest with data."""
    month = selected_month(request)
    newest = max(filter(None, [month, request._dashboard_latest]))
    months = [month_back(newest, back) for back in range(MONTHS_OFFERED)]
    return [(f"{m:%Y-%m}", month_label(m)) for m in months]


class PeriodForm(forms.Form):
    """The dashboard's month, in unfold's own select (it submits itself on change)."""

    period = forms.ChoiceField(
        label=_("月份"),
        widget=UnfoldAdminSelectWidget(attrs={"onchange": "this.form.submit()"}),
    )

    def __init__(self, choices, initial_period: str):
        super().__init__(initial={"period": initial_period})
        self.fields["period"].choices = choices


def chart_data(chart: tuple[Bar, ...], label: str = "") -> str:
    """The JSON unfold's bar chart component reads (Chart.js data)."""
    return json.dumps(
        {
            "labels": [bar.label for bar in chart],
            "datasets": [
                {
                    "label": str(label),
                    "data": [str(bar.value) for bar in chart],
                    "backgroundColor": "var(--color-primary-600)",
                }
            ],
        },
        ensure_ascii=False,
    )


def _welcome_tiles(request) -> list[Tile]:
    from audit.roles import ROLES

    roles = "、".join(ROLES[code].name for code in sorted(request.user.role_codes)) or (
        _("超级用户") if request.user.is_superuser else _("无角色")
    )
    return [Tile(title=str(_("我的角色")), value=str(roles))]


def collect_tiles(request) -> list[Tile]:
    """Every provider's tiles; a failing provider costs its own tiles, not the page."""
    tiles: list[Tile] = []
    for provider in [_welcome_tiles, *TILE_PROVIDERS]:
        try:
            section = PROVIDER_SECTIONS.get(getattr(provider, "__name__", ""), "")
            tiles.extend(
                replace(t, section=section) if section and not t.section else t
                for t in provider(request)
            )
        except Exception:  # the home page must render; the error is logged
            if settings.DEBUG or settings.DASHBOARD_STRICT:
                raise
            log.exception("dashboard provider %s failed", getattr(provider, "__name__", provider))
    return tiles


def dashboard_callback(request, context: dict) -> dict:
    with reports():  # figures only: the replica's, when one is configured
        return _dashboard_context(request, context)


def _dashboard_context(request, context: dict) -> dict:
    month = selected_month(request)
    tiles = collect_tiles(request)
    known = {code for code, _label in SECTIONS}
    sections = []
    for code, label in SECTIONS:
        members = [
            {"tile": t, "chart": chart_data(t.chart, t.title) if t.chart else None}
            for t in tiles
            if (t.section if t.section in known else "") == code
        ]
        if members:
            sections.append({"code": code or "other", "label": label, "tiles": members})
    context.update(
        {
            "bureau_name": settings.BUREAU_NAME,
            "dashboard_tiles": tiles,
            "dashboard_sections": sections,
            "dashboard_period_label": month_label(month),
            "dashboard_period_form": PeriodForm(period_choices(request), f"{month:%Y-%m}"),
        }
    )
    return context
