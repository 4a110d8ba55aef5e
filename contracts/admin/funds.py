"""Admin of the fund flows: funding, quarterly transfers, reserve releases and their table,
year-end settlements and the (read-only) ledger. Workflow moves are buttons offering only the
legal moves the user may make; every queryset goes through `restrict`."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline

from audit import events
from contracts import selectors
from contracts.admin.common import ReasonForm, ScopedAdmin, run_form_view
from contracts.choices import FundingCalcStatus, SettlementStatus
from contracts.exports import voucher_xlsx
from contracts.fund_workflow import (
    APPROVE_PERMISSION,
    PAYMENT_MOVE_PERMISSION,
    PAYMENT_MOVES,
    PREPARE_PERMISSION,
)
from contracts.models import (
    FundingCalculation,
    LedgerEntry,
    PaymentPart,
    ReserveRelease,
    ReserveReleaseBand,
    SettlementLine,
    Transfer,
    YearEndSettlement,
)
from contracts.services.fund_common import fund_history
from contracts.services.funding import funding_approve, funding_calculate
from contracts.services.reserves import reserve_release_move
from contracts.services.transfers import payment_allowed_moves, transfer_move
from contracts.services.year_end import year_end_approve


class ReadOnlyAdmin(ScopedAdmin):
    """Documents written only by services: no add, no edit, no delete in the admin."""

    audited = False
    change_form_outer_before_template = "contracts/admin/fund_buttons.html"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def fund_moves(self, request, obj) -> list[tuple[str, str]]:
        return []

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None:
            context["fund_moves"] = self.fund_moves(request, obj)
            context["fund_history"] = list(fund_history(obj))
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id:
            raise PermissionDenied  # nothing to save: moves go through their buttons
        return super().changeform_view(request, object_id, form_url, extra_context)


class PartInline(TabularInline):
    model = PaymentPart
    extra = 0
    fields = ["insurer", "share", "amount"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


# --- funding ---------------------------------------------------------------------------------


class FundingForm(forms.Form):
    contract = forms.ModelChoiceField(label=_("合同"), queryset=None)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    snapshot_date = forms.DateField(
        label=_("参保人数统计日"), required=False, help_text=_("留空为方案年度第一天")
    )
    payroll = forms.DecimalField(
        label=_("上年工资总额"), required=False, decimal_places=2, help_text=_("仅 R-ENT-1")
    )
    accumulated_balance = forms.DecimalField(
        label=_("基金累计结余"), required=False, decimal_places=2, help_text=_("仅 R-ENT-1")
    )
    payroll_source = forms.CharField(
        label=_("工资总额数据来源"),
        required=False,
        max_length=200,
        help_text=_("如：2024年度决算报表"),
    )
    balance_source = forms.CharField(
        label=_("累计结余数据来源"),
        required=False,
        max_length=200,
        help_text=_("如：基金专户年末对账单"),
    )
    headcount = forms.IntegerField(
        label=_("参保人数（按登记册）"),
        required=False,
        min_value=0,
        help_text=_("留空按本系统参保登记统计；填写时须注明来源（如基本医保参保登记）"),
    )
    headcount_source = forms.CharField(label=_("参保人数来源"), required=False, max_length=200)
    declared = forms.CharField(
        label=_("分项录入金额"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("多渠道筹资中需要录入的分项，每行一项，如：interest=12345.67"),
    )

    def clean_declared(self):
        amounts = {}
        for number, line in enumerate(self.cleaned_data["declared"].splitlines(), start=1):
            if not line.strip():
                continue
            key, sep, value = line.partition("=")
            if not sep or not key.strip() or not value.strip():
                raise forms.ValidationError(_("第 %(n)s 行应写成 key=金额。") % {"n": number})
            amounts[key.strip()] = value.strip()
        return amounts


@admin.register(FundingCalculation)
class FundingCalculationAdmin(ReadOnlyAdmin):
    list_display = ["contract", "year", "version", "method", "result", "status", "computed_by"]
    list_filter = ["status", "method", "year"]
    list_select_related = ["contract", "computed_by"]
    search_fields = ["=contract__number"]

    def has_add_permission(self, request):
        return request.user.has_perm(PREPARE_PERMISSION)

    def fund_moves(self, request, obj):
        user = request.user
        if (
            obj.status == FundingCalcStatus.PROPOSED
            and user.has_perm(APPROVE_PERMISSION)
            and obj.computed_by_id != user.pk
        ):
            url = reverse("admin:contracts_fundingcalculation_approve", args=[obj.pk])
            return [(_("批准筹资测算"), url)]
        return []

    def get_urls(self):
        return [
            path(
                "<path:object_id>/approve/",
                self.door(self.approve_view, "view", APPROVE_PERMISSION),
                name="contracts_fundingcalculation_approve",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        contracts = selectors.contract_for_user(request.user)

        class Form(FundingForm):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.fields["contract"].queryset = contracts

        def perform(data):
            funding_calculate(
                contract=data["contract"],
                year=data["year"],
                snapshot_date=data["snapshot_date"],
                payroll=data["payroll"],
                accumulated_balance=data["accumulated_balance"],
                payroll_source=data["payroll_source"],
                balance_source=data["balance_source"],
                headcount=data["headcount"],
                headcount_source=data["headcount_source"],
                declared=data["declared"],
                actor=request.user,
                request=request,
            )

        return run_form_view(
            request,
            admin=self,
            obj=str(_("新测算")),
            title=_("筹资测算"),
            form_class=Form,
            perform=perform,
            back_url=reverse("admin:contracts_fundingcalculation_changelist"),
        )

    def approve_view(self, request, object_id):
        calc = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.fund_moves(request, calc):
            raise PermissionDenied
        return run_form_view(
            request,
            admin=self,
            obj=calc,
            title=_("批准筹资测算"),
            form_class=ReasonForm,
            perform=lambda d: funding_approve(
                calculation=calc, actor=request.user, note=d["reason"], request=request
            ),
            back_url=reverse("admin:contracts_fundingcalculation_change", args=[calc.pk]),
        )


# --- payments: transfers and reserve releases -------------------------------------------------


class PayForm(ReasonForm):
    paid_on = forms.DateField(label=_("支付日期"))
    bank_reference = forms.CharField(label=_("银行流水号"), max_length=64)


class PaymentAdmin(ReadOnlyAdmin):
    inlines = [PartInline]
    url_prefix = ""
    service = None  # staticmethod(doc, move, actor, reason, paid_on, bank_reference, request)

    def fund_moves(self, request, obj):
        return [
            (
                move.label,
                reverse(f"admin:contracts_{self.url_prefix}_move", args=[obj.pk, move.name]),
            )
            for move in payment_allowed_moves(obj, request.user)
        ]

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None and obj.parts.exists():
            context["voucher_url"] = reverse(
                f"admin:contracts_{self.url_prefix}_voucher", args=[obj.pk]
            )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def get_urls(self):
        moves = {name: (perm,) for name, perm in PAYMENT_MOVE_PERMISSION.items()}
        return [
            path(
                "<path:object_id>/move/<str:move>/",
                self.door(self.move_view, choices={"move": moves}),
                name=f"contracts_{self.url_prefix}_move",
            ),
            path(
                "<path:object_id>/voucher/",
                self.door(self.voucher_view),
                name=f"contracts_{self.url_prefix}_voucher",
            ),
            *super().get_urls(),
        ]

    def move_view(self, request, object_id, move):
        doc = get_object_or_404(self.get_queryset(request), pk=object_id)
        if move not in {m.name for m in payment_allowed_moves(doc, request.user)}:
            raise PermissionDenied
        service = type(self).service

        def perform(data):
            service(
                doc,
                move=move,
                actor=request.user,
                reason=data.get("reason", ""),
                paid_on=data.get("paid_on"),
                bank_reference=data.get("bank_reference", ""),
                request=request,
            )

        return run_form_view(
            request,
            admin=self,
            obj=doc,
            title=PAYMENT_MOVES[move].label,
            form_class=PayForm if move == "pay" else ReasonForm,
            perform=perform,
            back_url=reverse(f"admin:contracts_{self.url_prefix}_change", args=[doc.pk]),
        )

    def voucher_view(self, request, object_id):
        doc = get_object_or_404(self.get_queryset(request), pk=object_id)
        events.export(
            actor=request.user,
            model_label=f"contracts.{self.url_prefix}",
            count=doc.parts.count(),
            file_format="xlsx",
            filters={"id": doc.pk},
            personal=False,
            request=request,
        )
        response = HttpResponse(
            voucher_xlsx(doc),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="voucher-{self.url_prefix}-{doc.pk}.xlsx"'
        )
        return response


@admin.register(Transfer)
class TransferAdmin(PaymentAdmin):
    url_prefix = "transfer"
    service = staticmethod(lambda doc, **kw: transfer_move(transfer=doc, **kw))
    list_display = [
        "contract",
        "year",
        "quarter",
        "amount",
        "reserve_part",
        "status",
        "prepared_by",
        "approved_by",
        "paid_on",
    ]
    list_filter = ["status", "year", "quarter"]
    list_select_related = ["contract", "prepared_by", "approved_by"]
    search_fields = ["=contract__number", "=bank_reference"]


@admin.register(ReserveRelease)
class ReserveReleaseAdmin(PaymentAdmin):
    url_prefix = "reserverelease"
    service = staticmethod(lambda doc, **kw: reserve_release_move(release=doc, **kw))
    list_display = [
        "contract",
        "year",
        "score",
        "held",
        "release_percent",
        "released",
        "returned",
        "status",
    ]
    list_filter = ["status", "year"]
    list_select_related = ["contract"]
    search_fields = ["=contract__number", "=evaluation_ref"]


@admin.register(ReserveReleaseBand)
class ReserveReleaseBandAdmin(ScopedAdmin):
    list_display = ["min_score", "release_percent"]


# --- year-end settlement and ledger -----------------------------------------------------------


class LineInline(TabularInline):
    model = SettlementLine
    extra = 0
    fields = ["order", "label", "amount", "source"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(YearEndSettlement)
class YearEndSettlementAdmin(ReadOnlyAdmin):
    inlines = [LineInline]
    list_display = [
        "contract",
        "year",
        "rule",
        "payout_ratio",
        "to_return",
        "to_carry",
        "loss_fund_share",
        "adjustment_proposed",
        "status",
    ]
    list_filter = ["status", "year", "adjustment_proposed"]
    list_select_related = ["contract"]
    search_fields = ["=contract__number"]
    # The "prepare" page reads claims data, so the claims admin serves it (linked by URL name).
    list_before_template = "contracts/admin/year_end_links.html"

    @staticmethod
    def _may_approve(user, obj) -> bool:
        return (
            obj.status == SettlementStatus.PREPARED
            and user.has_perm(APPROVE_PERMISSION)
            and obj.prepared_by_id != user.pk
        )

    def fund_moves(self, request, obj):
        user = request.user
        moves = []
        if self._may_approve(user, obj):
            url = reverse("admin:contracts_yearendsettlement_approve", args=[obj.pk])
            moves.append((_("审批年度清算"), url))
        if obj.status == SettlementStatus.PREPARED and user.has_perm(PREPARE_PERMISSION):
            url = reverse("admin:claims_year_end_prepare")
            moves.append((_("重新编制"), f"{url}?contract={obj.contract_id}&year={obj.year}"))
        return moves

    def get_urls(self):
        return [
            path(
                "<path:object_id>/approve/",
                self.door(self.approve_view, "view", APPROVE_PERMISSION),
                name="contracts_yearendsettlement_approve",
            ),
            *super().get_urls(),
        ]

    def approve_view(self, request, object_id):
        settlement = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self._may_approve(request.user, settlement):
            raise PermissionDenied
        return run_form_view(
            request,
            admin=self,
            obj=settlement,
            title=_("审批年度清算"),
            form_class=ReasonForm,
            perform=lambda d: year_end_approve(
                settlement=settlement, actor=request.user, note=d["reason"], request=request
            ),
            back_url=reverse("admin:contracts_yearendsettlement_change", args=[settlement.pk]),
        )


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    change_form_outer_before_template = None
    list_display = [
        "posted_on",
        "contract",
        "year",
        "fund",
        "account",
        "kind",
        "direction",
        "amount",
        "memo",
    ]
    list_filter = ["account", "kind", "direction", "year", "fund"]
    list_select_related = ["contract"]
    search_fields = ["=contract__number", "=movement"]

    def has_change_permission(self, request, obj=None):
        return False
