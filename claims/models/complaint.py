"""Complaints (投诉, R-SUP-1): intake, assignment to the insurer with a deadline in working days,
the insurer's answer, the bureau's binding decision (R-CON-5), the callback and reopening."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from claims.choices import ComplaintCategory, ComplaintChannel, ComplaintDecision, ComplaintStatus

OPEN_COMPLAINT_STATES = (
    ComplaintStatus.RECEIVED,
    ComplaintStatus.ASSIGNED,
    ComplaintStatus.ANSWERED,
)


def _user(label):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=label,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )


class Complaint(models.Model):
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
    answered_by = _user(_("答复人"))
    answered_late = models.BooleanField(_("超期答复"), default=False)
    decision = models.CharField(
        _("处理决定"), max_length=12, choices=ComplaintDecision.choices, blank=True
    )
    required_action = models.TextField(
        _("责令保险机构采取的措施"), blank=True, help_text=_("保险机构必须执行（R-CON-5）")
    )
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decided_by = _user(_("决定人"))
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
    created_by = _user(_("登记人"))
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


class ComplaintTransition(models.Model):
    complaint = models.ForeignKey(
        Complaint, verbose_name=_("投诉"), on_delete=models.CASCADE, related_name="history"
    )
    move = models.CharField(_("操作"), max_length=16)
    from_status = models.CharField(_("原状态"), max_length=10, choices=ComplaintStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=10, choices=ComplaintStatus.choices)
    actor = _user(_("操作人"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    reason = models.TextField(_("原因/说明"), blank=True)

    class Meta:
        verbose_name = _("投诉处理记录")
        verbose_name_plural = _("投诉处理记录")
        ordering = ["complaint", "at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint}: {self.from_status} → {self.to_status}"


# --- the workflow as data ---------------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintMove:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    permission: str
    needs_reason: bool = False


_S = ComplaintStatus
HANDLE_PERMISSION = "claims.change_complaint"
ANSWER_PERMISSION = "claims.answer_complaint"
DECIDE_PERMISSION = "claims.decide_complaint"

COMPLAINT_MOVES: dict[str, ComplaintMove] = {
    move.name: move
    for move in (
        ComplaintMove(
            "assign", _("转保险机构办理"), frozenset({_S.RECEIVED}), _S.ASSIGNED, HANDLE_PERMISSION
        ),
        ComplaintMove(
            "answer", _("答复投诉"), frozenset({_S.ASSIGNED}), _S.ANSWERED, ANSWER_PERMISSION
        ),
        ComplaintMove(
            "decide",
            _("作出处理决定"),
            frozenset({_S.ASSIGNED, _S.ANSWERED}),
            _S.DECIDED,
            DECIDE_PERMISSION,
        ),
        ComplaintMove(
            "close", _("回访办结"), frozenset({_S.DECIDED}), _S.CLOSED, HANDLE_PERMISSION
        ),
        ComplaintMove(
            "reopen",
            _("重新处理"),
            frozenset({_S.DECIDED, _S.CLOSED}),
            _S.ASSIGNED,
            HANDLE_PERMISSION,
            needs_reason=True,
        ),
    )
}


def complaint_moves_from(status: str) -> list[ComplaintMove]:
    return [move for move in COMPLAINT_MOVES.values() if status in move.sources]
