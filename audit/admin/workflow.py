"""The admin side of the workflow machine, for every app: a document's buttons and status history
(one template, `admin/workflow.html`), one move page serving every move of every workflow, and
the one form page (`form_page`, template `admin/workflow_form.html`) that moves and the admins'
other steps (registering, scoring, proposing a deduction...) are shown on.

A ModelAdmin of a model with a registered workflow adds `WorkflowAdminMixin` (after the door
mixin): the buttons are exactly `audit.workflow.allowed_moves` for the viewing user, the move page
is `<id>/move/<move>/` behind a door that asks for the move's permission, its form is the move's
extra fields plus a reason (required when the move needs one), and POST calls `perform_move`.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from audit.admin.forms import preselect_only_choice, unfold_widgets
from audit.workflow import (
    allowed_moves,
    history,
    move_warnings,
    perform_move,
    status_label,
    workflow_of,
)


def error_text(exc: Exception) -> str:
    """A refusal's message(s), in the user's language."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "；".join(str(m) for msgs in exc.message_dict.values() for m in msgs)
        return "；".join(str(m) for m in exc.messages)
    return str(exc) or str(_("没有权限。"))


def links_html(links) -> str:
    """[(label, url)] as a row of links (a step offered inside a page's fields)."""
    if not links:
        return "-"
    return format_html_join(
        " · ",
        '<a class="text-primary-600 font-medium" href="{}">{}</a>',
        ((url, label) for label, url in links),
    )


def bound(request) -> dict | None:
    """A form's data: bound on every POST, also an empty one (a confirmation without fields)."""
    return request.POST if request.method == "POST" else None


def place_error(form, exc: Exception) -> None:
    """A refusal on the form: a message about one of its fields beside that field, the rest
    (and a missing permission) above the fields."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc)
    else:
        form.add_error(None, error_text(exc))


def form_page(
    request,
    *,
    admin,
    obj,
    title,
    form,
    perform,
    back_url,
    details=(),
    explanation=(),
    warnings=(),
    refused="",
):
    """GET shows the form in unfold's widgets (`unfold_widgets`), a lone contract already chosen
    (`preselect_only_choice`) and `warnings` (implausible figures) above it; POST performs and
    goes back (or to the URL `perform` returns). A refused request shows the service's message
    on the field it is about (or above the fields) and writes nothing. `refused`: the step cannot
    be taken at all (already done): the page says why and offers no form. `admin` is the ModelAdmin
    (or anything with its `admin_site` and `model`)."""
    preselect_only_choice(unfold_widgets(form))
    if request.method == "POST" and not refused and form.is_valid():
        try:
            result = perform(form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            place_error(form, exc)
        else:
            messages.success(request, _("已完成：%(t)s") % {"t": title})
            return redirect(result if isinstance(result, str) else back_url)
    context = {
        **admin.admin_site.each_context(request),
        "opts": admin.model._meta,
        "original": obj if obj is not None else "",
        "title": title,
        "form": form,
        "back_url": back_url,
        "details": details,
        "explanation": explanation,
        "warnings": warnings,
        "refused": refused,
    }
    return TemplateResponse(request, "admin/workflow_form.html", context)


class ServiceAddMixin:
    """A ModelAdmin whose add page is a service's form, not the model's: `add_form` (a form
    taking `user=`) titled `add_title`; `add_perform(request, data)` calls the service and
    returns the new document, whose page then opens (or None: back to the list). The user needs
    the add permission; a refusal shows on the form and writes nothing (`form_page`)."""

    add_form: type[forms.Form]
    add_title = ""

    def add_perform(self, request, data: dict):
        raise NotImplementedError

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")

        def perform(data):
            created = self.add_perform(request, data)
            if created is None:
                return changelist
            return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[created.pk])

        return form_page(
            request,
            admin=self,
            obj=None,
            title=self.add_title,
            form=self.add_form(bound(request), user=request.user),
            perform=perform,
            back_url=changelist,
        )


WARNED_HELP = _("上面的数字需要核实。确认无误时写明理由，理由和提示一并记入审计日志。")


class ConfirmForm(forms.Form):
    """A step that asks nothing: the page is its confirmation."""


def move_form(move, *, warned: bool = False) -> type[forms.Form]:
    """The move's own fields (its `form`), then the reason: required when the move needs one,
    and when its figures look implausible (`warned`: the reason to go on)."""
    reason = forms.CharField(
        label=_("继续办理的理由") if warned else _("原因/说明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=move.needs_reason or warned,
        help_text=WARNED_HELP if warned else "",
    )
    return type(f"{move.name.title()}MoveForm", (move.form or forms.Form,), {"reason": reason})


class WorkflowAdminMixin:
    """Buttons, history and the move page for a model with a workflow (see the module doc).
    Override `workflow_links` to add the admin's other steps, `workflow_notes` for lines shown
    above the buttons, `move_details` for what a move page shows of the document."""

    change_form_outer_before_template = "admin/workflow.html"

    def workflow_links(self, request, obj) -> list[tuple[str, str]]:
        """(label, url) of every button: the moves the user may make now."""
        opts = self.model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}_move"
        return [
            (move.label, reverse(name, args=[obj.pk, move.name]))
            for move in allowed_moves(obj, request.user)
        ]

    def workflow_notes(self, request, obj) -> list[str]:
        return []

    def move_details(self, obj) -> list[tuple[str, object]]:
        return [(_("状态"), status_label(obj, getattr(obj, workflow_of(obj).field)))]

    def move_initial(self, obj, move) -> dict:
        return {}

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None and obj.pk is not None:
            context["workflow_status"] = status_label(obj, getattr(obj, workflow_of(obj).field))
            context["workflow_links"] = self.workflow_links(request, obj)
            context["workflow_notes"] = self.workflow_notes(request, obj)
            context["workflow_history"] = history(obj)
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def get_urls(self):
        opts = self.model._meta
        moves = {
            move.name: (move.permission,) if move.permission else ()
            for move in workflow_of(self.model).moves
        }
        view = self.door(self.move_view, choices={"move": moves})
        name = f"{opts.app_label}_{opts.model_name}_move"
        return [path("<path:object_id>/move/<str:move>/", view, name=name), *super().get_urls()]

    def move_view(self, request, object_id, move):
        doc = get_object_or_404(self.get_queryset(request), pk=object_id)
        spec = workflow_of(doc).move(move)
        if spec not in allowed_moves(doc, request.user):
            raise PermissionDenied
        opts = self.model._meta
        back = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[doc.pk])

        def perform(data):
            data = dict(data)
            reason = data.pop("reason", "")
            perform_move(
                doc=doc, move=move, actor=request.user, reason=reason, data=data, request=request
            )

        warnings = move_warnings(doc, spec)
        form = move_form(spec, warned=bool(warnings))(
            bound(request), request.FILES or None, initial=self.move_initial(doc, spec)
        )
        return form_page(
            request,
            admin=self,
            obj=doc,
            title=spec.label,
            form=form,
            perform=perform,
            back_url=back,
            details=self.move_details(doc),
            warnings=warnings,
        )
