from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from unfold.admin import ModelAdmin
from unfold.decorators import display

from audit.admin.doors import RestrictedAdminMixin
from audit.admin.forms import UnfoldFormMixin, preselect_only_choice
from audit.admin.mixins import AuditedAdminMixin
from claims.choices import BatchStatus
from claims.settlements.admin.batch_summary import (
    bar_colour,
    column_label,
    progress,
    seconds_text,
    summary,
)
from claims.settlements.admin.common import explanation_lines
from claims.settlements.admin.exports import SettlementBatchExport, SettlementRecordExport
from claims.settlements.admin.record_filters import (
    TRT_CATEGORY_NAMES,
    InsuTypeFilter,
    MedTypeFilter,
    TreatmentCategoryFilter,
)
from claims.settlements.admin.record_search import RecordSearchMixin
from claims.settlements.ingest.codes import family_names
from claims.settlements.ingest.report import error_report_response
from claims.settlements.models import BatchChunk, Compensation, SettlementBatch, SettlementRecord
from claims.settlements.services.batches import RESTARTABLE, batch_receive
from claims.settlements.services.explanations import plan_lines_in_words
from claims.settlements.tasks import process_batch
from config.uploads import max_upload_bytes, upload_too_large
from contracts.selectors import contract_for_user, insurer_of
from insurance.admin.exports import AuditedExportMixin
from insurance.admin.support import BigTableAdminMixin, FindByCertnoMixin

ENCODINGS = [("", _("自动识别")), ("utf-8", "UTF-8"), ("gbk", "GBK"), ("gb18030", "GB18030")]


CHUNK_COLUMNS = (
    "index", "people", "status", "attempts", "compensations", "adjustments", "worker",
    "finished_at",
)  # fmt: skip


class BatchUploadForm(UnfoldFormMixin, forms.ModelForm):
    upload = forms.FileField(
        label=_("结算数据文件"), help_text=_("CSV（UTF-8 或 GBK）、XLSX 或 JSON 行")
    )
    encoding = forms.ChoiceField(label=_("文件编码"), choices=ENCODINGS, required=False)

    class Meta:
        model = SettlementBatch
        fields = ("contract",)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contract_for_user(user)
        preselect_only_choice(self)  # an insurer's user with one contract: already chosen


STATUS_COLOURS = {
    BatchStatus.RECEIVED: "info",
    BatchStatus.VALIDATING: "warning",
    BatchStatus.REJECTED: "danger",
    BatchStatus.VALIDATED: "info",
    BatchStatus.APPLIED: "success",
    BatchStatus.FAILED: "danger",
}


