"""The performance bond aggregate (履约保函, R-CON-3): the guarantee and its deductions."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.models.workflow import MakerChecker
from contracts.choices import DeductionSource, DeductionStatus
from insurance.fields import MoneyField

DEFAULT_BOND_AMOUNT = Decimal("2000000.00")


def bond_document_path(instance, filename: str) -> str:
    return f"contracts/bonds/{instance.contract_id}/{filename}"


class PerformanceBond(models.Model):
    contract = models.ForeignKey(
        "contracts.Contract", verbose_name=_("合同"), on_delete=models.PROTECT, related_name="bonds"
    )
    bank = models.CharField(_("出具银行"), max_length=128)
    guarantee_no = models.CharField(_("保函编号"), max_length=64)
    amount = MoneyField(
        _("保函金额"),
        default=DEFAULT_BOND_AMOUNT,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    valid_from = models.DateField(_("有效期自"))
    valid_until = models.DateField(_("有效期至"))
    document = models.FileField(_("保函扫描件"), upload_to=bond_document_path, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("履约保函")
        verbose_name_plural = _("履约保函")
        ordering = ["-valid_until"]
        permissions = [("approve_bond_deduction", _("可以审批履约保函扣款"))]
        constraints = [
            models.UniqueConstraint(fields=["bank", "guarantee_no"], name="contracts_bond_unique"),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="contracts_bond_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank} {self.guarantee_no}"


def deduction_evidence_path(instance, filename: str) -> str:
    return f"contracts/bond_deductions/{instance.bond_id}/{filename}"


class BondDeduction(MakerChecker):
    """A deduction from the bond: proposed by one person (the maker, `prepared_by`), approved or
    refused by another (the checker, `approved_by`)."""

    bond = models.ForeignKey(
        PerformanceBond,
        verbose_name=_("履约保函"),
        on_delete=models.PROTECT,
        related_name="deductions",
    )
    amount = MoneyField(
        _("扣款金额"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    reason = models.TextField(_("扣款事由"))
    evidence = models.FileField(_("证明材料"), upload_to=deduction_evidence_path, blank=True)
    source = models.CharField(
        _("来源"), max_length=24, choices=DeductionSource.choices, default=DeductionSource.MANUAL
    )
    source_ref = models.CharField(_("来源单据号"), max_length=64, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=DeductionStatus.choices, default=DeductionStatus.PROPOSED
    )
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("保函扣款")
        verbose_name_plural = _("保函扣款")
        ordering = ["-prepared_at"]
        constraints = [
            *MakerChecker.Meta.constraints,
            models.CheckConstraint(condition=Q(amount__gt=0), name="contracts_deduction_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.bond} −{self.amount}"
