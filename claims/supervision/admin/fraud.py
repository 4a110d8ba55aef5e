"""Fraud flags in the admin: listed with their evidence, confirmed or dismissed by a person (the
moves of `claims.supervision.workflows.FRAUD_FLAG` on the one move page)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from audit.admin.workflow import WorkflowAdminMixin
from claims.settlements.admin.common import ReadOnlyScopedAdmin
from claims.supervision.models import FraudFlag
from insurance.admin.support import FindByCertnoMixin

EVIDENCE_LABELS = {
    "setl_id": _("结算ID"),
    "hospital": _("医疗机构"),
    "stay": _("住院期间"),
    "other_setl_id": _("重叠结算ID"),
    "other_hospital": _("重叠医疗机构"),
    "other_stay": _("重叠住院期间"),
    "treatment_date": _("就医日期"),
    "death_date": _("死亡日期"),
    "group": _("比较组（医疗类别+机构）"),
    "cost": _("本次费用"),
    "average_of_others": _("同组其他结算平均费用"),
    "others": _("同组其他结算数"),
    "factor": _("倍数"),
}


@admin.register(FraudFlag)
class FraudFlagAdmin(FindByCertnoMixin, WorkflowAdminMixin, ReadOnlyScopedAdmin):
    certno_prefix = "person__"  # the POST search by ID number (find/)
    certno_replaces_search = False
    list_display = ("id", "kind", "record", "person", "status", "evidence_short", "detected_at")
    list_filter = ("kind", "status")
    list_select_related = ("record", "person")
    search_fields = ("=record__setl_id", "=person__psn_no")
    ordering = ("-id",)
    fields = (
        "kind", "status", "record", "other_record", "contract", "person", "evidence_table",
        "detected_at", "reviewed_by", "reviewed_at", "review_note",
    )  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("证据"))
    def evidence_short(self, obj):
        return "；".join(f"{EVIDENCE_LABELS.get(k, k)}: {v}" for k, v in obj.evidence.items())[:120]

    @admin.display(description=_("证据"))
    def evidence_table(self, obj):
        rows = ((EVIDENCE_LABELS.get(k, k), v) for k, v in obj.evidence.items())
        return format_html(
            "<table>{}</table>", format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows)
        )

    def move_details(self, obj):
        return [(EVIDENCE_LABELS.get(k, k), v) for k, v in obj.evidence.items()]
