"""Spot checks (抽查, R-SUP-1, R-CLM-4): plan, record as performed with findings, follow-up
actions with due dates; a check is closed when every follow-up action is done."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction
from audit.errors import NotPermitted, RuleError
from claims.choices import ActionStatus, FindingSeverity, SpotCheckStatus
from claims.supervision.models import FollowUpAction, SpotCheck, SpotCheckFinding
from contracts.selectors import contract_for_user, insurer_of

PERMISSION = "claims.change_spotcheck"


def may_handle_spot_checks(actor, perm: str = PERMISSION) -> bool:
    """Bureau staff with the permission: record a check's results, order and close actions."""
    return actor is not None and actor.has_perm(perm) and insurer_of(actor) is None


def _check_actor(actor, perm: str = PERMISSION) -> None:
    if not may_handle_spot_checks(actor, perm):
        raise NotPermitted(_("您没有办理抽查的权限。"))


@transaction.atomic
def spot_check_plan(
    *, contract, kind: str, subject: str, planned_on: dt.date, actor, inspectors: str = ""
) -> SpotCheck:
    _check_actor(actor, "claims.add_spotcheck")
    if not contract_for_user(actor).filter(pk=contract.pk).exists():
        raise NotPermitted(_("您无权为该合同安排抽查。"))
    check = SpotCheck.objects.create(
        contract=contract,
        kind=kind,
        subject=subject,
        planned_on=planned_on,
        inspectors=inspectors,
        created_by=actor,
    )
    events.change(
        actor=actor,
        obj=check,
        action=AuditAction.CREATE,
        after={"kind": kind, "planned_on": str(planned_on), "subject": subject},
        summary=f"安排抽查 {check}",
    )
    return check


@transaction.atomic
def spot_check_perform(
    *,
    check: SpotCheck,
    performed_on: dt.date,
    inspectors: str,
    summary: str,
    findings: list[tuple[str, str]],
    actor,
) -> SpotCheck:
    """Record the check as performed with its findings [(severity, description)]."""
    _check_actor(actor)
    check = SpotCheck.objects.select_for_update().get(pk=check.pk)
    if check.status != SpotCheckStatus.PLANNED:
        raise RuleError(
            _("抽查当前状态为「%(s)s」，不能登记实施。") % {"s": check.get_status_display()}
        )
    if not (inspectors or "").strip():
        raise RuleError(_("请填写检查人员。"))
    if performed_on > timezone.localdate():
        raise RuleError(_("实施日期不能晚于今天。"))
    for severity, description in findings:
        if severity not in FindingSeverity.values or not (description or "").strip():
            raise RuleError(_("每个发现的问题都必须有严重程度和描述。"))
    check.performed_on, check.inspectors, check.summary = performed_on, inspectors, summary
    check.status = SpotCheckStatus.PERFORMED if findings else SpotCheckStatus.CLOSED
    check.save()
    SpotCheckFinding.objects.bulk_create(
        SpotCheckFinding(spot_check=check, severity=s, description=d) for s, d in findings
    )
    events.change(
        actor=actor,
        obj=check,
        action=AuditAction.TRANSITION,
        after={
            "status": check.status,
            "performed_on": str(performed_on),
            "findings": len(findings),
        },
        summary=f"登记抽查结果 {check}",
    )
    return check


@transaction.atomic
def follow_up_add(*, finding: SpotCheckFinding, action: str, due_on: dt.date, actor):
    _check_actor(actor)
    if not (action or "").strip():
        raise RuleError(_("请填写整改措施。"))
    row = FollowUpAction.objects.create(finding=finding, action=action.strip(), due_on=due_on)
    events.change(
        actor=actor,
        obj=row,
        action=AuditAction.CREATE,
        after={"due_on": str(due_on)},
        summary=f"下达整改措施：{finding.spot_check}",
    )
    return row


@transaction.atomic
def follow_up_done(*, action: FollowUpAction, done_on: dt.date, actor) -> FollowUpAction:
    """Mark an action done; the check closes when none of its actions is open any more."""
    _check_actor(actor)
    action = FollowUpAction.objects.select_for_update().select_related("finding").get(pk=action.pk)
    if action.status == ActionStatus.DONE:
        raise RuleError(_("该整改措施已经完成。"))
    action.status, action.done_on = ActionStatus.DONE, done_on
    action.save()
    check = action.finding.spot_check
    still_open = FollowUpAction.objects.filter(
        finding__spot_check=check, status=ActionStatus.OPEN
    ).exists()
    if not still_open and check.status == SpotCheckStatus.PERFORMED:
        check.status = SpotCheckStatus.CLOSED
        check.save(update_fields=["status"])
    events.change(
        actor=actor,
        obj=action,
        action=AuditAction.TRANSITION,
        after={"status": action.status, "done_on": str(done_on), "check": check.status},
        summary=f"整改完成：{check}",
    )
    return action
