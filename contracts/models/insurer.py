"""The insurer aggregate: the legal entity, its licence, branches, staff, record and users."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contracts.choices import DebarmentReason, Qualification

credit_code_validator = RegexValidator(
    r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$",
    _("统一社会信用代码应为 18 位（数字和大写字母，不含 I、O、Z、S、V）。"),
)


class Insurer(models.Model):
    """A commercial insurer (商业保险机构), as a legal entity."""

    name = models.CharField(_("机构名称"), max_length=128)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[credit_code_validator]
    )
    licence_no = models.CharField(_("经营保险业务许可证号"), max_length=64, blank=True)
    licence_scope = models.TextField(_("许可经营范围"), blank=True)
    licence_valid_until = models.DateField(_("许可证有效期至"), null=True, blank=True)
    health_insurance_licensed = models.BooleanField(_("具有健康保险经营资质"), default=False)
    head_office_name = models.CharField(_("总公司名称"), max_length=128, blank=True)
    head_office_address = models.CharField(_("总公司地址"), max_length=255, blank=True)
    address = models.CharField(_("本地机构地址"), max_length=255, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("保险机构")
        verbose_name_plural = _("保险机构")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InsurerBranch(models.Model):
    """A local branch (分支机构) in a region: R-TND-2 wants one in every county (R-ORD)."""

    insurer = models.ForeignKey(
        Insurer, verbose_name=_("保险机构"), on_delete=models.CASCADE, related_name="branches"
    )
    region = models.ForeignKey(
        "insurance.Region", verbose_name=_("所在统筹区"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("分支机构名称"), max_length=128)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    manager = models.CharField(_("负责人"), max_length=64, blank=True)
    phone = models.CharField(_("电话"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("分支机构")
        verbose_name_plural = _("分支机构")
        constraints = [
            models.UniqueConstraint(fields=["insurer", "region"], name="contracts_branch_unique")
        ]

    def __str__(self) -> str:
        return self.name


class InsurerStaff(models.Model):
    """An employee of the insurer who may serve a contract (R-CON-4 wants qualified people)."""

    insurer = models.ForeignKey(
        Insurer, verbose_name=_("保险机构"), on_delete=models.CASCADE, related_name="staff"
    )
    name = models.CharField(_("姓名"), max_length=64)
    qualification = models.CharField(_("专业背景"), max_length=16, choices=Qualification.choices)
    degree = models.CharField(_("学历/职称/证书"), max_length=128, blank=True)
    phone = models.CharField(_("电话"), max_length=32, blank=True)
    is_active = models.BooleanField(_("在职"), default=True)

    class Meta:
        verbose_name = _("保险机构人员")
        verbose_name_plural = _("保险机构人员")
        ordering = ["insurer", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_qualification_display()}）"


class InsurerContact(models.Model):
    insurer = models.ForeignKey(
        Insurer, verbose_name=_("保险机构"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("姓名"), max_length=64)
    title = models.CharField(_("职务"), max_length=64, blank=True)
    phone = models.CharField(_("电话"), max_length=32, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")

    def __str__(self) -> str:
        return self.name


class AdministrativePenalty(models.Model):
    """A penalty by a regulator; a major one in the last 2 years bars a bid (R-TND-2, R-IM)."""

    insurer = models.ForeignKey(
        Insurer, verbose_name=_("保险机构"), on_delete=models.CASCADE, related_name="penalties"
    )
    decided_on = models.DateField(_("处罚日期"))
    authority = models.CharField(_("处罚机关"), max_length=128)
    document_no = models.CharField(_("处罚文号"), max_length=64, blank=True)
    description = models.TextField(_("处罚内容"))
    is_major = models.BooleanField(_("重大行政处罚"), default=False)

    class Meta:
        verbose_name = _("行政处罚")
        verbose_name_plural = _("行政处罚")
        ordering = ["-decided_on"]

    def __str__(self) -> str:
        return f"{self.insurer} {self.decided_on}"


class DebarmentQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date):
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)


class Debarment(models.Model):
    """The insurer may not bid (or be awarded) from `starts_on` to `ends_on` (open = indefinite).

    R-CON-7: a failed evaluation bars for 3 years; a breach loses the right to bid.
    """

    insurer = models.ForeignKey(
        Insurer, verbose_name=_("保险机构"), on_delete=models.CASCADE, related_name="debarments"
    )
    reason = models.CharField(_("原因"), max_length=32, choices=DebarmentReason.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True, help_text=_("空表示无限期"))
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("相关合同"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="debarments",
    )
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = DebarmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("禁止投标记录")
        verbose_name_plural = _("禁止投标记录")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="contracts_debarment_dates",
            )
        ]

    def __str__(self) -> str:
        return f"{self.insurer} {self.get_reason_display()} {self.starts_on}~{self.ends_on or '∞'}"

    def is_active_on(self, day: datetime.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class InsurerUser(models.Model):
    """The insurer an insurer-role user works for: this decides what he may see."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="insurer_link",
    )
    insurer = models.ForeignKey(
        Insurer, verbose_name=_("保险机构"), on_delete=models.PROTECT, related_name="users"
    )

    class Meta:
        verbose_name = _("保险机构用户")
        verbose_name_plural = _("保险机构用户")

    def __str__(self) -> str:
        return f"{self.user} → {self.insurer}"
