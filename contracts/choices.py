"""Fixed choices of the contracts app (Chinese source strings)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Qualification(models.TextChoices):
    MEDICAL = "medical", _("医学")
    FINANCE = "finance", _("财务")
    IT = "it", _("信息技术")
    OTHER = "other", _("其他")


class DebarmentReason(models.TextChoices):
    FAILED_EVALUATION = "failed_evaluation", _("考核不合格")
    BREACH = "breach", _("违约")
    OTHER = "other", _("其他")


class TenderStatus(models.TextChoices):
    OPEN = "open", _("招标中")
    AWARDED = "awarded", _("已定标")
    CANCELLED = "cancelled", _("已废标")


class CheckResult(models.TextChoices):
    PENDING = "pending", _("待审查")
    PASSED = "passed", _("符合")
    FAILED = "failed", _("不符合")


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SIGNED = "signed", _("已签订")
    ACTIVE = "active", _("履行中")
    RENEWAL_REQUESTED = "renewal_requested", _("已申请续签")
    RENEWAL_ANSWERED = "renewal_answered", _("续签已答复")
    EXPIRED = "expired", _("已到期")
    TERMINATED = "terminated", _("已提前终止")


class RenewalAnswer(models.TextChoices):
    ACCEPTED = "accepted", _("同意续签")
    REFUSED = "refused", _("不予续签")


class TerminationReason(models.TextChoices):
    FAILED_EVALUATION = "failed_evaluation", _("考核不合格")
    BREACH = "breach", _("违约")
    MUTUAL = "mutual", _("协商一致")


class SurplusRule(models.TextChoices):
    CARRY_OVER = "carry_over", _("结余滚存下一年度")
    RETURN_TO_FUND = "return_to_fund", _("结余返还基本医保基金")


class SettlementRule(models.TextChoices):
    """How the year-end settlement divides the year's result (docs/funds.md)."""

    PROFIT_CAP = "profit_cap", _("利润率上限（结余处理、亏损分担）")  # R-ORD-3/4, R-IM-4/5
    PAYOUT_RATIO = "payout_ratio", _("赔付率结算（惠州 95%/4%/105%）")  # R-HZ-2/3
    SELF_FUNDED = "self_funded", _("保险机构自负盈亏（惠民保）")  # R-JN, R-HZ-4 自负盈亏


class LossSharing(models.TextChoices):
    ALL = "all", _("按合同比例分担全部亏损")  # R-ORD-4
    POLICY_CHANGES = "policy_changes", _("仅分担经办机构认定的政策性亏损")  # R-IM-5
    NONE = "none", _("基金不分担亏损")


class PlatformFeeKind(models.TextChoices):
    NONE = "none", _("无第三方平台费")
    RATE = "rate", _("按保费比例(不超过5%)")
    FIXED = "fixed", _("固定金额")


class DocumentKind(models.TextChoices):
    SIGNED_CONTRACT = "signed_contract", _("签字盖章合同")
    ANNEX = "annex", _("附件/补充协议")
    TENDER = "tender", _("招投标文件")
    OTHER = "other", _("其他")


class DeductionStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class DeductionSource(models.TextChoices):
    MANUAL = "manual", _("经办录入")
    CLAIMS_SUPERVISION = "claims_supervision", _("赔付监管")
    EVALUATION = "evaluation", _("年度考核")
    COMPLAINT = "complaint", _("投诉处理")


class ReminderKind(models.TextChoices):
    RENEWAL_WINDOW = "renewal_window", _("续签申请期开始")
    RENEWAL_ANSWER_DUE = "renewal_answer_due", _("续签答复即将到期")
    BOND_EXPIRING = "bond_expiring", _("履约保函即将到期")
    STAFFING_BELOW = "staffing_below", _("驻点人员低于承诺")


class ReminderStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    DONE = "done", _("已处理")


# --- fund flows (issue 8) -----------------------------------------------------------------------


class FundingCalcStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审批")
    APPROVED = "approved", _("已批准（在用）")
    SUPERSEDED = "superseded", _("已被替代")


class PaymentStatus(models.TextChoices):
    """Status of a money move to the insurer (quarterly transfer, reserve release)."""

    DRAFT = "draft", _("待制单")
    PREPARED = "prepared", _("已制单")
    APPROVED = "approved", _("已审批")
    PAID = "paid", _("已支付")


class SettlementStatus(models.TextChoices):
    PREPARED = "prepared", _("已编制")
    APPROVED = "approved", _("已审批")


class LedgerAccount(models.TextChoices):
    """Where the money of a contract year sits; every movement goes from one to another."""

    FUND = "fund", _("基本医保基金（资金来源）")
    POOL = "pool", _("专户待拨付资金")
    RESERVE = "reserve", _("考核预留款")
    INSURER = "insurer", _("已拨付保险机构")
    CARRIED = "carried", _("结转下年度")


class LedgerKind(models.TextChoices):
    FUNDING_RAISED = "funding_raised", _("筹资到账")
    PREMIUM_COLLECTED = "premium_collected", _("保险机构直接收取保费")
    TRANSFER = "transfer", _("季度拨付")
    RESERVE_HELD = "reserve_held", _("预留考核款")
    RESERVE_RELEASED = "reserve_released", _("预留款拨付")
    RESERVE_RETURNED = "reserve_returned", _("预留款返还基金")
    SURPLUS_RETURNED = "surplus_returned", _("结余返还基金")
    SURPLUS_CARRIED = "surplus_carried", _("结余结转下年")
    CARRIED_IN = "carried_in", _("上年结余转入")
    SETTLEMENT_PAYMENT = "settlement_payment", _("清算补拨")
    LOSS_SHARED = "loss_shared", _("基金分担亏损")
    BOND_DEDUCTION = "bond_deduction", _("履约保函扣款")


class LedgerDirection(models.TextChoices):
    IN = "in", _("转入")
    OUT = "out", _("转出")


class IndicatorCode(models.TextChoices):
    """Indicators the system computes from data; anything else is scored by hand."""

    PAYOUT_RATIO = "payout_ratio", _("赔付率")
    MANUAL_IN_TIME = "manual_in_time", _("零星报销按时办结率")
    COMPLAINTS_PER_10K = "complaints_per_10k", _("万人投诉率")
    COMPLAINTS_ON_TIME = "complaints_on_time", _("投诉按时答复率")
    DISCREPANCY_RATE = "discrepancy_rate", _("对账差异率")
    STAFFING = "staffing", _("驻点人员到岗率")
    SPOT_CHECK_FINDINGS = "spot_check_findings", _("抽查问题扣分")
    SATISFACTION = "satisfaction", _("参保人满意度")


class IndicatorMethod(models.TextChoices):
    COMPUTED = "computed", _("系统计算")
    MANUAL = "manual", _("人工评分")


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿（评分中）")
    SCORED = "scored", _("评分完成（待审批）")
    APPROVED = "approved", _("已审批")


class RenewalRecommendation(models.TextChoices):
    RENEW = "renew", _("建议续签")
    NOT_RENEW = "not_renew", _("次年度不再续签")
