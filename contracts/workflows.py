"""The workflows of the contracts app, as data: one table of moves per status field, run by the
one machine (`audit.workflow.perform_move`). Registered when the app is ready.

contracts    the contract's life: sign, activate, renewal request and answer, expiry, termination
deductions   a bond deduction approved or refused by someone other than its proposer (R-CON-3)
transfers    a quarterly transfer: prepared (finance), approved (director), paid (R-ORD-2)
releases     the evaluation reserve's release: the same payment moves
funding      a funding calculation approved by someone other than who computed it
settlements  the year-end settlement approved by someone other than who prepared it
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.choices import AuditAction
from audit.workflow import Maker, Move, Workflow, register
from contracts.choices import ContractStatus as C
from contracts.choices import DeductionStatus as D
from contracts.choices import FundingCalcStatus as F
from contracts.choices import PaymentStatus as P
from contracts.choices import RenewalAnswer, TerminationReason
from contracts.choices import SettlementStatus as S
from contracts.permissions import APPROVE, APPROVE_DEDUCTION, CHANGE_CONTRACT, PREPARE
from contracts.services.bonds import guard_decide, post_deduction
from contracts.services.contracts import (
    STATE_FIELDS,
    contract_rule,
    debar_on_termination,
    guard_activate,
    guard_answer_renewal,
    guard_expire,
    guard_request_renewal,
    guard_sign,
    guard_terminate,
)
from contracts.services.funding import guard_approve, post_funding
from contracts.services.reserves import post_release, release_warnings
from contracts.services.transfers import guard_pay, post_transfer, transfer_warnings
from contracts.services.year_end import post_settlement, settlement_warnings

# --- contracts -----------------------------------------------------------------------------------


class OnForm(forms.Form):
    on = forms.DateField(label=_("业务日期"), required=False, help_text=_("留空为今天"))


class AnswerForm(OnForm):
    answer = forms.ChoiceField(label=_("续签答复"), choices=RenewalAnswer.choices)


class TerminateForm(OnForm):
    termination_reason = forms.ChoiceField(label=_("终止原因"), choices=TerminationReason.choices)


RENEWAL_STATES = frozenset({C.RENEWAL_REQUESTED, C.RENEWAL_ANSWERED})

CONTRACT = Workflow(
    "contracts.Contract",
    moves=(
        Move(
            "sign", _("签订"), {C.DRAFT}, C.SIGNED, CHANGE_CONTRACT, form=OnForm, guard=guard_sign,
        ),
        Move(
            "activate", _("生效"), {C.SIGNED}, C.ACTIVE, CHANGE_CONTRACT, form=OnForm,
            guard=guard_activate,
        ),
        # the lead insurer's users may request a renewal too (`contract_rule`)
        Move(
            "request_renewal", _("登记续签申请"), {C.ACTIVE}, C.RENEWAL_REQUESTED, form=OnForm,
            guard=guard_request_renewal,
        ),
        Move(
            "answer_renewal", _("答复续签申请"), {C.RENEWAL_REQUESTED}, C.RENEWAL_ANSWERED,
            CHANGE_CONTRACT, form=AnswerForm, guard=guard_answer_renewal,
        ),
        Move(
            "expire", _("到期"), {C.ACTIVE, *RENEWAL_STATES}, C.EXPIRED, CHANGE_CONTRACT,
            form=OnForm, guard=guard_expire,
        ),
        Move(
            "terminate", _("提前终止"), {C.SIGNED, C.ACTIVE, *RENEWAL_STATES}, C.TERMINATED,
            CHANGE_CONTRACT, needs_reason=True, form=TerminateForm, guard=guard_terminate,
            then=debar_on_termination,
        ),
    ),
    rule=contract_rule,
    audit_fields=tuple(STATE_FIELDS),
)  # fmt: skip

# --- bond deductions -----------------------------------------------------------------------------

PROPOSER = Maker(_("提出人"), "prepared_by")

DEDUCTION = Workflow(
    "contracts.BondDeduction",
    moves=(
        Move(
            "approve", _("批准扣款"), {D.PROPOSED}, D.APPROVED, APPROVE_DEDUCTION,
            makers=(PROPOSER,), stamp="approved", guard=guard_decide, then=post_deduction,
            action=AuditAction.APPROVE,
        ),
        Move(
            "reject", _("驳回扣款"), {D.PROPOSED}, D.REJECTED, APPROVE_DEDUCTION,
            needs_reason=True, makers=(PROPOSER,), stamp="approved", guard=guard_decide,
            action=AuditAction.REJECT,
        ),
    ),
)  # fmt: skip

# --- payments: quarterly transfers and reserve releases -----------------------------------------


class PayForm(forms.Form):
    paid_on = forms.DateField(label=_("支付日期"))
    bank_reference = forms.CharField(label=_("银行流水号"), max_length=64)


PREPARER = Maker(_("制单人"), "prepared_by")


def payment_workflow(model: str, posting, warn) -> Workflow:
    """Transfers and releases move alike; paying posts each its own way, and each has its own
    figures to look at twice before approval (`warn`)."""
    return Workflow(
        model,
        moves=(
            Move("prepare", _("制单"), {P.DRAFT}, P.PREPARED, PREPARE, stamp="prepared"),
            Move(
                "approve", _("审批通过"), {P.PREPARED}, P.APPROVED, APPROVE, makers=(PREPARER,),
                stamp="approved", action=AuditAction.APPROVE, warn=warn,
            ),
            Move(
                "send_back", _("退回制单"), {P.PREPARED}, P.DRAFT, APPROVE, needs_reason=True,
                makers=(PREPARER,), clear="prepared", action=AuditAction.REJECT,
            ),
            Move(
                "pay", _("登记支付"), {P.APPROVED}, P.PAID, PREPARE, form=PayForm, guard=guard_pay,
                then=posting, action=AuditAction.TRANSFER,
            ),
        ),
        audit_fields=("status", "prepared_by", "approved_by"),
    )  # fmt: skip


TRANSFER = payment_workflow("contracts.Transfer", post_transfer, transfer_warnings)
RELEASE = payment_workflow("contracts.ReserveRelease", post_release, release_warnings)

# --- funding and the year-end settlement --------------------------------------------------------

FUNDING = Workflow(
    "contracts.FundingCalculation",
    moves=(
        Move(
            "approve", _("批准筹资测算"), {F.PROPOSED}, F.APPROVED, APPROVE,
            makers=(Maker(_("测算人"), "prepared_by"),), stamp="approved", guard=guard_approve,
            then=post_funding, action=AuditAction.APPROVE,
        ),
    ),
)  # fmt: skip

SETTLEMENT = Workflow(
    "contracts.YearEndSettlement",
    moves=(
        Move(
            "approve", _("审批年度清算"), {S.PREPARED}, S.APPROVED, APPROVE,
            makers=(Maker(_("编制人"), "prepared_by"),), stamp="approved",
            then=post_settlement, action=AuditAction.APPROVE, warn=settlement_warnings,
        ),
    ),
    starts=(("prepare", _("编制年度清算")),),
)  # fmt: skip

register(CONTRACT, DEDUCTION, TRANSFER, RELEASE, FUNDING, SETTLEMENT)
