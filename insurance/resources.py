"""django-import-export resources for people and enrollments.

Columns have Chinese headers; the national field names are accepted as aliases (docs/people.md).
Imports only add rows (an existing person number or enrollment is reported as an error) and run in
one transaction: any bad row and nothing is written. Exports mask ID numbers, names and phones
for every user, superusers included, and show the birth year only (with the region code and the
masked ID number, a full birth date would rebuild the ID number); full values are seen only on
the audited reveal page. Every cell goes through `audit.spreadsheet.safe_cell`.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from audit import events
from audit.crypto import blind_index
from audit.masking import birth_year, mask
from audit.scoping import restrict
from audit.spreadsheet import safe_cell
from insurance.choices import InsuType, PaymentChannel, PersonStatus, PersonType, Sex
from insurance.identity import certno_birth_date, certno_normalise, certno_problem, certno_sex
from insurance.models import PERSONAL_FIELDS, Employer, Enrollment, Person, SchemeYear
from insurance.services.enrollment import enrollment_prepare


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def parse_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar date)
        except ValueError:
            continue
    raise ValueError(_("日期“%(value)s”无法识别，请写成 2024-01-31。") % {"value": text})


class ChineseDateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return parse_date(value)

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class ChoiceWidget(widgets.Widget):
    """Accepts a choice's code or its Chinese label; renders the label."""

    def __init__(self, choices, *, extra: dict[str, str] | None = None, required=True):
        self.choices = choices
        self.lookup = {str(v): v for v, _label in choices.choices}
        self.lookup.update({str(label): v for v, label in choices.choices})
        self.lookup.update(extra or {})
        self.required = required
        super().__init__()

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            if self.required:
                raise ValueError(_("不能为空。"))
            return ""
        if text not in self.lookup:
            allowed = "、".join(f"{v}={label}" for v, label in self.choices.choices)
            raise ValueError(
                _("“%(value)s”不是有效值（可填 %(allowed)s）。")
                % {
                    "value": text,
                    "allowed": allowed,
                }
            )
        return self.lookup[text]

    def render(self, value, obj=None, **kwargs):
        return str(self.choices(value).label) if value in self.choices.values else _text(value)


class BirthDateWidget(ChineseDateWidget):
    """Reads a full birth date on import; exports the year only (`audit.masking.birth_year`)."""

    def render(self, value, obj=None, **kwargs):
        return birth_year(value)


class FlagWidget(widgets.Widget):
    TRUE = {"1", "是", "y", "yes", "true", "t"}
    FALSE = {"", "0", "否", "n", "no", "false", "f"}

    def clean(self, value, row=None, **kwargs):
        text = _text(value).lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("请填写 是/否 或 1/0。"))

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class ScopedRegionWidget(widgets.ForeignKeyWidget):
    """Region by its 6-digit code, limited to the regions the importing user may see."""

    def __init__(self, user=None):
        self.user = user
        super().__init__(model=None, field="code")

    def get_queryset(self, value, row, *args, **kwargs):
        from insurance.models import Region

        return restrict(Region, self.user, "view") if self.user else Region.objects.all()

    def clean(self, value, row=None, **kwargs):
        code = _text(value)
        if not code:
            raise ValueError(_("不能为空。"))
        region = self.get_queryset(value, row).filter(code=code).first()
        if region is None:
            raise ValueError(_("统筹区代码“%(code)s”不存在或不在您的管辖范围内。") % {"code": code})
        return region

    def render(self, value, obj=None, **kwargs):
        return value.code if value else ""


class EmployerWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(model=Employer, field="uscc")

    def clean(self, value, row=None, **kwargs):
        code = _text(value).upper()
        if not code:
            return None
        employer = Employer.objects.filter(uscc=code).first()
        if employer is None:
            raise ValueError(_("统一社会信用代码“%(code)s”的用人单位未登记。") % {"code": code})
        return employer


class PersonalField(fields.Field):
    """A personal-data column: masked on export unless the resource says otherwise."""

    def __init__(self, *args, kind: str, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)


class BaseImportResource(resources.ModelResource):
    HEADER_ALIASES: dict[str, str] = {}

    def __init__(self, user=None, **kwargs):
        self.user = user
        super().__init__(**kwargs)

    def before_import(self, dataset, **kwargs):
        from insurance.importing import normalise_headers

        normalise_headers(dataset, self.HEADER_ALIASES)
        missing = [
            f.column_name
            for f in self.get_import_fields()
            if getattr(f, "required_column", False) and f.column_name not in dataset.headers
        ]
        if missing:
            raise ValidationError(_("缺少必需的列：%(cols)s") % {"cols": "、".join(missing)})
        self._checksum = hashlib.sha256(dataset.export("csv").encode("utf-8")).hexdigest()

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if isinstance(field, PersonalField):
            value = mask(field.kind, value)
        return safe_cell(value)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors():
            return
        events.batch(
            actor=self.user,
            obj=None,
            summary=_("导入%(what)s %(count)s 行")
            % {"what": self._meta.model._meta.verbose_name, "count": result.totals.get("new", 0)},
            checksum=getattr(self, "_checksum", ""),
            count=len(dataset),
            extra={"model": self._meta.model._meta.label_lower, "file": kwargs.get("file_name")},
        )

    def after_init_instance(self, instance, new, row, **kwargs):
        if not new:
            raise ValidationError({"__all__": _("记录已存在；导入只新增，不修改已有记录。")})


