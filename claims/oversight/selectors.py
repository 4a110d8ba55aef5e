"""Reads of the oversight: a contract year's insured headcount and satisfaction surveys."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum

from claims.settlements.selectors import SHARE, year_bounds
from insurance.engine.money import quantize


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


def satisfaction_figures(contract, year: int) -> dict:
    """Surveys whose period ends in `year`: respondents, satisfied, satisfied share (0..1)."""
    from claims.oversight.models import SatisfactionSurvey

    start, end = year_bounds(contract, year)
    sums = SatisfactionSurvey.objects.filter(
        contract_id=contract.pk, period_end__gte=start, period_end__lte=end
    ).aggregate(respondents=Sum("respondents"), satisfied=Sum("satisfied"), n=Count("id"))
    respondents = sums["respondents"] or 0
    share = None
    if respondents:
        share = quantize(Decimal(sums["satisfied"] or 0) / Decimal(respondents), SHARE)
    return {"surveys": sums["n"], "respondents": respondents, "share": share}
