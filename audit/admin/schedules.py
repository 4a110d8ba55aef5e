"""django-celery-beat's crontab admin with its one English column named in Chinese: the stock
admin shows the model property `human_readable` under a header made from its name."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_celery_beat.admin import CrontabScheduleAdmin
from django_celery_beat.models import CrontabSchedule


class CrontabScheduleInWords(CrontabScheduleAdmin):
    list_display = ("__str__", "in_words")
    fields = (
        "in_words", "minute", "hour", "day_of_month", "month_of_year", "day_of_week", "timezone",
    )  # fmt: skip
    readonly_fields = ("in_words",)

    @admin.display(description=_("执行时间说明"))
    def in_words(self, obj):
        return obj.human_readable


admin.site.unregister(CrontabSchedule)
admin.site.register(CrontabSchedule, CrontabScheduleInWords)
