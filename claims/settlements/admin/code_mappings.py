"""The code mapping (代码对照): which codes a settlement file may carry, and their families."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from claims.settlements.admin.common import AuditedAdmin
from claims.settlements.models import CodeMapping
from contracts.scopes import is_insurer_side


@admin.register(CodeMapping)
class CodeMappingAdmin(AuditedAdmin):
    """Bureau staff keep it (every change audited); insurers may read it."""

    list_display = ("column", "code", "family", "label", "region_display")
    list_filter = ("column",)
    list_select_related = ("region",)
    search_fields = ("=code", "=family")
    raw_id_fields = ("region",)
    ordering = ("column", "code")

    @admin.display(description=_("适用统筹区"))
    def region_display(self, obj):
        return obj.region or _("全国")

    def has_add_permission(self, request):
        return not is_insurer_side(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return not is_insurer_side(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not is_insurer_side(request.user) and super().has_delete_permission(request, obj)
