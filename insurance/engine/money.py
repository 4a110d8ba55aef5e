"""The one place that owns money: parsing, quantisation to the fen, exact splitting.

Every amount is a `Decimal`. Quantisation is ROUND_HALF_UP and happens here only: money to the
fen (0.01 CNY), and every other figure the code base rounds (a share, a score, days) with the
same function at its own places. Floats are refused outright: a float has already lost the fen
before we see it. The model field of an amount is `insurance.fields.MoneyField`.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from fractions import Fraction

__all__ = ["CENT", "ZERO", "MoneyError", "quantize", "split_exact", "to_decimal", "to_money"]

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# A private context: the rounding travels with it, so nobody's thread context can change
# how we round, and the bound method is about twice as fast as quantize(rounding=...).
_CONTEXT = Context(prec=28, rounding=ROUND_HALF_UP)
_QUANTIZE = _CONTEXT.quantize


class MoneyError(ValueError):
    """A value that cannot be read as money (a float, text that is no number, NaN...)."""


def quantize(value: Decimal, places: Decimal = CENT) -> Decimal:
    """Round half up to the fen (0.005 -> 0.01, -0.005 -> -0.01), or to `places`: Decimal("0.1")
    for days, Decimal("0.0001") for a share, Decimal("1") for a whole number."""
    return _QUANTIZE(value, places)


def grouped(value: Decimal) -> str:
    """An amount to the fen with thousands separators, as people read money: "1,234,567.80"."""
    return format(quantize(value), ",f")


def to_decimal(value: object) -> Decimal:
    """Read a number exactly (Decimal, int or numeric text); refuse floats, bools and junk."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool | float):
        raise MoneyError(f"float/bool not accepted as a number: {value!r}; pass text or Decimal")
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise MoneyError(f"not a number: {value!r}") from None
    else:
        raise MoneyError(f"not a number: {value!r}")
    if not result.is_finite():
        raise MoneyError(f"not a finite number: {value!r}")
    return result


def to_money(value: object) -> Decimal:
    """Read an amount and quantise it to the fen. Empty/None counts as 0 (missing fields)."""
    if value is None or value == "":
        return ZERO
    return quantize(to_decimal(value))


def split_exact(*, total: Decimal, weights: Sequence[Decimal | int]) -> list[Decimal]:
    """Split `total` (a fen amount) in proportion to `weights`; the parts add up exactly.

    Largest remainder: every part gets the floor of its exact share in fen, then the fen left
    over go one each to the largest fractional remainders (ties: the earlier part), so the
    result is deterministic. A negative total is split like its absolute value, negated.
    """
    if not weights:
        raise MoneyError("split_exact: weights must not be empty")
    exact_weights = [Fraction(to_decimal(w)) for w in weights]
    if any(w < 0 for w in exact_weights):
        raise MoneyError("split_exact: weights must not be negative")
    weight_sum = sum(exact_weights, Fraction(0))
    if weight_sum == 0:
        raise MoneyError("split_exact: weights must not all be zero")
    total = to_decimal(total)
    if quantize(total) != total:
        raise MoneyError(f"split_exact: total {total} is not a whole number of fen")
    sign = -1 if total < 0 else 1
    fen = int(abs(total) * 100)
    shares = [fen * w / weight_sum for w in exact_weights]
    floors = [int(s) for s in shares]  # shares are >= 0, so int() is floor
    left = fen - sum(floors)
    by_remainder = sorted(range(len(shares)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in by_remainder[:left]:
        floors[i] += 1
    return [quantize(Decimal(sign * f) / 100) for f in floors]
