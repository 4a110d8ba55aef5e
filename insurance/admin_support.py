"""Admin building blocks for big tables: a paginator that never COUNTs a whole table, fixed-choice
filters, and exact search (psn_no or ID number through the blind index)."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Exists, OuterRef, Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from audit.scoping import restrict
from insurance.choices import SpecialStatusKind
from insurance.models import Region, SpecialStatus

COUNT_CAP = 10_000


class EstimatedCountPaginator(Paginator):
    """Unfiltered on PostgreSQL: the planner's row estimate (pg_class.reltuples). Otherwise a count
    capped at COUNT_CAP + 1 rows, so a broad filter never scans the whole table."""

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        db = qs.db
        unfiltered = not qs.query.where.children
        if unfiltered and connections[db].vendor == "postgresql":
            with connections[db].cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [qs.model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] is not None and row[0] >= 0:
                return max(int(row[0]), 0)
        return qs.order_by()[: COUNT_CAP + 1].count()


class BigTableAdminMixin:
    """Settings every admin of a big table shares (DESIGN rule 10)."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator
    # No column sorting: ORDER BY an unindexed column sorts the whole table (and unfold builds
    # three query strings per sortable header for every row it renders).
    sortable_by = ()
    # No bulk actions (no "delete selected" on the register); the per-row checkbox widget was
    # also the most expensive part of rendering a page.
    actions = None
    list_per_page = 50
    list_max_show_all = 200


class RegionFilter(admin.SimpleListFilter):
    """Fixed choices: the regions the user may see (a few dozen), filtered by id."""

    title = _("统筹区")
    parameter_name = "region"
    field_path = "region_id"

    def lookups(self, request, model_admin):
        regions = restrict(Region, request.user, "view").order_by("code")
        return [(str(r.pk), r.name) for r in regions]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(**{self.field_path: int(value)})
        return queryset


class EnrollmentRegionFilter(RegionFilter):
    field_path = "person__region_id"


class SpecialStatusFilter(admin.SimpleListFilter):
    """People holding a special status today (低保, 特困 ...)."""

    title = _("特殊身份（当前有效）")
    parameter_name = "special"

    def lookups(self, request, model_admin):
        return SpecialStatusKind.choices

    def queryset(self, request, queryset):
        value = self.value()
        if value not in SpecialStatusKind.values:
            return queryset
        today = dt.date.today()  # noqa: DTZ011 (a calendar date in the bureau's zone)
        valid = SpecialStatus.objects.filter(
            person_id=OuterRef("pk"), kind=value, valid_from__lte=today
        ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        return queryset.filter(Exists(valid))


def exact_person_search(queryset, term: str, *, prefix: str = ""):
    """An 18-character term is an ID number (blind index); anything else an exact psn_no."""
    from audit.crypto import blind_index, normalise_identifier

    term = normalise_identifier(term)
    if not term:
        return queryset
    if len(term) == 18:
        return queryset.filter(**{f"{prefix}certno_bidx": blind_index(term)})
    return queryset.filter(**{f"{prefix}psn_no": term})
