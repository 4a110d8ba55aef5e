"""The company scheme's common pool (公共账户): unused personal quotas returned on leaving.

Seed 001, company scheme 第五条: "职工个人提出辞职，解除（终止）劳动合同证明书开具当日，
住手享受补充医疗保险，个人限额报销余额转入公共账户" (R-ENT-2/3). The quota is the cap of
the plan's line marked `personal_quota`; what the line paid the person comes from the
compensations, so the entry lives here, in claims, above the register (docs/plans.md).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from insurance.fields import MoneyField


class QuotaPoolEntry(models.Model):
    """One person's unused quota, returned to the pool of the scheme year on the leaving day."""

    scheme_year = models.ForeignKey(
        "insurance.SchemeYear",
        verbose_name=_("方案年度"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    enrollment = models.OneToOneField(
        "insurance.Enrollment",
        verbose_name=_("参保登记"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    person = models.ForeignKey(
        "insurance.Person", verbose_name=_("参保人"), on_delete=models.PROTECT, related_name="+"
    )
    left_on = models.DateField(_("离职（退保）日期"), help_text=_("保障自当日终止"))
    plan_code = models.CharField(_("待遇方案"), max_length=64)
    plan_version = models.PositiveIntegerField(_("方案版本"))
    line_id = models.CharField(_("限额报销责任"), max_length=64)
    cap_year = models.PositiveSmallIntegerField(
        _("限额年度"), help_text=_("离职日所在的封顶年度（自然年度或保单年度的起始年）")
    )
    quota = MoneyField(_("个人年度限额"))
    used = MoneyField(_("当年已报销"))
    amount = MoneyField(_("转入公共账户"), help_text=_("个人年度限额 − 当年已报销，不低于 0"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公共账户转入（个人限额余额）")
        verbose_name_plural = _("公共账户转入（个人限额余额）")
        ordering = ["-left_on", "-id"]
        indexes = [
            models.Index(fields=["scheme_year", "-left_on"], name="claims_quota_pool_year_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="claims_quota_pool_amount_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.left_on} {self.amount}"
