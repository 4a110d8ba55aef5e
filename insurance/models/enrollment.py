from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from insurance.choices import EnrollmentKind, EnrollmentStatus, PaymentChannel
from insurance.fields import MoneyField


class Enrollment(models.Model):
    """A person enrolled in one scheme year (unique per person and year).

    `benefits_from` is the first day benefits apply, derived from the person's facts by the
    engine's rule (`insurance.engine.benefits_start`): after the plan's waiting period (counted
    from the start of the person's basic insurance, R-QD-5, or from a first-time enrolment or a
    re-enrolment after a gap) and once the service condition is met (R-ENT-2).
    """

    person = models.ForeignKey(
        "insurance.Person",
        verbose_name=_("参保人"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    scheme_year = models.ForeignKey(
        "insurance.SchemeYear",
        verbose_name=_("方案年度"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    kind = models.CharField(_("参保类型"), max_length=16, choices=EnrollmentKind.choices)
    start_date = models.DateField(_("保障开始日期"))
    end_date = models.DateField(_("保障结束日期"))
    benefits_from = models.DateField(_("等待期满（待遇起始）日期"))
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=EnrollmentStatus.choices,
        default=EnrollmentStatus.ACTIVE,
    )
    premium = MoneyField(
        _("个人保费"),
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    payment_channel = models.CharField(
        _("缴费渠道"), max_length=16, choices=PaymentChannel.choices, default=PaymentChannel.NONE
    )
    payer = models.ForeignKey(
        "insurance.Person",
        verbose_name=_("代缴个人账户所属人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancelled_on = models.DateField(_("退保日期"), null=True, blank=True)
    cancel_reason = models.CharField(_("退保原因"), max_length=200, blank=True)
    refund_amount = MoneyField(_("退费金额"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("参保登记")
        verbose_name_plural = _("参保登记")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "scheme_year"], name="insurance_enrollment_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="insurance_enrollment_dates",
            ),
        ]
        indexes = [
            models.Index(fields=["scheme_year", "-id"], name="insurance_enrol_year_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.scheme_year}"

    def in_waiting_period(self, on_date) -> bool:
        return self.start_date <= on_date < self.benefits_from

    def covers(self, on_date) -> bool:
        """Benefits apply on `on_date`: past the waiting period, before the end and before any
        cancellation (cover stops on the day of cancellation, R-ENT-2)."""
        if self.cancelled_on is not None and on_date >= self.cancelled_on:
            return False
        return self.benefits_from <= on_date <= self.end_date
