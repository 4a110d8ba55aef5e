"""Writes of audit conclusions (R-SUP-3): draft, change, sign; follow-up actions. Each function is
atomic and writes its audit event. A signed conclusion is frozen; its follow-ups' progress
(status, completion date, note) still moves until every action is done."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction, ConclusionStatus, FollowUpStatus
from audit.models import AuditConclusion, AuditFollowUp

CONCLUSION_FIELDS = (
    "title",
    "scheme_id",
    "contract_id",
    "subject",
    "period_from",
    "period_to",
    "findings",
    "opinion",
    "conclusion",
    "attachment",
)
PROGRESS_FIELDS = ("status", "done_on", "note")
FOLLOWUP_FIELDS = ("action", "owner", "due_on", *PROGRESS_FIELDS)
SIGN_PERMISSION = "audit.sign_auditconclusion"
DRAFT_PERMISSION = "audit.draft_auditconclusion"


def _snap(obj, names) -> dict:
    out = {}
    for name in names:
        value = getattr(obj, name)
        if isinstance(value, FieldFile):
            value = value.name or ""
        out[name] = value
        if out[name] is not None and not isinstance(out[name], bool | int | str):
            out[name] = str(out[name])
    return out


def conclusion_check(c: AuditConclusion) -> None:
    errors = {}
    if not (c.title or "").strip():
        errors["title"] = _("请填写标题。")
    if not c.scheme_id and not c.contract_id and not (c.subject or "").strip():
        errors["subject"] = _("请写明审计对象：方案ID、合同ID或文字说明至少一项。")
    if c.period_from and c.period_to and c.period_to < c.period_from:
        errors["period_to"] = _("审计期间止不能早于起。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def conclusion_create(*, actor, request=None, **fields) -> AuditConclusion:
    unknown = set(fields) - set(CONCLUSION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    conclusion = AuditConclusion(**fields, auditor=actor, status=ConclusionStatus.DRAFT)
    conclusion_check(conclusion)
    conclusion.save()
    events.change(
        actor=actor,
        obj=conclusion,
        action=AuditAction.CREATE,
        after=_snap(conclusion, CONCLUSION_FIELDS),
        summary=f"起草审计结论：{conclusion}",
        request=request,
    )
    return conclusion


@transaction.atomic
def conclusion_update(
    *, conclusion: AuditConclusion, actor, changes: dict, request=None
) -> AuditConclusion:
    unknown = set(changes) - set(CONCLUSION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    locked = AuditConclusion.objects.select_for_update().get(pk=conclusion.pk)
    if locked.is_signed:
        raise ValidationError(_("审计结论已签发，不能再修改。"))
    before = _snap(locked, changes)
    for name, value in changes.items():
        setattr(locked, name, value)
    conclusion_check(locked)
    locked.save()
    events.change(
        actor=actor,
        obj=locked,
        action=AuditAction.UPDATE,
        before=before,
        after=_snap(locked, changes),
        summary=f"修改审计结论：{locked}",
        request=request,
    )
    return locked


@transaction.atomic
def conclusion_sign(*, conclusion: AuditConclusion, actor, request=None) -> AuditConclusion:
    """Sign a draft: from now on the conclusion is read-only (its follow-ups still progress)."""
    if not actor.has_perm(SIGN_PERMISSION):
        raise PermissionDenied(_("只有审计人员可以签发审计结论。"))
    locked = AuditConclusion.objects.select_for_update().get(pk=conclusion.pk)
    if locked.is_signed:
        raise ValidationError(_("审计结论已于 %(t)s 签发。") % {"t": locked.signed_at})
    if not (locked.findings or "").strip() or not (locked.conclusion or "").strip():
        raise ValidationError(_("审计发现和审计结论都填写后才能签发。"))
    locked.status = ConclusionStatus.SIGNED
    locked.signed_by = actor
    locked.signed_at = timezone.now()
    locked.save(update_fields=["status", "signed_by", "signed_at"])
    events.change(
        actor=actor,
        obj=locked,
        action=AuditAction.APPROVE,
        before={"status": ConclusionStatus.DRAFT},
        after={"status": ConclusionStatus.SIGNED, "signed_at": locked.signed_at.isoformat()},
        summary=f"签发审计结论：{locked}",
        request=request,
    )
    return locked


def followup_check(f: AuditFollowUp) -> None:
    if f.status == FollowUpStatus.DONE and not f.done_on:
        raise ValidationError({"done_on": _("标记为已完成时请填写完成日期。")})
    if f.status != FollowUpStatus.DONE and f.done_on:
        raise ValidationError({"done_on": _("未完成的整改事项不能有完成日期。")})


@transaction.atomic
def followup_save(*, followup: AuditFollowUp, actor, request=None) -> AuditFollowUp:
    """Add or change a follow-up action. Once the conclusion is signed, actions cannot be added
    and only their progress (status, completion date, note) may change."""
    conclusion = AuditConclusion.objects.select_for_update().get(pk=followup.conclusion_id)
    before = {}
    if followup.pk:
        stored = AuditFollowUp.objects.get(pk=followup.pk)
        before = _snap(stored, FOLLOWUP_FIELDS)
    if conclusion.is_signed:
        if not followup.pk:
            raise ValidationError(_("审计结论已签发，不能再增加整改事项。"))
        frozen = [n for n in ("action", "owner", "due_on") if before[n] != _snap(followup, [n])[n]]
        if frozen:
            raise ValidationError(_("审计结论已签发，只能更新整改进展（状态、完成日期、说明）。"))
    followup_check(followup)
    followup.save()
    after = _snap(followup, FOLLOWUP_FIELDS)
    events.change(
        actor=actor,
        obj=followup,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        before={k: v for k, v in before.items() if v != after[k]},
        after={k: v for k, v in after.items() if not before or v != before[k]},
        summary=f"整改事项（{conclusion.title}）：{followup}",
        request=request,
    )
    return followup


@transaction.atomic
def followup_delete(*, followup: AuditFollowUp, actor, request=None) -> None:
    conclusion = AuditConclusion.objects.select_for_update().get(pk=followup.conclusion_id)
    if conclusion.is_signed:
        raise ValidationError(_("审计结论已签发，不能删除整改事项。"))
    events.change(
        actor=actor,
        obj=followup,
        action=AuditAction.DELETE,
        before=_snap(followup, FOLLOWUP_FIELDS),
        summary=f"删除整改事项（{conclusion.title}）：{followup}",
        request=request,
    )
    followup.delete()
