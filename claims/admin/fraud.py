"""Fraud flags in the admin: listed with their evidence, confirmed or dismissed by a person."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from audit.admin.mixins import viewer_of
from audit.admin.workflow import form_page, links_html
from claims.admin.supervision import ReadOnlyScopedAdmin
from claims.choices import FlagStatus
from claims.models import FraudFlag
from claims.services.fraud import fraud_flag_review, may_review_fraud_flags

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


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("核查说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


@admin.register(FraudFlag)
class FraudFlagAdmin(ReadOnlyScopedAdmin):
    list_display = ("id", "kind", "record", "person", "status", "evidence_short", "detected_at")
    list_filter = ("kind", "status")
    list_select_related = ("record", "person")
    search_fields = ("=record__setl_id", "=person__psn_no")
    ordering = ("-id",)
    fields = (
        "kind", "status", "record", "other_record", "contract", "person", "evidence_table",
        "detected_at", "reviewed_by", "reviewed_at", "review_note", "actions_links",
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

    @admin.display(description=_("操作"))
    def actions_links(self, obj):
        if obj.status != FlagStatus.OPEN or not may_review_fraud_flags(viewer_of(obj)):
            return "-"
        return links_html(
            [
                (_("核实属实"), reverse("admin:claims_fraudflag_review", args=[obj.pk, "confirm"])),
                (_("排除"), reverse("admin:claims_fraudflag_review", args=[obj.pk, "dismiss"])),
            ]
        )

    def get_urls(self):
        review = ("claims.change_fraudflag",)  # may_review_fraud_flags
        view = self.door(
            self.review_view, choices={"verdict": {"confirm": review, "dismiss": review}}
        )
        return [
            path("<int:pk>/review/<str:verdict>/", view, name="claims_fraudflag_review"),
            *super().get_urls(),
        ]

    def review_view(self, request, pk, verdict):
        flag = get_object_or_404(self.get_queryset(request), pk=pk)
        confirmed = verdict == "confirm"
        return form_page(
            request,
            admin=self,
            obj=flag,
            title=_("核实属实") if confirmed else _("排除疑点"),
            form=ReviewForm(request.POST or None),
            perform=lambda data: fraud_flag_review(
                flag=flag, confirmed=confirmed, actor=request.user, note=data["note"]
            ),
            back_url=reverse("admin:claims_fraudflag_change", args=[flag.pk]),
            details=[(EVIDENCE_LABELS.get(k, k), v) for k, v in flag.evidence.items()],
        )
