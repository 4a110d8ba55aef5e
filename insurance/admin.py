"""Admin of the insurance register. Every queryset goes through the `*_for_user` selectors; writes
go through the services; personal data is masked, revealed only with a stated reason."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.import_export.forms import ExportForm, ImportForm

from audit import events
from audit.admin_mixins import AuditedAdminMixin
from insurance import selectors
from insurance.admin_support import (
    BigTableAdminMixin,
    EnrollmentRegionFilter,
    RegionFilter,
    SpecialStatusFilter,
    exact_person_search,
)
from insurance.choices import EnrollmentStatus
from insurance.identity import certno_problem
from insurance.importing import EXPORT_FORMATS, IMPORT_FORMATS
from insurance.models import (
    Employer,
    Enrollment,
    FamilyLink,
    ImportJob,
    Person,
    Region,
    Scheme,
    SchemeYear,
    SpecialStatus,
    StaffProfile,
)
from insurance.resources import EnrollmentResource, PersonResource
from insurance.services import (
    enrollment_cancel,
    enrollment_create,
    family_link_add,
    person_create,
    person_update,
    special_status_add,
)

REVEAL_PERMISSION = "audit.reveal_personal_data"
REVEAL_REASON_MIN = 4


@admin.register(Region)
class RegionAdmin(AuditedAdminMixin, ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    list_select_related = ("parent",)

    def get_queryset(self, request):
        return selectors.region_for_user(request.user)


@admin.register(StaffProfile)
class StaffProfileAdmin(AuditedAdminMixin, ModelAdmin):
    list_display = ("user", "region")
    raw_id_fields = ("user", "region")
    list_select_related = ("user", "region")


@admin.register(Scheme)
class SchemeAdmin(AuditedAdminMixin, ModelAdmin):
    list_display = ("code", "name", "kind", "region")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    raw_id_fields = ("region",)
    list_select_related = ("region",)

    def get_queryset(self, request):
        return selectors.scheme_for_user(request.user)


@admin.register(SchemeYear)
class SchemeYearAdmin(AuditedAdminMixin, ModelAdmin):
    list_display = ("scheme", "year", "funding_kind", "plan", "coverage_start", "coverage_end")
    list_filter = ("funding_kind", "year")
    raw_id_fields = ("scheme", "plan")
    list_select_related = ("scheme", "plan")

    def get_queryset(self, request):
        return selectors.scheme_year_for_user(request.user)


@admin.register(Employer)
class EmployerAdmin(AuditedAdminMixin, ModelAdmin):
    list_display = ("name", "uscc", "region")
    search_fields = ("=uscc", "name")
    raw_id_fields = ("region",)
    list_select_related = ("region",)

    def get_queryset(self, request):
        return selectors.employer_for_user(request.user)


class ReadOnlyInline(TabularInline):
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


class PersonAddForm(forms.ModelForm):
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


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("查看理由"),
        min_length=REVEAL_REASON_MIN,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("必填：说明为何需要查看完整信息（将记入审计日志）。"),
    )


class PersonalDataExportMixin:
    """Exports: scoped by the admin queryset, masked unless permitted, audited."""

    import_form_class = ImportForm
    export_form_class = ExportForm

    def get_import_formats(self):
        return IMPORT_FORMATS

    def get_export_formats(self):
        return EXPORT_FORMATS

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {"user": request.user}

    def get_data_for_export(self, request, queryset, **kwargs):
        data = super().get_data_for_export(request, queryset, **kwargs)
        file_format = kwargs.get("export_form")
        fmt = ""
        if file_format is not None and hasattr(file_format, "cleaned_data"):
            fmt = str(file_format.cleaned_data.get("format", ""))
        events.export(
            actor=request.user,
            model_label=self.model._meta.label_lower,
            count=len(data),
            file_format=fmt,
            filters=dict(request.GET.items()),
            personal=request.user.has_perm("audit.export_personal_data"),
            request=request,
        )
        return data

    def import_action(self, request, **kwargs):
        from insurance.services.imports import background_threshold_bytes, import_job_create

        upload = request.FILES.get("import_file")
        if request.method == "POST" and upload is not None:
            if not self.has_import_permission(request):
                raise PermissionDenied
            if upload.size > background_threshold_bytes():
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
        return super().import_action(request, **kwargs)


@admin.register(Person)
class PersonAdmin(
    AuditedAdminMixin,
    PersonalDataExportMixin,
    BigTableAdminMixin,
    ModelAdmin,
    ImportExportModelAdmin,
):
    resource_classes = [PersonResource]
    import_target = ImportJob.Target.PERSON
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
    list_filter = (RegionFilter, "insutype", "status", SpecialStatusFilter, "cvlserv_flag")
    search_fields = ("psn_no",)
    search_help_text = _("输入人员编号或 18 位身份证号精确查找")
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
        "birth_date",
        "insutype",
        "psn_type",
        "region",
        "employer",
        "status",
        "status_date",
        "insured_since",
        "cvlserv_flag",
    )

    def get_queryset(self, request):
        return selectors.person_for_user(request.user)

    def get_search_results(self, request, queryset, search_term):
        return exact_person_search(queryset, search_term), False

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = PersonAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return PersonAddForm.Meta.fields if obj is None else self.change_fields

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
            "birth_date",
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

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = selectors.region_for_user(request.user)
        elif db_field.name == "employer":
            kwargs["queryset"] = selectors.employer_for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("姓名"))
    def name_masked_display(self, obj):
        return obj.name_masked

    @admin.display(description=_("身份证号"))
    def certno_masked_display(self, obj):
        return obj.certno_masked

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
            self.admin_site.admin_view(self.reveal_view),
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


CANCEL_PERMISSION = "insurance.change_enrollment"


class EnrollmentCancelForm(forms.Form):
    """Field names are the model's, so the service's field errors land on them."""

    cancelled_on = forms.DateField(
        label=_("退保日期"), help_text=_("保障自该日起终止；保障开始前退保全额退还保费，之后不退")
    )
    cancel_reason = forms.CharField(
        label=_("退保原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 3})
    )


@admin.register(Enrollment)
class EnrollmentAdmin(
    AuditedAdminMixin,
    PersonalDataExportMixin,
    BigTableAdminMixin,
    ModelAdmin,
    ImportExportModelAdmin,
):
    resource_classes = [EnrollmentResource]
    import_target = ImportJob.Target.ENROLLMENT
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
    search_help_text = _("输入人员编号或 18 位身份证号精确查找")
    raw_id_fields = ("person", "scheme_year", "payer")
    list_select_related = ("person", "scheme_year__scheme")
    add_fields = ("person", "scheme_year", "start_date", "premium", "payment_channel", "payer")

    def get_queryset(self, request):
        return selectors.enrollment_for_user(request.user)

    def get_search_results(self, request, queryset, search_term):
        return exact_person_search(queryset, search_term, prefix="person__"), False

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
            self.admin_site.admin_view(self.cancel_view),
            name="insurance_enrollment_cancel",
        )
        return [cancel, *super().get_urls()]

    def cancel_view(self, request, object_id):
        """GET shows the form, POST cancels through `enrollment_cancel` and shows the refund.
        Refused (403, nothing written) without `insurance.change_enrollment`."""
        enrollment = (
            self.get_queryset(request).filter(pk=object_id).first() if object_id.isdigit() else None
        )
        if enrollment is None:
            raise Http404
        change_url = reverse("admin:insurance_enrollment_change", args=[enrollment.pk])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": enrollment,
            "title": gettext("办理退保"),
            "enrollment": enrollment,
            "back_url": change_url,
        }
        if not request.user.has_perm(CANCEL_PERMISSION):
            context["refused"] = gettext("您没有办理退保的权限：需要「%(p)s」权限（经办员）。") % {
                "p": CANCEL_PERMISSION
            }
            return TemplateResponse(
                request, "insurance/enrollment_cancel.html", context, status=403
            )
        if enrollment.status == EnrollmentStatus.CANCELLED:
            context["refused"] = gettext("该参保登记已于 %(d)s 退保，不能重复办理。") % {
                "d": enrollment.cancelled_on
            }
            return TemplateResponse(request, "insurance/enrollment_cancel.html", context)
        form = EnrollmentCancelForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                cancelled = enrollment_cancel(
                    actor=request.user,
                    enrollment=enrollment,
                    on_date=form.cleaned_data["cancelled_on"],
                    reason=form.cleaned_data["cancel_reason"],
                    request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    gettext("已退保：保障自 %(d)s 终止，应退还保费 %(r)s 元（已缴 %(p)s 元）。")
                    % {"d": cancelled.cancelled_on, "r": cancelled.refund_amount,
                       "p": cancelled.premium},
                )  # fmt: skip
                return HttpResponseRedirect(change_url)
        context["form"] = form
        return TemplateResponse(request, "insurance/enrollment_cancel.html", context)

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


@admin.register(SpecialStatus)
class SpecialStatusAdmin(AuditedAdminMixin, BigTableAdminMixin, ModelAdmin):
    list_display = ("person", "kind", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("person__psn_no",)
    raw_id_fields = ("person",)
    list_select_related = ("person",)

    def get_queryset(self, request):
        return selectors.special_status_for_user(request.user)

    def get_search_results(self, request, queryset, search_term):
        return exact_person_search(queryset, search_term, prefix="person__"), False

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = special_status_add(
            actor=request.user,
            person=obj.person,
            kind=obj.kind,
            valid_from=obj.valid_from,
            valid_to=obj.valid_to,
            note=obj.note,
            request=request,
        )
        obj.pk = created.pk


@admin.register(FamilyLink)
class FamilyLinkAdmin(AuditedAdminMixin, BigTableAdminMixin, ModelAdmin):
    list_display = ("person", "relation", "relative")
    list_filter = ("relation",)
    search_fields = ("person__psn_no",)
    raw_id_fields = ("person", "relative")
    list_select_related = ("person", "relative")

    def get_queryset(self, request):
        return selectors.family_link_for_user(request.user)

    def get_search_results(self, request, queryset, search_term):
        return exact_person_search(queryset, search_term, prefix="person__"), False

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = family_link_add(
            actor=request.user,
            person=obj.person,
            relative=obj.relative,
            relation=obj.relation,
            request=request,
        )
        obj.pk = created.pk


@admin.register(ImportJob)
class ImportJobAdmin(ModelAdmin):
    list_display = ("id", "original_name", "target", "status", "progress", "created_at")
    list_filter = ("status", "target")
    readonly_fields = (
        "target",
        "original_name",
        "file_format",
        "status",
        "progress",
        "total",
        "processed",
        "created_rows",
        "error_table",
        "created_by",
        "created_at",
        "finished_at",
    )
    fields = readonly_fields

    def get_queryset(self, request):
        return selectors.import_job_for_user(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("进度"))
    def progress(self, obj):
        return format_html(
            '<div style="width:16rem;background:#e5e7eb;border-radius:4px">'
            '<div style="width:{}%;background:#2563eb;color:#fff;padding:0 4px;border-radius:4px">'
            "{}%</div></div>",
            obj.percent,
            obj.percent,
        )

    @admin.display(description=_("错误明细"))
    def error_table(self, obj):
        if not obj.errors:
            return "-"
        rows = "".join(
            format_html(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                e.get("row") or "",
                e.get("column") or "",
                e.get("message"),
            )
            for e in obj.errors[:500]
        )
        header = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th></tr>", _("行号"), _("列"), _("原因")
        )
        return format_html("<table>{}{}</table>", header, format_html(rows))


from insurance import admin_plans  # noqa: E402, F401  (registers the plan admin)
