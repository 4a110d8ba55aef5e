"""Reads of the annual evaluation."""

from __future__ import annotations

from contracts.selectors.core import _ALL, _by_contract, _scope


def evaluation_for_user(user):
    """Bureau staff see every evaluation; an insurer user sees only approved evaluations of its
    contracts (a draft is the bureau's working paper)."""
    from contracts.models import Evaluation
    from contracts.models.evaluation import EvaluationStatus

    qs = _by_contract(Evaluation, user).select_related(
        "contract", "contract__lead_insurer", "contract__scheme", "drafted_by", "approved_by"
    )
    if _scope(user) is not _ALL:
        qs = qs.filter(status=EvaluationStatus.APPROVED)
    return qs


def evaluation_score_for_user(user):
    from contracts.models import EvaluationScore

    return EvaluationScore.objects.filter(
        evaluation__in=evaluation_for_user(user).values("id")
    ).select_related("evaluation", "indicator", "scored_by")


def evaluation_indicator_for_user(user):
    """The catalogue is bureau reference data: insurer users do not see it."""
    from contracts.models import EvaluationIndicator

    if _scope(user) is not _ALL:
        return EvaluationIndicator.objects.none()
    return EvaluationIndicator.objects.select_related("scheme")


def evaluation_result(*, contract, year: int) -> dict | None:
    """The approved evaluation of a contract year for reports (disclosure): total score, pass
    mark, passed, renewal recommendation and per-indicator rows; None while not approved."""
    from contracts.models import Evaluation
    from contracts.models.evaluation import EvaluationStatus

    evaluation = Evaluation.objects.filter(
        contract=contract, year=year, status=EvaluationStatus.APPROVED
    ).first()
    if evaluation is None:
        return None
    return {
        "evaluation": evaluation,
        "total_score": evaluation.total_score,
        "pass_mark": evaluation.pass_mark,
        "passed": evaluation.passed,
        "renewal_recommendation": evaluation.renewal_recommendation,
        "rows": [
            {"name": row.name, "weight": row.weight, "value": row.value, "score": row.score}
            for row in evaluation.scores.all()
        ],
    }
