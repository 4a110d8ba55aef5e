"""The model field of money, used by every model amount of every app (DESIGN rule 4).

Amounts are yuan to the fen in one column type, numeric(16, 2): up to 99,999,999,999,999.99,
room for a city fund's year. Values are rounded with `insurance.engine.money.quantize` before
they are stored, never by the database. Migrations see a plain DecimalField: they stay free of
this module, and a field changed to MoneyField with its column unchanged needs none.
"""

from decimal import Decimal

from django.db import models

from insurance.engine.money import quantize

MAX_DIGITS = 16


class MoneyField(models.DecimalField):
    """An amount in yuan, to the fen."""

    def __init__(self, *args, **kwargs):
        kwargs.update(max_digits=MAX_DIGITS, decimal_places=2)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs

    def get_db_converters(self, connection):
        # SQLite hands back a SUM of amounts as a bare number (120.5 for 120.50): Django rounds
        # a column it reads to the field's places, not an aggregate. PostgreSQL's numeric keeps
        # them, so its hot reads get no extra call per value.
        converters = super().get_db_converters(connection)
        if connection.vendor == "sqlite":
            converters = [*converters, _to_the_fen]
        return converters


def _to_the_fen(value, expression, connection):
    return value if value is None else quantize(Decimal(value))
