"""Manual claims (零星报销), R-CLM-3: settled within the contract's working days (default 7),
counted from the day the documents are complete, on China's working-day calendar."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction
from audit.errors import NotPermitted, RuleError
from audit.workflow import perform_move, require_permission
from claims.choices import NOTE_REQUIRED, ChangeKind, ManualClaimStatus, RefusalReason
from claims.permissions import HANDLE_MANUAL_CLAIM
from claims.settlements.services.changes import change_record
from claims.supervision.models import ManualClaim
from claims.supervision.models.manual_claim import DOCUMENTS
from claims.supervision.services.calendar import working_days_add
from contracts.selectors import contract_for_user
from insurance.engine.money import MoneyError, to_money

OPEN_STATES = (ManualClaimStatus.RECEIVED, ManualClaimStatus.COMPLETE, ManualClaimStatus.APPROVED)
FIELDS = ("status", "documents_complete_on", "due_on", "decided_on", "approved_amount", "paid_on")


def _snapshot(claim) -> dict:
    return {f: None if getattr(claim, f) is None else str(getattr(claim, f)) for f in FIELDS}


def _money(value, label) -> object:
    try:
        amount = to_money(value)
    except MoneyError:
        raise RuleError(_("%(l)s格式不正确：%(v)s。") % {"l": label, "v": value}) from None
    if amount < 0:
        raise RuleError(_("%(l)s不能为负数。") % {"l": label})
    return amount


def _checklist(documents) -> dict[str, bool]:
    ticked = set(documents or [])
    unknown = ticked - set(DOCUMENTS)
    if unknown:
        raise RuleError(_("未知的材料：%(d)s。") % {"d": "、".join(sorted(unknown))})
    return {code: code in ticked for code in DOCUMENTS}


@transaction.atomic
def manual_claim_register(
    *,
    contract,
    person,
    received_on: dt.date,
    hospital_name: str,
    treatment_from: dt.date,
    treatment_to: dt.date,
    amount_claimed,
    actor,
    hospital_place: str = "",
    documents=(),
    claim_no: str = "",
) -> ManualClaim:
    """Receive an application; when every document is already there, the clock starts today."""
    if actor is None or not actor.has_perm("claims.add_manualclaim"):
        raise NotPermitted(_("您没有受理零星报销的权限。"))
    if not contract_for_user(actor).filter(pk=contract.pk).exists():
        raise NotPermitted(_("您无权为该合同受理零星报销。"))
    if treatment_to < treatment_from:
        raise RuleError(_("就医结束日期不能早于开始日期。"))
    claim = ManualClaim.objects.create(
        contract=contract,
        person=person,
        claim_no=claim_no or f"LX{received_on:%Y%m%d}{uuid.uuid4().hex[:6].upper()}",
        received_on=received_on,
        hospital_name=hospital_name,
        hospital_place=hospital_place,
        treatment_from=treatment_from,
        treatment_to=treatment_to,
        amount_claimed=_money(amount_claimed, _("申请金额")),
        documents=_checklist(documents),
        created_by=actor,
    )
    events.change(
        actor=actor,
        obj=claim,
        action=AuditAction.CREATE,
        after=_snapshot(claim),
        summary=f"受理零星报销 {claim.claim_no}",
    )
    if all(claim.documents.values()):
        claim = manual_claim_documents_update(
            claim=claim, documents=documents, complete_on=received_on, actor=actor
        )
    # the insurer's clock may already run: its system learns of the claim from the feed
    change_record(
        kind=ChangeKind.MANUAL_CLAIM_RECEIVED, obj=claim,
        insurer_id=claim.contract.lead_insurer_id, contract_id=claim.contract_id,
    )  # fmt: skip
    return claim


def _lock(claim) -> ManualClaim:
    return ManualClaim.objects.select_for_update().select_related("contract").get(pk=claim.pk)


@transaction.atomic
def manual_claim_documents_update(
    *, claim, documents, actor, complete_on: dt.date | None = None
) -> ManualClaim:
    """Tick the documents received. When all are there the claim is complete on `complete_on`
    (default today): the move `complete` (`guard_complete`)."""
    claim = _lock(claim)
    if claim.status != ManualClaimStatus.RECEIVED:
        raise RuleError(_("材料已齐全，不能再修改材料清单。"))
    checklist = _checklist(documents)
    if all(checklist.values()):
        data = {"documents": documents, "complete_on": complete_on}
        return perform_move(doc=claim, move="complete", actor=actor, data=data)
    require_permission(actor, HANDLE_MANUAL_CLAIM, _("办理零星报销"))
    before = _snapshot(claim)
    claim.documents = checklist
    claim.save()
    events.change(
        actor=actor,
        obj=claim,
        action=AuditAction.UPDATE,
        before=before,
        after=_snapshot(claim),
        summary=f"零星报销 {claim} 补充材料",
    )
    return claim


# --- the manual claim workflow (declared in `claims.supervision.workflows.MANUAL_CLAIM`) ----------


def guard_complete(step) -> None:
    """Every document is there: the clock starts on `complete_on` (default today), the deadline
    is the contract's number of working days later."""
    claim = step.doc
    claim.documents = _checklist(step.data.get("documents"))
    missing = [str(DOCUMENTS[code]) for code, ticked in claim.documents.items() if not ticked]
    if missing:
        raise RuleError(_("材料尚未齐全：%(d)s。") % {"d": "、".join(missing)})
    complete_on = step.data.get("complete_on") or timezone.localdate()
    if complete_on < claim.received_on:
        raise RuleError(_("材料齐全日期不能早于受理日期。"))
    if complete_on > timezone.localdate():  # a day to come would hold the clock back
        raise RuleError(_("材料齐全日期不能晚于今天。"))
    claim.documents_complete_on = step.on = complete_on
    claim.due_on = working_days_add(start=complete_on, days=claim.contract.claim_time_limit_days)


