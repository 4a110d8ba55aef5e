"""Complaints (投诉, R-SUP-1, R-CON-5): register, assign to the insurer with a deadline in working
days, the insurer's answer, the bureau's binding decision, the callback, reopening, and a bond
deduction proposed from a justified complaint. `complaint_move` is the only code that changes
`Complaint.status`."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction
from claims.choices import ComplaintDecision, ComplaintStatus
from claims.models import Complaint, ComplaintTransition
from claims.models.complaint import COMPLAINT_MOVES, DECIDE_PERMISSION, complaint_moves_from
from claims.services.calendar import working_days_add
from claims.supervision_workflow import IllegalMove, NotPermitted, SupervisionError
from contracts.choices import DeductionSource
from contracts.selectors import contract_for_user, insurer_of
from contracts.services.bonds import bond_deduction_propose

FIELDS = ("status", "insurer_id", "assigned_on", "due_on", "answered_on", "decision",
          "decided_on", "satisfaction", "callback_on", "reopened_count")  # fmt: skip


def response_working_days() -> int:
    """`settings.COMPLAINT_RESPONSE_WORKING_DAYS`: the insurer's time to answer."""
    return int(settings.COMPLAINT_RESPONSE_WORKING_DAYS)


def complaint_due_on(assigned_on: dt.date, days: int | None = None) -> dt.date:
    """The answer deadline: the N-th working day after assignment (holidays and make-up days
    from `claims.services.calendar`)."""
    return working_days_add(
        start=assigned_on, days=response_working_days() if days is None else days
    )


def _snapshot(c: Complaint) -> dict:
    return {f: None if getattr(c, f) is None else str(getattr(c, f)) for f in FIELDS}


@transaction.atomic
def complaint_register(
    *,
    contract,
    person,
    channel: str,
    category: str,
    content: str,
    actor,
    received_on: dt.date | None = None,
    insurer=None,
    settlement_record=None,
    manual_claim=None,
    number: str = "",
) -> Complaint:
    """Register a complaint (bureau staff). The insurer is the lead insurer unless given (a
    consortium member handling the case)."""
    if actor is None or not actor.has_perm("claims.add_complaint") or insurer_of(actor):
        raise NotPermitted(_("您没有登记投诉的权限。"))
    if not contract_for_user(actor).filter(pk=contract.pk).exists():
        raise NotPermitted(_("您无权为该合同登记投诉。"))
    if not (content or "").strip():
        raise SupervisionError(_("请填写投诉内容。"))
    insurer = insurer or contract.lead_insurer
    members = set(contract.members.values_list("insurer_id", flat=True)) | {
        contract.lead_insurer_id
    }
    if insurer.pk not in members:
        raise SupervisionError(_("保险机构「%(i)s」不是该合同的承保机构。") % {"i": insurer})
    for linked, label in ((settlement_record, _("结算记录")), (manual_claim, _("零星报销"))):
        if linked is not None and (
            linked.contract_id != contract.pk or linked.person_id != person.pk
        ):
            raise SupervisionError(_("所选%(l)s不属于该合同或该参保人。") % {"l": label})
    received_on = received_on or timezone.localdate()
    complaint = Complaint.objects.create(
        number=number or f"TS{received_on:%Y%m%d}{uuid.uuid4().hex[:6].upper()}",
        contract=contract,
        insurer=insurer,
        person=person,
        settlement_record=settlement_record,
        manual_claim=manual_claim,
        channel=channel,
        category=category,
        received_on=received_on,
        content=content.strip(),
        created_by=actor,
    )
    events.change(
        actor=actor,
        obj=complaint,
        action=AuditAction.CREATE,
        after={**_snapshot(complaint), "category": category, "channel": channel},
        summary=f"登记投诉 {complaint.number}",
    )
    return complaint


def _refusal(complaint: Complaint, move, actor) -> str | None:
    """Why `actor` may not make `move` on `complaint` (its permission; only the insurer handling
    the complaint answers it, and insurer users do nothing else), or None when he may."""
    if actor is None or not actor.has_perm(move.permission):
        return _("您没有「%(m)s」的权限。") % {"m": move.label}
    own = insurer_of(actor)
    if move.name == "answer":
        if own is None or own.pk != complaint.insurer_id:
            return _("只有承办该投诉的保险机构可以答复。")
    elif own is not None:
        return _("保险机构用户只能答复投诉。")
    return None


def complaint_allowed_moves(complaint: Complaint, user) -> list:
    """The moves legal from the complaint's status that `user` may make (the page's buttons)."""
    return [
        m for m in complaint_moves_from(complaint.status) if _refusal(complaint, m, user) is None
    ]


def _may_propose_bond(actor) -> bool:
    return actor is not None and actor.has_perm(DECIDE_PERMISSION) and insurer_of(actor) is None


def _found_justified(complaint: Complaint) -> bool:
    return complaint.status in (ComplaintStatus.DECIDED, ComplaintStatus.CLOSED) and (
        complaint.decision in (ComplaintDecision.JUSTIFIED, ComplaintDecision.PARTLY)
    )


def complaint_bond_allowed(complaint: Complaint, user) -> bool:
    """Whether `user` may propose a bond deduction from the complaint now (the rules of
    `complaint_bond_deduction_propose`)."""
    return (
        _found_justified(complaint) and not complaint.bond_deduction_id and _may_propose_bond(user)
    )


