"""Reads of the insurance app. Every queryset a user can reach goes through a `*_for_user`.

Scoping (DESIGN rule 7, R-SUP-5):
- superusers and staff without a region (no `StaffProfile` or an empty region) see everything;
- a clerk whose profile names a region sees that region and every region below it;
- a user in the insurer role sees no people, enrollments or family data at all (minimum necessary:
  insurers get personal data through settlement data and consent, never through this register);
- anonymous users see nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from insurance.choices import EnrollmentStatus
from insurance.models import (
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


def _sees_no_people(user) -> bool:
    if not user.is_authenticated:
        return True
    return not user.is_superuser and "insurer" in user.role_codes


def _scoped(qs: QuerySet, user, region_path: str) -> QuerySet:
    if _sees_no_people(user):
        return qs.none()
    scope = region_scope_ids(user)
    if scope is ALL:
        return qs
    return qs.filter(**{f"{region_path}__in": scope})


def region_for_user(user) -> QuerySet[Region]:
    qs = Region.objects.all()
    scope = region_scope_ids(user)
    return qs if scope is ALL else qs.filter(id__in=scope)


def scheme_for_user(user) -> QuerySet[Scheme]:
    # Schemes and their years are public policy: every signed-in user may read them.
    return Scheme.objects.all() if user.is_authenticated else Scheme.objects.none()


def scheme_year_for_user(user) -> QuerySet[SchemeYear]:
    qs = SchemeYear.objects.select_related("scheme")
    return qs if user.is_authenticated else qs.none()


def employer_for_user(user) -> QuerySet[Employer]:
    return _scoped(Employer.objects.all(), user, "region_id")


def person_for_user(user) -> QuerySet[Person]:
    return _scoped(Person.objects.all(), user, "region_id")


def enrollment_for_user(user) -> QuerySet[Enrollment]:
    return _scoped(Enrollment.objects.all(), user, "person__region_id")


def special_status_for_user(user) -> QuerySet[SpecialStatus]:
    return _scoped(SpecialStatus.objects.all(), user, "person__region_id")


def family_link_for_user(user) -> QuerySet[FamilyLink]:
    return _scoped(FamilyLink.objects.all(), user, "person__region_id")


def import_job_for_user(user) -> QuerySet[ImportJob]:
    if not user.is_authenticated:
        return ImportJob.objects.none()
    if user.is_superuser:
        return ImportJob.objects.all()
    return ImportJob.objects.filter(created_by_id=user.pk)


def person_by_certno(qs: QuerySet[Person], certno: str) -> QuerySet[Person]:
    """Exact search by ID number through the blind index (never decrypts the table)."""
    from audit.crypto import blind_index

    return qs.filter(certno_bidx=blind_index(certno))


def special_statuses_on(person: Person, on_date: dt.date) -> set[str]:
    """The special statuses (低保, 特困 ...) valid for `person` on `on_date`."""
    return set(
        SpecialStatus.objects.filter(person=person, valid_from__lte=on_date)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
        .values_list("kind", flat=True)
    )


def enrollment_on(person: Person, scheme, on_date: dt.date) -> Enrollment | None:
    """The person's enrollment in `scheme` whose coverage contains `on_date`, if any."""
    return (
        Enrollment.objects.filter(
            person=person,
            scheme_year__scheme=scheme,
            start_date__lte=on_date,
            end_date__gte=on_date,
        )
        .exclude(status=EnrollmentStatus.CANCELLED, cancelled_on__lte=on_date)
        .select_related("scheme_year")
        .first()
    )


def family_member_ids(person: Person) -> set[int]:
    """Ids of people linked to `person` as spouse, parent or child (either direction)."""
    forward = FamilyLink.objects.filter(person=person).values_list("relative_id", flat=True)
    backward = FamilyLink.objects.filter(relative=person).values_list("person_id", flat=True)
    return set(forward) | set(backward)
