"""Shared admin pieces: the selector door, audited saves of reference data, the move form."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from audit.admin.doors import RestrictedAdminMixin
from audit.admin.mixins import AuditedAdminMixin


class ScopedAdmin(RestrictedAdminMixin, AuditedAdminMixin, ModelAdmin):
    """Every queryset through `restrict` (one door to data, `RestrictedAdminMixin`); direct saves,
    deletes and inline rows audited with before/after values (`AuditedAdminMixin`)."""

    audited = True  # direct saves of reference data write an audit event (inline rows always)
    list_per_page = 50


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
