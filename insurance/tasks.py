from celery import shared_task

from audit.jobs import single_run


@shared_task(name="insurance.tasks.import_job_run", acks_late=True)
def import_job_run(job_id: int) -> str:
    """Run a background people/enrollment import (idempotent: only a pending job runs)."""
    from insurance.services.imports import import_job_process

    return import_job_process(job_id=job_id)


@shared_task(name="insurance.tasks.import_jobs_expire", acks_late=True)
@single_run("insurance.tasks.import_jobs_expire")
def import_jobs_expire() -> int:
    """Every quarter hour: running imports silent too long are failed and their uploads deleted;
    plain temporary files a killed process left behind are deleted too."""
    from audit.temp_files import sweep_plain_temp_files
    from insurance.services.imports import import_jobs_expire as expire

    sweep_plain_temp_files()
    return expire()
