"""Row scopes of the insurance app, each model declared once (`audit.scoping.restrict` applies
them together with the model permission).

- superusers and staff without a region (no `StaffProfile` or an empty region) see everything;
- a clerk whose profile names a region sees that region and every region below it;
- a user on the insurer side sees no people, enrollments or family data at all (minimum
  necessary: insurers get personal data through settlement data and consent, never through this
  register);
- schemes, scheme years and plans are public policy: every holder of the permission reads them.
"""

from __future__ import annotations

from django.db.models import QuerySet

from audit.roles import INSURER
from audit.scoping import Everyone, row_scope
from insurance.models import (
    BenefitPlan,
    Employer,
    Enrollment,
    FamilyLink,
    ImportJob,
    Person,
    Region,
    Scheme,
    SchemeYear,
    SpecialStatus,
    StaffProfile,
)

ALL = None  # region scope meaning "no restriction"


def user_region(user) -> Region | None:
    profile = StaffProfile.objects.filter(user_id=user.pk).select_related("region").first()
    return profile.region if profile else None


def region_scope_ids(user) -> list[int] | None:
    """Region ids the user may see, or None for all. Cached on the user object per request."""
    cached = getattr(user, "_insurance_region_scope", False)
    if cached is not False:
        return cached
    if not user.is_authenticated or not user.is_active:
        scope: list[int] | None = []
    elif user.is_superuser:
        scope = ALL
    else:
        region = user_region(user)
        scope = ALL if region is None else region.subtree_ids()
    user._insurance_region_scope = scope
    return scope


def sees_no_people(user) -> bool:
    if not user.is_authenticated:
        return True
    return not user.is_superuser and INSURER in user.role_codes


class StaffRegion:
    """Bureau staff: the rows whose region (through `path`) is in their region's subtree."""

    dimension = "region"

    def __init__(self, path: str):
        self.path = path

    def __call__(self, queryset: QuerySet, user) -> QuerySet:
        scope = region_scope_ids(user)
        return queryset if scope is ALL else queryset.filter(**{f"{self.path}__in": scope})


class PeopleRegister(StaffRegion):
    """The register: staff by region, nobody on the insurer side."""

    def __call__(self, queryset: QuerySet, user) -> QuerySet:
        return queryset.none() if sees_no_people(user) else super().__call__(queryset, user)


class OwnJobs:
    """Background imports: each user his own; superusers all."""

    dimension = "owner"

    def __call__(self, queryset: QuerySet, user) -> QuerySet:
        return queryset if user.is_superuser else queryset.filter(created_by_id=user.pk)


row_scope(Region)(StaffRegion("id"))
row_scope(Scheme, SchemeYear, BenefitPlan, StaffProfile)(Everyone())
row_scope(Employer, Person)(PeopleRegister("region_id"))
row_scope(Enrollment, SpecialStatus, FamilyLink)(PeopleRegister("person__region_id"))
row_scope(ImportJob)(OwnJobs())
