"""The Celery tasks of the claims app, gathered for Celery's autodiscovery: each capability keeps
its own thin tasks (`claims.<capability>.tasks`). Every task is named `claims.tasks.<name>`
explicitly, so the names `config/celery.py` schedules and routes (and the beat tables store) stay
what they were wherever the function lives."""

from claims.oversight.tasks import disclosures_draft, evaluations_draft
from claims.settlements.tasks import (
    batch_files_purge,
    batches_resume,
    compute_chunk,
    month_figures_add,
    partitions_ensure,
    process_batch,
)
from claims.supervision.tasks import batch_supervise, supervision_nightly

__all__ = [
    "batch_files_purge",
    "batch_supervise",
    "batches_resume",
    "compute_chunk",
    "disclosures_draft",
    "evaluations_draft",
    "month_figures_add",
    "partitions_ensure",
    "process_batch",
    "supervision_nightly",
]
