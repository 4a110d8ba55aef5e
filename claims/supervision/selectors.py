"""Reads of the supervision: reconciliation figures and, for the annual evaluation and the
disclosure, a contract year's discrepancies, manual claims, complaints and spot checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from claims.choices import DISCREPANCIES, ManualClaimStatus
from claims.settlements.selectors import SHARE, year_bounds
from claims.supervision.models import ReconciliationResult
from insurance.engine.money import quantize


def reconciliation_summary(qs: QuerySet) -> list[dict]:
    """Per insurer and month: counts and sums per outcome (one GROUP BY over `qs`)."""
    return list(
        qs.order_by()
        .values("insurer_id", "insurer__name", "period", "outcome")
        .annotate(
            n=Count("id"), expected=Sum("expected"), paid=Sum("paid"), difference=Sum("difference")
        )
        .order_by("-period", "insurer__name", "outcome")
    )


def discrepancy_rate(contract, year: int) -> Decimal | None:
    """For the annual evaluation: share (0..1, 4 places) of the contract's reconciled settlements
    of the year (by settlement month) that are not matched; None when nothing was reconciled."""

    start, end = year_bounds(contract, year)
    counts = ReconciliationResult.objects.filter(
        contract_id=contract.pk, period__gte=start, period__lte=end
    ).aggregate(n=Count("id"), gaps=Count("id", filter=Q(outcome__in=DISCREPANCIES)))
    if not counts["n"]:
        return None
    return quantize(Decimal(counts["gaps"]) / Decimal(counts["n"]), SHARE)


def manual_claims_within_limit_share(contract, year: int) -> Decimal | None:
    """For the annual evaluation (R-CLM-3): of the manual claims whose documents were complete
    in `year` and that are settled (paid or refused) or already past their deadline, the share
    (0..1, 4 places) settled on or before the deadline. None when there is none to judge."""

    from claims.supervision.models import ManualClaim

    start, end = year_bounds(contract, year)
    in_time = Q(status=ManualClaimStatus.PAID, paid_on__lte=F("due_on")) | Q(
        status=ManualClaimStatus.REFUSED, decided_on__lte=F("due_on")
    )
    judged = (
        in_time
        | Q(status__in=[ManualClaimStatus.PAID, ManualClaimStatus.REFUSED])
        | Q(due_on__lt=timezone.localdate())
    )
    counts = ManualClaim.objects.filter(
        contract_id=contract.pk,
        documents_complete_on__gte=start,
        documents_complete_on__lte=end,
        due_on__isnull=False,
    ).aggregate(n=Count("id", filter=judged), ok=Count("id", filter=in_time))
    if not counts["n"]:
        return None
    return quantize(Decimal(counts["ok"]) / Decimal(counts["n"]), SHARE)


def complaint_figures(contract, year: int, *, today: dt.date | None = None) -> dict:
    """A contract year's complaints for the evaluation and the disclosure report: received in
    the year; `judged` = assigned ones answered or already past their deadline on `today`;
    `on_time` = answered on or before the deadline; decisions by kind."""
    from claims.choices import ComplaintStatus
    from claims.supervision.models import Complaint

    today = today or timezone.localdate()
    start, end = year_bounds(contract, year)
    qs = Complaint.objects.filter(
        contract_id=contract.pk, received_on__gte=start, received_on__lte=end
    )
    answered = Q(answered_on__isnull=False)
    judged = answered | Q(due_on__lt=today, status=ComplaintStatus.ASSIGNED)
    on_time = answered & Q(answered_on__lte=F("due_on"))
    counts = qs.aggregate(
        received=Count("id"),
        judged=Count("id", filter=Q(due_on__isnull=False) & judged),
        on_time=Count("id", filter=Q(due_on__isnull=False) & on_time),
        justified=Count("id", filter=Q(decision="justified")),
        partly=Count("id", filter=Q(decision="partly")),
        unjustified=Count("id", filter=Q(decision="unjustified")),
        open=Count("id", filter=Q(status__in=["received", "assigned", "answered"])),
    )
    return counts


def spot_check_points(contract, year: int) -> dict:
    """Findings of the spot checks performed in `year`: count and severity points."""
    from claims.supervision.models import SpotCheckFinding
    from claims.supervision.models.spot_check import SEVERITY_POINTS

    start, end = year_bounds(contract, year)
    rows = (
        SpotCheckFinding.objects.filter(
            spot_check__contract_id=contract.pk,
            spot_check__performed_on__gte=start,
            spot_check__performed_on__lte=end,
        )
        .values("severity")
        .annotate(n=Count("id"))
    )
    found = {row["severity"]: row["n"] for row in rows}
    return {
        "checks": _performed_checks(contract, start, end),
        "findings": sum(found.values()),
        "points": sum(SEVERITY_POINTS.get(k, 0) * n for k, n in found.items()),
    }


def _performed_checks(contract, start, end) -> int:
    from claims.supervision.models import SpotCheck

    return SpotCheck.objects.filter(
        contract_id=contract.pk, performed_on__gte=start, performed_on__lte=end
    ).count()
