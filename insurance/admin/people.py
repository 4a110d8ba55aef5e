"""Admin of insured people: masked by default, revealed with a stated reason, exports audited."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.import_export.forms import ImportForm

from audit import events
from audit.admin.doors import RestrictedAdminMixin, RestrictedInlineMixin
from audit.admin.forms import UnfoldFormMixin
from audit.admin.mixins import AuditedAdminMixin
from audit.masking import birth_year
from insurance.admin.exports import AuditedExportMixin
from insurance.admin.support import (
    BigTableAdminMixin,
    FindByCertnoMixin,
    RegionFilter,
    SpecialStatusFilter,
)
from insurance.choices import ImportTarget
from insurance.identity import certno_problem
from insurance.importing import IMPORT_FORMATS
from insurance.models import (
    Enrollment,
    FamilyLink,
    Person,
    SpecialStatus,
)
from insurance.resources import PersonResource
from insurance.services import (
    person_create,
    person_update,
)

REVEAL_PERMISSION = "audit.reveal_personal_data"
REVEAL_REASON_MIN = 4


class ReadOnlyInline(RestrictedInlineMixin, TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EnrollmentInline(ReadOnlyInline):
    model = Enrollment
    fk_name = "person"
    fields = ("scheme_year", "kind", "start_date", "benefits_from", "end_date", "status", "premium")
    readonly_fields = fields


class SpecialStatusInline(ReadOnlyInline):
    model = SpecialStatus
    fields = ("kind", "valid_from", "valid_to", "note")
    readonly_fields = fields


class FamilyLinkInline(ReadOnlyInline):
    model = FamilyLink
    fk_name = "person"
    fields = ("relation", "relative")
    readonly_fields = fields


class PersonAddForm(UnfoldFormMixin, forms.ModelForm):
    certno = forms.CharField(label=_("身份证号"), max_length=18)
    name = forms.CharField(label=_("姓名"), max_length=64)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)

    class Meta:
        model = Person
        fields = (
            "psn_no",
            "certno",
            "name",
            "phone",
            "insutype",
            "psn_type",
            "region",
            "employer",
            "status",
            "insured_since",
            "hire_date",
            "rural",
            "cvlserv_flag",
        )

    def clean_certno(self):
        from audit.crypto import blind_index

        certno = "".join(self.cleaned_data["certno"].split()).upper()
        problem = certno_problem(certno)
        if problem:
            raise forms.ValidationError(problem)
        if Person.objects.filter(certno_bidx=blind_index(certno)).exists():
            raise forms.ValidationError(gettext("该身份证号已登记。"))
        return certno


class RevealForm(UnfoldFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("查看理由"),
        min_length=REVEAL_REASON_MIN,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("必填：说明为何需要查看完整信息（将记入审计日志）。"),
    )


class PersonalDataExportMixin(AuditedExportMixin):
    """Imports and exports of the register: exports scoped by the admin queryset, masked for
    every user (full values only on the reveal page), audited (`AuditedExportMixin`)."""

    import_form_class = ImportForm

    def get_import_formats(self):
        return IMPORT_FORMATS

    def import_action(self, request, **kwargs):
        from insurance.services.imports import background_threshold_bytes, import_job_create

        upload = request.FILES.get("import_file")
        if request.method == "POST" and upload is not None:
            if not self.has_import_permission(request):
                raise PermissionDenied
            # Above the threshold, or spooled by Django to a plain temporary file: the job
            # (encrypted at rest) takes it, so no long import holds a plain file in the request.
            on_disk = isinstance(upload, TemporaryUploadedFile)
            if on_disk or upload.size > background_threshold_bytes():
                job = import_job_create(
                    actor=request.user,
                    target=self.import_target,
                    upload=upload,
                    request=request,
                )
                messages.info(request, gettext("文件较大，已转入后台导入，可在此查看进度。"))
                return HttpResponseRedirect(
                    reverse("admin:insurance_importjob_change", args=[job.pk])
                )
        response = super().import_action(request, **kwargs)
        kept = getattr(upload, "tmp_storage_name", None)
        if kept and "confirm_form" not in (getattr(response, "context_data", None) or {}):
            # The preview failed: nothing will confirm it, so the upload goes now.
            self.get_tmp_storage_class()(name=kept).remove()
        return response


@admin.register(Person)
class PersonAdmin(
    RestrictedAdminMixin,
    FindByCertnoMixin,
    AuditedAdminMixin,
    PersonalDataExportMixin,
    BigTableAdminMixin,
    ModelAdmin,
    ImportExportModelAdmin,
):
    resource_classes = [PersonResource]
    import_target = ImportTarget.PERSON
    list_display = (
        "psn_no",
        "name_masked_display",
        "certno_masked_display",
        "sex",
        "insutype",
        "psn_type",
        "status",
        "region",
    )
    list_filter = (
        RegionFilter, "insutype", "status", SpecialStatusFilter, "rural", "cvlserv_flag",
    )  # fmt: skip
    search_fields = ("psn_no",)
    search_help_text = _("输入人员编号精确查找；按身份证号查找请用列表上方的查找框")
    raw_id_fields = ("region", "employer")
    list_select_related = ("region",)
    inlines = (EnrollmentInline, SpecialStatusInline, FamilyLinkInline)
    change_fields = (
        "psn_no",
        "name_masked_display",
        "certno_masked_display",
        "phone_masked_display",
        "reveal_link",
        "settlements_link",
        "sex",
        "birth_year_display",
        "insutype",
        "psn_type",
        "region",
        "employer",
        "status",
        "status_date",
        "insured_since",
        "hire_date",
        "rural",
        "cvlserv_flag",
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = PersonAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return PersonAddForm.Meta.fields
        if not request.user.has_perm(REVEAL_PERMISSION):
            return tuple(f for f in self.change_fields if f != "reveal_link")  # its door says no
        return self.change_fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "psn_no",
            "name_masked_display",
            "certno_masked_display",
            "phone_masked_display",
            "reveal_link",
            "settlements_link",
            "sex",
            "birth_year_display",
        )

    @admin.display(description=_("结算与赔付"))
    def settlements_link(self, obj):
        # By URL name only: the register does not import the claims app (dependencies point one
        # way); the claims list is scoped by its own selector.
        try:
            url = reverse("admin:claims_settlementrecord_changelist")
        except NoReverseMatch:
            return "-"
        return format_html(
            '<a href="{}?q={}">{}</a>', url, obj.psn_no, _("查看此人的结算记录与应赔付")
        )

    @admin.display(description=_("姓名"))
    def name_masked_display(self, obj):
        return obj.name_masked

    @admin.display(description=_("身份证号"))
    def certno_masked_display(self, obj):
        return obj.certno_masked

    @admin.display(description=_("出生年份"))
    def birth_year_display(self, obj):
        # The full birth date would rebuild the masked ID number (audit.masking.birth_year).
        return birth_year(obj.birth_date)

    @admin.display(description=_("手机号"))
    def phone_masked_display(self, obj):
        return obj.phone_masked

    @admin.display(description=_("完整信息"))
    def reveal_link(self, obj):
        url = reverse("admin:insurance_person_reveal", args=[obj.pk])
        return format_html('<a class="text-primary-600" href="{}">{}</a>', url, _("查看完整信息"))

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = person_create(
                actor=request.user,
                request=request,
                **{name: data.get(name) for name in PersonAddForm.Meta.fields if name in data},
            )
            obj.pk = created.pk
            obj.__dict__.update(created.__dict__)
            return
        changes = {name: data[name] for name in form.changed_data if name in data}
        if changes:
            person_update(actor=request.user, person=obj, changes=changes, request=request)

    def get_urls(self):
        urls = super().get_urls()
        reveal = path(
            "<path:object_id>/reveal/",
            self.door(self.reveal_view, "view", REVEAL_PERMISSION),
            name="insurance_person_reveal",
        )
        return [reveal, *urls]

    def reveal_view(self, request, object_id):
        person = (
            self.get_queryset(request).filter(pk=object_id).first() if object_id.isdigit() else None
        )
        if person is None:
            raise Http404
        if not request.user.has_perm(REVEAL_PERMISSION):
            raise PermissionDenied
        form = RevealForm(request.POST or None)
        revealed = None
        if request.method == "POST" and form.is_valid():
            events.reveal(
                actor=request.user,
                obj=person,
                fields=["certno", "name", "phone"],
                reason=form.cleaned_data["reason"].strip(),
                request=request,
            )
            revealed = {
                _("身份证号"): person.certno,
                _("姓名"): person.name,
                _("手机号"): person.phone,
            }
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("查看完整个人信息"),
            "person": person,
            "form": form,
            "revealed": revealed,
        }
        response = TemplateResponse(request, "insurance/person_reveal.html", context)
        response["Cache-Control"] = "no-store"
        return response
