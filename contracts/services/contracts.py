"""Writes about contracts: saving terms, the consortium, and the workflow's moves (guards, rule)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction
from audit.errors import RuleError
from audit.workflow import perform_move
from contracts.choices import (
    ContractStatus,
    DebarmentReason,
    EvaluationStatus,
    RenewalAnswer,
    RenewalRecommendation,
    TerminationReason,
)
from contracts.dates import renewal_answer_due, renewal_window
from contracts.models import Contract, ContractMember, Evaluation
from contracts.permissions import CHANGE_CONTRACT
from contracts.rules import contract_errors, money_term_errors, share_errors, term_errors
from contracts.selectors import insurer_debarment_on, insurer_of
from contracts.services.common import snapshot
from contracts.services.insurers import insurer_debar

TERM_FIELDS = [
    "number",
    "scheme",
    "lead_insurer",
    "previous",
    "starts_on",
    "ends_on",
    "coverage_from",
    "settlement_rule",
    "transfer_share",
    "reserve_share",
    "profit_cap",
    "surplus_rule",
    "loss_sharing",
    "loss_share_insurer",
    "payout_threshold",
    "staff_cost_allowance",
    "adjustment_band_low",
    "adjustment_band_high",
    "platform_fee_kind",
    "platform_fee_rate",
    "platform_fee_amount",
    "claim_time_limit_days",
    "service_window_address",
    "service_window_hours",
]
STATE_FIELDS = [
    "status",
    "signed_on",
    "activated_on",
    "renewal_requested_on",
    "renewal_answer_due_on",
    "renewal_answered_on",
    "renewal_answer",
    "ended_on",
    "termination_reason",
]


@transaction.atomic
def contract_save(*, contract: Contract, actor, request=None) -> Contract:
    """Create or change a contract's terms (only while it is a draft), validated and audited."""
    creating = contract.pk is None
    before = {}
    if not creating:
        stored = Contract.objects.select_for_update().get(pk=contract.pk)
        if stored.status != ContractStatus.DRAFT:
            raise RuleError(_("合同已签订，条款不能再修改；如需变更请签订补充协议并上传。"))
        before = snapshot(stored, TERM_FIELDS)
    if contract.coverage_from is None:
        contract.coverage_from = contract.starts_on
    errors = term_errors(contract)
    for field, messages in money_term_errors(contract).items():
        errors.setdefault(field, []).extend(messages)
    if errors:
        raise RuleError(errors)
    contract.save()
    if creating and not contract.members.exists():
        ContractMember.objects.create(
            contract=contract, insurer=contract.lead_insurer, share=Decimal("100.00")
        )
    events.change(
        actor=actor,
        obj=contract,
        action=AuditAction.CREATE if creating else AuditAction.UPDATE,
        before=before,
        after=snapshot(contract, TERM_FIELDS),
        summary=f"{'新建' if creating else '修改'}合同 {contract.number}",
        request=request,
    )
    return contract


