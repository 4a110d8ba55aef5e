"""Manual claims (零星报销): treatment that could not be settled at the hospital, R-CLM-3."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.fields import user_field
from audit.models.workflow import StatusTracked
from claims.choices import ManualClaimStatus, RefusalReason
from insurance.fields import MoneyField

# The documents checklist: code -> label. Complete when every item is ticked.
DOCUMENTS: dict[str, str] = {
    "application": _("报销申请表"),
    "identity": _("身份证件或社保卡"),
    "invoice": _("医疗费用票据原件"),
    "detail": _("费用明细清单"),
    "discharge": _("出院记录或诊断证明"),
    "basic_settlement": _("基本医保结算单"),
    "bank_account": _("本人银行账户信息"),
}


class ManualClaim(StatusTracked):
    contract = models.ForeignKey(
        "contracts.Contract", verbose_name=_("合同"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "insurance.Person", verbose_name=_("参保人"), on_delete=models.PROTECT, related_name="+"
    )
    claim_no = models.CharField(_("受理编号"), max_length=32, unique=True)
    received_on = models.DateField(_("受理日期"))
    hospital_name = models.CharField(_("就医机构"), max_length=128)
    hospital_place = models.CharField(_("就医地"), max_length=64, blank=True)
    treatment_from = models.DateField(_("就医开始日期"))
    treatment_to = models.DateField(_("就医结束日期"))
    amount_claimed = MoneyField(_("申请金额"))
    documents = models.JSONField(_("材料清单"), default=dict, blank=True)
    documents_complete_on = models.DateField(_("材料齐全日期"), null=True, blank=True)
    due_on = models.DateField(_("办结期限"), null=True, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ManualClaimStatus.choices,
        default=ManualClaimStatus.RECEIVED,
    )
    decided_on = models.DateField(_("审核决定日期"), null=True, blank=True)
    approved_amount = MoneyField(_("核准金额"), null=True, blank=True)
    reason_code = models.PositiveSmallIntegerField(
        _("拒付原因"), choices=RefusalReason.choices, null=True, blank=True
    )
    decision_note = models.TextField(_("审核说明"), blank=True)
    decided_by = user_field(_("审核人"))
    paid_on = models.DateField(_("支付日期"), null=True, blank=True)
    overdue = models.BooleanField(_("已超期"), default=False, db_index=True)
    created_by = user_field(_("受理人"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("零星报销")
        verbose_name_plural = _("零星报销")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["contract", "documents_complete_on"], name="claims_manual_idx")
        ]

    def __str__(self) -> str:
        return self.claim_no

    @property
    def finished_on(self):
        """The day the claim was settled: paid, or refused (None while open)."""
        if self.status == ManualClaimStatus.PAID:
            return self.paid_on
        if self.status == ManualClaimStatus.REFUSED:
            return self.decided_on
        return None
