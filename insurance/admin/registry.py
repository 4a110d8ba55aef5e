"""Admin of the register's reference data: regions, staff regions, schemes, years, employers."""

from __future__ import annotations

from django.contrib import admin
from unfold.admin import ModelAdmin

from audit.admin.doors import RestrictedAdminMixin
from audit.admin.mixins import AuditedAdminMixin
from insurance.models import (
    Employer,
    Region,
    Scheme,
    SchemeYear,
    StaffProfile,
)

REVEAL_PERMISSION = "audit.reveal_personal_data"
REVEAL_REASON_MIN = 4


@admin.register(Region)
class RegionAdmin(RestrictedAdminMixin, AuditedAdminMixin, ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    list_select_related = ("parent",)


@admin.register(StaffProfile)
class StaffProfileAdmin(RestrictedAdminMixin, AuditedAdminMixin, ModelAdmin):
    list_display = ("user", "region")
    raw_id_fields = ("user", "region")
    list_select_related = ("user", "region")


@admin.register(Scheme)
class SchemeAdmin(RestrictedAdminMixin, AuditedAdminMixin, ModelAdmin):
    list_display = ("code", "name", "kind", "region")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    raw_id_fields = ("region",)
    list_select_related = ("region",)


@admin.register(SchemeYear)
class SchemeYearAdmin(RestrictedAdminMixin, AuditedAdminMixin, ModelAdmin):
    list_display = ("scheme", "year", "funding_kind", "plan", "coverage_start", "coverage_end")
    list_filter = ("funding_kind", "year")
    raw_id_fields = ("scheme", "plan")
    list_select_related = ("scheme", "plan")


@admin.register(Employer)
class EmployerAdmin(RestrictedAdminMixin, AuditedAdminMixin, ModelAdmin):
    list_display = ("name", "uscc", "region")
    search_fields = ("=uscc", "name")
    raw_id_fields = ("region",)
    list_select_related = ("region",)
