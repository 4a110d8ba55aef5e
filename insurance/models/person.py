from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.fields import BlindIndexField, EncryptedTextField
from audit.masking import mask_certno, mask_name, mask_phone
from audit.triggers import delete_guard
from insurance.choices import (
    FamilyRelation,
    InsuType,
    PersonStatus,
    PersonType,
    Sex,
    SpecialStatusKind,
)
from insurance.identity import validate_uscc

# Fields holding personal data and how each is masked (screens, exports, audit entries).
PERSONAL_FIELDS = {"certno": "certno", "name": "name", "phone": "phone"}
# Person types with no service condition in a company scheme (R-ENT-2: "退休、退职职工"); basic
# insurance registers 退职 staff as retirees.
RETIRED_PSN_TYPES = frozenset({PersonType.RETIRED})
# Key of pg_advisory_xact_lock between writing references to people and deleting people: the
# settlement apply holds it shared until it commits, a DELETE of a person takes it exclusively
# (the delete guard below), so no record is left pointing at a person deleted meanwhile.
PERSON_DELETE_LOCK = 7_310_394


class Employer(models.Model):
    """An employer, for enterprise supplementary schemes (R-ENT-1, R-ENT-2)."""

    name = models.CharField(_("单位名称"), max_length=128)
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc]
    )
    region = models.ForeignKey(
        "insurance.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("用人单位")
        verbose_name_plural = _("用人单位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """An insured person of the basic medical insurance, as the bureau knows him.

    `certno`, `name` and `phone` are encrypted at rest; `certno_bidx` finds a person by ID number.
    `str()` is masked: it ends up in audit entries and admin pages.
    """

    # Besides the encrypted fields: beside the masked ID and the region the full birth date
    # rebuilds the ID number, so the admin refuses URL lookups on it (audit.admin.doors).
    personal_fields = ("birth_date",)

    psn_no = models.CharField(_("人员编号"), max_length=32, unique=True)
    certno = EncryptedTextField(_("身份证号"))
    certno_bidx = BlindIndexField(_("身份证号索引"), source="certno", unique=True)
    name = EncryptedTextField(_("姓名"))
    phone = EncryptedTextField(_("手机号"), blank=True, default="")
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    insutype = models.CharField(_("险种类型"), max_length=3, choices=InsuType.choices)
    psn_type = models.CharField(_("人员类别"), max_length=4, choices=PersonType.choices)
    region = models.ForeignKey(
        "insurance.Region",
        verbose_name=_("参保统筹区"),
        on_delete=models.PROTECT,
        related_name="people",
    )
    employer = models.ForeignKey(
        Employer,
        verbose_name=_("用人单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employees",
    )
    status = models.CharField(
        _("参保状态"), max_length=16, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    status_date = models.DateField(_("状态变更日期"), null=True, blank=True)
    insured_since = models.DateField(
        _("本次连续参保起始日期"),
        null=True,
        blank=True,
        help_text=_(
            "本次连续参加基本医疗保险的第一天；中断后重新参保的，填重新参保之日。"
            "待遇等待期自此日起算（R-QD-5）；不详的视为早已参保。"
        ),
    )
    hire_date = models.DateField(
        _("入职日期"),
        null=True,
        blank=True,
        help_text=_(
            "在本单位（集团）连续工作的起始日期，用于企业补充医疗保险的工作年限条件（退休人员不受此限）"
        ),
    )
    rural = models.BooleanField(
        _("农村居民"),
        default=False,
        help_text=_("城乡居民医保中的农村居民：大病保险起付线按上年农村居民人均纯收入计算"),
    )
    cvlserv_flag = models.BooleanField(_("享受公务员医疗补助"), default=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("参保人")
        verbose_name_plural = _("参保人")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["region", "-id"], name="insurance_person_region_idx"),
            models.Index(fields=["status", "-id"], name="insurance_person_status_idx"),
        ]
        # The delete side of the settlement records' person key, which has no constraint
        # (claims.settlements.models.settlement.SettlementRecord): a table name only, no import of
        # claims. It first waits for every apply in flight (PERSON_DELETE_LOCK).
        triggers = [
            delete_guard(
                name="medsupp_keep_insurance_person",
                referencing="claims_settlementrecord",
                column="person_id",
                waits_for=PERSON_DELETE_LOCK,
            )
        ]

    def __str__(self) -> str:
        return f"{self.psn_no} {self.name_masked}"

    @property
    def retired(self) -> bool:
        """退休 (and 退职) staff: no service condition in a company scheme (R-ENT-2)."""
        return self.psn_type in RETIRED_PSN_TYPES

    @property
    def certno_masked(self) -> str:
        return mask_certno(self.certno)

    @property
    def name_masked(self) -> str:
        return mask_name(self.name)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class SpecialStatus(models.Model):
    """低保, 特困 ... with its validity dates; benefits use the status on the day of treatment."""

    person = models.ForeignKey(
        Person, verbose_name=_("参保人"), on_delete=models.CASCADE, related_name="special_statuses"
    )
    kind = models.CharField(_("特殊身份"), max_length=16, choices=SpecialStatusKind.choices)
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True, help_text=_("空表示长期有效"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("特殊身份")
        verbose_name_plural = _("特殊身份")
        ordering = ["person", "-valid_from"]
        indexes = [models.Index(fields=["kind", "person"], name="insurance_special_kind_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="insurance_specialstatus_dates",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.valid_from}–{self.valid_to or ''}"

    def clean(self) -> None:
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("失效日期不能早于生效日期。")})


class FamilyLink(models.Model):
    """`relative` is `person`'s spouse, parent or child (R-JN-1 family purchase)."""

    person = models.ForeignKey(
        Person, verbose_name=_("参保人"), on_delete=models.CASCADE, related_name="family_links"
    )
    relative = models.ForeignKey(
        Person, verbose_name=_("家庭成员"), on_delete=models.CASCADE, related_name="+"
    )
    relation = models.CharField(_("关系"), max_length=8, choices=FamilyRelation.choices)

    class Meta:
        verbose_name = _("家庭关系")
        verbose_name_plural = _("家庭关系")
        constraints = [
            models.UniqueConstraint(fields=["person", "relative"], name="insurance_family_unique"),
            models.CheckConstraint(
                condition=~models.Q(person=models.F("relative")), name="insurance_family_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_relation_display()}: {self.relative}"

    def clean(self) -> None:
        if self.person_id and self.person_id == self.relative_id:
            raise ValidationError({"relative": _("不能把本人登记为自己的家庭成员。")})
