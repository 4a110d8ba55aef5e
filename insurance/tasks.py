from celery import shared_task


@shared_task(name="insurance.tasks.import_job_run", acks_late=True)
def import_job_run(job_id: int) -> str:
    """Run a background people/enrollment import (idempotent: only a pending job runs)."""
    from insurance.services.imports import import_job_process

    return import_job_process(job_id=job_id)
