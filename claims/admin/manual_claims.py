"""Manual claims (零星报销) in the admin: receive, tick documents, decide, register payment."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from audit.admin.mixins import viewer_of
from claims.admin.supervision import ReadOnlyScopedAdmin, form_view, links_html
from claims.choices import RefusalReason
from claims.models import ManualClaim
from claims.models.manual_claim import DOCUMENTS
from claims.services.manual_claims import (
    manual_claim_decide,
    manual_claim_documents_update,
    manual_claim_pay,
    manual_claim_register,
)
from claims.supervision_workflow import MANUAL_MOVES, MANUAL_PERMISSION, allowed_moves
from contracts.selectors import contract_for_user
from insurance.models import Person

DOC_CHOICES = list(DOCUMENTS.items())


class RegisterForm(forms.Form):
    contract = forms.ModelChoiceField(label=_("合同"), queryset=None)
    psn_no = forms.CharField(label=_("人员编号"), max_length=32)
    received_on = forms.DateField(label=_("受理日期"))
    hospital_name = forms.CharField(label=_("就医机构"), max_length=128)
    hospital_place = forms.CharField(label=_("就医地"), max_length=64, required=False)
    treatment_from = forms.DateField(label=_("就医开始日期"))
    treatment_to = forms.DateField(label=_("就医结束日期"))
    amount_claimed = forms.DecimalField(label=_("申请金额"), decimal_places=2, max_digits=14)
    documents = forms.MultipleChoiceField(
        label=_("已收材料"),
        choices=DOC_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contract_for_user(user)

    def clean_psn_no(self):
        person = Person.objects.filter(psn_no=self.cleaned_data["psn_no"].strip()).first()
        if person is None:
            raise forms.ValidationError(_("找不到该人员编号的参保人。"))
        return person


class DocumentsForm(forms.Form):
    documents = forms.MultipleChoiceField(
        label=_("已收材料"),
        choices=DOC_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    complete_on = forms.DateField(
        label=_("材料齐全日期"), required=False, help_text=_("材料全部收齐时填写，默认今天")
    )


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审核结论"),
        choices=[("1", _("核准赔付")), ("0", _("不予赔付"))],
        coerce=lambda v: v == "1",
    )
    decided_on = forms.DateField(label=_("审核决定日期"), required=False)
    amount = forms.DecimalField(
        label=_("核准金额"), required=False, decimal_places=2, max_digits=14
    )
    reason_code = forms.TypedChoiceField(
        label=_("拒付原因"),
        choices=[("", "---------"), *RefusalReason.choices],
        required=False,
        coerce=int,
        empty_value=None,
    )
    note = forms.CharField(
        label=_("审核说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class PayForm(forms.Form):
    paid_on = forms.DateField(label=_("支付日期"))


@admin.register(ManualClaim)
class ManualClaimAdmin(ReadOnlyScopedAdmin):
    list_display = (
        "claim_no", "person", "hospital_name", "amount_claimed", "status", "documents_complete_on",
        "due_on", "overdue_badge", "paid_on",
    )  # fmt: skip
    list_filter = ("status", "overdue")
    list_select_related = ("person",)
    search_fields = ("=claim_no", "=person__psn_no")
    raw_id_fields = ("person", "contract")
    ordering = ("-received_on", "-id")
    fields = (
        "claim_no", "contract", "person", "received_on", "hospital_name", "hospital_place",
        "treatment_from", "treatment_to", "amount_claimed", "documents_list", "status",
        "documents_complete_on", "due_on", "overdue", "decided_on", "approved_amount",
        "reason_code", "decision_note", "decided_by", "paid_on", "created_by", "actions_links",
    )  # fmt: skip
    readonly_fields = fields

    @display(description=_("超期"), label={True: "danger", False: "success"})
    def overdue_badge(self, obj):
        return obj.overdue, _("已超期") if obj.overdue else _("正常")

    @admin.display(description=_("材料清单"))
    def documents_list(self, obj):
        rows = ((label, "✓" if obj.documents.get(code) else "✗") for code, label in DOC_CHOICES)
        return format_html_join("", "<div>{} {}</div>", ((mark, label) for label, mark in rows))

    @admin.display(description=_("操作"))
    def actions_links(self, obj):
        links = []
        for move in allowed_moves(MANUAL_MOVES, obj.status, viewer_of(obj)):
            step = {"complete": "documents", "approve": "decide", "refuse": "decide"}.get(
                move.name, move.name
            )
            url = reverse("admin:claims_manualclaim_step", args=[obj.pk, step])
            if (move.label if step != "decide" else _("审核"), url) not in links:
                links.append((move.label if step != "decide" else _("审核"), url))
        return links_html(links)

    def has_add_permission(self, request):
        return request.user.has_perm("claims.add_manualclaim")

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied

        def perform(data):
            claim = manual_claim_register(
                contract=data["contract"],
                person=data["psn_no"],
                received_on=data["received_on"],
                hospital_name=data["hospital_name"],
                hospital_place=data["hospital_place"],
                treatment_from=data["treatment_from"],
                treatment_to=data["treatment_to"],
                amount_claimed=data["amount_claimed"],
                documents=data["documents"],
                actor=request.user,
            )
            return reverse("admin:claims_manualclaim_change", args=[claim.pk])

        return form_view(
            request,
            admin_obj=self,
            obj=None,
            title=_("受理零星报销"),
            form=RegisterForm(request.POST or None, user=request.user),
            perform=perform,
            back_url=reverse("admin:claims_manualclaim_changelist"),
        )

    def get_urls(self):
        steps = {step: (MANUAL_PERMISSION,) for step in ("documents", "decide", "pay")}
        view = self.door(self.step_view, choices={"step": steps})
        return [
            path("<int:pk>/step/<str:step>/", view, name="claims_manualclaim_step"),
            *super().get_urls(),
        ]

    def step_view(self, request, pk, step):
        claim = get_object_or_404(self.get_queryset(request), pk=pk)
        data = request.POST or None
        if step == "documents":
            initial = {"documents": [c for c, ok in claim.documents.items() if ok]}
            form = DocumentsForm(data, initial=initial)

            def perform(d):
                manual_claim_documents_update(
                    claim=claim,
                    documents=d["documents"],
                    complete_on=d["complete_on"],
                    actor=request.user,
                )

            title = _("登记材料")
        elif step == "decide":
            form = DecideForm(data)

            def perform(d):
                manual_claim_decide(
                    claim=claim,
                    approve=d["approve"],
                    decided_on=d["decided_on"],
                    amount=d["amount"],
                    reason_code=d["reason_code"],
                    note=d["note"],
                    actor=request.user,
                )

            title = _("审核")
        elif step == "pay":
            form = PayForm(data)

            def perform(d):
                manual_claim_pay(claim=claim, paid_on=d["paid_on"], actor=request.user)

            title = _("登记支付")
        else:
            raise PermissionDenied
        details = [
            (_("状态"), claim.get_status_display()),
            (_("办结期限"), claim.due_on or "-"),
            (_("申请金额"), claim.amount_claimed),
        ]
        return form_view(
            request,
            admin_obj=self,
            obj=claim,
            title=title,
            form=form,
            perform=perform,
            back_url=reverse("admin:claims_manualclaim_change", args=[claim.pk]),
            details=details,
        )
