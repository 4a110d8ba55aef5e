"""The company scheme's common pool in the admin: entries (read-only: written by the
cancellation, audited) and the balance per scheme year above the list."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from claims.settlements.admin.common import ReadOnlyScopedAdmin
from claims.settlements.models import QuotaPoolEntry
from claims.settlements.selectors import quota_pool_balances


@admin.register(QuotaPoolEntry)
class QuotaPoolEntryAdmin(ReadOnlyScopedAdmin):
    list_display = ("person", "scheme_year", "left_on", "cap_year", "quota", "used", "amount")
    list_filter = ("scheme_year",)
    list_select_related = ("person", "scheme_year__scheme")
    search_fields = ("=person__psn_no",)
    search_help_text = _("输入人员编号精确查找")
    ordering = ("-left_on", "-id")
    list_before_template = "claims/admin/quota_pool_balances.html"
    fields = (
        "person", "enrollment", "scheme_year", "left_on", "plan_code", "plan_version", "line_id",
        "cap_year", "quota", "used", "amount", "created_by", "created_at",
    )  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # written only by the cancellation (claims.settlements.services.quota_pool)

    def changelist_view(self, request, extra_context=None):
        balances = quota_pool_balances(self.get_queryset(request))
        return super().changelist_view(request, {**(extra_context or {}), "balances": balances})
