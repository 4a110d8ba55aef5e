"""Complaints (投诉) in the admin: register; the workflow's moves (assign, answer by the insurer,
decide, callback, reopen) through the one move page; propose a bond deduction; the dashboard tile
of open and overdue complaints. The change page is read-only; every change goes through
`claims.supervision.services.complaints`."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from unfold.decorators import display

from audit.admin.workflow import ServiceAddMixin, WorkflowAdminMixin, bound, form_page
from claims.choices import ComplaintCategory, ComplaintChannel, ComplaintStatus
from claims.permissions import DECIDE_COMPLAINT
from claims.settlements.admin.common import ContractPersonForm, ReadOnlyScopedAdmin
from claims.supervision.models import Complaint
from claims.supervision.services.complaints import (
    complaint_bond_allowed,
    complaint_bond_deduction_propose,
    complaint_register,
    response_working_days,
)
from contracts.selectors import insurer_of
from insurance.admin.exports import AuditedExportMixin, ListExportResource
from insurance.admin.support import FindByCertnoMixin


class ComplaintExport(ListExportResource):
    """No complaint text nor names: the person by number, his name masked."""

    columns = (
        "number", "received_on", "person__psn_no", "person__name", "category", "channel",
        "contract", "insurer", "status", "due_on", "answered_on", "answered_late", "decision",
        "decided_on",
    )  # fmt: skip
    headers = {"person__psn_no": _("人员编号"), "person__name": _("参保人姓名")}
    masked = {"person__name": "name"}

    class Meta:
        model = Complaint
        fields = ()


class RegisterForm(ContractPersonForm):
    channel = forms.ChoiceField(label=_("投诉渠道"), choices=ComplaintChannel.choices)
    category = forms.ChoiceField(label=_("投诉类别"), choices=ComplaintCategory.choices)
    received_on = forms.DateField(label=_("受理日期"), required=False)
    content = forms.CharField(label=_("投诉内容"), widget=forms.Textarea(attrs={"rows": 4}))


BOND_TITLE = _("提出保函扣款")


class BondForm(forms.Form):
    amount = forms.DecimalField(label=_("扣款金额"), decimal_places=2, max_digits=14)
    reason = forms.CharField(label=_("扣款事由"), widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(Complaint)
class ComplaintAdmin(
    FindByCertnoMixin,
    ServiceAddMixin,
    WorkflowAdminMixin,
    AuditedExportMixin,
    ExportMixin,
    ReadOnlyScopedAdmin,
):
    certno_prefix = "person__"  # the POST search by ID number (find/)
    certno_replaces_search = False
    list_display = (
        "number", "received_on", "person", "category", "channel", "insurer", "status",
        "due_on", "overdue_badge", "decision",
    )  # fmt: skip
    list_filter = ("status", "category", "channel", "decision")
    list_select_related = ("person", "insurer")
    search_fields = ("=number", "=person__psn_no")
    search_help_text = _("按完整投诉编号或人员编号精确查找（不支持部分匹配）")
    resource_classes = [ComplaintExport]
    raw_id_fields = ("person", "contract", "settlement_record", "manual_claim")
    ordering = ("-received_on", "-id")
    fields = (
        "number", "contract", "insurer", "person", "channel", "category", "received_on",
        "content", "settlement_record", "manual_claim", "status", "assigned_on", "due_on",
        "answer", "answered_on", "answered_late", "decision", "required_action", "decided_on",
        "decided_by", "satisfaction", "callback_on", "reopened_count", "bond_deduction",
    )  # fmt: skip
    readonly_fields = fields

    @display(description=_("超期"), label={True: "danger", False: "success"})
    def overdue_badge(self, obj):
        late = obj.status == ComplaintStatus.ASSIGNED and obj.due_on < timezone.localdate()
        return late or obj.answered_late, _("超期") if late or obj.answered_late else _("正常")

    def workflow_links(self, request, obj):
        """The moves the user may make, and proposing a bond deduction once found justified."""
        links = super().workflow_links(request, obj)
        if complaint_bond_allowed(obj, request.user):
            url = reverse("admin:claims_complaint_bond", args=[obj.pk])
            links.append((BOND_TITLE, url))
        return links

    def move_details(self, obj):
        return [
            (_("状态"), obj.get_status_display()),
            (_("参保人"), obj.person),
            (_("投诉类别"), obj.get_category_display()),
            (_("投诉内容"), obj.content),
            (
                _("答复期限"),
                obj.due_on or _("转办后 %(n)s 个工作日") % {"n": response_working_days()},
            ),
            (_("保险机构答复"), obj.answer or "-"),
        ]

    def has_add_permission(self, request):
        user = request.user
        return user.has_perm("claims.add_complaint") and insurer_of(user) is None

    add_form = RegisterForm
    add_title = _("登记投诉")

    def add_perform(self, request, data):
        return complaint_register(
            contract=data["contract"],
            person=data["psn_no"],
            channel=data["channel"],
            category=data["category"],
            content=data["content"],
            received_on=data["received_on"],
            actor=request.user,
        )

    def get_urls(self):
        view = self.door(self.bond_view, "view", DECIDE_COMPLAINT)  # complaint_bond_allowed
        return [
            path("<int:pk>/bond/", view, name="claims_complaint_bond"),
            *super().get_urls(),
        ]

    def bond_view(self, request, pk):
        complaint = get_object_or_404(self.get_queryset(request), pk=pk)
        return form_page(
            request,
            admin=self,
            obj=complaint,
            title=BOND_TITLE,
            form=BondForm(bound(request)),
            perform=lambda d: complaint_bond_deduction_propose(
                complaint=complaint, amount=d["amount"], reason=d["reason"], actor=request.user
            ),
            back_url=reverse("admin:claims_complaint_change", args=[complaint.pk]),
            details=self.move_details(complaint),
        )
