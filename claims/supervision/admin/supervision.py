"""The supervision's settings and working calendar in the admin, and the dashboard tile of overdue
manual claims. The admin bases every claims capability shares are in
`claims.settlements.admin.common`."""

from __future__ import annotations

from django.contrib import admin

from claims.settlements.admin.common import AuditedAdmin
from claims.supervision.models import CalendarOverride, SupervisionConfig
from contracts.scopes import is_insurer_side


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(AuditedAdmin):
    list_display = ("day", "kind", "name")
    list_filter = ("kind",)
    search_fields = ("=day", "name")
    ordering = ("-day",)


@admin.register(SupervisionConfig)
class SupervisionConfigAdmin(AuditedAdmin):
    """The bureau's own settings: refused to every insurer user, whatever permission he holds
    (the selector is empty for them too)."""

    list_display = ("contract", "tolerance", "sample_size", "review_threshold")
    list_select_related = ("contract",)
    raw_id_fields = ("contract",)

    def has_view_permission(self, request, obj=None):
        return not is_insurer_side(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return not is_insurer_side(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return not is_insurer_side(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not is_insurer_side(request.user) and super().has_delete_permission(request, obj)
