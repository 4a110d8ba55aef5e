"""Admin of special statuses, family links and background import jobs."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from audit.admin.doors import RestrictedAdminMixin
from audit.admin.mixins import AuditedAdminMixin
from insurance.admin.support import (
    BigTableAdminMixin,
    FindByCertnoMixin,
)
from insurance.models import (
    FamilyLink,
    ImportJob,
    SpecialStatus,
)
from insurance.services import (
    family_link_add,
    special_status_add,
)

REVEAL_PERMISSION = "audit.reveal_personal_data"
REVEAL_REASON_MIN = 4


@admin.register(SpecialStatus)
class SpecialStatusAdmin(
    RestrictedAdminMixin, FindByCertnoMixin, AuditedAdminMixin, BigTableAdminMixin, ModelAdmin
):
    certno_prefix = "person__"
    list_display = ("person", "kind", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("person__psn_no",)
    raw_id_fields = ("person",)
    list_select_related = ("person",)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = special_status_add(
            actor=request.user,
            person=obj.person,
            kind=obj.kind,
            valid_from=obj.valid_from,
            valid_to=obj.valid_to,
            note=obj.note,
            request=request,
        )
        obj.pk = created.pk


@admin.register(FamilyLink)
class FamilyLinkAdmin(
    RestrictedAdminMixin, FindByCertnoMixin, AuditedAdminMixin, BigTableAdminMixin, ModelAdmin
):
    certno_prefix = "person__"
    list_display = ("person", "relation", "relative")
    list_filter = ("relation",)
    search_fields = ("person__psn_no",)
    raw_id_fields = ("person", "relative")
    list_select_related = ("person", "relative")

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = family_link_add(
            actor=request.user,
            person=obj.person,
            relative=obj.relative,
            relation=obj.relation,
            request=request,
        )
        obj.pk = created.pk


@admin.register(ImportJob)
class ImportJobAdmin(RestrictedAdminMixin, ModelAdmin):
    list_display = ("id", "original_name", "target", "status", "progress", "created_at")
    list_filter = ("status", "target")
    readonly_fields = (
        "target",
        "original_name",
        "file_format",
        "status",
        "progress",
        "total",
        "processed",
        "created_rows",
        "error_table",
        "created_by",
        "created_at",
        "finished_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("进度"))
    def progress(self, obj):
        return format_html(
            '<div style="width:16rem;background:#e5e7eb;border-radius:4px">'
            '<div style="width:{}%;background:#2563eb;color:#fff;padding:0 4px;border-radius:4px">'
            "{}%</div></div>",
            obj.percent,
            obj.percent,
        )

    @admin.display(description=_("错误明细"))
    def error_table(self, obj):
        if not obj.errors:
            return "-"
        rows = "".join(
            format_html(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                e.get("row") or "",
                e.get("column") or "",
                e.get("message"),
            )
            for e in obj.errors[:500]
        )
        header = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th></tr>", _("行号"), _("列"), _("原因")
        )
        return format_html("<table>{}{}</table>", header, format_html(rows))
