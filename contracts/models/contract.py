"""The contract aggregate: term, consortium, money and service terms, roster, documents."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.models.workflow import StatusTracked
from contracts.choices import (
    ContractStatus,
    DocumentKind,
    LossSharing,
    PlatformFeeKind,
    RenewalAnswer,
    SettlementRule,
    SurplusRule,
    TerminationReason,
)
from contracts.models.tender import percent_field
from insurance.fields import MoneyField

MAX_MEMBERS = 10  # R-CON-6: lead + 9 co-insurers


class Contract(StatusTracked):
    """A multi-year contract (R-CON-1) between the bureau and an insurer or a consortium."""

    number = models.CharField(_("合同编号"), max_length=64, unique=True)
    scheme = models.ForeignKey(
        "insurance.Scheme", verbose_name=_("保险方案"), on_delete=models.PROTECT, related_name="+"
    )
    tender = models.ForeignKey(
        "contracts.Tender",
        verbose_name=_("招标项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    bid = models.OneToOneField(
        "contracts.Bid",
        verbose_name=_("中标投标"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contract",
    )
    previous = models.OneToOneField(
        "self",
        verbose_name=_("上一期合同"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next",
    )
    lead_insurer = models.ForeignKey(
        "contracts.Insurer",
        verbose_name=_("主承保机构"),
        on_delete=models.PROTECT,
        related_name="led_contracts",
    )
    starts_on = models.DateField(_("合同开始日期"))
    ends_on = models.DateField(_("合同结束日期"))
    coverage_from = models.DateField(
        _("保障追溯起始日"), help_text=_("续期合同从上一期结束次日起追溯保障，保障不中断")
    )
    status = models.CharField(
        _("状态"), max_length=24, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    activated_on = models.DateField(_("生效日期"), null=True, blank=True)
    renewal_requested_on = models.DateField(_("续签申请日期"), null=True, blank=True)
    renewal_answer_due_on = models.DateField(_("续签答复期限"), null=True, blank=True)
    renewal_answered_on = models.DateField(_("续签答复日期"), null=True, blank=True)
    renewal_answer = models.CharField(
        _("续签答复"), max_length=16, choices=RenewalAnswer.choices, blank=True
    )
    ended_on = models.DateField(_("终止/到期日期"), null=True, blank=True)
    termination_reason = models.CharField(
        _("提前终止原因"), max_length=32, choices=TerminationReason.choices, blank=True
    )

    # money terms
    transfer_share = percent_field(_("季度拨付比例(%)"), default=Decimal("80.00"))
    reserve_share = percent_field(_("考核预留比例(%)"), default=Decimal("20.00"))
    settlement_rule = models.CharField(
        _("年度清算规则"),
        max_length=16,
        choices=SettlementRule.choices,
        default=SettlementRule.PROFIT_CAP,
    )
    profit_cap = percent_field(_("利润率上限(%)"), default=Decimal("5.00"))
    loss_sharing = models.CharField(
        _("亏损分担"), max_length=16, choices=LossSharing.choices, default=LossSharing.ALL
    )
    loss_share_insurer = percent_field(
        _("亏损保险机构承担比例(%)"), default=Decimal("50.00"), help_text=_("其余由基金承担")
    )
    surplus_rule = models.CharField(
        _("结余处理"), max_length=16, choices=SurplusRule.choices, default=SurplusRule.CARRY_OVER
    )
    payout_threshold = percent_field(_("赔付率阈值(%)"), default=Decimal("95.00"))
    staff_cost_allowance = percent_field(_("人员经费比例(%)"), default=Decimal("4.00"))
    adjustment_band_low = percent_field(_("保费调整区间下限(%)"), default=Decimal("95.00"))
    adjustment_band_high = models.DecimalField(
        _("保费调整区间上限(%)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("105.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    platform_fee_kind = models.CharField(
        _("第三方平台费"),
        max_length=8,
        choices=PlatformFeeKind.choices,
        default=PlatformFeeKind.NONE,
    )
    platform_fee_rate = models.DecimalField(
        _("平台费比例上限(%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("5"))],
    )
    platform_fee_amount = MoneyField(
        _("平台费固定金额"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )

    # service terms
    claim_time_limit_days = models.PositiveSmallIntegerField(
        _("零星报销办结时限(工作日)"), default=7
    )
    service_window_address = models.CharField(_("服务窗口地址"), max_length=255, blank=True)
    service_window_hours = models.CharField(_("服务窗口时间"), max_length=128, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("承办合同")
        verbose_name_plural = _("承办合同")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="contracts_contract_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}（{self.lead_insurer}）"


class ContractMember(models.Model):
    """A consortium member (共保体成员) and its share; the lead insurer has a row too."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("合同"), on_delete=models.CASCADE, related_name="members"
    )
    insurer = models.ForeignKey(
        "contracts.Insurer",
        verbose_name=_("保险机构"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    share = models.DecimalField(
        _("份额(%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        verbose_name = _("共保体成员")
        verbose_name_plural = _("共保体成员")
        ordering = ["contract", "-share"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "insurer"], name="contracts_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.insurer} {self.share}%"


class StaffingCommitment(models.Model):
    """How many qualified people the insurer commits to station in a region (R-CON-4)."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("合同"), on_delete=models.CASCADE, related_name="commitments"
    )
    region = models.ForeignKey(
        "insurance.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT, related_name="+"
    )
    committed = models.PositiveIntegerField(_("承诺人数"))

    class Meta:
        verbose_name = _("驻点人员承诺")
        verbose_name_plural = _("驻点人员承诺")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "region"], name="contracts_commitment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region}: {self.committed}"


class StaffAssignment(models.Model):
    """The actual roster: an insurer's employee stationed for a contract in a region."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("合同"), on_delete=models.CASCADE, related_name="assignments"
    )
    staff = models.ForeignKey(
        "contracts.InsurerStaff",
        verbose_name=_("人员"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    region = models.ForeignKey(
        "insurance.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("到岗日期"))
    ends_on = models.DateField(_("离岗日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("驻点人员")
        verbose_name_plural = _("驻点人员名册")

    def __str__(self) -> str:
        return f"{self.staff} @ {self.region}"


def contract_document_path(instance, filename: str) -> str:
    return f"contracts/contracts/{instance.contract_id}/{filename}"


class ContractDocument(models.Model):
    contract = models.ForeignKey(
        Contract, verbose_name=_("合同"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("类型"), max_length=24, choices=DocumentKind.choices)
    title = models.CharField(_("标题"), max_length=255)
    file = models.FileField(_("文件"), upload_to=contract_document_path)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("合同文件")
        verbose_name_plural = _("合同文件")

    def __str__(self) -> str:
        return self.title
