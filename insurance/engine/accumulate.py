"""Accumulation: which running total a settlement adds to, and the running totals of one person.

A line's payable on a settlement is f(accumulated after) - f(accumulated before) (both rounded
to the fen), so the sum over a scope is f(scope total) whatever the order inside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

__all__ = ["PersonState", "describe_key", "policy_year_of"]


def policy_year_of(day: date, start: tuple[int, int]) -> int:
    """The calendar year in which the policy year holding `day` starts."""
    return day.year if (day.month, day.day) >= start else day.year - 1


def describe_key(key: tuple[object, ...] | None) -> str:
    if key is None:
        return "settlement"
    _line, scope, value, pool = key
    return f"{scope}:{value}" + (f":{pool}" if pool else "")


@dataclass(slots=True)
class PersonState:
    """Running totals of one person while their settlements are walked in treatment order."""

    # (line index, scope, value, pool) -> (accumulated base, rounded f(base), bands used for f)
    accumulated: dict[tuple[object, ...], tuple[Decimal, Decimal, object]] = field(
        default_factory=dict
    )
    line_paid: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    plan_paid: dict[int, Decimal] = field(default_factory=dict)
