"""Satisfaction surveys in the admin: the list and the import (CSV/XLSX, all or nothing)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from claims.admin.supervision import ReadOnlyScopedAdmin
from claims.models import SatisfactionSurvey
from claims.resources import COLUMNS
from claims.services.surveys import survey_import
from contracts.selectors import insurer_of


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("调查结果文件（CSV 或 XLSX）"),
        help_text=_("列：%(c)s") % {"c": "、".join(COLUMNS.values())},
    )


@admin.register(SatisfactionSurvey)
class SatisfactionSurveyAdmin(ReadOnlyScopedAdmin):
    list_display = ("contract", "period_start", "period_end", "respondents", "satisfied", "score",
                    "source", "imported_at")  # fmt: skip
    list_select_related = ("contract",)
    ordering = ("-period_end", "contract")
    readonly_fields = ("contract", "period_start", "period_end", "respondents", "satisfied",
                       "score", "source", "imported_by", "imported_at")  # fmt: skip

    def has_add_permission(self, request):
        perm = request.user.has_perm("claims.add_satisfactionsurvey")
        return perm and insurer_of(request.user) is None

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return redirect("admin:claims_satisfactionsurvey_import")

    def get_urls(self):
        view = self.door(self.import_view, "add")
        return [
            path("import/", view, name="claims_satisfactionsurvey_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            result = survey_import(
                content=upload.read(), filename=upload.name, actor=request.user, request=request
            )
            if not result.errors:
                messages.success(request, _("已导入 %(n)s 条调查结果。") % {"n": result.imported})
                return redirect(reverse("admin:claims_satisfactionsurvey_changelist"))
            errors = [str(e) for e in result.errors]
            messages.error(request, _("文件有错误，未导入任何数据。"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": "",
            "title": _("导入满意度调查结果"),
            "form": form,
            "back_url": reverse("admin:claims_satisfactionsurvey_changelist"),
            "details": [(_("错误"), e) for e in errors],
        }
        return TemplateResponse(request, "admin/workflow_form.html", context)
