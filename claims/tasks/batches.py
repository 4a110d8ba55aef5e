"""The settlement batch task: run by a worker as soon as an upload commits."""

from celery import shared_task


@shared_task(name="claims.tasks.process_batch", acks_late=True)
def process_batch(batch_id: int) -> str:
    """Idempotent: the service locks the batch and only moves it forward."""
    from claims.services.batches import batch_process

    return batch_process(batch_id=batch_id).status
