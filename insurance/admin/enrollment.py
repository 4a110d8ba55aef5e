"""Admin of enrollments, with cancellation (and its refund) as a button."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import Http404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from unfold.admin import ModelAdmin

from audit.admin.doors import RestrictedAdminMixin
from audit.admin.forms import UnfoldFormMixin
from audit.admin.mixins import AuditedAdminMixin
from audit.admin.workflow import bound, form_page
from insurance.admin.people import PersonalDataExportMixin
from insurance.admin.support import (
    BigTableAdminMixin,
    EnrollmentRegionFilter,
    FindByCertnoMixin,
)
from insurance.choices import EnrollmentStatus, ImportTarget
from insurance.models import (
    Enrollment,
)
from insurance.resources import EnrollmentResource
from insurance.services import (
    enrollment_cancel,
    enrollment_create,
)

REVEAL_PERMISSION = "audit.reveal_personal_data"
REVEAL_REASON_MIN = 4


CANCEL_PERMISSION = "insurance.change_enrollment"


class EnrollmentCancelForm(UnfoldFormMixin, forms.Form):
    """Field names are the model's, so the service's field errors land on them."""

    cancelled_on = forms.DateField(
        label=_("退保日期"), help_text=_("保障自该日起终止；保障开始前退保全额退还保费，之后不退")
    )
    cancel_reason = forms.CharField(
        label=_("退保原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 3})
    )


@admin.register(Enrollment)
class EnrollmentAdmin(
    RestrictedAdminMixin,
    FindByCertnoMixin,
    AuditedAdminMixin,
    PersonalDataExportMixin,
    BigTableAdminMixin,
    ModelAdmin,
    ImportExportModelAdmin,
):
    resource_classes = [EnrollmentResource]
    certno_prefix = "person__"
    import_target = ImportTarget.ENROLLMENT
    list_display = (
        "person",
        "scheme_year",
        "kind",
        "start_date",
        "benefits_from",
        "status",
        "premium",
        "payment_channel",
    )
    list_filter = (EnrollmentRegionFilter, "status", "kind", "payment_channel", "scheme_year")
    search_fields = ("person__psn_no",)
    search_help_text = _("输入人员编号精确查找；按身份证号查找请用列表上方的查找框")
    raw_id_fields = ("person", "scheme_year", "payer")
    list_select_related = ("person", "scheme_year__scheme")
    add_fields = ("person", "scheme_year", "start_date", "premium", "payment_channel", "payer")

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        fields = [f.name for f in Enrollment._meta.concrete_fields if f.name != "id"]
        if request.user.has_perm(CANCEL_PERMISSION):
            fields.append("cancel_link")
        return fields

    @admin.display(description=_("退保"))
    def cancel_link(self, obj):
        if obj.status == EnrollmentStatus.CANCELLED:
            return _("已于 %(d)s 退保，退还保费 %(r)s 元") % {
                "d": obj.cancelled_on,
                "r": obj.refund_amount,
            }
        url = reverse("admin:insurance_enrollment_cancel", args=[obj.pk])
        return format_html('<a class="text-primary-600" href="{}">{}</a>', url, _("办理退保"))

    def get_urls(self):
        cancel = path(
            "<path:object_id>/cancel/",
            self.door(self.cancel_view, "view", CANCEL_PERMISSION),
            name="insurance_enrollment_cancel",
        )
        return [cancel, *super().get_urls()]

    def cancel_view(self, request, object_id):
        """GET shows the form, POST cancels through `enrollment_cancel` and shows the refund.
        Refused (403, nothing written) without `insurance.change_enrollment` (the door)."""
        enrollment = (
            self.get_queryset(request).filter(pk=object_id).first() if object_id.isdigit() else None
        )
        if enrollment is None:
            raise Http404
        refused = ""
        if enrollment.status == EnrollmentStatus.CANCELLED:
            refused = gettext("该参保登记已于 %(d)s 退保，不能重复办理。") % {
                "d": enrollment.cancelled_on
            }

        def perform(data):
            cancelled = enrollment_cancel(
                actor=request.user,
                enrollment=enrollment,
                on_date=data["cancelled_on"],
                reason=data["cancel_reason"],
                request=request,
            )
            messages.success(
                request,
                gettext("已退保：保障自 %(d)s 终止，应退还保费 %(r)s 元（已缴 %(p)s 元）。")
                % {"d": cancelled.cancelled_on, "r": cancelled.refund_amount,
                   "p": cancelled.premium},
            )  # fmt: skip
            for note in cancelled.cancel_notes:
                messages.info(request, note)

        return form_page(
            request,
            admin=self,
            obj=enrollment,
            title=gettext("办理退保"),
            form=EnrollmentCancelForm(bound(request)),
            perform=perform,
            back_url=reverse("admin:insurance_enrollment_change", args=[enrollment.pk]),
            details=(
                (_("保障期间"), f"{enrollment.start_date} ～ {enrollment.end_date}"),
                (_("已缴保费（元）"), enrollment.premium or "0.00"),
            ),
            refused=refused,
        )

    def save_model(self, request, obj, form, change):
        if change:
            return  # enrollments change only through services (cancel)
        data = form.cleaned_data
        created = enrollment_create(
            actor=request.user,
            request=request,
            person=data["person"],
            scheme_year=data["scheme_year"],
            start_date=data.get("start_date"),
            premium=data.get("premium") or None,
            payment_channel=data.get("payment_channel") or None,
            payer=data.get("payer"),
        )
        obj.pk = created.pk
        obj.__dict__.update(created.__dict__)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            from insurance.services.enrollment import enrollment_prepare

            class EnrollmentAddForm(form):
                def clean(self):
                    data = super().clean()
                    if data.get("person") and data.get("scheme_year"):
                        enrollment_prepare(
                            person=data["person"],
                            scheme_year=data["scheme_year"],
                            start_date=data.get("start_date"),
                            premium=data.get("premium") or None,
                            payment_channel=data.get("payment_channel") or None,
                            payer=data.get("payer"),
                        )
                    return data

            for name in ("start_date", "premium", "payment_channel"):
                if name in EnrollmentAddForm.base_fields:
                    EnrollmentAddForm.base_fields[name].required = False
            return EnrollmentAddForm
        return form
