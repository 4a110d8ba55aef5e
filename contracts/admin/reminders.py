from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from unfold.decorators import action

from contracts.admin.common import ScopedAdmin
from contracts.choices import ReminderStatus
from contracts.models import Reminder
from contracts.services import reminder_mark_done


@admin.register(Reminder)
class ReminderAdmin(ScopedAdmin):
    audited = False
    list_display = ["kind", "due_on", "message", "contract", "status", "done_by"]
    list_filter = ["status", "kind"]
    list_select_related = ["contract", "done_by"]
    search_fields = ["=contract__number"]
    readonly_fields = [f.name for f in Reminder._meta.fields]
    actions = ["mark_done"]

    def has_add_permission(self, request):
        return False

    @action(description=_("标记为已处理"), permissions=["change"])
    def mark_done(self, request, queryset):
        count = 0
        for reminder in queryset.filter(status=ReminderStatus.OPEN):
            reminder_mark_done(reminder=reminder, actor=request.user, request=request)
            count += 1
        messages.success(request, _("已处理 %(n)s 条提醒。") % {"n": count})
