"""What the engine returns."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .accumulate import PersonState
from .explain import Step, explain_text
from .money import ZERO
from .trace import Trace

__all__ = ["Adjustment", "EngineError", "PersonResult", "SettlementResult"]

LineAmounts = dict[str, Decimal]


class EngineError(ValueError):
    """A computation cannot start (missing reference figure, duplicate setl_id...)."""

    def __init__(self, code: str, message_zh: str, message_en: str) -> None:
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        super().__init__(f"{message_en} / {message_zh}")


@dataclass(slots=True)
class SettlementResult:
    """The amount due on one settlement per line, as it stands after this computation.

    status: computed | ineligible | accumulate_only | reversal | reversed | orphan_reversal.
    `already_paid` is True when the caller said it was paid before: then what is due now is the
    matching `Adjustment` (if any), never this amount again.
    """

    setl_id: str
    psn_no: str
    status: str
    lines: LineAmounts
    total: Decimal
    reason: str = ""
    already_paid: bool = False
    steps: tuple[Step, ...] = ()
    trace: Trace | None = None  # when asked for: rebuilds `steps` later (see trace.py)

    def text(self, lang: str = "zh") -> str:
        return explain_text(steps=self.steps, lang=lang)


@dataclass(frozen=True, slots=True)
class Adjustment:
    """Add (positive) or take back (negative) on a settlement that was already paid.

    reason: late_record (an earlier-dated settlement arrived), reversal (an earlier settlement
    was reversed) or recomputed (same records, different plan/facts/reference figures).
    """

    setl_id: str
    psn_no: str
    lines: LineAmounts
    total: Decimal
    paid_before: Decimal
    new_total: Decimal
    reason: str


@dataclass(slots=True)
class PersonResult:
    psn_no: str
    settlements: tuple[SettlementResult, ...]
    adjustments: tuple[Adjustment, ...] = ()
    unmatched_paid: tuple[str, ...] = ()  # already_paid ids with no record given: not checked
    line_ids: tuple[str, ...] = ()
    # The running totals after the last settlement, to continue from with later ones; None
    # when a reversal was among them (a later one could undo an earlier settlement's totals).
    state: PersonState | None = None

    @property
    def totals(self) -> LineAmounts:
        """Final amount per line over the settlements given (reversal pairs net to zero)."""
        totals = dict.fromkeys(self.line_ids, ZERO)
        for res in self.settlements:
            for line_id, amount in res.lines.items():
                totals[line_id] = totals.get(line_id, ZERO) + amount
        return totals

    @property
    def total(self) -> Decimal:
        return sum((r.total for r in self.settlements), ZERO)

    @property
    def due_now(self) -> Decimal:
        """New settlements' amounts plus adjustments: what changes hands after this run."""
        new = sum((r.total for r in self.settlements if not r.already_paid), ZERO)
        return new + sum((a.total for a in self.adjustments), ZERO)
