from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.decorators import action, display

from audit.admin.doors import RestrictedInlineMixin
from audit.admin.workflow import WorkflowAdminMixin, error_text
from contracts import selectors
from contracts.admin.common import ScopedAdmin
from contracts.choices import DeductionStatus
from contracts.models import BondDeduction, PerformanceBond
from contracts.permissions import APPROVE_DEDUCTION
from contracts.services import bond_deduction_approve, bond_deduction_propose


class DeductionInline(RestrictedInlineMixin, TabularInline):
    model = BondDeduction
    extra = 0
    fields = ["amount", "reason", "source", "status", "prepared_by", "approved_by", "approved_at"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PerformanceBond)
class BondAdmin(ScopedAdmin):
    list_display = [
        "guarantee_no",
        "bank",
        "contract",
        "amount",
        "balance",
        "valid_from",
        "valid_until",
    ]
    list_select_related = ["contract"]
    search_fields = ["=guarantee_no", "bank", "contract__number"]
    raw_id_fields = ["contract"]
    readonly_fields = ["balance"]
    inlines = [DeductionInline]

    @display(description=_("余额"))
    def balance(self, obj):
        return selectors.bond_balance(obj) if obj and obj.pk else "-"


class DeductionForm(forms.ModelForm):
    class Meta:
        model = BondDeduction
        fields = ["bond", "amount", "reason", "evidence", "source", "source_ref"]

    def clean(self):
        data = super().clean()
        bond, amount = data.get("bond"), data.get("amount")
        if bond and amount:
            available = selectors.bond_balance(bond) - selectors.bond_pending_total(bond)
            if amount > available:
                self.add_error(
                    "amount",
                    _("扣款 %(a)s 元超过保函可扣余额 %(b)s 元。") % {"a": amount, "b": available},
                )
        return data


@admin.register(BondDeduction)
class DeductionAdmin(WorkflowAdminMixin, ScopedAdmin):
    audited = False  # the services write the audit events
    form = DeductionForm
    list_display = [
        "bond",
        "amount",
        "source",
        "status",
        "prepared_by",
        "prepared_at",
        "approved_by",
    ]
    list_filter = ["status", "source"]
    list_select_related = ["bond", "bond__contract", "prepared_by", "approved_by"]
    search_fields = ["=bond__guarantee_no", "=source_ref"]
    raw_id_fields = ["bond"]
    actions = ["approve_selected"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            *DeductionForm.Meta.fields,
            "status",
            "prepared_by",
            "prepared_at",
            "approved_by",
            "approved_at",
            "decision_note",
        ]

    def has_approve_bond_deduction_permission(self, request, obj=None):
        return request.user.has_perm(APPROVE_DEDUCTION)

    def save_model(self, request, obj, form, change):
        if change:
            return
        saved = bond_deduction_propose(
            contract=obj.bond.contract,
            bond=obj.bond,
            amount=obj.amount,
            reason=obj.reason,
            source=obj.source,
            source_ref=obj.source_ref,
            evidence=form.cleaned_data.get("evidence") or None,
            actor=request.user,
            request=request,
        )
        obj.pk = saved.pk

    @action(description=_("批准所选扣款"), permissions=["approve_bond_deduction"])
    def approve_selected(self, request, queryset):
        for deduction in queryset.filter(status=DeductionStatus.PROPOSED):
            try:
                bond_deduction_approve(deduction=deduction, actor=request.user, request=request)
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, f"{deduction}: {error_text(exc)}")
            else:
                messages.success(request, _("已批准：%(d)s") % {"d": deduction})
