"""Admin of benefit plans: a readable Chinese rendering beside the document; versions as actions."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, linebreaks
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import action

from audit.admin.doors import RestrictedAdminMixin
from insurance.choices import PlanStatus
from insurance.models import BenefitPlan
from insurance.services.plans import plan_activate, plan_new_version, plan_save_draft


class PlanDocumentField(forms.JSONField):
    widget = forms.Textarea(attrs={"rows": 30, "style": "font-family:monospace;width:100%"})

    def prepare_value(self, value):
        if isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2)


class BenefitPlanForm(forms.ModelForm):
    document = PlanDocumentField(label=_("方案文档（JSON，格式见 docs/plans.md）"))

    class Meta:
        model = BenefitPlan
        fields = ("document",)

    def _post_clean(self):
        super()._post_clean()  # runs the model's clean(): the engine's located validation
        plan = self.instance
        if "document" in self.errors or not plan.code:
            return
        taken = BenefitPlan.objects.filter(code=plan.code, version=plan.version)
        if taken.exclude(pk=plan.pk).exists():
            self.add_error(
                "document",
                _("方案 %(code)s 已有第 %(version)s 版，请修改文档中的 version。")
                % {"code": plan.code, "version": plan.version},
            )


@admin.register(BenefitPlan)
class BenefitPlanAdmin(RestrictedAdminMixin, ModelAdmin):
    form = BenefitPlanForm
    list_display = (
        "code",
        "version",
        "name",
        "status",
        "effective_from",
        "effective_to",
        "example",
    )
    list_filter = ("status", "example")
    search_fields = ("=code", "name")
    ordering = ("code", "-version")
    actions_detail = ["copy_as_new_version", "activate"]
    readonly_fields = (
        "rendering", "code", "version", "name", "status", "effective_from", "effective_to",
        "example", "source", "created_by", "created_at", "activated_at",
    )  # fmt: skip

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("document",)
        if obj.status == PlanStatus.DRAFT:
            return (*self.readonly_fields, "document")
        return (*self.readonly_fields, "document_view")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if obj.status == PlanStatus.DRAFT:
            return self.readonly_fields
        return (*self.readonly_fields, "document_view")

    @admin.display(description=_("方案内容（通俗表述）"))
    def rendering(self, obj):
        return format_html("<div>{}</div>", linebreaks(obj.plain_words))

    @admin.display(description=_("方案文档"))
    def document_view(self, obj):
        return format_html(
            '<pre style="white-space:pre-wrap">{}</pre>',
            json.dumps(obj.document, ensure_ascii=False, indent=2),
        )

    def save_model(self, request, obj, form, change):
        plan_save_draft(plan=obj, actor=request.user, request=request)

    def has_plan_add_permission(self, request, object_id=None):
        return request.user.has_perm("insurance.add_benefitplan")

    def has_plan_change_permission(self, request, object_id=None):
        return request.user.has_perm("insurance.change_benefitplan")

    def _confirm(self, request, object_id, title, message):
        """Buttons are links: a GET only asks, the change happens on the confirming POST."""
        return TemplateResponse(
            request,
            "admin/confirm_action.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "message": message,
                "original": BenefitPlan.objects.get(pk=object_id),
                "back_url": reverse("admin:insurance_benefitplan_change", args=[object_id]),
            },
        )

    @action(description=_("复制为新版本"), permissions=["plan_add"])
    def copy_as_new_version(self, request, object_id):
        if request.method != "POST":
            return self._confirm(
                request, object_id, _("复制为新版本"), _("将以此版本为底稿创建新的草稿版本。")
            )
        draft = plan_new_version(
            plan=BenefitPlan.objects.get(pk=object_id), actor=request.user, request=request
        )
        messages.success(request, _("已创建草稿 %(plan)s，可修改后启用。") % {"plan": draft})
        return redirect(reverse("admin:insurance_benefitplan_change", args=[draft.pk]))

    @action(description=_("启用此版本"), permissions=["plan_change"])
    def activate(self, request, object_id):
        if request.method != "POST":
            return self._confirm(
                request, object_id, _("启用此版本"), _("启用后，同一方案的现行版本将停用。")
            )
        plan = BenefitPlan.objects.get(pk=object_id)
        try:
            plan_activate(plan=plan, actor=request.user, request=request)
            messages.success(request, _("已启用 %(plan)s。") % {"plan": plan})
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(reverse("admin:insurance_benefitplan_change", args=[object_id]))
