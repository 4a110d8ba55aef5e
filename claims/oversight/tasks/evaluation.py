"""The daily evaluation job: draft each contract year's evaluation once the year has ended."""

from celery import shared_task

from audit.jobs import single_run


@shared_task(name="claims.tasks.evaluations_draft", acks_late=True)
@single_run("claims.tasks.evaluations_draft")
def evaluations_draft(year: int | None = None, on: str | None = None) -> dict:
    """Daily: draft the evaluation of every contract year that has just ended (each scheme's
    insurance year); with `year`, that year of every contract. Idempotent: one evaluation per
    (contract, year), an existing one is left as it is."""
    import datetime as dt

    from django.utils import timezone

    from claims.oversight.services.evaluation import evaluations_draft_due, evaluations_draft_year

    if year:
        return evaluations_draft_year(year=int(year))
    return evaluations_draft_due(on=dt.date.fromisoformat(on) if on else timezone.localdate())
