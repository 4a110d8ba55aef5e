"""Reads of the annual evaluation."""

from __future__ import annotations


def evaluation_result(*, contract, year: int) -> dict | None:
    """The approved evaluation of a contract year for reports (disclosure): total score, pass
    mark, passed, renewal recommendation and per-indicator rows; None while not approved."""
    from contracts.choices import EvaluationStatus
    from contracts.models import Evaluation

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
