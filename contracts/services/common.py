"""Small helpers shared by the services (not part of the public API)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.errors import NotPermitted


def today() -> datetime.date:
    return timezone.localdate()


def require_perm(actor, perm: str) -> None:
    if actor is None or not actor.has_perm(perm):
        raise NotPermitted(_("您没有执行此操作的权限（%(perm)s）。") % {"perm": perm})


def snapshot(obj, fields: list[str]) -> dict:
    return {name: _plain(getattr(obj, name)) for name in fields}


def _plain(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if hasattr(value, "pk"):
        return value.pk
    return str(value)
