"""Accumulation: which running total a settlement adds to, and the running totals of one person.

A line's payable on a settlement is f(accumulated after) - f(accumulated before) (both rounded
to the fen), so the sum over a scope is f(scope total) whatever the order inside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# Stands in for the bands a restored running total was computed with: never the bands of the
# settlement that meets it, so f(before) is worked again from the amount, as the engine does
# when a person's figures change between two settlements.
_RESTORED = object()

__all__ = ["PersonState", "describe_key", "policy_year_of", "state_dump", "state_load"]


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


def state_dump(state: PersonState) -> dict:
    """The running totals as JSON values (amounts as exact decimal text): what a later batch of
    the same person's settlements continues from (claims' incremental compute)."""
    return {
        "acc": [
            [*key, str(base), str(f_base)] for key, (base, f_base, _) in state.accumulated.items()
        ],
        "line": [[index, year, str(paid)] for (index, year), paid in state.line_paid.items()],
        "plan": [[year, str(paid)] for year, paid in state.plan_paid.items()],
    }


def state_load(data: dict) -> PersonState:
    """`state_dump`'s output as running totals again. f(base) is kept, but marked as computed
    with other bands: the next settlement recomputes it with its own, which gives the same
    amount when the bands are the same."""
    return PersonState(
        accumulated={
            tuple(row[:4]): (Decimal(row[4]), Decimal(row[5]), _RESTORED) for row in data["acc"]
        },
        line_paid={(index, year): Decimal(paid) for index, year, paid in data["line"]},
        plan_paid={year: Decimal(paid) for year, paid in data["plan"]},
    )
