"""Fund-flow workflows as data: one table of moves for payments (transfers, reserve releases),
one for funding calculations and one for year-end settlements. Maker and checker differ."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from contracts.choices import FundingCalcStatus as F
from contracts.choices import PaymentStatus as P
from contracts.choices import SettlementStatus as S
from contracts.workflow import Move

PREPARE_PERMISSION = "contracts.prepare_transfer"  # finance: the maker
APPROVE_PERMISSION = "contracts.approve_transfer"  # director: the checker

PAYMENT_MOVES: dict[str, Move] = {
    move.name: move
    for move in (
        Move("prepare", _("制单"), frozenset({P.DRAFT}), P.PREPARED),
        Move("approve", _("审批通过"), frozenset({P.PREPARED}), P.APPROVED),
        Move("send_back", _("退回制单"), frozenset({P.PREPARED}), P.DRAFT, needs_reason=True),
        Move("pay", _("登记支付"), frozenset({P.APPROVED}), P.PAID),
    )
}
PAYMENT_MOVE_PERMISSION = {
    "prepare": PREPARE_PERMISSION,
    "approve": APPROVE_PERMISSION,
    "send_back": APPROVE_PERMISSION,
    "pay": PREPARE_PERMISSION,
}
# moves whose actor must not be the one who prepared the document
CHECKER_MOVES = frozenset({"approve", "send_back"})

FUNDING_MOVES: dict[str, Move] = {
    "approve": Move("approve", _("批准筹资测算"), frozenset({F.PROPOSED}), F.APPROVED),
}

SETTLEMENT_MOVES: dict[str, Move] = {
    "approve": Move("approve", _("审批年度清算"), frozenset({S.PREPARED}), S.APPROVED),
}


def payment_moves_from(status: str) -> list[Move]:
    return [move for move in PAYMENT_MOVES.values() if status in move.sources]
