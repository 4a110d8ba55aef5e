"""Admin of the public disclosure reports: draft a scheme year's report; check it (reviewer) and
publish it (director, another person) through the one move page; rebuild a draft, start a
correction version. The report's pages are read-only; every change goes through
`claims.oversight.services.disclosure`."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import action

from audit.admin.doors import RestrictedAdminMixin
from audit.admin.workflow import ConfirmForm, WorkflowAdminMixin, bound, form_page
from audit.choices import DisclosureStatus
from audit.errors import RuleError
from audit.models import DisclosureReport
from audit.replica import reports
from claims.oversight.reports.disclosure_pdf import disclosure_pdf
from claims.oversight.services.disclosure import (
    disclosure_correct,
    disclosure_draft,
    disclosure_extra_steps,
    disclosure_rebuild,
)
from claims.permissions import DRAFT_DISCLOSURE
from insurance.models import Scheme


class DraftForm(forms.Form):
    scheme = forms.ModelChoiceField(label=_("保险方案"), queryset=Scheme.objects.order_by("code"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)


class CorrectionForm(forms.Form):
    change_note = forms.CharField(
        label=_("更正说明"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("公开页面上会显示：更正了什么、为什么。"),
    )


STEP_LABELS = {"rebuild": _("重新生成数字"), "correct": _("新建更正版本")}


@admin.register(DisclosureReport)
class DisclosureReportAdmin(WorkflowAdminMixin, RestrictedAdminMixin, ModelAdmin):
    list_display = ("scheme_name", "year", "version", "status", "checked_by", "published_at")
    list_filter = ("status", "year")
    search_fields = ("=scheme_code", "scheme_name")
    ordering = ("-year", "scheme_code", "-version")
    list_select_related = ("checked_by", "published_by")
    show_full_result_count = False
    actions_list = ["draft_report"]
    fields = (
        "scheme_name",
        "scheme_code",
        "year",
        "version",
        "status",
        "summary",
        "content_sha256",
        "built_at",
        "drafted_by",
        "checked_by",
        "checked_at",
        "published_by",
        "published_at",
        "supersedes",
        "change_note",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("checked_by", "published_by", "drafted_by", "supersedes")
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_draft_report_permission(self, request):
        return request.user.has_perm(DRAFT_DISCLOSURE)

    def workflow_links(self, request, obj):
        """The moves the user may make, rebuilding or correcting, the PDF, the public page."""
        links = super().workflow_links(request, obj)
        links += [
            (STEP_LABELS[step], reverse("admin:claims_disclosure_step", args=[obj.pk, step]))
            for step in disclosure_extra_steps(obj, request.user)
        ]
        links.append((_("预览 PDF"), reverse("admin:claims_disclosure_pdf", args=[obj.pk])))
        if obj.status == DisclosureStatus.PUBLISHED:
            links.append((_("公开页面"), reverse("public:disclosure-detail", args=[obj.pk])))
        return links

    def move_details(self, obj):
        return [
            (_("状态"), obj.get_status_display()),
            (_("内容 SHA-256"), obj.content_sha256),
        ]

    @admin.display(description=_("主要数字"))
    def summary(self, obj):
        c = obj.content or {}
        fin, ben = c.get("finance", {}), c.get("beneficiaries", {})
        return format_html(
            "赔付支出 {} 元 · 筹集资金 {} 元 · 赔付率 {} · 获赔人数 {} · 结算天数中位数 {}",
            fin.get("claims_paid", "—"),
            fin.get("raised", "—"),
            f"{c['payout_ratio']}%" if c.get("payout_ratio") else "—",
            ben.get("people", "—"),
            c.get("efficiency", {}).get("median_days") or "—",
        )

    @action(description=_("起草/刷新年度报告"), url_path="draft", permissions=["draft_report"])
    def draft_report(self, request):
        if not request.user.has_perm(DRAFT_DISCLOSURE):
            raise PermissionDenied
        form = DraftForm(bound(request), initial={"year": timezone.localdate().year - 1})

        def perform(d):
            report = disclosure_draft(scheme=d["scheme"], year=d["year"], actor=request.user)
            if report is None:
                raise RuleError(
                    _("该年度报告已复核或已发布；如需更正，请在已发布的报告上新建更正版本。")
                )
            return reverse("admin:audit_disclosurereport_change", args=[report.pk])

        return form_page(
            request,
            admin=self,
            obj=None,
            title=_("起草信息公开报告"),
            form=form,
            perform=perform,
            back_url=reverse("admin:audit_disclosurereport_changelist"),
        )

    def get_urls(self):
        steps = {"rebuild": (DRAFT_DISCLOSURE,), "correct": (DRAFT_DISCLOSURE,)}
        step_view = self.door(self.step_view, choices={"step": steps})
        return [
            path("<int:pk>/step/<str:step>/", step_view, name="claims_disclosure_step"),
            path("<int:pk>/pdf/", self.door(self.pdf_view), name="claims_disclosure_pdf"),
            *super().get_urls(),
        ]

    def pdf_view(self, request, pk):
        report = get_object_or_404(self.get_queryset(request), pk=pk)
        with reports():
            response = HttpResponse(disclosure_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="disclosure-{report.pk}.pdf"'
        return response

    def step_view(self, request, pk, step):
        report = get_object_or_404(self.get_queryset(request), pk=pk)
        if step not in disclosure_extra_steps(report, request.user):
            raise PermissionDenied
        if step == "rebuild":
            form = ConfirmForm(bound(request))

            def perform(d):
                disclosure_rebuild(report=report, actor=request.user)
        else:
            form = CorrectionForm(bound(request))

            def perform(d):
                new = disclosure_correct(
                    report=report, actor=request.user, change_note=d["change_note"]
                )
                return reverse("admin:audit_disclosurereport_change", args=[new.pk])

        return form_page(
            request,
            admin=self,
            obj=report,
            title=STEP_LABELS[step],
            form=form,
            perform=perform,
            back_url=reverse("admin:audit_disclosurereport_change", args=[report.pk]),
            details=self.move_details(report),
        )
