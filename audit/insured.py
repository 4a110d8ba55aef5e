"""Which model is the register of insured people: audit entries about a person are found by his
ID number through it. The insurance app names it when ready (`insurance/apps.py`); the audit app
imports no domain app, so it learns the model here instead of importing or naming it."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model

_register: type[Model] | None = None


def insured_register_set(model: type[Model]) -> None:
    """`model` has `certno_bidx`, the blind index of the ID number (`audit.crypto.blind_index`)."""
    global _register
    _register = model


def insured_register() -> type[Model]:
    if _register is None:
        raise ImproperlyConfigured("No app has named the register of insured people.")
    return _register
