"""Reads of the insurance app. Every queryset a user can reach goes through
`audit.scoping.restrict` (permission and row scope in one call); the row scopes are declared in
`insurance/scopes.py`."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from insurance.choices import EnrollmentStatus
from insurance.models import Enrollment, FamilyLink, Person, SpecialStatus
from insurance.scopes import ALL, region_scope_ids, user_region  # noqa: F401  (re-exported)


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
