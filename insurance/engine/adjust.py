"""Adjustments: what to add or take back on settlements that were already paid."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from .facts import Settlement
from .money import ZERO
from .results import Adjustment, SettlementResult

__all__ = ["PaidMap", "adjustments_for"]

PaidMap = Mapping[str, Mapping[str, Decimal]]


def adjustments_for(
    records: list[Settlement],
    ordered: tuple[SettlementResult, ...],
    paid: PaidMap,
) -> tuple[Adjustment, ...]:
    position = {r.setl_id: i for i, r in enumerate(records)}
    first_late = first_reversal = len(records)
    for i, record in enumerate(records):
        if record.setl_id in paid:
            continue
        if record.refd_setl_flag:
            at = position.get(record.init_setl_id, i)
            first_reversal = min(first_reversal, at)
        else:
            first_late = min(first_late, i)
    out: list[Adjustment] = []
    for i, res in enumerate(ordered):
        old = paid.get(res.setl_id)
        if old is None:
            continue
        keys = dict.fromkeys([*res.lines, *old])
        delta = {k: res.lines.get(k, ZERO) - old.get(k, ZERO) for k in keys}
        if not any(delta.values()):
            continue
        reason = "late_record" if first_late < i else "reversal" if first_reversal < i else (
            "recomputed"
        )  # fmt: skip
        before = sum(old.values(), ZERO)
        out.append(Adjustment(
            res.setl_id, res.psn_no, delta, sum(delta.values(), ZERO), before, res.total, reason,
        ))  # fmt: skip
    return tuple(out)
