"""Spot checks (抽查) in the admin: plan, record the result with findings, follow-up actions."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline

from audit.admin.doors import RestrictedInlineMixin
from audit.admin.mixins import viewer_of
from audit.admin.workflow import ServiceAddMixin, bound, form_page, links_html
from audit.scoping import restrict
from claims.choices import ActionStatus, FindingSeverity, SpotCheckKind, SpotCheckStatus
from claims.settlements.admin.common import ReadOnlyScopedAdmin
from claims.supervision.models import FollowUpAction, SpotCheck, SpotCheckFinding
from claims.supervision.services.spot_checks import (
    PERMISSION,
    follow_up_add,
    follow_up_done,
    may_handle_spot_checks,
    spot_check_perform,
    spot_check_plan,
)
from contracts.selectors import contract_for_user, insurer_of

SEVERITY_BY_LABEL = {str(label): value for value, label in FindingSeverity.choices}


class PlanForm(forms.Form):
    contract = forms.ModelChoiceField(label=_("合同"), queryset=None)
    kind = forms.ChoiceField(label=_("抽查类型"), choices=SpotCheckKind.choices)
    subject = forms.CharField(label=_("抽查对象/范围"), max_length=255)
    planned_on = forms.DateField(label=_("计划日期"))
    inspectors = forms.CharField(label=_("检查人员"), max_length=255, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contract_for_user(user)


class PerformForm(forms.Form):
    performed_on = forms.DateField(label=_("实施日期"))
    inspectors = forms.CharField(label=_("检查人员"), max_length=255)
    summary = forms.CharField(label=_("检查情况"), widget=forms.Textarea(attrs={"rows": 3}))
    findings = forms.CharField(
        label=_("发现的问题"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("每行一个问题，以严重程度开头并用冒号分隔，如：较重问题：案卷缺少费用清单"),
    )

    def clean_findings(self):
        rows = []
        for n, line in enumerate(self.cleaned_data["findings"].splitlines(), 1):
            if not line.strip():
                continue
            label, sep, text = line.replace(":", "：").partition("：")
            if not sep or label.strip() not in SEVERITY_BY_LABEL or not text.strip():
                raise forms.ValidationError(
                    _("第 %(n)s 行格式不正确，应为“严重程度：问题描述”，严重程度为：%(s)s。")
                    % {"n": n, "s": "、".join(SEVERITY_BY_LABEL)}
                )
            rows.append((SEVERITY_BY_LABEL[label.strip()], text.strip()))
        return rows


class FollowUpForm(forms.Form):
    finding = forms.ModelChoiceField(label=_("问题"), queryset=None)
    action = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label=_("整改期限"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].queryset = restrict(SpotCheckFinding, user, "view")


class DoneForm(forms.Form):
    done_on = forms.DateField(label=_("完成日期"))


class FindingInline(RestrictedInlineMixin, TabularInline):
    model = SpotCheckFinding
    extra = 0
    can_delete = False
    fields = ("severity", "description")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SpotCheck)
class SpotCheckAdmin(ServiceAddMixin, ReadOnlyScopedAdmin):
    list_display = ("planned_on", "contract", "kind", "subject", "status", "performed_on")
    list_filter = ("status", "kind")
    list_select_related = ("contract",)
    ordering = ("-planned_on", "-id")
    inlines = [FindingInline]
    fields = ("contract", "kind", "subject", "planned_on", "performed_on", "inspectors",
              "status", "summary", "actions_links")  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("操作"))
    def actions_links(self, obj):
        if obj.status != SpotCheckStatus.PLANNED or not may_handle_spot_checks(viewer_of(obj)):
            return "-"
        url = reverse("admin:claims_spotcheck_perform", args=[obj.pk])
        return links_html([(_("登记抽查结果"), url)])

    def has_add_permission(self, request):
        return request.user.has_perm("claims.add_spotcheck") and insurer_of(request.user) is None

    add_form = PlanForm
    add_title = _("安排抽查")

    def add_perform(self, request, data):
        return spot_check_plan(actor=request.user, **data)

    def get_urls(self):
        view = self.door(self.perform_view, "view", PERMISSION)
        return [
            path("<int:pk>/perform/", view, name="claims_spotcheck_perform"),
            *super().get_urls(),
        ]

    def perform_view(self, request, pk):
        check = get_object_or_404(self.get_queryset(request), pk=pk)
        return form_page(
            request,
            admin=self,
            obj=check,
            title=_("登记抽查结果"),
            form=PerformForm(bound(request)),
            perform=lambda d: spot_check_perform(check=check, actor=request.user, **d),
            back_url=reverse("admin:claims_spotcheck_change", args=[check.pk]),
        )


@admin.register(FollowUpAction)
class FollowUpActionAdmin(ServiceAddMixin, ReadOnlyScopedAdmin):
    list_display = ("finding", "action", "due_on", "status", "done_on")
    list_filter = ("status",)
    ordering = ("due_on", "id")
    fields = ("finding", "action", "due_on", "status", "done_on", "actions_links")
    readonly_fields = fields

    @admin.display(description=_("操作"))
    def actions_links(self, obj):
        if obj.status != ActionStatus.OPEN or not may_handle_spot_checks(viewer_of(obj)):
            return "-"
        url = reverse("admin:claims_followupaction_done", args=[obj.pk])
        return links_html([(_("确认整改完成"), url)])

    def has_add_permission(self, request):
        return request.user.has_perm("claims.change_spotcheck") and insurer_of(request.user) is None

    add_form = FollowUpForm
    add_title = _("下达整改措施")

    def add_perform(self, request, data):
        follow_up_add(actor=request.user, **data)  # back to the list, as before

    def get_urls(self):
        view = self.door(self.done_view, "view", PERMISSION)
        return [
            path("<int:pk>/done/", view, name="claims_followupaction_done"),
            *super().get_urls(),
        ]

    def done_view(self, request, pk):
        action = get_object_or_404(self.get_queryset(request), pk=pk)
        return form_page(
            request,
            admin=self,
            obj=action,
            title=_("确认整改完成"),
            form=DoneForm(bound(request)),
            perform=lambda d: follow_up_done(action=action, actor=request.user, **d),
            back_url=reverse("admin:claims_followupaction_change", args=[action.pk]),
        )
