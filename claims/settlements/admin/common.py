"""Admin pieces every claims capability shares: the read-only scoped admin of documents moved by
workflows, the audited admin of reference data, and a compensation's steps in words."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from audit.admin.doors import RestrictedAdminMixin
from audit.admin.mixins import AuditedAdminMixin, ViewerMixin
from claims.settlements.services.explanations import compensation_steps
from contracts.selectors import contract_for_user
from insurance.engine import step_text
from insurance.models import Person


def explanation_lines(comp) -> list[str]:
    """A compensation's steps as Chinese sentences (stored steps or rebuilt from its trace)."""
    if comp is None:
        return []
    lines = []
    for step in compensation_steps(comp):
        try:
            lines.append(step_text(step=step, lang="zh"))
        except (KeyError, TypeError, ValueError):
            lines.append(f"{step.code}: {dict(step.values)}")
    return lines


def explanation_html(comp):
    lines = explanation_lines(comp)
    if not lines:
        return "-"
    return format_html("<ol>{}</ol>", format_html_join("", "<li>{}</li>", ((x,) for x in lines)))


class ReadOnlyScopedAdmin(RestrictedAdminMixin, ViewerMixin, ModelAdmin):
    """Rows reached through `restrict` (`RestrictedAdminMixin`); pages read-only, changes only
    through the workflow views (which call services), whose buttons the change page offers only
    to a user who may use them (`audit.admin.mixins.viewer_of`)."""

    list_per_page = 50
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdmin(RestrictedAdminMixin, AuditedAdminMixin, ModelAdmin):
    """Reference data edited directly in the admin, reached through `restrict`; every save,
    delete and inline row is audited with its before/after values (`AuditedAdminMixin`)."""


class ContractPersonForm(forms.Form):
    """A form registering something about one person under one contract (a complaint, a manual
    claim): the contract among those the user may use, the person by his 人员编号."""

    contract = forms.ModelChoiceField(label=_("合同"), queryset=None)
    psn_no = forms.CharField(label=_("人员编号"), max_length=32)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contract_for_user(user)

    def clean_psn_no(self):
        person = Person.objects.filter(psn_no=self.cleaned_data["psn_no"].strip()).first()
        if person is None:
            raise forms.ValidationError(_("找不到该人员编号的参保人。"))
        return person
