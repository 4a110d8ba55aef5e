from celery import shared_task

from audit.jobs import single_run


@shared_task(name="claims.tasks.process_batch", acks_late=True)
def process_batch(batch_id: int) -> str:
    """Idempotent: the service locks the batch and only moves it forward."""
    from claims.services.batches import batch_process

    return batch_process(batch_id=batch_id).status


from claims.tasks_supervision import supervision_nightly  # noqa: E402, F401


@shared_task(name="claims.tasks.evaluations_draft", acks_late=True)
@single_run("claims.tasks.evaluations_draft")
def evaluations_draft(year: int | None = None, on: str | None = None) -> dict:
    """Daily: draft the evaluation of every contract year that has just ended (each scheme's
    insurance year); with `year`, that year of every contract. Idempotent: one evaluation per
    (contract, year), an existing one is left as it is."""
    import datetime as dt

    from django.utils import timezone

    from claims.services.evaluation import evaluations_draft_due, evaluations_draft_year

    if year:
        return evaluations_draft_year(year=int(year))
    return evaluations_draft_due(on=dt.date.fromisoformat(on) if on else timezone.localdate())


from claims.tasks_disclosure import disclosures_draft  # noqa: E402, F401
