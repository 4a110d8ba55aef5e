"""Days the bureau's calendar treats differently from the weekend rule (holidays, make-up days)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from claims.choices import CalendarDayKind


class CalendarOverride(models.Model):
    """A holiday or a make-up working day, entered in the admin. It wins over chinese-calendar;
    for years the library does not know (2027 on) these rows and weekends are all there is."""

    day = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=8, choices=CalendarDayKind.choices)
    name = models.CharField(_("名称"), max_length=64, help_text=_("如：春节、国庆节调休"))

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()} {self.name}"