def _decided(step) -> None:
    decided_on = step.data.get("decided_on") or timezone.localdate()
    claim = step.doc
    if decided_on < claim.documents_complete_on:
        raise RuleError(_("审核决定日期不能早于材料齐全日期。"))
    if decided_on > timezone.localdate():
        raise RuleError(_("审核决定日期不能晚于今天。"))
    claim.decided_on = step.on = decided_on
    claim.decided_by = step.actor
    claim.decision_note = step.reason


def _flag_moved(step) -> None:
    """The overdue flag as the claim stands once moved (a paid or refused claim is judged on the
    day it was finished)."""
    step.doc.status = step.move.target
    _flag(step.doc)


def guard_approve(step) -> None:
    _decided(step)
    step.doc.approved_amount = _money(step.data.get("amount"), _("核准金额"))
    step.doc.reason_code = None
    _flag_moved(step)


def guard_refuse(step) -> None:
    _decided(step)
    claim = step.doc
    try:
        claim.reason_code = RefusalReason(int(step.data.get("reason_code")))
    except (TypeError, ValueError):
        raise RuleError(_("不予赔付必须选择拒付原因代码。")) from None
    if claim.reason_code in NOTE_REQUIRED and not step.reason:
        raise RuleError(_("该原因代码须写明审核说明。"))
    claim.approved_amount = None
    _flag_moved(step)


def guard_pay(step) -> None:
    claim, paid_on = step.doc, step.data.get("paid_on")
    if paid_on is None:
        raise RuleError(_("请填写支付日期。"))
    if paid_on < claim.decided_on:
        raise RuleError(_("支付日期不能早于审核决定日期。"))
    if paid_on > timezone.localdate():
        raise RuleError(_("支付日期不能晚于今天。"))
    claim.paid_on = step.on = paid_on
    _flag_moved(step)


def manual_claim_decide(
    *,
    claim,
    approve: bool,
    actor,
    decided_on: dt.date | None = None,
    amount=None,
    reason_code=None,
    note: str = "",
) -> ManualClaim:
    """Approve (with the amount) or refuse (with a numbered reason code)."""
    data = {"decided_on": decided_on, "amount": amount, "reason_code": reason_code}
    move = "approve" if approve else "refuse"
    return perform_move(doc=claim, move=move, actor=actor, reason=note, data=data)


def manual_claim_pay(*, claim, paid_on: dt.date, actor) -> ManualClaim:
    return perform_move(doc=claim, move="pay", actor=actor, data={"paid_on": paid_on})


def _flag(claim, today: dt.date | None = None) -> None:
    finished = claim.finished_on
    if claim.due_on is None:
        claim.overdue = False
    elif finished is not None:
        claim.overdue = finished > claim.due_on
    else:
        claim.overdue = (today or timezone.localdate()) > claim.due_on


def late_q(today: dt.date) -> Q:
    """Overdue: open past the deadline, or finished (paid / refused) after it."""
    return (
        Q(status__in=[ManualClaimStatus.COMPLETE, ManualClaimStatus.APPROVED], due_on__lt=today)
        | Q(status=ManualClaimStatus.PAID, paid_on__gt=F("due_on"))
        | Q(status=ManualClaimStatus.REFUSED, decided_on__gt=F("due_on"))
    )


@transaction.atomic
def manual_claims_flag_overdue(*, today: dt.date | None = None) -> int:
    """Set the `overdue` flag of every claim in two statements (idempotent). Returns how many
    claims are overdue now."""
    today = today or timezone.localdate()
    late = ManualClaim.objects.filter(due_on__isnull=False).filter(late_q(today))
    newly = late.filter(overdue=False).update(overdue=True)
    ManualClaim.objects.filter(overdue=True).exclude(pk__in=late.values("pk")).update(overdue=False)
    if newly:
        events.record(
            action=AuditAction.BATCH,
            object_type="claims.manualclaim",
            summary=f"零星报销超期标记：新增 {newly} 件",
            extra={"kind": "manual_claims_overdue", "today": str(today), "new": newly},
        )
    return late.count()
