from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.decorators import action, display

from contracts import selectors
from contracts.admin.common import ReasonForm, ScopedAdmin, error_text, run_form_view
from contracts.choices import DeductionStatus
from contracts.models import BondDeduction, PerformanceBond
from contracts.services import bond_deduction_approve, bond_deduction_propose, bond_deduction_reject
from contracts.workflow import DEDUCTION_APPROVE_PERMISSION


class DeductionInline(TabularInline):
    model = BondDeduction
    extra = 0
    fields = ["amount", "reason", "source", "status", "proposed_by", "decided_by", "decided_at"]
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
class DeductionAdmin(ScopedAdmin):
    audited = False  # the services write the audit events
    form = DeductionForm
    list_display = [
        "bond",
        "amount",
        "source",
        "status",
        "proposed_by",
        "proposed_at",
        "decided_by",
    ]
    list_filter = ["status", "source"]
    list_select_related = ["bond", "bond__contract", "proposed_by", "decided_by"]
    search_fields = ["=bond__guarantee_no", "=source_ref"]
    raw_id_fields = ["bond"]
    actions = ["approve_selected"]
    change_form_outer_before_template = "contracts/admin/deduction_buttons.html"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            *DeductionForm.Meta.fields,
            "status",
            "proposed_by",
            "decided_by",
            "decided_at",
            "decision_note",
        ]

    def has_approve_bond_deduction_permission(self, request, obj=None):
        return request.user.has_perm("contracts.approve_bond_deduction")

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

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        context["can_decide"] = bool(
            obj
            and obj.status == DeductionStatus.PROPOSED
            and request.user.has_perm("contracts.approve_bond_deduction")
            and obj.proposed_by_id != request.user.pk
        )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def get_urls(self):
        decide = (DEDUCTION_APPROVE_PERMISSION,)
        view = self.door(self.decide_view, choices={"move": {"approve": decide, "reject": decide}})
        return [
            path(
                "<path:object_id>/decide/<str:move>/", view, name="contracts_bonddeduction_decide"
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, object_id, move):
        deduction = get_object_or_404(self.get_queryset(request), pk=object_id)
        service = {"approve": bond_deduction_approve, "reject": bond_deduction_reject}.get(move)
        if service is None or not request.user.has_perm("contracts.approve_bond_deduction"):
            raise PermissionDenied

        def perform(data):
            service(deduction=deduction, actor=request.user, note=data["reason"], request=request)

        return run_form_view(
            request,
            admin=self,
            obj=deduction,
            title=_("批准扣款") if move == "approve" else _("驳回扣款"),
            form_class=ReasonForm,
            perform=perform,
            back_url=reverse("admin:contracts_bonddeduction_change", args=[deduction.pk]),
        )
