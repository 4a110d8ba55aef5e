"""Consents in the admin (R-SUP-5): bureau staff record and revoke; an insurer's users see only
the consents given to their own insurer. Lives in contracts because scoping needs the insurer of
the user, which the audit app may not know (the row scope is declared in `contracts/scopes.py`)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RangeDateTimeFilter

from audit.admin.doors import RestrictedAdminMixin
from audit.admin.forms import UnfoldFormMixin
from audit.models import Consent
from audit.scoping import restrict
from audit.services import consent_record, consent_revoke
from contracts.models import Insurer
from insurance.models import Person


class ConsentForm(UnfoldFormMixin, forms.ModelForm):
    insurer = forms.ModelChoiceField(label=_("被授权保险机构"), queryset=Insurer.objects.none())

    class Meta:
        model = Consent
        fields = (
            "psn_no",
            "scope",
            "period_from",
            "period_to",
            "channel",
            "given_at",
            "expires_at",
            "evidence",
            "note",
        )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["insurer"].queryset = restrict(Insurer, user, "view")

    def clean_psn_no(self):
        psn_no = self.cleaned_data["psn_no"].strip()
        if not Person.objects.filter(psn_no=psn_no).exists():
            raise ValidationError(_("没有这个人员编号的参保人。"))
        return psn_no


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("撤回原因"), max_length=200)


@admin.register(Consent)
class ConsentAdmin(RestrictedAdminMixin, ModelAdmin):
    list_display = (
        "psn_no",
        "insurer_name",
        "scope",
        "channel",
        "given_at",
        "expires_at",
        "status_label",
    )
    list_filter = ("scope", "channel", ("expires_at", RangeDateTimeFilter))
    list_filter_submit = True
    search_fields = ("=psn_no",)
    search_help_text = _("按人员编号精确查找")
    show_full_result_count = False
    ordering = ("-id",)
    actions = ["revoke_consents"]
    readonly_fields = (
        "psn_no",
        "insurer_id",
        "scope",
        "period_from",
        "period_to",
        "channel",
        "given_at",
        "expires_at",
        "evidence",
        "note",
        "recorded_by",
        "recorded_at",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
    )

    @admin.display(description=_("保险机构"))
    def insurer_name(self, obj):
        insurer = Insurer.objects.filter(pk=obj.insurer_id).only("name").first()
        return insurer.name if insurer else f"#{obj.insurer_id}"

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("psn_no", "insurer", *ConsentForm.Meta.fields[1:])
        return self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, **kwargs)
        kwargs["form"] = ConsentForm
        kwargs["fields"] = ConsentForm.Meta.fields
        base = super().get_form(request, obj, **kwargs)
        user = request.user

        class Form(base):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=user, **inner)

        return Form

    def save_model(self, request, obj, form, change):
        if change:
            return  # consents are never edited: revoke and record a new one
        data = form.cleaned_data
        try:
            saved = consent_record(
                psn_no=data["psn_no"],
                insurer_id=data["insurer"].pk,
                scope=data["scope"],
                channel=data["channel"],
                given_at=data["given_at"],
                expires_at=data["expires_at"],
                period_from=data.get("period_from"),
                period_to=data.get("period_to"),
                evidence=data.get("evidence"),
                note=data.get("note", ""),
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        obj.pk = saved.pk
        obj.__dict__.update(saved.__dict__)

    def has_delete_permission(self, request, obj=None):
        return False  # a consent is evidence of a lawful look-up: revoke, never delete

    @admin.action(description=_("登记撤回所选授权"), permissions=["change"])
    def revoke_consents(self, request, queryset):
        reason = (request.POST.get("reason") or "").strip() or str(_("参保人撤回授权（后台登记）"))
        count = 0
        for consent in queryset.filter(revoked_at__isnull=True):
            consent_revoke(consent=consent, reason=reason, actor=request.user, request=request)
            count += 1
        messages.success(request, _("已撤回 %(n)d 项授权。") % {"n": count})
