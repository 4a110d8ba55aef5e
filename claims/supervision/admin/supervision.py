"""Admin pieces shared by claims supervision, the calendar and the settings, and the dashboard
tile of overdue manual claims."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from audit.admin.doors import RestrictedAdminMixin
from audit.admin.mixins import AuditedAdminMixin, ViewerMixin
from audit.scoping import restrict
from claims.models import CalendarOverride, ManualClaim, SupervisionConfig
from claims.selectors import (
    is_insurer_side,
)
from claims.settlements.services.explanations import compensation_steps
from config.dashboard import TILE_PROVIDERS, Tile
from insurance.engine import step_text


def explanation_lines(comp) -> list[str]:
    """A compensation's steps as Chinese sentences (stored steps or rebuilt from its trace)."""
    if comp is None:
        return []
    lines = []
    for step in compensation_steps(comp):
        try:
            lines.append(step_text(step=step, lang="zh"))
        except (KeyError, TypeError, ValueError):
            lines.append(f"{step.code}: {dict(step.values)}")
    return lines


def explanation_html(comp):
    lines = explanation_lines(comp)
    if not lines:
        return "-"
    return format_html("<ol>{}</ol>", format_html_join("", "<li>{}</li>", ((x,) for x in lines)))


class ReadOnlyScopedAdmin(RestrictedAdminMixin, ViewerMixin, ModelAdmin):
    """Rows reached through `restrict` (`RestrictedAdminMixin`); pages read-only, changes only
    through the workflow views (which call services), whose buttons the change page offers only
    to a user who may use them (`audit.admin.mixins.viewer_of`)."""

    list_per_page = 50
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdmin(RestrictedAdminMixin, AuditedAdminMixin, ModelAdmin):
    """Reference data edited directly in the admin, reached through `restrict`; every save,
    delete and inline row is audited with its before/after values (`AuditedAdminMixin`)."""


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


def overdue_manual_claim_tiles(request) -> list[Tile]:
    user = request.user
    if not user.has_perm("claims.view_manualclaim"):
        return []
    count = restrict(ManualClaim, user, "view").filter(overdue=True).count()
    link = reverse("admin:claims_manualclaim_changelist") + "?overdue__exact=1"
    return [
        Tile(
            title=str(_("超期零星报销")),
            value=str(count),
            link=link,
            note=str(_("材料齐全后超过合同约定工作日仍未办结")),
        )
    ]


if overdue_manual_claim_tiles not in TILE_PROVIDERS:
    TILE_PROVIDERS.append(overdue_manual_claim_tiles)
