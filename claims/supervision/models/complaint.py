"""Complaints (投诉, R-SUP-1): intake, assignment to the insurer with a deadline in working days,
the insurer's answer, the bureau's binding decision (R-CON-5), the callback and reopening."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.fields import user_field
from audit.models.workflow import StatusTracked
from claims.choices import ComplaintCategory, ComplaintChannel, ComplaintDecision, ComplaintStatus

OPEN_COMPLAINT_STATES = (
    ComplaintStatus.RECEIVED,
    ComplaintStatus.ASSIGNED,
    ComplaintStatus.ANSWERED,
)


class Complaint(StatusTracked):
    number = models.CharField(_("投诉编号"), max_length=32, unique=True)
    contract = models.ForeignKey(
        "contracts.Contract", verbose_name=_("合同"), on_delete=models.PROTECT, related_name="+"
    )
    insurer = models.ForeignKey(
        "contracts.Insurer",
        verbose_name=_("承办保险机构"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("默认为主承保机构"),
    )
    person = models.ForeignKey(
        "insurance.Person", verbose_name=_("参保人"), on_delete=models.PROTECT, related_name="+"
    )
    settlement_record = models.ForeignKey(
        "claims.SettlementRecord",
        verbose_name=_("相关结算记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,  # records are partitioned by year: see docs/scaling.md "Partitions"
    )
    manual_claim = models.ForeignKey(
        "claims.ManualClaim",
        verbose_name=_("相关零星报销"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("投诉渠道"), max_length=10, choices=ComplaintChannel.choices)
    category = models.CharField(_("投诉类别"), max_length=16, choices=ComplaintCategory.choices)
    received_on = models.DateField(_("受理日期"))
    content = models.TextField(_("投诉内容"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    assigned_on = models.DateField(_("转办日期"), null=True, blank=True)
    due_on = models.DateField(_("答复期限"), null=True, blank=True, db_index=True)
    answer = models.TextField(_("保险机构答复"), blank=True)
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    answered_by = user_field(_("答复人"))
    answered_late = models.BooleanField(_("超期答复"), default=False)
    decision = models.CharField(
        _("处理决定"), max_length=12, choices=ComplaintDecision.choices, blank=True
    )
    required_action = models.TextField(
        _("责令保险机构采取的措施"),
        blank=True,
        help_text=_("保险机构必须按此执行，并在期限内报告结果"),
    )
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decided_by = user_field(_("决定人"))
    satisfaction = models.PositiveSmallIntegerField(
        _("回访满意度(1-5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    callback_on = models.DateField(_("回访日期"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("重新处理次数"), default=0)
    bond_deduction = models.ForeignKey(
        "contracts.BondDeduction",
        verbose_name=_("保函扣款"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = user_field(_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["contract", "received_on"], name="claims_complaint_idx")]
        permissions = [
            ("answer_complaint", _("答复投诉（保险机构）")),
            ("decide_complaint", _("作出投诉处理决定")),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def ref(self) -> str:
        return f"claims.complaint:{self.pk}"
