"""Monthly claim statements (月度核算) and their re-review (复核), R-CLM-2."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.fields import stamp_fields, user_field
from audit.models.workflow import StatusTracked, two_people
from claims.choices import AdjustmentStatus, ItemDecision, RefusalReason, StatementStatus
from insurance.fields import MoneyField


class ClaimStatement(StatusTracked):
    """What one insurer claims to have paid on one contract in one month, and its re-review."""

    contract = models.ForeignKey(
        "contracts.Contract", verbose_name=_("合同"), on_delete=models.PROTECT, related_name="+"
    )
    insurer = models.ForeignKey(
        "contracts.Insurer", verbose_name=_("保险机构"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.DateField(_("核算月份"), help_text=_("月份的第一天"))
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=StatementStatus.choices,
        default=StatementStatus.SUBMITTED,
    )
    record_count = models.PositiveIntegerField(_("结算笔数"), default=0)
    claimed_total = MoneyField(_("申报赔付总额"), default=0)
    expected_total = MoneyField(_("应赔付总额（引擎）"), default=0)
    discrepancy_count = models.PositiveIntegerField(_("对账差异笔数"), default=0)
    sample_size = models.PositiveIntegerField(_("随机抽样数"), default=0)
    sample_seed = models.BigIntegerField(_("抽样种子"), null=True, blank=True)
    review_threshold = MoneyField(_("大额必审金额"), null=True, blank=True)
    correction_total = MoneyField(_("复核调整合计"), default=0)
    submitted_by = user_field(_("提交人"))
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    reviewed_by, reviewed_at = stamp_fields(_("复核人"), _("复核完成时间"))
    approved_by, approved_at = stamp_fields(_("审批人"), _("审批时间"))

    class Meta:
        verbose_name = _("月度核算")
        verbose_name_plural = _("月度核算")
        ordering = ["-period", "-id"]
        permissions = [
            ("review_claimstatement", _("复核月度核算")),
            ("approve_claimstatement", _("审批月度核算")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "insurer", "period"], name="claims_statement_once_a_month"
            ),
            # maker/checker in the database too: the approver did not review it
            two_people("approved_by", "reviewed_by", name="claims_statement_two_people"),
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.insurer}"


class StatementItem(models.Model):
    """One settlement drawn into the re-review, with why it was drawn and what was decided."""

    statement = models.ForeignKey(
        ClaimStatement, verbose_name=_("月度核算"), on_delete=models.CASCADE, related_name="items"
    )
    record = models.ForeignKey(
        "claims.SettlementRecord",
        verbose_name=_("结算记录"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,  # records are partitioned by year: see docs/scaling.md "Partitions"
    )
    in_sample = models.BooleanField(_("随机抽中"), default=False)
    above_threshold = models.BooleanField(_("大额必审"), default=False)
    discrepancy = models.BooleanField(_("对账差异"), default=False)
    claimed = MoneyField(_("保险机构已付"))
    expected = MoneyField(_("应赔付（引擎）"))
    decision = models.CharField(
        _("复核结论"), max_length=8, choices=ItemDecision.choices, default=ItemDecision.PENDING
    )
    corrected_amount = MoneyField(_("核定金额"), null=True, blank=True)
    reason_code = models.PositiveSmallIntegerField(
        _("拒付原因"), choices=RefusalReason.choices, null=True, blank=True
    )
    note = models.TextField(_("复核说明"), blank=True)
    decided_by, decided_at = stamp_fields(_("复核人"), _("复核时间"))

    class Meta:
        verbose_name = _("复核明细")
        verbose_name_plural = _("复核明细")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "record"], name="claims_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}/{self.record_id}"

    @property
    def settled_amount(self):
        """What the review says should have been paid (None while pending)."""
        if self.decision == ItemDecision.ACCEPT:
            return self.claimed
        if self.decision == ItemDecision.REFUSE:
            return Decimal("0.00")
        return self.corrected_amount


class StatementAdjustment(StatusTracked):
    """An amount the insurer must settle after an approved review: positive = it still owes the
    insured person (underpaid, unjustly refused); negative = it claimed too much (deducted from
    what the bureau accounts as paid)."""

    statement = models.ForeignKey(
        ClaimStatement, verbose_name=_("月度核算"), on_delete=models.PROTECT, related_name="+"
    )
    item = models.OneToOneField(
        StatementItem, verbose_name=_("复核明细"), on_delete=models.PROTECT, related_name="owed"
    )
    contract = models.ForeignKey(
        "contracts.Contract", verbose_name=_("合同"), on_delete=models.PROTECT, related_name="+"
    )
    insurer = models.ForeignKey(
        "contracts.Insurer", verbose_name=_("保险机构"), on_delete=models.PROTECT, related_name="+"
    )
    amount = MoneyField(_("调整金额"))
    reason_code = models.PositiveSmallIntegerField(
        _("拒付原因"), choices=RefusalReason.choices, null=True, blank=True
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=AdjustmentStatus.choices, default=AdjustmentStatus.OPEN
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    answer = models.TextField(_("保险机构答复"), blank=True)
    answered_by, answered_at = stamp_fields(_("答复人"), _("答复时间"))
    closed_by, closed_at = stamp_fields(_("办结人"), _("办结时间"))
    close_note = models.TextField(_("办结说明"), blank=True)

    class Meta:
        verbose_name = _("复核调整（应结清）")
        verbose_name_plural = _("复核调整（应结清）")
        ordering = ["-id"]
        permissions = [("answer_statementadjustment", _("答复复核调整（保险机构）"))]

    def __str__(self) -> str:
        return f"{self.statement_id}: {self.amount:+}"
