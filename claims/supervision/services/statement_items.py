"""Decisions on single review items, the adjustments they leave, and bond deductions (R-CON-3)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction
from audit.errors import NotPermitted, RuleError
from audit.workflow import perform_move
from claims.choices import NOTE_REQUIRED, ItemDecision, RefusalReason, StatementStatus
from claims.permissions import REVIEW_STATEMENT
from claims.supervision.models import StatementAdjustment, StatementItem
from contracts.choices import DeductionSource
from contracts.selectors import insurer_of
from contracts.services.bonds import bond_deduction_propose
from insurance.engine.money import MoneyError, to_money

ITEM_FIELDS = ("decision", "corrected_amount", "reason_code", "note")


def may_review_items(actor) -> bool:
    """Whether `actor` may decide a statement's items and propose bond deductions from them."""
    return actor is not None and actor.has_perm(REVIEW_STATEMENT)


def _snapshot(item) -> dict:
    return {f: str(getattr(item, f)) if getattr(item, f) is not None else None for f in ITEM_FIELDS}


def _clean(decision: str, amount, reason_code, note: str):
    if decision not in (ItemDecision.ACCEPT, ItemDecision.CORRECT, ItemDecision.REFUSE):
        raise RuleError(_("请选择复核结论：认可、更正金额或拒付。"))
    if reason_code not in (None, ""):
        try:
            reason_code = RefusalReason(int(reason_code))
        except ValueError:
            raise RuleError(_("未知的拒付原因代码：%(c)s。") % {"c": reason_code}) from None
    else:
        reason_code = None
    if decision == ItemDecision.ACCEPT:
        return None, None
    if decision == ItemDecision.REFUSE and reason_code is None:
        raise RuleError(_("拒付必须选择拒付原因代码。"))
    if reason_code in NOTE_REQUIRED and not note:
        raise RuleError(_("原因代码 %(c)s 须在复核说明中写明情况。") % {"c": reason_code})
    if decision == ItemDecision.REFUSE:
        return None, reason_code
    try:
        amount = to_money(amount) if amount not in (None, "") else None
    except MoneyError:
        raise RuleError(_("核定金额格式不正确：%(v)s。") % {"v": amount}) from None
    if amount is None or amount < 0:
        raise RuleError(_("更正金额必须填写核定金额（不小于 0）。"))
    return amount, reason_code


@transaction.atomic
def statement_item_decide(
    *, item, decision: str, actor, amount=None, reason_code=None, note: str = ""
) -> StatementItem:
    """Accept, correct (with the amount that should have been paid) or refuse (with a code)."""
    item = StatementItem.objects.select_for_update().select_related("statement").get(pk=item.pk)
    if item.statement.status != StatementStatus.IN_REVIEW:
        raise RuleError(
            _("核算状态为「%(s)s」，不能修改复核结论。")
            % {"s": item.statement.get_status_display()}
        )
    if not may_review_items(actor):
        raise NotPermitted(_("您没有复核月度核算的权限。"))
    note = (note or "").strip()
    amount, reason_code = _clean(decision, amount, reason_code, note)
    before = _snapshot(item)
    item.decision = decision
    item.corrected_amount = amount
    item.reason_code = reason_code
    item.note = note
    item.decided_by = actor
    item.decided_at = timezone.now()
    item.save()
    events.change(
        actor=actor,
        obj=item,
        action=AuditAction.UPDATE,
        before=before,
        after=_snapshot(item),
        summary=f"复核结论：{item.get_decision_display()}（结算 {item.record_id}）",
        reason=note,
    )
    return item


def guard_close(step) -> None:
    """Settled or cancelled: the note says how (a cancellation needs it)."""
    step.doc.close_note = step.reason


def adjustment_rule(adjustment, move, actor) -> str | None:
    """Besides the move's permission: only the adjustment's insurer answers it, and insurer
    users do nothing else (settling and cancelling are the bureau's)."""
    own = insurer_of(actor)
    if move.name == "answer":
        if own is None or own.pk != adjustment.insurer_id:
            return _("只有被调整的保险机构可以答复。")
    elif own is not None:
        return _("保险机构用户只能答复复核调整。")
    return None


def guard_answer_adjustment(step) -> None:
    answer = (step.data.get("answer") or "").strip()
    if not answer:
        raise RuleError(_("请填写答复内容。"))
    step.doc.answer = answer
    step.reason = step.reason or answer


def statement_adjustment_answer(*, adjustment, answer: str, actor) -> StatementAdjustment:
    """The insurer answers an adjustment left by an approved review
    (`claims.supervision.workflows`)."""
    return perform_move(doc=adjustment, move="answer", actor=actor, data={"answer": answer})


def statement_adjustment_close(
    *, adjustment, move: str, actor, note: str = ""
) -> StatementAdjustment:
    """settle (the insurer has settled it) or cancel (with a reason):
    `claims.supervision.workflows`."""
    return perform_move(doc=adjustment, move=move, actor=actor, reason=note)


def bond_proposal_allowed(item) -> bool:
    """An underpayment or an unjust refusal by the insurer, found in review."""
    settled = item.settled_amount
    return settled is not None and settled > item.claimed


@transaction.atomic
def statement_item_bond_deduction_propose(*, item, amount, reason: str, actor):
    """Propose a performance-bond deduction for what the review found (the director decides)."""
    item = StatementItem.objects.select_related("statement__contract").get(pk=item.pk)
    if not may_review_items(actor):
        raise NotPermitted(_("您没有复核月度核算的权限。"))
    if not bond_proposal_allowed(item):
        raise RuleError(_("只有复核认定少付或无理拒付（核定金额高于已付）的明细才能提出保函扣款。"))
    return bond_deduction_propose(
        contract=item.statement.contract,
        amount=amount if isinstance(amount, Decimal) else str(amount),
        reason=reason,
        source=DeductionSource.CLAIMS_SUPERVISION,
        source_ref=f"claims.statementitem:{item.pk}",
        actor=actor,
    )
