from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline

from audit.admin.doors import RestrictedInlineMixin
from audit.admin.workflow import WorkflowAdminMixin
from contracts import selectors
from contracts.admin.common import ScopedAdmin
from contracts.choices import ContractStatus
from contracts.dates import renewal_window
from contracts.models import (
    Contract,
    ContractDocument,
    ContractMember,
    StaffAssignment,
    StaffingCommitment,
)
from contracts.rules import money_term_errors, share_errors, term_errors
from contracts.services import contract_save
from contracts.services.common import today
from contracts.services.contracts import STATE_FIELDS


class DraftOnlyInline(RestrictedInlineMixin, TabularInline):
    """Editable while the contract is a draft; read-only afterwards."""

    extra = 0

    def _draft(self, obj):
        return obj is None or obj.status == ContractStatus.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._draft(obj) and super().has_delete_permission(request, obj)


class MemberFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        lead = self.instance.lead_insurer_id
        rows = [
            (f.cleaned_data["insurer"].pk, f.cleaned_data["share"])
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("insurer")
        ]
        if not rows and self.instance.pk is None:
            return  # a new contract starts with its lead insurer at 100% (contract_save)
        errors = share_errors(lead, rows)
        if errors:
            raise forms.ValidationError(errors["members"])


class MemberInline(DraftOnlyInline):
    model = ContractMember
    formset = MemberFormSet
    autocomplete_fields = ["insurer"]
    max_num = 10


class CommitmentInline(DraftOnlyInline):
    model = StaffingCommitment
    autocomplete_fields = ["region"]


class AssignmentInline(RestrictedInlineMixin, TabularInline):
    model = StaffAssignment
    extra = 0
    raw_id_fields = ["staff"]
    autocomplete_fields = ["region"]


class DocumentInline(RestrictedInlineMixin, TabularInline):
    model = ContractDocument
    extra = 0
    fields = ["kind", "title", "file", "uploaded_by", "uploaded_at"]
    readonly_fields = ["uploaded_by", "uploaded_at"]


class ContractForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = [f.name for f in Contract._meta.fields if f.editable and f.name != "id"]

    def clean(self):
        data = super().clean()
        probe = Contract(
            **{k: v for k, v in data.items() if k in {f.name for f in Contract._meta.fields}}
        )
        for errors in (term_errors(probe), money_term_errors(probe)):
            for field, messages in errors.items():
                self.add_error(field if field in self.fields else None, messages)
        return data


@admin.register(Contract)
class ContractAdmin(WorkflowAdminMixin, ScopedAdmin):
    audited = False  # contract_save writes the audit event
    form = ContractForm
    list_display = ["number", "scheme", "lead_insurer", "starts_on", "ends_on", "status"]
    list_filter = ["status", "scheme"]
    list_select_related = ["scheme", "lead_insurer"]
    search_fields = ["=number", "lead_insurer__name"]
    autocomplete_fields = ["scheme", "lead_insurer"]
    raw_id_fields = ["tender", "bid", "previous"]
    date_hierarchy = "starts_on"
    inlines = [MemberInline, CommitmentInline, AssignmentInline, DocumentInline]
    fieldsets = [
        (None, {"fields": ["number", "scheme", "tender", "bid", "lead_insurer", "previous"]}),
        (_("期限"), {"fields": ["starts_on", "ends_on", "coverage_from"]}),
        (_("状态"), {"fields": STATE_FIELDS}),
        (
            _("资金条款"),
            {
                "fields": [
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
                ]
            },
        ),
        (
            _("服务条款"),
            {
                "fields": [
                    "claim_time_limit_days",
                    "service_window_address",
                    "service_window_hours",
                    "notes",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != ContractStatus.DRAFT:
            return [f.name for f in Contract._meta.fields if f.name != "id"]
        return STATE_FIELDS

    def save_model(self, request, obj, form, change):
        contract_save(contract=obj, actor=request.user, request=request)

    def save_formset(self, request, form, formset, change):
        if formset.model is ContractDocument:
            for document in formset.save(commit=False):
                if document.uploaded_by_id is None:
                    document.uploaded_by = request.user
                document.save()
            for deleted in formset.deleted_objects:
                deleted.delete()
            return None
        return super().save_formset(request, form, formset, change)

    def workflow_notes(self, request, obj):
        opens, closes = renewal_window(obj.ends_on)
        notes = [_("续签申请期：%(a)s ~ %(b)s") % {"a": opens, "b": closes}]
        if obj.renewal_answer_due_on:
            notes.append(_("续签答复期限：%(d)s") % {"d": obj.renewal_answer_due_on})
        notes += [f"⚠ {warning}" for warning in selectors.staffing_warnings(obj, today())]
        return notes