def _required(column, attribute, widget=None, **kwargs):
    field_class = kwargs.pop("field_class", fields.Field)
    field = field_class(column_name=column, attribute=attribute, widget=widget, **kwargs)
    field.required_column = True
    return field


class PersonResource(BaseImportResource):
    HEADER_ALIASES = {
        "psn_no": "人员编号",
        "certno": "身份证号",
        "psn_name": "姓名",
        "tel": "手机号",
        "gend": "性别",
        "brdy": "出生日期",
        "insutype": "险种类型",
        "psn_type": "人员类别",
        "admdvs": "统筹区代码",
        "emp_uscc": "单位统一社会信用代码",
        "psn_insu_stas": "参保状态",
        "psn_insu_date": "本次连续参保起始日期",
        "insured_since": "本次连续参保起始日期",
        "hire_date": "入职日期",
        "rural": "农村居民",
        "cvlserv_flag": "公务员医疗补助",
    }

    psn_no = _required("人员编号", "psn_no")
    certno = _required("身份证号", "certno", field_class=PersonalField, kind="certno")
    name = _required("姓名", "name", field_class=PersonalField, kind="name")
    phone = PersonalField(column_name="手机号", attribute="phone", kind="phone")
    sex = fields.Field(
        column_name="性别", attribute="sex", widget=ChoiceWidget(Sex, required=False)
    )
    birth_date = fields.Field(
        column_name="出生日期", attribute="birth_date", widget=BirthDateWidget()
    )
    insutype = _required(
        "险种类型", "insutype", ChoiceWidget(InsuType, extra={"职工": "310", "居民": "390"})
    )
    psn_type = _required("人员类别", "psn_type", ChoiceWidget(PersonType))
    region = _required("统筹区代码", "region", ScopedRegionWidget())
    employer = fields.Field(
        column_name="单位统一社会信用代码", attribute="employer", widget=EmployerWidget()
    )
    status = fields.Field(
        column_name="参保状态",
        attribute="status",
        widget=ChoiceWidget(PersonStatus, required=False),
    )
    insured_since = fields.Field(
        column_name="本次连续参保起始日期", attribute="insured_since", widget=ChineseDateWidget()
    )
    hire_date = fields.Field(
        column_name="入职日期", attribute="hire_date", widget=ChineseDateWidget()
    )
    rural = fields.Field(column_name="农村居民", attribute="rural", widget=FlagWidget())
    cvlserv_flag = fields.Field(
        column_name="公务员医疗补助", attribute="cvlserv_flag", widget=FlagWidget()
    )

    class Meta:
        model = Person
        import_id_fields = ("psn_no",)
        fields = (
            "psn_no",
            "certno",
            "name",
            "phone",
            "sex",
            "birth_date",
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
        use_transactions = True
        clean_model_instances = True
        skip_diff = True
        store_instance = False

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.fields["region"].widget = ScopedRegionWidget(user)
        self._seen_certnos: dict[str, int] = {}

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list[str]] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if not instance.status:
            instance.status = PersonStatus.ACTIVE
        instance.certno = certno_normalise(instance.certno)
        if "certno" not in errors and instance.certno:
            problem = certno_problem(instance.certno)
            if problem:
                errors["certno"] = [problem]
            else:
                self._check_certno_facts(instance, errors, kwargs.get("row_number"))
        if errors:
            raise ValidationError(errors)

    def _check_certno_facts(self, instance, errors, row_number) -> None:
        birth, sex = certno_birth_date(instance.certno), certno_sex(instance.certno)
        if instance.birth_date is None:
            instance.birth_date = birth
        elif instance.birth_date != birth and "birth_date" not in errors:
            errors["birth_date"] = [_("出生日期与身份证号不一致。")]
        if not instance.sex:
            instance.sex = sex
        elif instance.sex != sex and "sex" not in errors:
            errors["sex"] = [_("性别与身份证号不一致。")]
        instance.certno_bidx = blind_index(instance.certno)
        first = self._seen_certnos.setdefault(instance.certno_bidx, row_number)
        if first != row_number:
            errors["certno"] = [_("与第 %(row)s 行的身份证号重复。") % {"row": (first or 0) + 1}]
        elif Person.objects.filter(certno_bidx=instance.certno_bidx).exists():
            errors["certno"] = [_("该身份证号已登记。")]

    def get_export_queryset(self, request=None):
        return restrict(Person, self.user, "view").select_related("region", "employer")


