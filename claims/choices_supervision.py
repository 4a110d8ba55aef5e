"""Choices of claims supervision: reconciliation, monthly statements, manual claims, fraud flags."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaidField(models.TextChoices):
    """National settlement fields that can carry the supplementary insurer's payment."""

    OTH_PAY = "oth_pay", _("其他支出（oth_pay）")
    HIFMI_PAY = "hifmi_pay", _("居民大病保险支出（hifmi_pay）")
    HIFES_PAY = "hifes_pay", _("企业补充医疗保险支出（hifes_pay）")
    HIFOB_PAY = "hifob_pay", _("职工大额医疗补助支出（hifob_pay）")


class Outcome(models.TextChoices):
    MATCHED = "matched", _("一致")
    UNDERPAID = "underpaid", _("少付")
    OVERPAID = "overpaid", _("多付")
    PAID_WITHOUT_ENTITLEMENT = "paid_unentitled", _("无待遇而支付")
    ENTITLED_UNPAID = "entitled_unpaid", _("应付未付")


DISCREPANCIES = frozenset(
    {
        Outcome.UNDERPAID,
        Outcome.OVERPAID,
        Outcome.PAID_WITHOUT_ENTITLEMENT,
        Outcome.ENTITLED_UNPAID,
    }
)


class StatementStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    IN_REVIEW = "in_review", _("复核中")
    REVIEWED = "reviewed", _("复核完成")
    APPROVED = "approved", _("已审批")


class ItemDecision(models.TextChoices):
    PENDING = "pending", _("待复核")
    ACCEPT = "accept", _("认可")
    CORRECT = "correct", _("更正金额")
    REFUSE = "refuse", _("拒付")


class AdjustmentStatus(models.TextChoices):
    OPEN = "open", _("待保险机构结清")
    SETTLED = "settled", _("已结清")
    CANCELLED = "cancelled", _("已撤销")


class ManualClaimStatus(models.TextChoices):
    RECEIVED = "received", _("已受理（材料待补齐）")
    COMPLETE = "complete", _("材料齐全（审核中）")
    APPROVED = "approved", _("核准赔付（待支付）")
    REFUSED = "refused", _("不予赔付")
    PAID = "paid", _("已支付")


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日（休息）")
    WORKDAY = "workday", _("调休上班日")


class FlagKind(models.TextChoices):
    OVERLAP = "overlap", _("同一人两家医院住院时间重叠")
    AFTER_DEATH = "after_death", _("死亡后就医")
    OUTSIDE_ENROLLMENT = "outside_enrollment", _("就医日期不在参保期内")
    COST_OUTLIER = "cost_outlier", _("费用远高于同类平均")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("待核查")
    CONFIRMED = "confirmed", _("核实属实")
    DISMISSED = "dismissed", _("排除")
