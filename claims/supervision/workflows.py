"""The supervision's workflows, as data: one table of moves per status field, run by the one
machine (`audit.workflow.perform_move`). Registered when the app is ready (`claims.apps`).

complaints     assign, answer (the insurer), decide, close after the callback, reopen (R-SUP-1)
statements     the monthly statement's re-review, approved by someone other than a reviewer
adjustments    what an approved review left the insurer to settle: settled or cancelled
manual claims  documents complete, approved or refused, paid (R-CLM-3)
fraud flags    a screening flag confirmed or dismissed (with a reason) by a reviewer
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.choices import AuditAction
from audit.workflow import Maker, Move, Workflow, register
from claims.choices import AdjustmentStatus as A
from claims.choices import ComplaintDecision, RefusalReason
from claims.choices import ComplaintStatus as C
from claims.choices import FlagStatus as F
from claims.choices import ManualClaimStatus as M
from claims.choices import StatementStatus as S
from claims.permissions import (
    ANSWER_ADJUSTMENT,
    ANSWER_COMPLAINT,
    APPROVE_STATEMENT,
    DECIDE_COMPLAINT,
    HANDLE_COMPLAINT,
    HANDLE_MANUAL_CLAIM,
    REVIEW_FRAUD_FLAG,
    REVIEW_STATEMENT,
    SETTLE_ADJUSTMENT,
)
from claims.supervision.models.manual_claim import DOCUMENTS
from claims.supervision.services import complaints, fraud, manual_claims, statements
from claims.supervision.services.statement_items import (
    adjustment_rule,
    guard_answer_adjustment,
    guard_close,
)

# --- complaints ----------------------------------------------------------------------------------


class AssignForm(forms.Form):
    on = forms.DateField(
        label=_("转办日期"), required=False, help_text=_("答复期限按工作日自动计算，默认今天")
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 5}))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("处理决定"), choices=ComplaintDecision.choices)
    required_action = forms.CharField(
        label=_("责令保险机构采取的措施"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class CloseForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("回访满意度"), choices=[(i, str(i)) for i in range(5, 0, -1)], coerce=int
    )
    on = forms.DateField(label=_("回访日期"), required=False)


COMPLAINT = Workflow(
    "claims.Complaint",
    moves=(
        Move(
            "assign", _("转保险机构办理"), {C.RECEIVED}, C.ASSIGNED, HANDLE_COMPLAINT,
            form=AssignForm, guard=complaints.guard_assign,
        ),
        Move(
            "answer", _("答复投诉"), {C.ASSIGNED}, C.ANSWERED, ANSWER_COMPLAINT, form=AnswerForm,
            guard=complaints.guard_answer,
        ),
        Move(
            "decide", _("作出处理决定"), {C.ASSIGNED, C.ANSWERED}, C.DECIDED, DECIDE_COMPLAINT,
            form=DecideForm, guard=complaints.guard_decide,
        ),
        Move(
            "close", _("回访办结"), {C.DECIDED}, C.CLOSED, HANDLE_COMPLAINT, form=CloseForm,
            guard=complaints.guard_close,
        ),
        Move(
            "reopen", _("重新处理"), {C.DECIDED, C.CLOSED}, C.ASSIGNED, HANDLE_COMPLAINT,
            needs_reason=True, form=AssignForm, guard=complaints.guard_assign,
        ),
    ),
    rule=complaints.complaint_rule,
    audit_fields=complaints.FIELDS,
)  # fmt: skip

# --- monthly statements and their adjustments ----------------------------------------------------


class StartForm(forms.Form):
    seed = forms.IntegerField(
        label=_("抽样种子"),
        required=False,
        help_text=_("留空则随机生成并记录；同一种子抽样结果相同"),
    )
    sample_size = forms.IntegerField(
        label=_("随机抽样数"), required=False, min_value=0, help_text=_("留空用合同的监管参数")
    )
    threshold = forms.DecimalField(
        label=_("大额必审金额"), required=False, min_value=0, decimal_places=2, max_digits=14
    )


REVIEWERS = (
    Maker(_("复核人"), "reviewed_by"),
    Maker(_("复核人"), ids=statements.item_deciders),
)

STATEMENT = Workflow(
    "claims.ClaimStatement",
    moves=(
        Move(
            "start_review", _("开始复核"), {S.SUBMITTED}, S.IN_REVIEW, REVIEW_STATEMENT,
            form=StartForm, guard=statements.guard_start_review,
        ),
        Move(
            "finish_review", _("完成复核"), {S.IN_REVIEW}, S.REVIEWED, REVIEW_STATEMENT,
            stamp="reviewed", guard=statements.guard_finish_review,
        ),
        Move(
            "return", _("退回重新复核"), {S.REVIEWED}, S.IN_REVIEW, APPROVE_STATEMENT,
            needs_reason=True, clear="reviewed",
        ),
        Move(
            "approve", _("审批通过"), {S.REVIEWED}, S.APPROVED, APPROVE_STATEMENT,
            makers=REVIEWERS, stamp="approved", guard=statements.guard_approve,
            action=AuditAction.APPROVE,
        ),
    ),
    starts=(("submit", _("提交月度核算")),),
)  # fmt: skip


class AdjustmentAnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 4}))


ADJUSTMENT = Workflow(
    "claims.StatementAdjustment",
    moves=(
        # the insurer says how (or whether) it will settle; the bureau still settles or cancels
        Move(
            "answer", _("答复复核调整"), {A.OPEN}, A.ANSWERED, ANSWER_ADJUSTMENT,
            form=AdjustmentAnswerForm, stamp="answered", guard=guard_answer_adjustment,
        ),
        Move(
            "settle", _("确认已结清"), {A.OPEN, A.ANSWERED}, A.SETTLED, SETTLE_ADJUSTMENT,
            stamp="closed", guard=guard_close,
        ),
        Move(
            "cancel", _("撤销"), {A.OPEN, A.ANSWERED}, A.CANCELLED, SETTLE_ADJUSTMENT,
            needs_reason=True, stamp="closed", guard=guard_close,
        ),
    ),
    rule=adjustment_rule,
    audit_fields=("status", "amount", "answer"),
)  # fmt: skip

# --- manual claims ------------------------------------------------------------------------------


class CompleteForm(forms.Form):
    documents = forms.MultipleChoiceField(
        label=_("已收材料"),
        choices=list(DOCUMENTS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    complete_on = forms.DateField(label=_("材料齐全日期"), required=False, help_text=_("默认今天"))


class ApproveForm(forms.Form):
    decided_on = forms.DateField(label=_("审核决定日期"), required=False)
    amount = forms.DecimalField(label=_("核准金额"), decimal_places=2, max_digits=14)


class RefuseForm(forms.Form):
    decided_on = forms.DateField(label=_("审核决定日期"), required=False)
    reason_code = forms.TypedChoiceField(
        label=_("拒付原因"), choices=RefusalReason.choices, coerce=int
    )


class PaidForm(forms.Form):
    paid_on = forms.DateField(label=_("支付日期"))


MANUAL_CLAIM = Workflow(
    "claims.ManualClaim",
    moves=(
        Move(
            "complete", _("材料齐全"), {M.RECEIVED}, M.COMPLETE, HANDLE_MANUAL_CLAIM,
            form=CompleteForm, guard=manual_claims.guard_complete,
        ),
        Move(
            "approve", _("核准赔付"), {M.COMPLETE}, M.APPROVED, HANDLE_MANUAL_CLAIM,
            form=ApproveForm, guard=manual_claims.guard_approve,
        ),
        # the refusal's reason is its numbered code, which the guard requires
        Move(
            "refuse", _("不予赔付"), {M.COMPLETE}, M.REFUSED, HANDLE_MANUAL_CLAIM,
            form=RefuseForm, guard=manual_claims.guard_refuse,
        ),
        Move(
            "pay", _("登记支付"), {M.APPROVED}, M.PAID, HANDLE_MANUAL_CLAIM, form=PaidForm,
            guard=manual_claims.guard_pay,
        ),
    ),
    audit_fields=manual_claims.FIELDS,
)  # fmt: skip

# --- fraud flags -------------------------------------------------------------------------------

FRAUD_FLAG = Workflow(
    "claims.FraudFlag",
    moves=(
        Move(
            "confirm", _("核实属实"), {F.OPEN}, F.CONFIRMED, REVIEW_FRAUD_FLAG, stamp="reviewed",
            guard=fraud.guard_review,
        ),
        Move(
            "dismiss", _("排除疑点"), {F.OPEN}, F.DISMISSED, REVIEW_FRAUD_FLAG, needs_reason=True,
            stamp="reviewed", guard=fraud.guard_review,
        ),
    ),
)  # fmt: skip

register(COMPLAINT, STATEMENT, ADJUSTMENT, MANUAL_CLAIM, FRAUD_FLAG)
