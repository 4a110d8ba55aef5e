"""Money paid to the insurer: quarterly transfers (季度拨付) and their consortium parts."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.fields import user_field
from audit.models.workflow import MakerChecker
from contracts.choices import PaymentStatus
from insurance.fields import MoneyField


class PaymentFields(MakerChecker):
    """The payment workflow's fields, shared by transfers and reserve releases: maker and
    checker, and the payment registered with its bank reference."""

    status = models.CharField(
        _("状态"), max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.DRAFT
    )
    paid_by = user_field(_("支付登记人"))
    paid_on = models.DateField(_("支付日期"), null=True, blank=True)
    bank_reference = models.CharField(_("银行流水号"), max_length=64, blank=True)

    class Meta:
        abstract = True


class Transfer(PaymentFields):
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("合同"),
        on_delete=models.PROTECT,
        related_name="transfers",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(
        _("季度"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    funding = models.ForeignKey(
        "contracts.FundingCalculation",
        verbose_name=_("依据的筹资测算"),
        on_delete=models.PROTECT,
        related_name="transfers",
    )
    amount = MoneyField(_("本季拨付金额"))
    reserve_part = MoneyField(_("本季预留考核款"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("季度拨付")
        verbose_name_plural = _("季度拨付")
        ordering = ["-year", "-quarter", "contract"]
        permissions = [
            ("prepare_transfer", _("可以制单资金拨付")),
            ("approve_transfer", _("可以审批资金拨付")),
        ]
        constraints = [
            *MakerChecker.Meta.constraints,
            models.UniqueConstraint(
                fields=["contract", "year", "quarter"], name="contracts_transfer_unique"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="contracts_transfer_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.year}Q{self.quarter} {self.amount}"


class PaymentPart(models.Model):
    """One consortium member's part of a transfer or of a reserve release (they add up exactly)."""

    transfer = models.ForeignKey(
        Transfer, null=True, blank=True, on_delete=models.CASCADE, related_name="parts"
    )
    release = models.ForeignKey(
        "contracts.ReserveRelease",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="parts",
    )
    insurer = models.ForeignKey(
        "contracts.Insurer", verbose_name=_("保险机构"), on_delete=models.PROTECT, related_name="+"
    )
    share = models.DecimalField(_("份额(%)"), max_digits=5, decimal_places=2)
    amount = MoneyField(_("金额"))

    class Meta:
        verbose_name = _("拨付明细")
        verbose_name_plural = _("拨付明细")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(transfer__isnull=False) & Q(release__isnull=True))
                | (Q(transfer__isnull=True) & Q(release__isnull=False)),
                name="contracts_part_one_parent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insurer} {self.amount}"
