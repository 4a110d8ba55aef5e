"""Celery tasks of the claims app, one module per job (thin: each calls its service). Celery finds
them through this package; the task names (`claims.tasks.<name>`) are what `config/celery.py`
schedules."""

from claims.oversight.tasks.disclosure import disclosures_draft
from claims.oversight.tasks.evaluation import evaluations_draft
from claims.settlements.tasks import (
    batch_files_purge,
    batches_resume,
    compute_chunk,
    month_figures_add,
    process_batch,
)
from claims.supervision.tasks import supervision_nightly

__all__ = [
    "batch_files_purge",
    "batches_resume",
    "compute_chunk",
    "disclosures_draft",
    "evaluations_draft",
    "month_figures_add",
    "process_batch",
    "supervision_nightly",
]
