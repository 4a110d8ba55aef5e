"""Monthly statements in the admin: submit, draw the review set, decide items, finish, approve
(by another person), return; the adjustments the insurer must settle."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from audit.admin.mixins import viewer_of
from audit.admin.workflow import WorkflowAdminMixin, form_page
from claims.choices import ItemDecision, RefusalReason, StatementStatus
from claims.permissions import REVIEW_STATEMENT
from claims.settlements.admin.common import ReadOnlyScopedAdmin, explanation_lines
from claims.supervision.models import ClaimStatement, StatementAdjustment
from claims.supervision.services.statement_items import (
    bond_proposal_allowed,
    may_review_items,
    statement_item_bond_deduction_propose,
    statement_item_decide,
)
from claims.supervision.services.statements import statement_submit
from contracts.selectors import contract_for_user

STATUS_COLOURS = {
    StatementStatus.SUBMITTED: "info",
    StatementStatus.IN_REVIEW: "warning",
    StatementStatus.REVIEWED: "info",
    StatementStatus.APPROVED: "success",
}
REASON_CHOICES = [("", "---------"), *RefusalReason.choices]


class SubmitForm(forms.Form):
    contract = forms.ModelChoiceField(label=_("合同"), queryset=None)
    period = forms.DateField(label=_("核算月份"), help_text=_("该月任意一天，如 2025-03-01"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contract_for_user(user)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("复核结论"), choices=[c for c in ItemDecision.choices if c[0] != "pending"]
    )
    amount = forms.DecimalField(
        label=_("核定金额"), required=False, decimal_places=2, max_digits=14,
        help_text=_("更正金额时填写应当支付的金额"),
    )  # fmt: skip
    reason_code = forms.TypedChoiceField(
        label=_("拒付原因"), choices=REASON_CHOICES, required=False, coerce=int, empty_value=None
    )
    note = forms.CharField(
        label=_("复核说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class BondForm(forms.Form):
    amount = forms.DecimalField(label=_("扣款金额"), decimal_places=2, max_digits=14, min_value=0)
    reason = forms.CharField(label=_("扣款事由"), widget=forms.Textarea(attrs={"rows": 3}))


def _change_url(statement) -> str:
    return reverse("admin:claims_claimstatement_change", args=[statement.pk])


@admin.register(ClaimStatement)
class ClaimStatementAdmin(WorkflowAdminMixin, ReadOnlyScopedAdmin):
    list_display = (
        "id", "period_label", "insurer", "contract", "status_badge", "record_count",
        "claimed_total", "discrepancy_count", "correction_total",
    )  # fmt: skip
    list_filter = ("status", "period", "insurer")
    list_select_related = ("insurer", "contract")
    ordering = ("-period", "-id")
    fields = (
        "contract", "insurer", "period", "status", "record_count", "claimed_total",
        "expected_total", "discrepancy_count", "sample_seed", "sample_size", "review_threshold",
        "correction_total", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at",
        "approved_by", "approved_at", "items_table",
    )  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("核算月份"), ordering="period")
    def period_label(self, obj):
        return f"{obj.period:%Y-%m}"

    @display(description=_("状态"), label=STATUS_COLOURS)
    def status_badge(self, obj):
        return obj.status, obj.get_status_display()

    @admin.display(description=_("复核明细"))
    def items_table(self, obj):
        items = obj.items.select_related("record").order_by("id")
        if not items:
            return "-"
        can_decide = obj.status == StatementStatus.IN_REVIEW and may_review_items(viewer_of(obj))
        rows = []
        for item in items:
            why = "、".join(
                str(label)
                for flag, label in (
                    (item.in_sample, _("随机抽中")),
                    (item.above_threshold, _("大额")),
                    (item.discrepancy, _("对账差异")),
                )
                if flag
            )
            url = reverse("admin:claims_claimstatement_decide", args=[obj.pk, item.pk])
            action = format_html('<a href="{}">{}</a>', url, _("复核") if can_decide else _("查看"))
            rows.append(
                (
                    item.record.setl_id, why, item.claimed, item.expected,
                    item.get_decision_display(), item.corrected_amount or "",
                    item.get_reason_code_display() if item.reason_code else "", action,
                )
            )  # fmt: skip
        head = format_html_join(
            "", "<th>{}</th>",
            ((h,) for h in (_("结算ID"), _("纳入原因"), _("已付"), _("应付"), _("结论"),
                            _("核定金额"), _("拒付原因"), "")),
        )  # fmt: skip
        body = format_html_join("", "<tr>" + "<td>{}</td>" * 8 + "</tr>", rows)
        return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, body)

    def get_urls(self):
        return [
            path(
                "submit/", self.door(self.submit_view, "add"), name="claims_claimstatement_submit"
            ),
            path(
                "<int:pk>/items/<int:item_id>/decide/",
                self.door(self.decide_view),  # read-only for viewers; a decision needs review
                name="claims_claimstatement_decide",
            ),
            path(
                "<int:pk>/items/<int:item_id>/bond/",
                self.door(self.bond_view, "view", REVIEW_STATEMENT),
                name="claims_claimstatement_bond",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return self.submit_view(request)

    def has_add_permission(self, request):
        return request.user.has_perm("claims.add_claimstatement")

    def submit_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied

        def perform(data):
            statement = statement_submit(
                contract=data["contract"], period=data["period"], actor=request.user
            )
            return _change_url(statement)

        return form_page(
            request,
            admin=self,
            obj=None,
            title=_("提交月度核算"),
            form=SubmitForm(request.POST or None, user=request.user),
            perform=perform,
            back_url=reverse("admin:claims_claimstatement_changelist"),
        )

    def _item(self, request, pk, item_id):
        """An item of a statement the user may reach (the statement is the door's row)."""
        statement = get_object_or_404(self.get_queryset(request), pk=pk)
        return get_object_or_404(statement.items.select_related("record__compensation"), pk=item_id)

    def decide_view(self, request, pk, item_id):
        item = self._item(request, pk, item_id)
        may_review = may_review_items(request.user)
        if not may_review and request.method == "POST":
            raise PermissionDenied
        compensation = getattr(item.record, "compensation", None)
        details = [
            (_("结算ID"), item.record.setl_id),
            (_("医疗费总额"), item.record.medfee_sumamt),
            (_("保险机构已付"), item.claimed),
            (_("应赔付（引擎）"), item.expected),
            (_("当前结论"), item.get_decision_display()),
        ]
        if may_review and bond_proposal_allowed(item):
            url = reverse("admin:claims_claimstatement_bond", args=[pk, item.pk])
            details.append((_("保函扣款"), format_html('<a href="{}">{}</a>', url, _("提出扣款"))))
        initial = {
            "decision": item.decision if item.decision != ItemDecision.PENDING else "accept",
            "amount": item.corrected_amount,
            "reason_code": item.reason_code,
            "note": item.note,
        }
        return form_page(
            request,
            admin=self,
            obj=item.statement,
            title=_("复核结算 %(s)s") % {"s": item.record.setl_id},
            form=DecideForm(request.POST or None, initial=initial),
            perform=lambda data: statement_item_decide(
                item=item,
                decision=data["decision"],
                amount=data["amount"],
                reason_code=data["reason_code"],
                note=data["note"],
                actor=request.user,
            ),
            back_url=_change_url(item.statement),
            details=details,
            explanation=explanation_lines(compensation),
        )

    def bond_view(self, request, pk, item_id):
        item = self._item(request, pk, item_id)
        return form_page(
            request,
            admin=self,
            obj=item.statement,
            title=_("提出履约保函扣款"),
            form=BondForm(request.POST or None),
            perform=lambda data: statement_item_bond_deduction_propose(
                item=item, amount=data["amount"], reason=data["reason"], actor=request.user
            ),
            back_url=_change_url(item.statement),
            details=[(_("结算ID"), item.record.setl_id), (_("核定金额"), item.settled_amount)],
        )


@admin.register(StatementAdjustment)
class StatementAdjustmentAdmin(WorkflowAdminMixin, ReadOnlyScopedAdmin):
    list_display = ("id", "statement", "insurer", "amount", "reason_code", "status", "created_at")
    list_filter = ("status", "insurer")
    list_select_related = ("statement", "insurer")
    ordering = ("-id",)
    fields = (
        "statement", "item", "contract", "insurer", "amount", "reason_code", "status",
        "created_at", "answer", "answered_by", "answered_at", "closed_by", "closed_at",
        "close_note",
    )  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
