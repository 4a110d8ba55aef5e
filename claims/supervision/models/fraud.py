"""Fraud flags (R-CLM-4): settlements that look wrong, with the evidence, for a person to check."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.fields import stamp_fields
from audit.models.workflow import StatusTracked
from claims.choices import FlagKind, FlagStatus


class FraudFlag(StatusTracked):
    key = models.CharField(_("标识"), max_length=80, unique=True)
    kind = models.CharField(_("疑点类型"), max_length=20, choices=FlagKind.choices)
    record = models.ForeignKey(
        "claims.SettlementRecord",
        verbose_name=_("结算记录"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,  # records are partitioned by year: see docs/scaling.md "Partitions"
    )
    other_record = models.ForeignKey(
        "claims.SettlementRecord",
        verbose_name=_("关联结算记录"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,  # records are partitioned by year: see docs/scaling.md "Partitions"
    )
    contract = models.ForeignKey(
        "contracts.Contract", verbose_name=_("合同"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "insurance.Person", verbose_name=_("参保人"), on_delete=models.PROTECT, related_name="+"
    )
    evidence = models.JSONField(_("证据"), default=dict)
    status = models.CharField(
        _("状态"), max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN
    )
    detected_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    reviewed_by, reviewed_at = stamp_fields(_("核查人"), _("核查时间"))
    review_note = models.TextField(_("核查说明"), blank=True)

    class Meta:
        verbose_name = _("欺诈疑点")
        verbose_name_plural = _("欺诈疑点")
        ordering = ["-id"]
        indexes = [models.Index(fields=["contract", "kind", "status"], name="claims_flag_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.record_id}"
