"""Admin of the fund flows: funding, quarterly transfers, reserve releases and their table,
year-end settlements and the (read-only) ledger. Workflow moves are the machine's buttons
(`audit.admin.workflow`), offering only the moves the user may make; every queryset goes through
`restrict`."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from unfold.admin import TabularInline
from unfold.decorators import action

from audit import events
from audit.admin.doors import RestrictedInlineMixin
from audit.admin.links import object_link, ref_link
from audit.admin.workflow import WorkflowAdminMixin, bound, form_page
from contracts import selectors
from contracts.admin.common import ScopedAdmin
from contracts.admin.exports import TransferExport
from contracts.admin.funding_display import inputs_html, parts_html
from contracts.exports import voucher_xlsx
from contracts.models import (
    FundingCalculation,
    LedgerEntry,
    PaymentPart,
    ReserveRelease,
    ReserveReleaseBand,
    Transfer,
)
from contracts.periods import QUARTERS
from contracts.permissions import PREPARE
from contracts.services.funding import funding_calculate
from contracts.services.transfers import transfers_due, transfers_generate
from insurance.admin.exports import AuditedExportMixin

MAKER_CHECKER = ("prepared_by", "prepared_at", "approved_by", "approved_at")


class ReadOnlyAdmin(ScopedAdmin):
    """Documents written only by services: no add, no edit, no delete in the admin. Maker and
    checker are shown last."""

    audited = False
    # field -> the admin method shown in its place (stored JSON or a raw reference, in words);
    # a tuple key replaces several fields (a generic foreign key's type and id) by one
    shown_as: dict[str | tuple[str, ...], str] = {}

    def get_fields(self, request, obj=None):
        names = [f.name for f in self.model._meta.fields]
        last = [n for n in MAKER_CHECKER if n in names]
        fields = [n for n in names if n not in last] + last
        for replaced, method in self.shown_as.items():
            group = (replaced,) if isinstance(replaced, str) else replaced
            fields = [method if n == group[0] else n for n in fields if n not in group[1:]]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + list(self.shown_as.values())

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id:
            raise PermissionDenied  # nothing to save: moves go through their buttons
        # ... so no Save button either, also for those who may change the model
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().changeform_view(request, object_id, form_url, extra_context)


class PartInline(RestrictedInlineMixin, TabularInline):
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
        label=_("上年工资总额"),
        required=False,
        decimal_places=2,
        help_text=_("仅企业补充医疗保险（按工资总额比例筹资）填写"),
    )
    accumulated_balance = forms.DecimalField(
        label=_("基金累计结余"),
        required=False,
        decimal_places=2,
        help_text=_("仅企业补充医疗保险（按工资总额比例筹资）填写"),
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
class FundingCalculationAdmin(WorkflowAdminMixin, ReadOnlyAdmin):
    list_display = ["contract", "year", "version", "method", "result", "status", "prepared_by"]
    list_filter = ["status", "method", "year"]
    list_select_related = ["contract", "prepared_by"]
    search_fields = ["=contract__number"]
    search_help_text = _("按完整合同编号精确查找（不支持部分匹配）")
    shown_as = {"inputs": "inputs_table", "parts": "parts_table"}

    @admin.display(description=_("测算输入"))
    def inputs_table(self, obj):
        return inputs_html(obj.inputs)

    @admin.display(description=_("按资金来源分列"))
    def parts_table(self, obj):
        return parts_html(obj.parts)

    def has_add_permission(self, request):
        return request.user.has_perm(PREPARE)

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

        return form_page(
            request,
            admin=self,
            obj=str(_("新测算")),
            title=_("筹资测算"),
            form=Form(bound(request)),
            perform=perform,
            back_url=reverse("admin:contracts_fundingcalculation_changelist"),
        )


# --- payments: transfers and reserve releases -------------------------------------------------


class PaymentAdmin(WorkflowAdminMixin, ReadOnlyAdmin):
    inlines = [PartInline]
    url_prefix = ""

    def workflow_links(self, request, obj):
        links = super().workflow_links(request, obj)
        if obj.parts.exists():
            url = reverse(f"admin:contracts_{self.url_prefix}_voucher", args=[obj.pk])
            links.append((_("下载拨付凭证(XLSX)"), url))
        return links

    def get_urls(self):
        return [
            path(
                "<path:object_id>/voucher/",
                self.door(self.voucher_view),
                name=f"contracts_{self.url_prefix}_voucher",
            ),
            *super().get_urls(),
        ]

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


class GenerateTransfersForm(forms.Form):
    year = forms.IntegerField(label=_("方案年度"), required=False, min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "---------"), *((q, _("第 %(q)s 季度") % {"q": q}) for q in QUARTERS)],
    )

    def clean(self):
        data = super().clean()
        if (data.get("year") is None) != (data.get("quarter") is None):
            raise forms.ValidationError(_("方案年度和季度须同时填写，或同时留空。"))
        return data


GENERATE_TRANSFERS = _("生成季度拨付")
GENERATE_HELP = _(
    "与每日定时任务相同：留空时生成所有已开始且尚未生成的季度拨付单；填写年度和季度时只生成该季度。"
    "已生成的不会重复生成；尚无已审批筹资测算的合同跳过。"
)
GENERATED = _(
    "新生成 %(created)s 张，已存在 %(existing)s 张，缺少已审批筹资测算 %(no_funding)s 个。"
)


@admin.register(Transfer)
class TransferAdmin(AuditedExportMixin, ExportMixin, PaymentAdmin):
    url_prefix = "transfer"
    resource_classes = [TransferExport]
    actions_list = ["generate_transfers"]
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
    search_help_text = _("按完整合同编号或银行流水号精确查找（不支持部分匹配）")

    def has_generate_transfers_permission(self, request):
        return request.user.has_perm(PREPARE)

    @action(description=GENERATE_TRANSFERS, url_path="generate", permissions=["generate_transfers"])
    def generate_transfers(self, request):
        """What the daily job does (`contracts.tasks.transfers_generate`), started by a person:
        the same idempotent service, so a second press (or the job after it) adds nothing."""

        def perform(data):
            if data["year"] is None:
                counts = transfers_due(on=timezone.localdate(), actor=request.user)
            else:
                counts = transfers_generate(
                    year=data["year"], quarter=data["quarter"], actor=request.user
                )
            messages.info(request, GENERATED % counts)

        return form_page(
            request,
            admin=self,
            obj=None,
            title=GENERATE_TRANSFERS,
            form=GenerateTransfersForm(bound(request)),
            perform=perform,
            back_url=reverse("admin:contracts_transfer_changelist"),
            details=[(_("说明"), GENERATE_HELP)],
        )


@admin.register(ReserveRelease)
class ReserveReleaseAdmin(PaymentAdmin):
    url_prefix = "reserverelease"
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
    search_fields = ["=contract__number"]
    search_help_text = _("按完整合同编号精确查找（不支持部分匹配）")
    shown_as = {"evaluation_ref": "evaluation_document"}

    @admin.display(description=_("考核单据"))
    def evaluation_document(self, obj):
        return ref_link(obj.evaluation_ref)


@admin.register(ReserveReleaseBand)
class ReserveReleaseBandAdmin(ScopedAdmin):
    list_display = ["min_score", "release_percent"]


# --- year-end settlement and ledger -----------------------------------------------------------


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
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
    search_help_text = _("按完整合同编号或资金变动号精确查找（不支持部分匹配）")
    shown_as = {("source_type", "source_id"): "source_document"}

    @admin.display(description=_("来源单据"))
    def source_document(self, obj):
        return object_link(obj.source)

    def has_change_permission(self, request, obj=None):
        return False