class EnrollmentResource(BaseImportResource):
    HEADER_ALIASES = {
        "psn_no": "人员编号",
        "scheme_code": "方案编码",
        "year": "年度",
        "begndate": "开始日期",
        "premium": "保费",
        "pay_chnl": "缴费渠道",
        "payer_psn_no": "代缴人人员编号",
    }

    psn_no = _required("人员编号", "person__psn_no")
    scheme_code = _required("方案编码", "scheme_year__scheme__code")
    year = _required("年度", "scheme_year__year")
    start_date = fields.Field(
        column_name="开始日期", attribute="start_date", widget=ChineseDateWidget()
    )
    premium = fields.Field(column_name="保费", attribute="premium")
    payment_channel = fields.Field(
        column_name="缴费渠道",
        attribute="payment_channel",
        widget=ChoiceWidget(PaymentChannel, required=False),
    )
    payer = fields.Field(column_name="代缴人人员编号", attribute="payer__psn_no")
    kind = fields.Field(column_name="参保类型", attribute="kind", readonly=True)
    benefits_from = fields.Field(
        column_name="待遇起始日期", attribute="benefits_from", readonly=True
    )
    status = fields.Field(column_name="状态", attribute="status", readonly=True)

    class Meta:
        model = Enrollment
        fields = (
            "psn_no",
            "scheme_code",
            "year",
            "start_date",
            "premium",
            "payment_channel",
            "payer",
            "kind",
            "benefits_from",
            "status",
        )
        import_id_fields = ()
        use_transactions = True
        clean_model_instances = False
        skip_diff = True

    def get_instance(self, instance_loader, row):
        return None  # imports only add

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list[str]] = {}
        people = restrict(Person, self.user, "view") if self.user else Person.objects.all()
        psn_no = _text(row.get("人员编号"))
        person = people.filter(psn_no=psn_no).first() if psn_no else None
        if person is None:
            errors["person__psn_no"] = [
                _("人员编号“%(v)s”不存在或不在您的管辖范围内。") % {"v": psn_no}
            ]
        code, year = _text(row.get("方案编码")), _text(row.get("年度"))
        scheme_year = SchemeYear.objects.filter(
            scheme__code=code, year=int(year) if year.isdigit() else -1
        ).first()
        if scheme_year is None:
            errors["scheme_year__scheme__code"] = [
                _("方案“%(code)s”没有 %(year)s 年度。") % {"code": code, "year": year}
            ]
        values = {}
        for attribute, column, parse in (
            ("start_date", "开始日期", parse_date),
            ("payment_channel", "缴费渠道", self.fields["payment_channel"].widget.clean),
        ):
            try:
                values[attribute] = parse(row.get(column))
            except ValueError as exc:
                errors[attribute] = [str(exc)]
        premium = _text(row.get("保费")) or None
        payer = None
        payer_no = _text(row.get("代缴人人员编号"))
        if payer_no:
            payer = Person.objects.filter(psn_no=payer_no).first()
            if payer is None:
                errors["payer__psn_no"] = [_("代缴人人员编号“%(v)s”不存在。") % {"v": payer_no}]
        if errors:
            raise ValidationError(errors)
        try:
            prepared = enrollment_prepare(
                person=person,
                scheme_year=scheme_year,
                start_date=values["start_date"],
                premium=premium,
                payment_channel=values["payment_channel"] or None,
                payer=payer,
            )
        except ValidationError as exc:
            raise ValidationError(self._columns_of(exc)) from exc
        except ValueError as exc:  # a premium that is no number
            raise ValidationError({"premium": [_("保费必须是金额，如 99.00。")]}) from exc
        key = (person.pk, scheme_year.pk)
        seen = self.__dict__.setdefault("_seen", set())
        if key in seen:
            raise ValidationError({"__all__": [_("文件中同一人员同一方案年度重复。")]})
        seen.add(key)
        for field in Enrollment._meta.concrete_fields:
            if not field.primary_key:
                setattr(instance, field.attname, getattr(prepared, field.attname))
        instance.created_by = self.user if getattr(self.user, "is_authenticated", False) else None

    @staticmethod
    def _columns_of(exc: ValidationError) -> dict:
        mapping = {
            "person": "person__psn_no",
            "scheme_year": "scheme_year__scheme__code",
            "payer": "payer__psn_no",
        }
        if not hasattr(exc, "error_dict"):
            return {"__all__": exc.messages}
        return {
            mapping.get(k, k): [m for e in v for m in e.messages] for k, v in exc.error_dict.items()
        }

    def get_export_queryset(self, request=None):
        return restrict(Enrollment, self.user, "view").select_related(
            "person", "scheme_year__scheme", "payer"
        )


PERSONAL_EXPORT_FIELDS = PERSONAL_FIELDS
