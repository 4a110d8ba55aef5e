"""Reads of the claims app: the one door (`*_for_user`) to every claims table."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet, Sum

from claims.models import Compensation, CompensationAdjustment, SettlementBatch, SettlementRecord
from contracts.selectors import contract_for_user, insurer_of
from insurance.engine.money import quantize
from insurance.selectors import ALL, region_scope_ids


def is_insurer_side(user) -> bool:
    """A user working for an insurer: linked to one, or holding the insurer role (unlinked)."""
    return insurer_of(user) is not None or "insurer" in user.role_codes


def _insurer_scoped(qs: QuerySet, user) -> QuerySet:
    """Insurer users: their contracts only. Bureau staff: everything (then region, see below)."""
    if not user.is_authenticated:
        return qs.none()
    if is_insurer_side(user):
        return qs.filter(contract_id__in=contract_for_user(user).values("id"))
    return qs


def settlement_batch_for_user(user) -> QuerySet[SettlementBatch]:
    qs = SettlementBatch.objects.select_related("contract", "insurer", "uploaded_by")
    qs = _insurer_scoped(qs, user)
    insurer = insurer_of(user)
    if insurer is not None:
        # A co-insurer sees the contract, but only its own uploads.
        qs = qs.filter(insurer=insurer)
    return qs


def settlement_record_for_user(user) -> QuerySet[SettlementRecord]:
    qs = _insurer_scoped(SettlementRecord.objects.select_related("batch", "contract"), user)
    if insurer_of(user) is None and user.is_authenticated:
        scope = region_scope_ids(user)
        if scope is not ALL:
            qs = qs.filter(person__region_id__in=scope)
    return qs


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

from claims.choices_supervision import DISCREPANCIES, ManualClaimStatus  # noqa: E402
from claims.models import (  # noqa: E402
    CalendarOverride,
    ClaimStatement,
    FraudFlag,
    ManualClaim,
    QuotaPoolEntry,
    ReconciliationResult,
    StatementAdjustment,
    StatementItem,
    SupervisionConfig,
)


def _own_insurer(qs: QuerySet, user) -> QuerySet:
    """On top of the contract door: a (co-)insurer sees only rows of its own insurer."""
    qs = _insurer_scoped(qs, user)
    insurer = insurer_of(user)
    return qs.filter(insurer=insurer) if insurer is not None else qs


def _record_region(qs: QuerySet, user, path: str = "record__person__region_id") -> QuerySet:
    if user.is_authenticated and insurer_of(user) is None:
        scope = region_scope_ids(user)
        if scope is not ALL:
            qs = qs.filter(**{f"{path}__in": scope})
    return qs


def reconciliation_for_user(user) -> QuerySet:
    qs = ReconciliationResult.objects.select_related(
        "record", "contract", "insurer", "record__compensation"
    )
    return _record_region(_own_insurer(qs, user), user)


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


def claim_statement_for_user(user) -> QuerySet:
    qs = ClaimStatement.objects.select_related(
        "contract", "insurer", "submitted_by", "reviewed_by", "approved_by"
    )
    return _own_insurer(qs, user)


def statement_item_for_user(user) -> QuerySet:
    statements = claim_statement_for_user(user).values("id")
    return StatementItem.objects.filter(statement_id__in=statements).select_related(
        "statement", "record", "decided_by"
    )


def statement_adjustment_for_user(user) -> QuerySet:
    qs = StatementAdjustment.objects.select_related("statement", "item", "contract", "insurer")
    return _own_insurer(qs, user)


def manual_claim_for_user(user) -> QuerySet:
    qs = ManualClaim.objects.select_related("contract", "person", "decided_by")
    return _record_region(_insurer_scoped(qs, user), user, "person__region_id")


def fraud_flag_for_user(user) -> QuerySet:
    qs = FraudFlag.objects.select_related("record", "other_record", "contract", "person")
    return _record_region(_insurer_scoped(qs, user), user, "person__region_id")


def quota_pool_for_user(user) -> QuerySet:
    """The common pool's entries: personal data of the register, so bureau staff only, each
    clerk the people of his region (insurers receive personal data only through settlements)."""
    if not user.is_authenticated or is_insurer_side(user):
        return QuotaPoolEntry.objects.none()
    qs = QuotaPoolEntry.objects.select_related(
        "person", "scheme_year__scheme", "enrollment", "created_by"
    )
    return _record_region(qs, user, "person__region_id")


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


def calendar_override_for_user(user) -> QuerySet:
    """Reference data: every signed-in user may read the calendar."""
    return (
        CalendarOverride.objects.all() if user.is_authenticated else CalendarOverride.objects.none()
    )


def supervision_config_for_user(user) -> QuerySet:
    """Bureau-only settings: the review sample size, the must-review amount and the fraud outlier
    thresholds would tell the supervised insurer how to stay below the bureau's checks, so no
    insurer user sees them, not even for its own contracts."""
    if not user.is_authenticated or is_insurer_side(user):
        return SupervisionConfig.objects.none()
    return SupervisionConfig.objects.select_related("contract")


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
    return (Decimal(counts["gaps"]) / Decimal(counts["n"])).quantize(Decimal("0.0001"))


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
    return (Decimal(counts["ok"]) / Decimal(counts["n"])).quantize(Decimal("0.0001"))


# --- complaints, spot checks, satisfaction surveys (issue 9) -----------------------------------


def complaint_for_user(user) -> QuerySet:
    """Insurer users: complaints assigned to their own insurer. Bureau staff: all (by region)."""
    from claims.models import Complaint

    qs = Complaint.objects.select_related("contract", "insurer", "person")
    return _record_region(_own_insurer(qs, user), user, "person__region_id")


def complaint_transition_for_user(user) -> QuerySet:
    from claims.models import ComplaintTransition

    return ComplaintTransition.objects.filter(
        complaint__in=complaint_for_user(user).values("id")
    ).select_related("actor")


def spot_check_for_user(user) -> QuerySet:
    from claims.models import SpotCheck

    return _insurer_scoped(SpotCheck.objects.select_related("contract"), user)


def spot_check_finding_for_user(user) -> QuerySet:
    from claims.models import SpotCheckFinding

    return SpotCheckFinding.objects.filter(
        spot_check__in=spot_check_for_user(user).values("id")
    ).select_related("spot_check")


def follow_up_action_for_user(user) -> QuerySet:
    from claims.models import FollowUpAction

    return FollowUpAction.objects.filter(
        finding__spot_check__in=spot_check_for_user(user).values("id")
    ).select_related("finding")


def satisfaction_survey_for_user(user) -> QuerySet:
    from claims.models import SatisfactionSurvey

    return _insurer_scoped(SatisfactionSurvey.objects.select_related("contract"), user)


def complaint_figures(contract, year: int, *, today: dt.date | None = None) -> dict:
    """A contract year's complaints for the evaluation and the disclosure report: received in
    the year; `judged` = assigned ones answered or already past their deadline on `today`;
    `on_time` = answered on or before the deadline; decisions by kind."""
    from claims.models import Complaint
    from claims.models.complaint import ComplaintStatus

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
    from claims.models.spot_check import SEVERITY_POINTS

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
        share = (Decimal(sums["satisfied"] or 0) / Decimal(respondents)).quantize(Decimal("0.0001"))
    return {"surveys": sums["n"], "respondents": respondents, "share": share}