@admin.register(SettlementBatch)
class SettlementBatchAdmin(
    RestrictedAdminMixin, AuditedAdminMixin, AuditedExportMixin, ExportMixin, ModelAdmin
):
    """Uploads go through `batch_receive`, which writes the audit entry (with the new batch's
    fields), so `save_model` below replaces the mixin's; batches are never edited or deleted
    here, and any later direct write (delete, inline) is audited by the mixin."""

    list_display = (
        "id", "filename", "contract", "insurer", "status_badge", "progress_bar",
        "rows_total", "rows_good", "rows_bad", "reversals", "received_at",
    )  # fmt: skip
    list_filter = ("status", "source", "file_format")
    list_select_related = ("contract", "insurer")
    search_fields = ("=id", "=sha256", "=filename")
    search_help_text = _("按批次号、文件 SHA-256 或完整文件名精确查找（不支持部分匹配）")
    resource_classes = [SettlementBatchExport]
    show_full_result_count = False
    actions = ["resume_processing"]
    ordering = ("-id",)
    # The batch's page: the summary card (claims/settlements/admin/batch_summary.py), what was
    # read, the
    # errors; the technical fields folded away.
    change_form_before_template = "claims/admin/batch_summary.html"
    shown_fieldsets = (
        (None, {"fields": (
            "contract", "insurer", "status", "source", "uploaded_by", "filename", "file_format",
            "rows_total", "rows_good", "rows_bad", "reversals", "unknown_persons", "error_count",
            "file_problem", "ignored_columns_text", "received_at", "applied_at", "computed_at",
            "reconciled_at", "fraud_screened_at", "errors_table", "downloads",
        )}),
        (_("技术信息"), {"classes": ["collapse"], "fields": (
            "file_size", "sha256", "idempotency_key", "encoding", "encoding_override",
            "rows_processed", "people_total", "people_computed", "stage", "validated_at",
            "parse_seconds", "apply_seconds", "compute_seconds",
        )}),
    )  # fmt: skip
    # the compute step's chunks, for the bureau's operators (which worker took which people)
    chunk_fieldset = (_("批次计算分块"), {"classes": ["collapse"], "fields": ("chunks_table",)})
    readonly_fields = (
        *(f for _t, opts in shown_fieldsets for f in opts["fields"]),
        "chunks_table",
    )
    exclude = ("file", "error_report", "errors_preview", "ignored_columns")

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            form = BatchUploadForm

            class _Form(form):
                def __init__(self, *args, **kw):
                    super().__init__(*args, user=request.user, **kw)

            kwargs["form"] = _Form
            kwargs["fields"] = ("contract",)
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("contract", "upload", "encoding")
        return self.readonly_fields

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return super().get_fieldsets(request, obj)
        if insurer_of(request.user) is not None:
            return self.shown_fieldsets
        return (*self.shown_fieldsets, self.chunk_fieldset)

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None and obj.pk is not None:
            context["batch_summary"] = summary(obj)
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    @admin.display(description=_("解析耗时（秒）"))
    def parse_seconds(self, obj):
        return seconds_text(obj.seconds_parse)

    @admin.display(description=_("入库耗时（秒）"))
    def apply_seconds(self, obj):
        return seconds_text(obj.seconds_apply)

    @admin.display(description=_("计算耗时（秒）"))
    def compute_seconds(self, obj):
        return seconds_text(obj.seconds_compute)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def add_view(self, request, form_url="", extra_context=None):
        # Reading the body runs the upload handlers, which cut off a file over the limit.
        if request.method == "POST" and request.FILES is not None and upload_too_large(request):
            limit = max_upload_bytes() // 1024 // 1024
            messages.error(request, _("文件超过上限 %(max)d MB，未接收。") % {"max": limit})
            return redirect(request.path)
        return super().add_view(request, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data["upload"]
        try:
            received = batch_receive(
                contract=form.cleaned_data["contract"],
                fileobj=upload,
                filename=upload.name,
                actor=request.user,
                encoding=form.cleaned_data.get("encoding") or "",
            )
        except (ValidationError, PermissionDenied) as exc:
            raise PermissionDenied(str(exc)) from exc
        obj.pk = received.batch.pk
        if received.duplicate:
            messages.warning(
                request, _("该文件已上传过（批次 #%(id)s），不会重复入库。") % {"id": obj.pk}
            )
        else:
            # Neither a success nor "being stored": the file may still be rejected, or already
            # was (processing may finish before the page). The card says how it ends.
            messages.info(request, _("文件已上传，处理结果见下方。"))

    def response_add(self, request, obj, post_url_continue=None):
        return redirect(reverse("admin:claims_settlementbatch_change", args=[obj.pk]))

    def has_resume_permission(self, request):
        # Bureau staff only: an insurer re-sends a file instead.
        return request.user.has_perm("claims.change_settlementbatch") and not insurer_of(
            request.user
        )

    @admin.action(description=_("继续处理所选批次（中断或失败后恢复）"), permissions=["resume"])
    def resume_processing(self, request, queryset):
        """Re-queue batches a crash left half-way or an error stopped (failed); the task only
        moves a batch forward."""
        stuck = queryset.filter(status__in=RESTARTABLE) | (
            queryset.filter(status=BatchStatus.APPLIED, computed_at__isnull=True)
        )
        ids = list(stuck.values_list("pk", flat=True))
        for batch_id in ids:
            process_batch.delay(batch_id)
        messages.info(
            request, _("已重新排队 %(n)d 个批次；已完成的批次不受影响。") % {"n": len(ids)}
        )

    @admin.display(description=_("已忽略的列"))
    def ignored_columns_text(self, obj):
        """Header cells the file had that name no column: their values were not read."""
        return "、".join(obj.ignored_columns) or "-"

    @display(description=_("状态"), label=STATUS_COLOURS)
    def status_badge(self, obj):
        return obj.status, obj.get_status_display()

    @admin.display(description=_("进度"))
    def progress_bar(self, obj):
        """Green only for a batch that went in: a rejected or failed one is a red bar."""
        return format_html(
            '<div style="width:8rem;background:#e5e7eb;border-radius:4px">'
            '<div class="batch-bar" style="width:{}%;background:{};height:.5rem;border-radius:4px">'
            "</div></div><small>{}%</small>",
            obj.progress_percent,
            bar_colour(obj),
            obj.progress_percent,
        )

    @admin.display(description=_("错误（前 200 条）"))
    def errors_table(self, obj):
        if not obj.errors_preview:
            return "-"
        cell = '<td style="padding:.25rem .75rem;border-top:1px solid #e5e7eb">{}</td>'
        head = '<th style="padding:.25rem .75rem;text-align:left">{}</th>'
        rows = format_html_join(
            "",
            f"<tr>{cell * 3}</tr>",
            ((e["row"], column_label(e["column"]), e["message"]) for e in obj.errors_preview),
        )
        return format_html(
            f"<table><thead><tr>{head * 3}</tr></thead><tbody>{{}}</tbody></table>",
            _("行号"),
            _("列"),
            _("说明"),
            rows,
        )

    @admin.display(description=_("批次计算分块"))
    def chunks_table(self, obj):
        chunks = list(obj.chunks.order_by("index"))
        if not chunks:
            return "-"
        fields = [BatchChunk._meta.get_field(name) for name in CHUNK_COLUMNS]
        cell = '<td style="padding:.25rem .75rem;border-top:1px solid #e5e7eb">{}</td>'
        head = '<th style="padding:.25rem .75rem;text-align:left">{}</th>'
        rows = format_html_join(
            "",
            f"<tr>{cell * len(fields)}</tr>",
            (
                (
                    c.index,
                    c.people,
                    c.get_status_display(),
                    c.attempts,
                    c.compensations,
                    c.adjustments,
                    c.worker or "-",
                    localtime(c.finished_at).strftime("%Y-%m-%d %H:%M:%S")
                    if c.finished_at
                    else "-",
                )
                for c in chunks
            ),
        )
        return format_html(
            f"<table><thead><tr>{head * len(fields)}</tr></thead><tbody>{{}}</tbody></table>",
            *(f.verbose_name for f in fields),
            rows,
        )

    @admin.display(description=_("错误报告"))
    def downloads(self, obj):
        if not obj.errors_preview:
            return "-"
        base = reverse("admin:claims_settlementbatch_errors", args=[obj.pk])
        return format_html(
            '<a href="{}?format=csv">CSV</a> · <a href="{}?format=xlsx">XLSX</a>', base, base
        )

    def get_urls(self):
        return [
            path(
                "<int:batch_id>/errors/",
                self.door(self.errors_view),
                name="claims_settlementbatch_errors",
            ),
            path(
                "<int:batch_id>/progress/",
                self.door(self.progress_view),
                name="claims_settlementbatch_progress",
            ),
            *super().get_urls(),
        ]

    def progress_view(self, request, batch_id: int):
        """The card's live refresh: the batch's state as JSON, for those who may see it."""
        batch = get_object_or_404(self.get_queryset(request), pk=batch_id)
        return JsonResponse(progress(batch))

    def errors_view(self, request, batch_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        batch = get_object_or_404(self.get_queryset(request), pk=batch_id)
        return error_report_response(batch, request.GET.get("format", "csv"))


ADJUSTMENT_REASONS = {
    "late_record": _("补报了更早的结算"),
    "reversal": _("更早的结算被冲销"),
    "recomputed": _("重新计算"),
}


def compensation_html(record) -> str:
    """The engine's answer for a settlement: lines, total, adjustments and every step in words."""
    comp = Compensation.objects.filter(record=record).first()
    if comp is None:
        return format_html("<em>{}</em>", _("尚未计算"))
    steps = format_html_join("", "<li>{}</li>", ((line,) for line in explanation_lines(comp)))
    adjustments = format_html_join(
        "",
        "<li>{} {}：{}</li>",
        (
            (a.created_at.date(), ADJUSTMENT_REASONS.get(a.reason, a.reason), f"{a.total:+}")
            for a in record.adjustments.all()
        ),
    )
    plan, lines = plan_lines_in_words(comp)
    return format_html(
        "<div><strong>{}</strong> {} 元（{}，{}）</div><div>{}</div>"
        "<ol style='list-style:decimal;margin-left:1.5rem'>{}</ol><ul>{}</ul>",
        _("应赔付"),
        comp.total,
        plan,
        comp.get_status_display(),
        "；".join(_("%(line)s：%(amount)s 元") % {"line": n, "amount": a} for n, a in lines),
        steps,
        adjustments,
    )


def code_name(column: str, code: str) -> str:
    """A family code ("21") by its name ("普通住院"); an unknown code as it is."""
    name = family_names(column).get(code)
    return f"{name}（{code}）" if name else (code or "-")


def owed_total(changelist) -> Decimal | None:
    """The amount owed on the records the list shows, every page of them: only once the list is
    narrowed (a filter or a search), since summing a whole big table on every visit is slow."""
    if not changelist.has_active_filters and not changelist.query:
        return None
    records = changelist.queryset.order_by().values("pk")
    total = Compensation.objects.filter(record__in=records).aggregate(s=Sum("total"))["s"]
    return total if total is not None else Decimal("0.00")


@admin.register(SettlementRecord)
class SettlementRecordAdmin(
    FindByCertnoMixin,
    RestrictedAdminMixin,
    RecordSearchMixin,
    BigTableAdminMixin,
    AuditedExportMixin,
    ExportMixin,
    ModelAdmin,
):
    certno_prefix = "person__"  # the POST search by ID number (find/)
    certno_replaces_search = False
    list_display = (
        "setl_id", "psn_no", "med_type_name", "setl_time", "medfee_sumamt", "fund_pay_sumamt",
        "psn_part_amt", "refd_setl_flag", "contract",
    )  # fmt: skip
    # fixed choices, never a SELECT DISTINCT over the table
    # (claims/settlements/admin/record_filters.py)
    list_filter = (MedTypeFilter, "refd_setl_flag", InsuTypeFilter, TreatmentCategoryFilter)
    list_select_related = ("contract",)
    search_fields = ("=setl_id",)  # the search itself: RecordSearchMixin (psn_no via person)
    search_help_text = _("按结算ID、人员编号或就诊ID精确查找（完整编号，不支持部分匹配）")
    list_before_template = "claims/admin/records_before.html"
    resource_classes = [SettlementRecordExport]

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            response.context_data["owed_total"] = owed_total(changelist)
        return response

    raw_id_fields = ("batch", "contract", "person")
    ordering = ("-id",)

    def get_fields(self, request, obj=None):
        named = {
            "med_type": "med_type_name",
            "insutype": "insutype_name",
            "trt_category": "trt_category_name",
        }
        return [named.get(f.name, f.name) for f in SettlementRecord._meta.fields] + [
            "compensation_view"
        ]

    def get_readonly_fields(self, request, obj=None):
        return [*self.get_fields(request, obj), "med_type", "insutype", "trt_category"]

    @admin.display(description=_("治疗类别"))
    def trt_category_name(self, obj):
        return TRT_CATEGORY_NAMES.get(obj.trt_category, obj.trt_category or "-")

    @admin.display(description=_("医疗类别"), ordering="med_type")
    def med_type_name(self, obj):
        return code_name("med_type", obj.med_type)

    @admin.display(description=_("险种类型"), ordering="insutype")
    def insutype_name(self, obj):
        return code_name("insutype", obj.insutype)

    @admin.display(description=_("应赔付与计算过程"))
    def compensation_view(self, obj):
        return compensation_html(obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
