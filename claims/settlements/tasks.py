"""The settlement batch tasks: processing, run by a worker as soon as an upload commits, adding a
computed batch to the dashboard's month figures, the daily deletion of files past their
retention, and the monthly making of the coming years' partitions."""

import psycopg
from celery import shared_task
from django.db import IntegrityError, OperationalError

from audit.jobs import single_run
from claims.settlements.services.compute import PeopleChangedMeanwhile

# A chunk that collides with a chunk of another batch computing the same person at the same
# time (the unique key of a compensation or of a person's running totals, a deadlock between
# their writes, or the other batch stored and computed between two of its reads) rolled back
# whole: tried again in seconds, when the other has committed and its figures are read, not
# half an hour later by `batches_resume`. The COPYs raise psycopg's own.
CHUNK_CONFLICTS = (
    IntegrityError,
    OperationalError,
    psycopg.IntegrityError,
    psycopg.OperationalError,
    PeopleChangedMeanwhile,
)


@shared_task(name="claims.tasks.process_batch", acks_late=True)
def process_batch(batch_id: int) -> str:
    """Idempotent: the service locks the batch and only moves it forward."""
    from claims.settlements.services.batches import batch_process

    return batch_process(batch_id=batch_id).status


@shared_task(
    name="claims.tasks.compute_chunk",
    bind=True,
    acks_late=True,  # acknowledged once done: a worker killed meanwhile leaves it queued
    reject_on_worker_lost=True,  # a pool process lost: the chunk goes back to the queue
    autoretry_for=CHUNK_CONFLICTS,
    retry_backoff=2,  # 2, 4, 8 … seconds, jittered: two colliding chunks do not meet again
    retry_backoff_max=120,
    max_retries=8,  # then the chunk stays pending for batches_resume
)
def compute_chunk(self, batch_id: int, index: int) -> int:
    """One chunk of a batch's compute step, on the `ingest` queue (config/celery.py). Idempotent:
    the chunk's row lock and status make a retried or doubled chunk leave one result."""
    from claims.settlements.services.compute import compute_chunk as compute

    made, _adjusted = compute(batch_id=batch_id, index=index, worker=self.request.hostname or "")
    return made


@shared_task(name="claims.tasks.batches_resume", acks_late=True)
@single_run("claims.tasks.batches_resume")
def batches_resume() -> int:
    """Every 15 minutes: applied batches whose compute stalled get their pending chunks queued."""
    from claims.settlements.services.batches import batches_resume as resume

    return resume()


@shared_task(name="claims.tasks.month_figures_add", acks_late=True)
def month_figures_add(batch_id: int) -> int:
    """After a batch's compute, off its clock. Idempotent: a batch is added once."""
    from claims.settlements.services.month_figures import month_figures_add_batch

    return month_figures_add_batch(batch_id=batch_id)


@shared_task(name="claims.tasks.partitions_ensure", acks_late=True)
@single_run("claims.tasks.partitions_ensure")
def partitions_ensure() -> int:
    """Monthly: the coming years' partitions of the big tables (PostgreSQL), made ahead."""
    from claims.settlements.services.partitions import partitions_ensure as ensure

    return len(ensure())


@shared_task(name="claims.tasks.batch_files_purge", acks_late=True)
@single_run("claims.tasks.batch_files_purge")
def batch_files_purge() -> int:
    """Daily: settlement files past MEDSUPP_BATCH_FILE_RETENTION_DAYS are deleted."""
    from claims.settlements.services.batch_files import batch_files_purge as purge

    return purge()
