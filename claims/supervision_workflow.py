"""Workflows of claims supervision as data: one table of moves per status field.

`claims.services.statements.statement_move` is the only code that changes `ClaimStatement.status`;
`claims.services.statement_items.statement_adjustment_close` the only one for adjustments.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from claims.choices import AdjustmentStatus as A
from claims.choices import ManualClaimStatus as M
from claims.choices import StatementStatus as S

SUBMIT_PERMISSION = "claims.add_claimstatement"
REVIEW_PERMISSION = "claims.review_claimstatement"
APPROVE_PERMISSION = "claims.approve_claimstatement"
ADJUSTMENT_PERMISSION = "claims.change_statementadjustment"
MANUAL_PERMISSION = "claims.change_manualclaim"


class SupervisionError(ValidationError):
    """A business rule refused the request; the message says what and why."""


class IllegalMove(SupervisionError):
    pass


class NotPermitted(PermissionDenied):
    pass


@dataclass(frozen=True)
class Move:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    permission: str
    needs_reason: bool = False


STATEMENT_MOVES: dict[str, Move] = {
    move.name: move
    for move in (
        Move(
            "start_review", _("开始复核"), frozenset({S.SUBMITTED}), S.IN_REVIEW, REVIEW_PERMISSION
        ),
        Move(
            "finish_review", _("完成复核"), frozenset({S.IN_REVIEW}), S.REVIEWED, REVIEW_PERMISSION
        ),
        Move(
            "return",
            _("退回重新复核"),
            frozenset({S.REVIEWED}),
            S.IN_REVIEW,
            APPROVE_PERMISSION,
            needs_reason=True,
        ),
        Move("approve", _("审批通过"), frozenset({S.REVIEWED}), S.APPROVED, APPROVE_PERMISSION),
    )
}

ADJUSTMENT_MOVES: dict[str, Move] = {
    move.name: move
    for move in (
        Move("settle", _("确认已结清"), frozenset({A.OPEN}), A.SETTLED, ADJUSTMENT_PERMISSION),
        Move(
            "cancel",
            _("撤销"),
            frozenset({A.OPEN}),
            A.CANCELLED,
            ADJUSTMENT_PERMISSION,
            needs_reason=True,
        ),
    )
}

MANUAL_MOVES: dict[str, Move] = {
    move.name: move
    for move in (
        Move("complete", _("材料齐全"), frozenset({M.RECEIVED}), M.COMPLETE, MANUAL_PERMISSION),
        Move("approve", _("核准赔付"), frozenset({M.COMPLETE}), M.APPROVED, MANUAL_PERMISSION),
        # the refusal's reason is its numbered code, which the service requires
        Move("refuse", _("不予赔付"), frozenset({M.COMPLETE}), M.REFUSED, MANUAL_PERMISSION),
        Move("pay", _("登记支付"), frozenset({M.APPROVED}), M.PAID, MANUAL_PERMISSION),
    )
}


def moves_from(table: dict[str, Move], status: str) -> list[Move]:
    return [move for move in table.values() if status in move.sources]


def may_move(move: Move, actor) -> bool:
    """Whether `actor` holds the move's permission (the rule `check_move` applies)."""
    return actor is not None and actor.has_perm(move.permission)


def allowed_moves(table: dict[str, Move], status: str, actor) -> list[Move]:
    """The moves legal from `status` that `actor` may make (a change page's buttons)."""
    return [move for move in moves_from(table, status) if may_move(move, actor)]


def check_move(*, table: dict[str, Move], name: str, status: str, status_label: str, actor, reason):
    """The move, or a clear refusal (unknown or illegal move, no permission, missing reason)."""
    move = table.get(name)
    if move is None:
        raise IllegalMove(_("未知的操作：%(m)s。") % {"m": name})
    if status not in move.sources:
        raise IllegalMove(
            _("当前状态为「%(s)s」，不能「%(m)s」。") % {"s": status_label, "m": move.label}
        )
    if not may_move(move, actor):
        raise NotPermitted(_("您没有「%(m)s」的权限。") % {"m": move.label})
    if move.needs_reason and not (reason or "").strip():
        raise SupervisionError(_("「%(m)s」必须填写理由。") % {"m": move.label})
    return move
