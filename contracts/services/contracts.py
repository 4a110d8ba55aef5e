"""Writes about contracts: saving terms, the consortium, and every workflow move."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction
from contracts.choices import (
    ContractStatus,
    DebarmentReason,
    EvaluationStatus,
    RenewalAnswer,
    RenewalRecommendation,
    TerminationReason,
)
from contracts.dates import renewal_answer_due, renewal_window
from contracts.errors import ContractsError, IllegalTransition, NotPermitted
from contracts.models import Contract, ContractMember, ContractTransition, Evaluation
from contracts.rules import contract_errors, money_term_errors, share_errors, term_errors
from contracts.selectors import insurer_debarment_on, insurer_of
from contracts.services.common import snapshot, today
from contracts.services.insurers import insurer_debar
from contracts.workflow import CONTRACT_MOVE_PERMISSION, CONTRACT_MOVES, Move

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
            raise ContractsError(_("合同已签订，条款不能再修改；如需变更请签订补充协议并上传。"))
        before = snapshot(stored, TERM_FIELDS)
    if contract.coverage_from is None:
        contract.coverage_from = contract.starts_on
    errors = term_errors(contract)
    for field, messages in money_term_errors(contract).items():
        errors.setdefault(field, []).extend(messages)
    if errors:
        raise ContractsError(errors)
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
        raise ContractsError(_("只有草稿状态的合同可以调整共保体成员。"))
    errors = share_errors(contract.lead_insurer_id, [(ins.pk, share) for ins, share in members])
    if errors:
        raise ContractsError(errors)
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


def _may_move(actor, contract: Contract, move: Move) -> bool:
    if actor is None or not actor.is_authenticated:
        return False
    insurer = insurer_of(actor)
    if insurer is not None:
        return move.insurer_may and insurer.pk == contract.lead_insurer_id
    return actor.has_perm(CONTRACT_MOVE_PERMISSION)


def contract_allowed_moves(*, contract: Contract, user) -> list[Move]:
    """The moves legal from the contract's status that `user` may make (for buttons)."""
    return [
        move
        for move in CONTRACT_MOVES.values()
        if contract.status in move.sources and _may_move(user, contract, move)
    ]


# --- guards: check the move's conditions and set its dates; raise ContractsError if not met ---


def _guard_sign(contract, on, **_kw):
    errors = contract_errors(contract)
    if errors:
        raise ContractsError(errors)
    contract.signed_on = on


def _guard_activate(contract, on, **_kw):
    if not contract.bonds.exists():
        raise ContractsError(_("请先登记保险机构提交的履约保函（R-CON-3），再使合同生效。"))
    contract.activated_on = on


def _guard_request_renewal(contract, on, **_kw):
    opens, closes = renewal_window(contract.ends_on)
    if not opens <= on <= closes:
        raise ContractsError(
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


def _guard_answer_renewal(contract, on, *, answer="", reason="", **_kw):
    if answer not in RenewalAnswer.values:
        raise ContractsError(_("请选择续签答复：同意续签或不予续签。"))
    if answer == RenewalAnswer.REFUSED and not reason.strip():
        raise ContractsError(_("不予续签时必须填写理由。"))
    if answer == RenewalAnswer.ACCEPTED:
        verdict = renewal_verdict(contract)
        if verdict is not None:
            raise ContractsError(
                _("%(e)s 的结论是「次年度不再续签」，该结论有效期间不能同意续签（R-JN、R-CON-7）。")
                % {"e": verdict}
            )
        barred = insurer_debarment_on(contract.lead_insurer, on)
        if barred is not None:
            raise ContractsError(
                _("主承保机构 %(insurer)s 处于禁止投标期内（%(bar)s），不能同意续签（R-CON-7）。")
                % {"insurer": contract.lead_insurer, "bar": barred}
            )
    contract.renewal_answered_on = on
    contract.renewal_answer = answer


def _guard_expire(contract, on, **_kw):
    if on <= contract.ends_on:
        raise ContractsError(
            _("合同 %(end)s 才到期，今天（%(on)s）不能办理到期。")
            % {"end": contract.ends_on, "on": on}
        )
    contract.ended_on = contract.ends_on


def _guard_terminate(contract, on, *, termination_reason="", **_kw):
    if termination_reason not in TerminationReason.values:
        raise ContractsError(_("请选择提前终止原因：考核不合格、违约或协商一致。"))
    contract.termination_reason = termination_reason
    contract.ended_on = on


GUARDS = {
    "sign": _guard_sign,
    "activate": _guard_activate,
    "request_renewal": _guard_request_renewal,
    "answer_renewal": _guard_answer_renewal,
    "expire": _guard_expire,
    "terminate": _guard_terminate,
}
assert set(GUARDS) == set(CONTRACT_MOVES), "every move needs its guard"

_DEBAR_ON_TERMINATION = {
    TerminationReason.FAILED_EVALUATION: DebarmentReason.FAILED_EVALUATION,
    TerminationReason.BREACH: DebarmentReason.BREACH,
}


@transaction.atomic
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
    """Move a contract through its workflow (see `contracts.workflow.CONTRACT_MOVES`).

    Refuses a move not in the table for the current status, a user without permission, and a
    move whose conditions are not met; records who/when/why in `ContractTransition` and the
    audit log. Terminating for a failed evaluation or a breach debars every member (R-CON-7).
    """
    on = on or today()
    spec = CONTRACT_MOVES.get(move)
    if spec is None:
        raise IllegalTransition(_("未知的合同操作：%(move)s。") % {"move": move})
    contract = (
        Contract.objects.select_for_update().select_related("lead_insurer").get(pk=contract.pk)
    )
    if contract.status not in spec.sources:
        legal = "、".join(
            str(m.label) for m in CONTRACT_MOVES.values() if contract.status in m.sources
        )
        raise IllegalTransition(
            _("合同 %(number)s 当前状态为「%(status)s」，不能「%(move)s」。当前可执行：%(legal)s。")
            % {
                "number": contract.number,
                "status": contract.get_status_display(),
                "move": spec.label,
                "legal": legal or _("无"),
            }
        )
    if not _may_move(actor, contract, spec):
        raise NotPermitted(
            _("您没有权限对合同 %(number)s 执行「%(move)s」。")
            % {"number": contract.number, "move": spec.label}
        )
    reason = (reason or "").strip()
    if spec.needs_reason and not reason:
        raise ContractsError(_("「%(move)s」必须填写原因。") % {"move": spec.label})
    before = snapshot(contract, STATE_FIELDS)
    GUARDS[move](contract, on, answer=answer, reason=reason, termination_reason=termination_reason)
    from_status = contract.status
    contract.status = spec.target
    contract.save(update_fields=STATE_FIELDS)
    ContractTransition.objects.create(
        contract=contract,
        from_status=from_status,
        to_status=spec.target,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        effective_on=on,
        reason=reason,
    )
    events.change(
        actor=actor,
        obj=contract,
        action=AuditAction.TRANSITION,
        before=before,
        after=snapshot(contract, STATE_FIELDS),
        summary=f"合同 {contract.number}：{spec.label}",
        reason=reason,
        request=request,
    )
    debar_reason = _DEBAR_ON_TERMINATION.get(contract.termination_reason)
    if spec.name == "terminate" and debar_reason:
        for member in contract.members.select_related("insurer"):
            insurer_debar(
                insurer=member.insurer,
                reason=debar_reason,
                starts_on=on,
                actor=actor,
                contract=contract,
                note=reason,
            )
    return contract
