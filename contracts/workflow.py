"""The contract workflow as data: one table of moves for `Contract.status`, one for deductions.

A move names its sources, its target, whether a reason is required and who may make it.
`contracts.services.contract_transition` is the only code that changes `Contract.status`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from contracts.choices import ContractStatus as S
from contracts.choices import DeductionStatus as D


@dataclass(frozen=True)
class Move:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    needs_reason: bool = False
    insurer_may: bool = False  # the lead insurer's own users may make this move


RENEWAL_STATES = frozenset({S.RENEWAL_REQUESTED, S.RENEWAL_ANSWERED})

CONTRACT_MOVES: dict[str, Move] = {
    move.name: move
    for move in (
        Move("sign", _("签订"), frozenset({S.DRAFT}), S.SIGNED),
        Move("activate", _("生效"), frozenset({S.SIGNED}), S.ACTIVE),
        Move(
            "request_renewal",
            _("登记续签申请"),
            frozenset({S.ACTIVE}),
            S.RENEWAL_REQUESTED,
            insurer_may=True,
        ),
        Move(
            "answer_renewal",
            _("答复续签申请"),
            frozenset({S.RENEWAL_REQUESTED}),
            S.RENEWAL_ANSWERED,
        ),
        Move("expire", _("到期"), frozenset({S.ACTIVE, *RENEWAL_STATES}), S.EXPIRED),
        Move(
            "terminate",
            _("提前终止"),
            frozenset({S.SIGNED, S.ACTIVE, *RENEWAL_STATES}),
            S.TERMINATED,
            needs_reason=True,
        ),
    )
}

# Contract permission for every bureau move (the insurer's own moves are marked `insurer_may`).
CONTRACT_MOVE_PERMISSION = "contracts.change_contract"


def contract_moves_from(status: str) -> list[Move]:
    return [move for move in CONTRACT_MOVES.values() if status in move.sources]


DEDUCTION_MOVES: dict[str, Move] = {
    move.name: move
    for move in (
        Move("approve", _("批准扣款"), frozenset({D.PROPOSED}), D.APPROVED),
        Move("reject", _("驳回扣款"), frozenset({D.PROPOSED}), D.REJECTED, needs_reason=True),
    )
}
DEDUCTION_APPROVE_PERMISSION = "contracts.approve_bond_deduction"
