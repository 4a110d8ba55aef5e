"""Admin building blocks for big tables: a paginator that never COUNTs a whole table, fixed-choice
filters, and exact search (psn_no or ID number through the blind index)."""

from __future__ import annotations

import datetime as dt
import secrets

from django import forms
from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from audit.admin.doors import ID_NOT_IN_URL
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


FOUND_PARAM = "found"  # the changelist's opaque token of a search by ID number
FOUND_SESSION_KEY = "medsupp_found_by_certno"
FOUND_KEEP = 20  # tokens kept per session


def looks_like_certno(term: str) -> bool:
    return len(term) == 18 and term[:17].isdigit()


def exact_person_search(queryset, term: str, *, prefix: str = "", request=None):
    """An exact psn_no. An ID number is never searched from the URL (`?q=` lands in proxy logs
    and browser history): it is refused with a message pointing to the POST search."""
    from audit.crypto import normalise_identifier

    term = normalise_identifier(term)
    if not term:
        return queryset
    if looks_like_certno(term):
        if request is not None:
            messages.warning(request, CERTNO_NOT_IN_URL)
        return queryset.none()
    return queryset.filter(**{f"{prefix}psn_no": term})


CERTNO_NOT_IN_URL = ID_NOT_IN_URL


class FindByCertnoForm(forms.Form):
    certno = forms.CharField(label=_("身份证号"), max_length=18, min_length=15)


class FindByCertnoMixin:
    """Search by ID number without the number in any URL: the changelist's small form POSTs it
    to `find/`, which keeps its blind index in the session under a random token and redirects
    to `?found=<token>`. The token means nothing outside this session."""

    certno_prefix = ""  # path from the admin's model to the person's fields
    finds_by_id_number = True
    # The admin's search box is an exact psn_no search; False keeps the admin's own search.
    certno_replaces_search = True
    list_before_template = "insurance/admin/find_by_certno.html"

    def get_urls(self):
        opts = self.model._meta
        find = path(
            "find/", self.door(self.find_view), name=f"{opts.app_label}_{opts.model_name}_find"
        )
        return [find, *super().get_urls()]

    def find_view(self, request):
        from audit.crypto import blind_index, normalise_identifier

        opts = self.model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        form = FindByCertnoForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请输入 18 位身份证号。"))
            return HttpResponseRedirect(changelist)
        token = secrets.token_urlsafe(12)
        found = dict(list(request.session.get(FOUND_SESSION_KEY, {}).items())[-FOUND_KEEP + 1 :])
        found[token] = blind_index(normalise_identifier(form.cleaned_data["certno"]))
        request.session[FOUND_SESSION_KEY] = found
        return HttpResponseRedirect(f"{changelist}?{FOUND_PARAM}={token}")

    def changelist_view(self, request, extra_context=None):
        token = request.GET.get(FOUND_PARAM)
        if token is not None:
            request.GET = request.GET.copy()
            del request.GET[FOUND_PARAM]  # not a field lookup: the admin would refuse it
            request.medsupp_found_bidx = request.session.get(FOUND_SESSION_KEY, {}).get(token, "")
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        bidx = getattr(request, "medsupp_found_bidx", None)
        if bidx is not None:
            queryset = queryset.filter(**{f"{self.certno_prefix}certno_bidx": bidx})
        return queryset

    def get_search_results(self, request, queryset, search_term):
        if not self.certno_replaces_search:
            return super().get_search_results(request, queryset, search_term)
        found = exact_person_search(
            queryset, search_term, prefix=self.certno_prefix, request=request
        )
        return found, False
