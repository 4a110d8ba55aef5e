"""Before/after snapshots for audit entries, with personal fields masked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models

from audit.masking import mask
from insurance.models import PERSONAL_FIELDS


def _plain(value):
    if isinstance(value, dt.date | dt.datetime | Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict:
    """{field: value} of `obj` for the audit log; personal fields of a Person are masked."""
    names = fields or [f.name for f in obj._meta.concrete_fields if f.name not in ("id",)]
    personal = PERSONAL_FIELDS if obj._meta.model_name == "person" else {}
    data = {}
    for name in names:
        field = obj._meta.get_field(name)
        value = getattr(obj, field.attname)
        if name in personal:
            value = mask(personal[name], value)
        data[name] = _plain(value)
    data.pop("certno_bidx", None)
    return data
