"""Fixed choices of the insurance app (regions, schemes, people, enrollment)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省/自治区")
    CITY = "city", _("市（统筹区）")
    DISTRICT = "district", _("区")
    COUNTY = "county", _("县/旗/县级市")


class SchemeKind(models.TextChoices):
    EMPLOYEE_SUPPLEMENTARY = "employee_supp", _("职工补充医疗保险")
    RESIDENT_CRITICAL = "resident_critical", _("城乡居民大病保险")
    UNIVERSAL_SUPPLEMENTARY = "universal_supp", _("全民补充医疗保险")
    CITY_VOLUNTARY = "city_voluntary", _("城市定制型商业补充医疗保险（惠民保）")
    ENTERPRISE_SUPPLEMENTARY = "enterprise_supp", _("企业补充医疗保险")


class FundingKind(models.TextChoices):
    PER_CAPITA = "per_capita", _("按参保人数定额筹资")
    BASIC_FUNDING_PERCENT = "basic_funding_pct", _("按上年人均基本医保筹资的比例")
    FIXED_TOTAL = "fixed_total", _("固定总保费（按资金来源分摊）")
    VOLUNTARY_PREMIUM = "voluntary_premium", _("个人自愿缴费（每人保费）")
    PAYROLL_PERCENT = "payroll_pct", _("按上年工资总额比例（设停缴上限）")
    COMPOSITE = "composite", _("多渠道筹资（分项列明）")


class FundingSource(models.TextChoices):
    EMPLOYEE_LARGE_AMOUNT_FUND = "employee_large_fund", _("职工大额医疗费用补助基金")
    EMPLOYEE_PERSONAL_ACCOUNT = "employee_personal_account", _("职工个人账户")
    EMPLOYEE_SUPPLEMENTARY_FUND = "employee_supp_fund", _("职工补充医疗保险基金")
    RESIDENT_FUND = "resident_fund", _("城乡居民基本医保基金")
    RESIDENT_PREMIUM = "resident_premium", _("城乡居民个人缴费")
    FISCAL = "fiscal", _("财政补助")
    FISCAL_CITY = "fiscal_city", _("市级财政配套资金")
    FISCAL_DISTRICT = "fiscal_district", _("区（市）级财政配套资金")
    PERSONAL_ACCOUNT_INTEREST = "account_interest", _("职工个人账户保值增值收入")
    SPECIAL_RESERVE = "special_reserve", _("专项储备金（经办机构留存）")
    PERSONAL = "personal", _("个人缴费（线上线下直接缴纳保险机构）")
    EMPLOYER = "employer", _("用人单位")
    OTHER = "other", _("其他")


# Where each source's money is held. The bureau transfers (and holds the evaluation reserve
# of) only what it holds for the insurer: premiums an insurer collects itself never pass through
# the bureau (R-JN-1), and a special reserve stays in the bureau's account (R-QD-1 (4)).
INSURER_COLLECTED_SOURCES = frozenset({FundingSource.PERSONAL})
BUREAU_KEPT_SOURCES = frozenset({FundingSource.SPECIAL_RESERVE})


class InsuType(models.TextChoices):
    EMPLOYEE = "310", _("职工基本医疗保险")
    RESIDENT = "390", _("城乡居民基本医疗保险")


class Sex(models.TextChoices):
    MALE = "1", _("男")
    FEMALE = "2", _("女")


class PersonType(models.TextChoices):
    EMPLOYED = "11", _("在职")
    RETIRED = "12", _("退休")
    RESIDENT_ADULT = "21", _("城乡居民（成年）")
    RESIDENT_MINOR = "22", _("城乡居民（未成年）")
    RESIDENT_STUDENT = "23", _("大学生")
    RESIDENT_ELDERLY = "24", _("城乡居民（老年）")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("正常参保")
    SUSPENDED = "suspended", _("暂停参保")
    ENDED = "ended", _("终止参保")
    DECEASED = "deceased", _("死亡")


class SpecialStatusKind(models.TextChoices):
    DIBAO = "dibao", _("低保对象")
    DIBAO_EDGE = "dibao_edge", _("低保边缘")
    TEKUN = "tekun", _("特困人员")
    YOUFU = "youfu", _("优抚对象")
    FANPIN = "fanpin", _("返贫致贫人口")


class FamilyRelation(models.TextChoices):
    SPOUSE = "spouse", _("配偶")
    PARENT = "parent", _("父母")
    CHILD = "child", _("子女")


class EnrollmentKind(models.TextChoices):
    FIRST = "first", _("首次参保")
    RENEWAL = "renewal", _("连续续保")
    REENROLL = "reenroll", _("中断后重新参保")


class PaymentChannel(models.TextChoices):
    NONE = "none", _("无需个人缴费")
    OWN_ACCOUNT = "own_account", _("本人个人账户")
    FAMILY_ACCOUNT = "family_account", _("家庭成员个人账户")
    WECHAT = "wechat", _("微信")
    ALIPAY = "alipay", _("支付宝")
    COUNTER = "counter", _("线下柜台")


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    CANCELLED = "cancelled", _("已退保")


class ImportJobStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("处理中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("现行")
    RETIRED = "retired", _("已停用")


class ImportTarget(models.TextChoices):
    """What a background import (`ImportJob`) loads."""

    PERSON = "person", _("参保人")
    ENROLLMENT = "enrollment", _("参保登记")
