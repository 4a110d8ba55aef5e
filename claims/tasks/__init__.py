"""Celery tasks of the claims app, one module per job (thin: each calls its service). Celery finds
them through this package; the task names (`claims.tasks.<name>`) are what `config/celery.py`
schedules."""

from claims.tasks.batches import (
    batch_files_purge,
    batches_resume,
    compute_chunk,
    month_figures_add,
    process_batch,
)
from claims.tasks.disclosure import disclosures_draft
from claims.tasks.evaluation import evaluations_draft
from claims.tasks.supervision import supervision_nightly

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
