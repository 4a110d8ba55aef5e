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
def evaluations_draft(year: int | None = None) -> dict:
    """After year end: draft each evaluated contract's evaluation of `year` (default: last year).
    Idempotent: one evaluation per (contract, year), an existing one is left as it is."""
    from django.utils import timezone

    from claims.services.evaluation import evaluations_draft_year

    year = int(year) if year else timezone.localdate().year - 1
    return evaluations_draft_year(year=year)


from claims.tasks_disclosure import disclosures_draft  # noqa: E402, F401
