"""Reads of the claims app. Every queryset a user can reach goes through
`audit.scoping.restrict` (permission and row scope in one call); the row scopes are declared in
`claims/scopes.py`."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet, Sum

from audit.scoping import has_model_permission, restrict, scope_of
from claims.models import (
    Compensation,
    CompensationAdjustment,
    MonthFigure,
    SettlementBatch,
    SettlementRecord,
)
from contracts.scopes import is_insurer_side  # noqa: F401  (re-exported)
from insurance.engine.money import quantize

SHARE = Decimal("0.0001")  # a share 0..1, rounded to 4 places


def settlement_batch_for_user(user, action: str = "view") -> QuerySet[SettlementBatch]:
    qs = SettlementBatch.objects.select_related("contract", "insurer", "uploaded_by")
    return restrict(qs, user, action)


def settlement_record_for_user(user, action: str = "view") -> QuerySet[SettlementRecord]:
    return restrict(SettlementRecord.objects.select_related("batch", "contract"), user, action)


def month_figures_for_user(user) -> QuerySet[MonthFigure]:
    """The dashboard's month figures the user may see: they are compensations, so the
    compensation permission opens them, and the records' own row scope limits them."""
    if not has_model_permission(user, Compensation, "view"):
        return MonthFigure.objects.none()
    return scope_of(MonthFigure)(MonthFigure.objects.all(), user)


def compensation_due_total(*, contract_id: int, start, end) -> Decimal:
    """What the engine says the insurer owed on the contract's settlements dated start..end
    (inclusive, by settlement date): first computations plus every adjustment since."""
    records = SettlementRecord.objects.filter(
        contract_id=contract_id, setl_time__date__gte=start, setl_time__date__lte=end
    )
    first = Compensation.objects.filter(record__in=records).aggregate(s=Sum("total"))["s"]
    adjusted = CompensationAdjustment.objects.filter(record__in=records).aggregate(s=Sum("total"))[
        "s"
    ]
    return (first or Decimal("0.00")) + (adjusted or Decimal("0.00"))


# --- claims supervision: reconciliation, statements, manual claims, fraud flags ---------------

import datetime as dt  # noqa: E402

from django.db.models import Count, F, Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from claims.choices import DISCREPANCIES, ManualClaimStatus  # noqa: E402
from claims.models import ReconciliationResult  # noqa: E402


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


def quota_pool_balances(qs: QuerySet) -> list[dict]:
    """The pool per scheme year: entries and the sum returned (one GROUP BY over `qs`)."""
    rows = list(
        qs.order_by()
        .values("scheme_year_id", "scheme_year__scheme__name", "scheme_year__year")
        .annotate(n=Count("id"), balance=Sum("amount"))
        .order_by("scheme_year__scheme__name", "-scheme_year__year")
    )
    for row in rows:
        row["balance"] = quantize(row["balance"])  # SQLite's sum drops the fen's zeros
    return rows


def _year_bounds(contract, year: int) -> tuple[dt.date, dt.date]:
    """The contract year's insurance year (the scheme's, `contracts.periods`): operational
    figures (complaints, spot checks, reconciliation months) are counted over it."""
    from contracts.periods import contract_year

    period = contract_year(contract, year)
    return period.insurance_start, period.end


def discrepancy_rate(contract, year: int) -> Decimal | None:
    """For the annual evaluation: share (0..1, 4 places) of the contract's reconciled settlements
    of the year (by settlement month) that are not matched; None when nothing was reconciled."""

    start, end = _year_bounds(contract, year)
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

    from claims.models import ManualClaim

    start, end = _year_bounds(contract, year)
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


# --- complaints, spot checks, satisfaction surveys (issue 9) -----------------------------------


def complaint_figures(contract, year: int, *, today: dt.date | None = None) -> dict:
    """A contract year's complaints for the evaluation and the disclosure report: received in
    the year; `judged` = assigned ones answered or already past their deadline on `today`;
    `on_time` = answered on or before the deadline; decisions by kind."""
    from claims.choices import ComplaintStatus
    from claims.models import Complaint

    today = today or timezone.localdate()
    start, end = _year_bounds(contract, year)
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


def insured_headcount(contract, year: int) -> int:
    """People enrolled (not cancelled) in the contract's scheme for `year`."""
    from insurance.choices import EnrollmentStatus
    from insurance.models import Enrollment

    return (
        Enrollment.objects.filter(scheme_year__scheme_id=contract.scheme_id, scheme_year__year=year)
        .exclude(status=EnrollmentStatus.CANCELLED)
        .values("person_id")
        .distinct()
        .count()
    )


def spot_check_points(contract, year: int) -> dict:
    """Findings of the spot checks performed in `year`: count and severity points."""
    from claims.models import SpotCheckFinding
    from claims.supervision.models.spot_check import SEVERITY_POINTS

    start, end = _year_bounds(contract, year)
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
    from claims.models import SpotCheck

    return SpotCheck.objects.filter(
        contract_id=contract.pk, performed_on__gte=start, performed_on__lte=end
    ).count()


def satisfaction_figures(contract, year: int) -> dict:
    """Surveys whose period ends in `year`: respondents, satisfied, satisfied share (0..1)."""
    from claims.models import SatisfactionSurvey

    start, end = _year_bounds(contract, year)
    sums = SatisfactionSurvey.objects.filter(
        contract_id=contract.pk, period_end__gte=start, period_end__lte=end
    ).aggregate(respondents=Sum("respondents"), satisfied=Sum("satisfied"), n=Count("id"))
    respondents = sums["respondents"] or 0
    share = None
    if respondents:
        share = quantize(Decimal(sums["satisfied"] or 0) / Decimal(respondents), SHARE)
    return {"surveys": sums["n"], "respondents": respondents, "share": share}
