"""The fixed, numbered reasons for refusing (or cutting) a claim, after openIMIS's rejection codes.

The first digit says the family: 1xx the person, 2xx the costs, 3xx the application, 4xx fraud,
9xx other. Codes are never renumbered or reused; add new ones at the end of their family.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RefusalReason(models.IntegerChoices):
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
