"""Manual claims (零星报销) in the admin: receive, tick documents, decide, register payment."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from audit.admin.workflow import ServiceAddMixin, WorkflowAdminMixin, bound, form_page
from claims.choices import ManualClaimStatus
from claims.permissions import HANDLE_MANUAL_CLAIM
from claims.settlements.admin.common import ContractPersonForm, ReadOnlyScopedAdmin
from claims.supervision.models import ManualClaim
from claims.supervision.models.manual_claim import DOCUMENTS
from claims.supervision.services.manual_claims import (
    manual_claim_documents_update,
    manual_claim_register,
)
from insurance.admin.support import FindByCertnoMixin

DOC_CHOICES = list(DOCUMENTS.items())


class RegisterForm(ContractPersonForm):
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


DOCUMENTS_TITLE = _("登记材料")


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


@admin.register(ManualClaim)
class ManualClaimAdmin(FindByCertnoMixin, ServiceAddMixin, WorkflowAdminMixin, ReadOnlyScopedAdmin):
    certno_prefix = "person__"  # the POST search by ID number (find/)
    certno_replaces_search = False
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
        "reason_code", "decision_note", "decided_by", "paid_on", "created_by",
    )  # fmt: skip
    readonly_fields = fields

    @display(description=_("超期"), label={True: "danger", False: "success"})
    def overdue_badge(self, obj):
        return obj.overdue, _("已超期") if obj.overdue else _("正常")

    @admin.display(description=_("材料清单"))
    def documents_list(self, obj):
        rows = ((label, "✓" if obj.documents.get(code) else "✗") for code, label in DOC_CHOICES)
        return format_html_join("", "<div>{} {}</div>", ((mark, label) for label, mark in rows))

    def workflow_links(self, request, obj):
        """The moves the user may make, and ticking documents while they are incomplete."""
        links = super().workflow_links(request, obj)
        if obj.status == ManualClaimStatus.RECEIVED and request.user.has_perm(HANDLE_MANUAL_CLAIM):
            url = reverse("admin:claims_manualclaim_documents", args=[obj.pk])
            links.insert(0, (DOCUMENTS_TITLE, url))
        return links

    def move_initial(self, obj, move):
        return {"documents": [code for code, ticked in obj.documents.items() if ticked]}

    def move_details(self, obj):
        return [
            (_("状态"), obj.get_status_display()),
            (_("办结期限"), obj.due_on or "-"),
            (_("申请金额"), obj.amount_claimed),
        ]

    def has_add_permission(self, request):
        return request.user.has_perm("claims.add_manualclaim")

    add_form = RegisterForm
    add_title = _("受理零星报销")

    def add_perform(self, request, data):
        return manual_claim_register(
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

    def get_urls(self):
        view = self.door(self.documents_view, "view", HANDLE_MANUAL_CLAIM)
        return [
            path("<int:pk>/documents/", view, name="claims_manualclaim_documents"),
            *super().get_urls(),
        ]

    def documents_view(self, request, pk):
        claim = get_object_or_404(self.get_queryset(request), pk=pk)
        initial = {"documents": [c for c, ok in claim.documents.items() if ok]}

        def perform(d):
            manual_claim_documents_update(
                claim=claim,
                documents=d["documents"],
                complete_on=d["complete_on"],
                actor=request.user,
            )

        return form_page(
            request,
            admin=self,
            obj=claim,
            title=DOCUMENTS_TITLE,
            form=DocumentsForm(bound(request), initial=initial),
            perform=perform,
            back_url=reverse("admin:claims_manualclaim_change", args=[claim.pk]),
            details=self.move_details(claim),
        )
