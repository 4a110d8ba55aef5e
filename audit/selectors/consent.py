"""Reads of consents (R-SUP-5): the one check every insurer look-up of personal data passes."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.models import Consent


def _moment(on: dt.datetime | dt.date | None) -> dt.datetime:
    if on is None:
        return timezone.now()
    if isinstance(on, dt.datetime):
        return on if timezone.is_aware(on) else timezone.make_aware(on)
    # A bare date means the start of that day, local time: a consent given later that day or one
    # that ran out earlier does not count.
    return timezone.make_aware(dt.datetime.combine(on, dt.time.min))


def consent_valid(
    *, psn_no: str, insurer_id: int, scope: str, on: dt.datetime | dt.date | None = None
) -> Consent | None:
    """The consent of person `psn_no` for insurer `insurer_id` and `scope` in force at `on`
    (given, not expired, not revoked), or None. Latest-expiring first if several overlap."""
    if not psn_no or not insurer_id:
        return None
    moment = _moment(on)
    return (
        Consent.objects.filter(
            psn_no=psn_no,
            insurer_id=insurer_id,
            scope=scope,
            given_at__lte=moment,
            expires_at__gt=moment,
        )
        .filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=moment))
        .order_by("-expires_at", "-id")
        .first()
    )


def consents_of_insurer(insurer_id: int | None) -> QuerySet[Consent]:
    """Every consent given to one insurer (None: none at all)."""
    if insurer_id is None:
        return Consent.objects.none()
    return Consent.objects.filter(insurer_id=insurer_id)
