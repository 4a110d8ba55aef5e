"""The admin home page (工作台). Each feature adds its tiles by appending a provider to
`TILE_PROVIDERS`: a function `(request) -> list[Tile]` that returns only what the user may see
(read through `audit.scoping.restrict`; a tile the user may not see is simply not returned).

A tile may carry a small bar chart (`Tile.chart`, a tuple of `Bar`), drawn as inline SVG by the
template: no JavaScript, no CDN. Tiles are grouped by `section` in `SECTIONS` order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal  # drawn only; the figure shown is `display`
    display: str = ""


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

CHART_HEIGHT = 80
BAR_WIDTH = 18
BAR_GAP = 6


def chart_geometry(chart: tuple[Bar, ...]) -> dict:
    """Pixel geometry of a tile's bars for the inline SVG: x, y, height, labels."""
    top = max((bar.value for bar in chart), default=Decimal(0))
    bars = []
    for i, bar in enumerate(chart):
        height = int(bar.value * CHART_HEIGHT / top) if top > 0 and bar.value > 0 else 0
        bars.append(
            {
                "x": i * (BAR_WIDTH + BAR_GAP),
                "y": CHART_HEIGHT - height,
                "h": height,
                "w": BAR_WIDTH,
                "label": bar.label,
                "display": bar.display or str(bar.value),
                "tx": i * (BAR_WIDTH + BAR_GAP) + BAR_WIDTH // 2,
            }
        )
    return {"bars": bars, "width": len(chart) * (BAR_WIDTH + BAR_GAP), "height": CHART_HEIGHT}


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
    tiles = collect_tiles(request)
    known = {code for code, _label in SECTIONS}
    sections = []
    for code, label in SECTIONS:
        members = [
            {"tile": t, "chart": chart_geometry(t.chart) if t.chart else None}
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
        }
    )
    return context
