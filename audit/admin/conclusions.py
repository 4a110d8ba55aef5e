"""Audit conclusions in the admin (R-SUP-3): auditors draft, change and sign; directors read.
Every write goes through `audit.services.conclusions`; a signed conclusion is read-only, and its
follow-ups' progress is updated on the follow-up page."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline

from audit.admin.doors import RestrictedAdminMixin, RestrictedInlineMixin
from audit.models import AuditConclusion, AuditFollowUp
from audit.services.conclusions import (
    CONCLUSION_FIELDS,
    DRAFT_PERMISSION,
    SIGN_PERMISSION,
    conclusion_check,
    conclusion_create,
    conclusion_sign,
    conclusion_update,
    followup_check,
    followup_delete,
    followup_save,
)


class ConclusionForm(forms.ModelForm):
    class Meta:
        model = AuditConclusion
        fields = CONCLUSION_FIELDS

    def clean(self):
        data = super().clean()
        probe = AuditConclusion(**{k: v for k, v in data.items() if k != "attachment"})
        try:
            conclusion_check(probe)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        return data


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = AuditFollowUp
        fields = ("action", "owner", "due_on", "status", "done_on", "note")

    def clean(self):
        data = super().clean()
        probe = AuditFollowUp(status=data.get("status"), done_on=data.get("done_on"))
        try:
            followup_check(probe)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field, errors)
        return data


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc)


def _may_draft(request) -> bool:
    return request.user.has_perm(DRAFT_PERMISSION)


class FollowUpInline(RestrictedInlineMixin, TabularInline):
    model = AuditFollowUp
    form = FollowUpForm
    extra = 0
    fields = ("action", "owner", "due_on", "status", "done_on", "note")

    def has_change_permission(self, request, obj=None):
        return _may_draft(request) or super().has_change_permission(request, obj)


@admin.register(AuditConclusion)
class AuditConclusionAdmin(RestrictedAdminMixin, ModelAdmin):
    form = ConclusionForm
    list_display = ("title", "subject", "period_from", "period_to", "opinion", "status", "auditor")
    list_filter = ("status", "opinion")
    list_select_related = ("auditor",)
    search_fields = ("title", "=contract_id", "=scheme_id")
    fields = (*CONCLUSION_FIELDS, "auditor", "status", "signed_by", "signed_at")
    readonly_fields = ("auditor", "status", "signed_by", "signed_at")
    inlines = [FollowUpInline]
    actions = ["sign_conclusions"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_signed:
            return False
        return _may_draft(request) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # a conclusion is evidence; drafts are corrected, never removed

    def has_sign_permission(self, request):
        return request.user.has_perm(SIGN_PERMISSION)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data.get(name) for name in CONCLUSION_FIELDS}
        if change:
            changes = {name: data[name] for name in form.changed_data if name in data}
            saved = (
                conclusion_update(
                    conclusion=obj, actor=request.user, changes=changes, request=request
                )
                if changes
                else obj
            )
        else:
            data["attachment"] = data["attachment"] or ""
            saved = conclusion_create(actor=request.user, request=request, **data)
        obj.pk = saved.pk
        obj.__dict__.update(saved.__dict__)

    def save_formset(self, request, form, formset, change):
        for followup in formset.save(commit=False):
            followup.conclusion = form.instance
            followup_save(followup=followup, actor=request.user, request=request)
        for followup in formset.deleted_objects:
            followup_delete(followup=followup, actor=request.user, request=request)

    @admin.action(description=_("签发所选审计结论"), permissions=["sign"])
    def sign_conclusions(self, request, queryset):
        signed = 0
        for conclusion in queryset:
            try:
                conclusion_sign(conclusion=conclusion, actor=request.user, request=request)
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, f"{conclusion}: {_message(exc)}")
            else:
                signed += 1
        if signed:
            messages.success(request, _("已签发 %(n)d 份审计结论。") % {"n": signed})


@admin.register(AuditFollowUp)
class AuditFollowUpAdmin(RestrictedAdminMixin, ModelAdmin):
    """Progress of follow-up actions, also after the conclusion is signed."""

    list_display = ("action", "owner", "due_on", "status", "done_on", "conclusion")
    list_filter = ("status",)
    list_select_related = ("conclusion",)
    search_fields = ("owner", "action")
    raw_id_fields = ("conclusion",)
    form = FollowUpForm
    fields = ("conclusion", "action", "owner", "due_on", "status", "done_on", "note")

    def has_change_permission(self, request, obj=None):
        return _may_draft(request) or super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.conclusion.is_signed:
            return ("conclusion", "action", "owner", "due_on")
        return ()

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.conclusion.is_signed:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        followup_save(followup=obj, actor=request.user, request=request)

    def delete_model(self, request, obj):
        followup_delete(followup=obj, actor=request.user, request=request)
