"""Funding of a contract year (筹资测算): the calculation with its inputs, versioned.

Recomputing makes a new version; approving one supersedes the previously approved one; the
approved version is the one transfers, the reserve, the settlement and the ledger use.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.models.workflow import MakerChecker
from contracts.choices import FundingCalcStatus
from insurance.choices import BUREAU_KEPT_SOURCES, INSURER_COLLECTED_SOURCES, FundingKind
from insurance.fields import MoneyField


class FundingCalculation(MakerChecker):
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("合同"),
        on_delete=models.PROTECT,
        related_name="funding_calculations",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    version = models.PositiveSmallIntegerField(_("版本"))
    scheme_year = models.ForeignKey(
        "insurance.SchemeYear",
        verbose_name=_("方案年度"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    method = models.CharField(_("筹资方式"), max_length=32, choices=FundingKind.choices)
    inputs = models.JSONField(_("测算输入"), default=dict)
    parts = models.JSONField(
        _("按资金来源分列"), default=list, help_text=_('[{"source": ..., "amount": "..."}]')
    )
    result = MoneyField(_("筹资总额"))
    explanation = models.TextField(_("计算过程"), blank=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=FundingCalcStatus.choices,
        default=FundingCalcStatus.PROPOSED,
    )

    class Meta:
        verbose_name = _("筹资测算")
        verbose_name_plural = _("筹资测算")
        ordering = ["-year", "contract", "-version"]
        constraints = [
            *MakerChecker.Meta.constraints,
            models.UniqueConstraint(
                fields=["contract", "year", "version"], name="contracts_funding_version_unique"
            ),
            models.UniqueConstraint(
                fields=["contract", "year"],
                condition=Q(status="approved"),
                name="contracts_funding_one_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.year} v{self.version}: {self.result}"

    def part_amounts(self) -> list[tuple[str, Decimal]]:
        return [(p["source"], Decimal(p["amount"])) for p in self.parts]

    def premium_parts(self) -> list[tuple[str, Decimal]]:
        """The parts that are the year's premium (the insurer's income): all but what the
        bureau keeps as a reserve of its own (R-QD-1 (4))."""
        return [(s, a) for s, a in self.part_amounts() if s not in BUREAU_KEPT_SOURCES]

    def transferable_parts(self) -> list[tuple[str, Decimal]]:
        """The premium the bureau holds and pays over quarterly: not what people paid the
        insurer directly (R-JN-1)."""
        return [(s, a) for s, a in self.premium_parts() if s not in INSURER_COLLECTED_SOURCES]

    @property
    def premium(self) -> Decimal:
        return sum((a for _s, a in self.premium_parts()), Decimal("0.00"))

    @property
    def transferable(self) -> Decimal:
        return sum((a for _s, a in self.transferable_parts()), Decimal("0.00"))
