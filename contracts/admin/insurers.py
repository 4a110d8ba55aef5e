from django.contrib import admin
from unfold.admin import TabularInline

from audit.admin.doors import RestrictedInlineMixin
from contracts.admin.common import ScopedAdmin
from contracts.models import (
    AdministrativePenalty,
    Debarment,
    Insurer,
    InsurerBranch,
    InsurerContact,
    InsurerStaff,
    InsurerUser,
)
from contracts.services import insurer_debar, insurer_user_link


class BranchInline(RestrictedInlineMixin, TabularInline):
    model = InsurerBranch
    extra = 0
    autocomplete_fields = ["region"]


class ContactInline(RestrictedInlineMixin, TabularInline):
    model = InsurerContact
    extra = 0


class PenaltyInline(RestrictedInlineMixin, TabularInline):
    model = AdministrativePenalty
    extra = 0


class DebarmentInline(RestrictedInlineMixin, TabularInline):
    model = Debarment
    extra = 0
    fields = ["reason", "starts_on", "ends_on", "contract", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Insurer)
class InsurerAdmin(ScopedAdmin):
    list_display = [
        "name",
        "credit_code",
        "health_insurance_licensed",
        "licence_valid_until",
        "is_active",
    ]
    list_filter = ["is_active", "health_insurance_licensed"]
    search_fields = ["name", "=credit_code"]
    inlines = [BranchInline, ContactInline, PenaltyInline, DebarmentInline]


@admin.register(InsurerStaff)
class InsurerStaffAdmin(ScopedAdmin):
    list_display = ["name", "insurer", "qualification", "degree", "is_active"]
    list_filter = ["qualification", "is_active"]
    list_select_related = ["insurer"]
    search_fields = ["name", "insurer__name"]
    autocomplete_fields = ["insurer"]


@admin.register(Debarment)
class DebarmentAdmin(ScopedAdmin):
    list_display = ["insurer", "reason", "starts_on", "ends_on", "contract", "created_by"]
    list_filter = ["reason"]
    list_select_related = ["insurer", "contract", "created_by"]
    autocomplete_fields = ["insurer"]
    raw_id_fields = ["contract"]
    readonly_fields = ["created_by", "created_at"]
    search_fields = ["insurer__name"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # new debarments go through the service (3-year default for a failed evaluation)
        saved = insurer_debar(
            insurer=obj.insurer,
            reason=obj.reason,
            starts_on=obj.starts_on,
            ends_on=obj.ends_on,
            contract=obj.contract,
            note=obj.note,
            actor=request.user,
        )
        obj.pk = saved.pk


@admin.register(InsurerUser)
class InsurerUserAdmin(ScopedAdmin):
    list_display = ["user", "insurer"]
    list_select_related = ["user", "insurer"]
    autocomplete_fields = ["insurer"]
    raw_id_fields = ["user"]
    search_fields = ["user__username", "insurer__name"]

    def save_model(self, request, obj, form, change):
        link = insurer_user_link(user=obj.user, insurer=obj.insurer, actor=request.user)
        obj.pk = link.pk