@transaction.atomic
def contract_members_set(
    *, contract: Contract, members: list[tuple[object, Decimal]], actor, request=None
) -> list[ContractMember]:
    """Replace the consortium: `members` is [(insurer, share %), ...] including the lead."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != ContractStatus.DRAFT:
        raise RuleError(_("只有草稿状态的合同可以调整共保体成员。"))
    errors = share_errors(contract.lead_insurer_id, [(ins.pk, share) for ins, share in members])
    if errors:
        raise RuleError(errors)
    before = {str(m.insurer_id): str(m.share) for m in contract.members.all()}
    contract.members.all().delete()
    rows = ContractMember.objects.bulk_create(
        ContractMember(contract=contract, insurer=insurer, share=share)
        for insurer, share in members
    )
    events.change(
        actor=actor,
        obj=contract,
        action=AuditAction.UPDATE,
        before={"members": before},
        after={"members": {str(ins.pk): str(share) for ins, share in members}},
        summary=f"调整合同 {contract.number} 共保体成员",
        request=request,
    )
    return rows


# --- the contract workflow (declared in `contracts.workflows`) ----------------------------------

# The lead insurer's own users may make these moves on their contracts; bureau staff every move.
INSURER_MOVES = frozenset({"request_renewal"})


def contract_rule(contract: Contract, move, actor) -> str | None:
    """Who may move a contract besides the move's permission: an insurer user only the insurer's
    own moves on a contract his insurer leads; bureau staff need the contract permission."""
    insurer = insurer_of(actor)
    allowed = (
        move.name in INSURER_MOVES and insurer.pk == contract.lead_insurer_id
        if insurer is not None
        else actor.has_perm(CHANGE_CONTRACT)
    )
    if allowed:
        return None
    return _("您没有权限对合同 %(number)s 执行「%(move)s」。") % {
        "number": contract.number,
        "move": move.label,
    }


# --- guards: check the move's conditions and set its dates; raise RuleError if not met --------


def guard_sign(step) -> None:
    errors = contract_errors(step.doc)
    if errors:
        raise RuleError(errors)
    step.doc.signed_on = step.on


def guard_activate(step) -> None:
    if not step.doc.bonds.exists():
        raise RuleError(_("请先登记保险机构提交的履约保函（R-CON-3），再使合同生效。"))
    step.doc.activated_on = step.on


def guard_request_renewal(step) -> None:
    contract, on = step.doc, step.on
    opens, closes = renewal_window(contract.ends_on)
    if not opens <= on <= closes:
        raise RuleError(
            _("续签申请只能在合同到期前 6 个月内（%(opens)s 至 %(closes)s）提出，申请日为 %(on)s。")
            % {"opens": opens, "closes": closes, "on": on}
        )
    contract.renewal_requested_on = on
    contract.renewal_answer_due_on = renewal_answer_due(on)


def renewal_verdict(contract) -> Evaluation | None:
    """The contract's latest approved evaluation when it says "no renewal next year" (failed, or
    too many complaints): that answer binds the renewal while it stands (R-JN, R-CON-7)."""
    latest = (
        Evaluation.objects.filter(contract=contract, status=EvaluationStatus.APPROVED)
        .order_by("-year")
        .first()
    )
    if latest is not None and latest.renewal_recommendation == RenewalRecommendation.NOT_RENEW:
        return latest
    return None


def guard_answer_renewal(step) -> None:
    contract, on = step.doc, step.on
    answer, reason = step.data.get("answer", ""), step.reason
    if answer not in RenewalAnswer.values:
        raise RuleError(_("请选择续签答复：同意续签或不予续签。"))
    if answer == RenewalAnswer.REFUSED and not reason.strip():
        raise RuleError(_("不予续签时必须填写理由。"))
    if answer == RenewalAnswer.ACCEPTED:
        verdict = renewal_verdict(contract)
        if verdict is not None:
            raise RuleError(
                _("%(e)s 的结论是「次年度不再续签」，该结论有效期间不能同意续签（R-JN、R-CON-7）。")
                % {"e": verdict}
            )
        barred = insurer_debarment_on(contract.lead_insurer, on)
        if barred is not None:
            raise RuleError(
                _("主承保机构 %(insurer)s 处于禁止投标期内（%(bar)s），不能同意续签（R-CON-7）。")
                % {"insurer": contract.lead_insurer, "bar": barred}
            )
    contract.renewal_answered_on = on
    contract.renewal_answer = answer


def guard_expire(step) -> None:
    contract, on = step.doc, step.on
    if on <= contract.ends_on:
        raise RuleError(
            _("合同 %(end)s 才到期，今天（%(on)s）不能办理到期。")
            % {"end": contract.ends_on, "on": on}
        )
    contract.ended_on = contract.ends_on


def guard_terminate(step) -> None:
    termination_reason = step.data.get("termination_reason", "")
    if termination_reason not in TerminationReason.values:
        raise RuleError(_("请选择提前终止原因：考核不合格、违约或协商一致。"))
    step.doc.termination_reason = termination_reason
    step.doc.ended_on = step.on


_DEBAR_ON_TERMINATION = {
    TerminationReason.FAILED_EVALUATION: DebarmentReason.FAILED_EVALUATION,
    TerminationReason.BREACH: DebarmentReason.BREACH,
}


def debar_on_termination(step) -> None:
    """Terminating for a failed evaluation or a breach debars every member (R-CON-7)."""
    contract = step.doc
    debar_reason = _DEBAR_ON_TERMINATION.get(contract.termination_reason)
    if not debar_reason:
        return
    for member in contract.members.select_related("insurer"):
        insurer_debar(
            insurer=member.insurer,
            reason=debar_reason,
            starts_on=step.on,
            actor=step.actor,
            contract=contract,
            note=step.reason,
        )


def contract_transition(
    *,
    contract: Contract,
    move: str,
    actor,
    reason: str = "",
    on: datetime.date | None = None,
    answer: str = "",
    termination_reason: str = "",
    request=None,
) -> Contract:
    """Move a contract through its workflow (`contracts.workflows.CONTRACT`): `on` is the
    business date (default today), `answer` a renewal answer, `termination_reason` why it ends
    early. Refusals and what is recorded: `audit.workflow.perform_move`."""
    data = {"on": on, "answer": answer, "termination_reason": termination_reason}
    return perform_move(
        doc=contract, move=move, actor=actor, reason=reason, data=data, request=request
    )
