"""The admin home page. Each feature adds its tiles by appending a provider to `TILE_PROVIDERS`:
a function `(request) -> list[Tile]` that returns only what the user may see."""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Tile:
    title: str
    value: str
    link: str = ""
    note: str = ""


TILE_PROVIDERS: list[Callable] = []


def _welcome_tiles(request) -> list[Tile]:
    from audit.roles import ROLES

    roles = "、".join(ROLES[code].name for code in sorted(request.user.role_codes)) or (
        _("超级用户") if request.user.is_superuser else _("无角色")
    )
    return [Tile(title=str(_("我的角色")), value=str(roles))]


def dashboard_callback(request, context: dict) -> dict:
    tiles: list[Tile] = []
    for provider in [_welcome_tiles, *TILE_PROVIDERS]:
        tiles.extend(provider(request))
    context.update({"bureau_name": settings.BUREAU_NAME, "dashboard_tiles": tiles})
    return context
