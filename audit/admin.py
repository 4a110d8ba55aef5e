from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RangeDateTimeFilter
from unfold.forms import UserChangeForm, UserCreationForm

from audit.models import AuditEntry, User
from audit.selectors import audit_entry_for_user

admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(BaseUserAdmin, ModelAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = ("username", "first_name", "last_name", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "groups")


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin, ModelAdmin):
    pass


@admin.register(AuditEntry)
class AuditEntryAdmin(ModelAdmin):
    """Read-only for everyone, superusers included: the log is evidence, not data to edit."""

    list_display = ("id", "at", "actor_name", "action", "object_type", "object_repr", "summary")
    list_filter = ("action", ("at", RangeDateTimeFilter), "object_type")
    list_filter_submit = True
    search_fields = ("=actor_name", "=object_id", "=object_type")
    search_help_text = _("按操作人用户名、对象ID或对象类型精确查找")
    date_hierarchy = None
    show_full_result_count = False
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
    ordering = ("-id",)

    def get_queryset(self, request):
        return audit_entry_for_user(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
