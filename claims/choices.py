from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    RECEIVED = "received", _("已接收")
    VALIDATING = "validating", _("校验中")
    REJECTED = "rejected", _("已退回")
    VALIDATED = "validated", _("校验通过")
    APPLIED = "applied", _("已入库")
    # Processing stopped on an unexpected error: nothing of the batch is kept; it can be
    # processed again (runbook).
    FAILED = "failed", _("处理失败")


class BatchSource(models.TextChoices):
    ADMIN = "admin", _("管理后台上传")
    API = "api", _("接口上传")
    COMMAND = "command", _("命令行导入")


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    JSONL = "jsonl", _("JSON 行")


class SpotCheckKind(models.TextChoices):
    FILES = "files", _("案卷抽查")
    HOSPITAL_VISIT = "hospital_visit", _("医院走访核查")
    STAFF_ON_SITE = "staff_on_site", _("驻点人员在岗检查")


class SpotCheckStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    PERFORMED = "performed", _("已实施")
    CLOSED = "closed", _("已整改完毕")


class FindingSeverity(models.TextChoices):
    MINOR = "minor", _("一般问题")
    MAJOR = "major", _("较重问题")
    CRITICAL = "critical", _("严重问题")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("整改中")
    DONE = "done", _("已整改")


class CompensationStatus(models.TextChoices):
    COMPUTED = "computed", _("已计算")
    INELIGIBLE = "ineligible", _("不符合条件")
    ACCUMULATE_ONLY = "accumulate_only", _("仅累计")
    REVERSAL = "reversal", _("冲销")
    REVERSED = "reversed", _("已被冲销")
    ORPHAN_REVERSAL = "orphan_reversal", _("冲销（原结算缺失）")
    NO_PLAN = "no_plan", _("无适用待遇方案")


class ComplaintChannel(models.TextChoices):
    HOTLINE = "hotline", _("服务热线")
    WINDOW = "window", _("服务窗口")
    ONLINE = "online", _("网上投诉")
    LETTER = "letter", _("来信")


class ComplaintCategory(models.TextChoices):
    """From the seeds (R-JN evaluation section, R-CON-5, R-SUP-5)."""

    REFUSAL = "refusal", _("拒绝赔付")
    DELAY = "delay", _("赔付拖延")
    HIGH_THRESHOLD = "high_threshold", _("门槛设置过高")
    HIDDEN_TERMS = "hidden_terms", _("隐形条款")
    PRE_EXISTING = "pre_existing", _("以既往病史为由拒赔")
    ATTITUDE = "attitude", _("服务态度")
    DATA_MISUSE = "data_misuse", _("个人信息滥用")
    OTHER = "other", _("其他")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("已登记")
    ASSIGNED = "assigned", _("已转保险机构（待答复）")
    ANSWERED = "answered", _("保险机构已答复")
    DECIDED = "decided", _("已作出处理决定")
    CLOSED = "closed", _("已回访办结")


class ComplaintDecision(models.TextChoices):
    JUSTIFIED = "justified", _("投诉属实")
    PARTLY = "partly", _("部分属实")
    UNJUSTIFIED = "unjustified", _("投诉不属实")


# --- claims supervision: reconciliation, monthly statements, manual claims, fraud flags ---


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
    ANSWERED = "answered", _("保险机构已答复（待结清）")
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


# --- refusal reasons ---------------------------------------------------------------------


class RefusalReason(models.IntegerChoices):
    """The fixed, numbered reasons for refusing (or cutting) a claim, after openIMIS's rejection
    codes. The first digit says the family: 1xx the person, 2xx the costs, 3xx the application,
    4xx fraud, 9xx other. Codes are never renumbered or reused; add new ones at the end of their
    family."""

    NOT_ENROLLED = 101, _("101 就医时未参保或不在保障期内")
    WAITING_PERIOD = 102, _("102 处于待遇等待期")
    IDENTITY = 103, _("103 身份不符或冒名就医")
    DECEASED = 104, _("104 就医日期晚于参保人死亡日期")
    DUPLICATE = 105, _("105 重复报销")
    OUTSIDE_CATALOGUE = 201, _("201 目录外或不属于保障范围的费用")
    EXCLUDED_CAUSE = 202, _("202 属于除外责任")
    BELOW_DEDUCTIBLE = 203, _("203 未达起付线")
    ABOVE_CAP = 204, _("204 超过年度封顶线")
    WRONG_CALCULATION = 205, _("205 计算错误")
    DOCUMENTS_MISSING = 301, _("301 申请材料不全")
    TIME_LIMIT = 302, _("302 超过申请时限")
    FRAUD = 401, _("401 虚假就医或欺诈骗保")
    SPLIT_ADMISSION = 402, _("402 分解住院或挂床住院")
    OTHER = 999, _("999 其他（须在说明中写明）")


# Reasons that need a written note beside the code.
NOTE_REQUIRED = frozenset({RefusalReason.OTHER, RefusalReason.FRAUD})


class ChangeKind(models.TextChoices):
    """What the changes feed tells an insurer (docs/api.md, The changes feed); the object is
    the batch, statement, adjustment, complaint or manual claim of that name."""

    BATCH_APPLIED = "batch.applied", _("结算批次已入库")
    BATCH_REJECTED = "batch.rejected", _("结算批次被退回")
    BATCH_COMPUTED = "batch.computed", _("结算批次待遇计算完成")
    STATEMENT_APPROVED = "statement.approved", _("月度核算复核结果已审批")
    ADJUSTMENT_OPENED = "adjustment.opened", _("有待答复的复核调整")
    COMPLAINT_ASSIGNED = "complaint.assigned", _("投诉已转本机构办理")
    COMPLAINT_DECIDED = "complaint.decided", _("投诉已作出处理决定")
    MANUAL_CLAIM_RECEIVED = "manual_claim.received", _("有新受理的零星报销")
