"""The model field of money, used by every model amount of every app (DESIGN rule 4).

Amounts are yuan to the fen in one column type, numeric(16, 2): up to 99,999,999,999,999.99,
room for a city fund's year. Values are rounded with `insurance.engine.money.quantize` before
they are stored, never by the database. Migrations see a plain DecimalField: they stay free of
this module, and a field changed to MoneyField with its column unchanged needs none.
"""

from django.db import models

MAX_DIGITS = 16


class MoneyField(models.DecimalField):
    """An amount in yuan, to the fen."""

    def __init__(self, *args, **kwargs):
        kwargs.update(max_digits=MAX_DIGITS, decimal_places=2)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs
