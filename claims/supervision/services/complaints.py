"""Complaints (投诉, R-SUP-1, R-CON-5): register, assign to the insurer with a deadline in working
days, the insurer's answer, the bureau's binding decision, the callback, reopening, and a bond
deduction proposed from a justified complaint. Its workflow is declared in
`claims.supervision.workflows.COMPLAINT`."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction
from audit.errors import NotPermitted, RuleError
from audit.workflow import perform_move
from claims.choices import (
    ChangeKind,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintDecision,
    ComplaintStatus,
)
from claims.permissions import DECIDE_COMPLAINT
from claims.settlements.services.changes import change_record
from claims.supervision.models import Complaint
from claims.supervision.services.calendar import working_days_add
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
    from `claims.supervision.services.calendar`)."""
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
        raise RuleError(_("请填写投诉内容。"))
    # the API and commands reach here without a form: a value outside the choices is refused
    if channel not in ComplaintChannel.values:
        raise RuleError(_("投诉渠道「%(v)s」不在可选范围内。") % {"v": channel})
    if category not in ComplaintCategory.values:
        raise RuleError(_("投诉类别「%(v)s」不在可选范围内。") % {"v": category})
    insurer = insurer or contract.lead_insurer
    members = set(contract.members.values_list("insurer_id", flat=True)) | {
        contract.lead_insurer_id
    }
    if insurer.pk not in members:
        raise RuleError(_("保险机构「%(i)s」不是该合同的承保机构。") % {"i": insurer})
    for linked, label in ((settlement_record, _("结算记录")), (manual_claim, _("零星报销"))):
        if linked is not None and (
            linked.contract_id != contract.pk or linked.person_id != person.pk
        ):
            raise RuleError(_("所选%(l)s不属于该合同或该参保人。") % {"l": label})
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


# --- the complaint workflow (declared in `claims.supervision.workflows.COMPLAINT`) ----------------


def complaint_rule(complaint: Complaint, move, actor) -> str | None:
    """Besides the move's permission: only the insurer handling the complaint answers it, and
    insurer users do nothing else."""
    own = insurer_of(actor)
    if move.name == "answer":
        if own is None or own.pk != complaint.insurer_id:
            return _("只有承办该投诉的保险机构可以答复。")
    elif own is not None:
        return _("保险机构用户只能答复投诉。")
    return None


def _may_propose_bond(actor) -> bool:
    return actor is not None and actor.has_perm(DECIDE_COMPLAINT) and insurer_of(actor) is None


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


def guard_assign(step) -> None:
    """Assigned (or reopened): the insurer answers within N working days of `on`."""
    complaint, on = step.doc, step.on
    complaint.assigned_on, complaint.due_on = on, complaint_due_on(on)
    complaint.answer, complaint.answered_on, complaint.answered_by = "", None, None
    complaint.answered_late = False
    if step.move.name == "reopen":
        complaint.reopened_count += 1
        complaint.decision, complaint.decided_on, complaint.decided_by = "", None, None
        complaint.satisfaction = complaint.callback_on = None
    _feed(complaint, ChangeKind.COMPLAINT_ASSIGNED)


def _feed(complaint: Complaint, kind: str) -> None:
    change_record(
        kind=kind, obj=complaint, insurer_id=complaint.insurer_id,
        contract_id=complaint.contract_id,
    )  # fmt: skip


def guard_answer(step) -> None:
    answer = (step.data.get("answer") or "").strip()
    if not answer:
        raise RuleError(_("请填写答复内容。"))
    complaint = step.doc
    complaint.answer, complaint.answered_on, complaint.answered_by = answer, step.on, step.actor
    complaint.answered_late = step.on > complaint.due_on
    step.reason = step.reason or answer


def guard_decide(step) -> None:
    decision = step.data.get("decision", "")
    required_action = (step.data.get("required_action") or "").strip()
    if decision not in ComplaintDecision.values:
        raise RuleError(_("请选择处理决定：属实、部分属实或不属实。"))
    if decision != ComplaintDecision.UNJUSTIFIED and not required_action:
        raise RuleError(_("投诉属实或部分属实时，必须写明保险机构须采取的措施。"))
    complaint = step.doc
    complaint.decision, complaint.required_action = decision, required_action
    complaint.decided_on, complaint.decided_by = step.on, step.actor
    step.reason = step.reason or required_action
    _feed(complaint, ChangeKind.COMPLAINT_DECIDED)


def guard_close(step) -> None:
    satisfaction = step.data.get("satisfaction")
    if satisfaction is None or not 1 <= int(satisfaction) <= 5:
        raise RuleError(_("请填写回访满意度（1 到 5 分）。"))
    step.doc.satisfaction, step.doc.callback_on = int(satisfaction), step.on


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
    data = {
        "on": on,
        "answer": answer,
        "decision": decision,
        "required_action": required_action,
        "satisfaction": satisfaction,
    }
    return perform_move(doc=complaint, move=move, actor=actor, reason=reason, data=data)


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
        raise RuleError(_("只有经决定属实或部分属实的投诉才能提出保函扣款。"))
    if complaint.bond_deduction_id:
        raise RuleError(_("该投诉已经提出过保函扣款。"))
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
