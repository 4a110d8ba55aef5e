"""Shared admin pieces: the selector door, audited saves of reference data, the move form."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from audit import events
from audit.choices import AuditAction


class ScopedAdmin(ModelAdmin):
    """Every queryset through the model's `*_for_user` selector (one door to data)."""

    selector = None  # a staticmethod(user) -> QuerySet
    audited = True  # direct saves of reference data write an audit event
    list_per_page = 50

    def get_queryset(self, request):
        qs = type(self).selector(request.user)
        ordering = self.get_ordering(request)
        return qs.order_by(*ordering) if ordering else qs

    def _snapshot(self, obj) -> dict:
        data = model_to_dict(obj)
        return {k: v if isinstance(v, bool | int | str | None) else str(v) for k, v in data.items()}

    def save_model(self, request, obj, form, change):
        before = self._snapshot(type(obj).objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        if self.audited:
            events.change(
                actor=request.user,
                obj=obj,
                action=AuditAction.UPDATE if change else AuditAction.CREATE,
                before=before,
                after=self._snapshot(obj),
                summary=f"后台{'修改' if change else '新增'}：{obj}",
                request=request,
            )

    def delete_model(self, request, obj):
        if self.audited:
            events.change(
                actor=request.user,
                obj=obj,
                action=AuditAction.DELETE,
                before=self._snapshot(obj),
                summary=f"后台删除：{obj}",
                request=request,
            )
        super().delete_model(request, obj)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因/说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


def error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "；".join(str(m) for msgs in exc.message_dict.values() for m in msgs)
        return "；".join(str(m) for m in exc.messages)
    return str(exc)


def run_form_view(request, *, admin, obj, title, form_class, perform, back_url, initial=None):
    """GET shows a form (a reason, a choice); POST performs and goes back. Errors are shown on
    the same page, in the user's language, and nothing is written."""
    form = form_class(request.POST or None, request.FILES or None, initial=initial or {})
    if request.method == "POST" and form.is_valid():
        try:
            perform(form.cleaned_data)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("没有权限。"))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("已完成：%(t)s") % {"t": title})
            return redirect(back_url)
    context = {
        **admin.admin_site.each_context(request),
        "opts": admin.model._meta,
        "original": obj,
        "title": title,
        "form": form,
        "back_url": back_url,
    }
    return TemplateResponse(request, "contracts/admin/move_form.html", context)