def _check(complaint: Complaint, name: str, actor, reason: str):
    move = COMPLAINT_MOVES.get(name)
    if move is None:
        raise IllegalMove(_("未知的操作：%(m)s。") % {"m": name})
    if complaint.status not in move.sources:
        legal = "、".join(str(m.label) for m in complaint_moves_from(complaint.status))
        raise IllegalMove(
            _("投诉当前状态为「%(s)s」，不能「%(m)s」。可执行的操作：%(l)s。")
            % {"s": complaint.get_status_display(), "m": move.label, "l": legal or _("无")}
        )
    refusal = _refusal(complaint, move, actor)
    if refusal is not None:
        raise NotPermitted(refusal)
    if move.needs_reason and not (reason or "").strip():
        raise SupervisionError(_("「%(m)s」必须填写理由。") % {"m": move.label})
    return move


@transaction.atomic
def complaint_move(
    *,
    complaint: Complaint,
    move: str,
    actor,
    on: dt.date | None = None,
    reason: str = "",
    answer: str = "",
    decision: str = "",
    required_action: str = "",
    satisfaction: int | None = None,
) -> Complaint:
    """assign (deadline = N working days after `on`) / answer (insurer, with its text) / decide
    (justified, partly, unjustified; an action is required unless unjustified) / close (callback
    with a 1-5 satisfaction score) / reopen (with a reason; back to the insurer, new deadline)."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    step = _check(complaint, move, actor, reason)
    on = on or timezone.localdate()
    before = _snapshot(complaint)
    from_status = complaint.status
    if move in ("assign", "reopen"):
        complaint.assigned_on, complaint.due_on = on, complaint_due_on(on)
        complaint.answer, complaint.answered_on, complaint.answered_by = "", None, None
        complaint.answered_late = False
        if move == "reopen":
            complaint.reopened_count += 1
            complaint.decision, complaint.decided_on, complaint.decided_by = "", None, None
            complaint.satisfaction = complaint.callback_on = None
    elif move == "answer":
        if not (answer or "").strip():
            raise SupervisionError(_("请填写答复内容。"))
        complaint.answer, complaint.answered_on, complaint.answered_by = answer.strip(), on, actor
        complaint.answered_late = on > complaint.due_on
    elif move == "decide":
        if decision not in ComplaintDecision.values:
            raise SupervisionError(_("请选择处理决定：属实、部分属实或不属实。"))
        if decision != ComplaintDecision.UNJUSTIFIED and not (required_action or "").strip():
            raise SupervisionError(_("投诉属实或部分属实时，必须写明保险机构须采取的措施。"))
        complaint.decision, complaint.required_action = decision, (required_action or "").strip()
        complaint.decided_on, complaint.decided_by = on, actor
    elif move == "close":
        if satisfaction is None or not 1 <= int(satisfaction) <= 5:
            raise SupervisionError(_("请填写回访满意度（1 到 5 分）。"))
        complaint.satisfaction, complaint.callback_on = int(satisfaction), on
    complaint.status = step.target
    complaint.save()
    ComplaintTransition.objects.create(
        complaint=complaint,
        move=move,
        from_status=from_status,
        to_status=step.target,
        actor=actor,
        reason=reason or answer or required_action or "",
    )
    events.change(
        actor=actor,
        obj=complaint,
        action=AuditAction.TRANSITION,
        before=before,
        after=_snapshot(complaint),
        summary=f"{step.label}：投诉 {complaint.number}",
        reason=reason or "",
    )
    return complaint


@transaction.atomic
def complaint_bond_deduction_propose(*, complaint: Complaint, amount, reason: str, actor):
    """Propose a deduction from the performance bond for a complaint found (partly) justified
    (R-CON-3: unjustified refusals to pay). The deduction then needs the director's approval."""
    complaint = (
        Complaint.objects.select_for_update().select_related("contract").get(pk=complaint.pk)
    )
    if not _may_propose_bond(actor):
        raise NotPermitted(_("您没有提出保函扣款的权限。"))
    if not _found_justified(complaint):
        raise SupervisionError(_("只有经决定属实或部分属实的投诉才能提出保函扣款。"))
    if complaint.bond_deduction_id:
        raise SupervisionError(_("该投诉已经提出过保函扣款。"))
    deduction = bond_deduction_propose(
        contract=complaint.contract,
        amount=amount,
        reason=reason,
        source=DeductionSource.COMPLAINT,
        source_ref=complaint.ref,
        actor=actor,
    )
    complaint.bond_deduction = deduction
    complaint.save(update_fields=["bond_deduction"])
    events.change(
        actor=actor,
        obj=complaint,
        action=AuditAction.UPDATE,
        after={"bond_deduction": deduction.pk, "amount": str(deduction.amount)},
        summary=f"投诉 {complaint.number} 提出保函扣款",
        reason=reason,
    )
    return deduction


def complaints_overdue(*, today: dt.date | None = None):
    """Complaints still waiting for the insurer's answer after their deadline."""
    today = today or timezone.localdate()
    return Complaint.objects.filter(status=ComplaintStatus.ASSIGNED, due_on__lt=today)
