"""Satisfaction surveys in the admin: the list and the import (CSV/XLSX, all or nothing)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from audit.admin.workflow import bound, form_page
from claims.oversight.models import SatisfactionSurvey
from claims.oversight.resources import COLUMNS
from claims.oversight.services.surveys import survey_import
from claims.settlements.admin.common import ReadOnlyScopedAdmin
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

        def perform(data):
            upload = data["file"]
            result = survey_import(
                content=upload.read(), filename=upload.name, actor=request.user, request=request
            )
            if result.errors:  # all or nothing: each error beside the file
                problem = _("文件有错误，未导入任何数据。")
                raise ValidationError({"file": [problem, *(str(e) for e in result.errors)]})
            messages.info(request, _("已导入 %(n)s 条调查结果。") % {"n": result.imported})
            return reverse("admin:claims_satisfactionsurvey_changelist")

        return form_page(
            request,
            admin=self,
            obj=None,
            title=_("导入满意度调查结果"),
            form=ImportForm(bound(request), request.FILES or None),
            perform=perform,
            back_url=reverse("admin:claims_satisfactionsurvey_changelist"),
        )
