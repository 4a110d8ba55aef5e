"""The Celery app and the one place where every periodic schedule is declared.

django-celery-beat's DatabaseScheduler copies `beat_schedule` into its tables at start, so staff
see and can edit (or pause) each schedule in the admin; the code here stays the default.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("medsupp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Queues: the compute chunks of settlement batches go to `ingest`, served by workers of their own
# (`celery -A config worker -Q ingest`) so a large upload does not delay the nightly jobs.
app.conf.task_routes = {"claims.tasks.compute_chunk": {"queue": "ingest"}}

# name -> task and when. Add every periodic job here and nowhere else.
app.conf.beat_schedule = {
    "audit-verify-chain-nightly": {
        "task": "audit.tasks.verify_audit_chain",
        "schedule": crontab(hour=2, minute=30),
    },
    "audit-checkpoint": {
        "task": "audit.tasks.audit_checkpoint",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 600},
    },
    "audit-checkpoint-watch": {
        # an ERROR in the log when the checkpoints stop (MEDSUPP_AUDIT_CHECKPOINT_MAX_AGE_MINUTES)
        "task": "audit.tasks.audit_checkpoint_watch",
        "schedule": crontab(minute="5-59/15"),
        "options": {"expires": 600},
    },
    "healthcheck-heartbeat": {
        "task": "audit.tasks.heartbeat",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 600},
    },
    "insurance-import-jobs-expire": {
        # running imports silent for MEDSUPP_IMPORT_JOB_STALE_MINUTES: failed, upload deleted;
        # plain temporary files a killed process left behind: deleted
        "task": "insurance.tasks.import_jobs_expire",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 600},
    },
    "contracts-reminders-daily": {
        "task": "contracts.tasks.reminders_generate",
        "schedule": crontab(hour=6, minute=30),
        "options": {"expires": 60 * 60 * 12},
    },
    "contracts-transfers-due-daily": {
        # quarters follow each scheme's insurance year (Huizhou's starts in July), so the job
        # looks every morning for quarters that have begun and have no transfer yet
        "task": "contracts.tasks.transfers_generate",
        "schedule": crontab(hour=7, minute=0),
        "options": {"expires": 60 * 60 * 12},
    },
    "claims-batches-resume": {
        # applied batches whose compute chunks stalled (MEDSUPP_BATCH_RESUME_MINUTES): queued again
        "task": "claims.tasks.batches_resume",
        "schedule": crontab(minute="10-59/15"),
        "options": {"expires": 600},
    },
    "claims-batch-files-purge-daily": {
        # settlement files past MEDSUPP_BATCH_FILE_RETENTION_DAYS after their apply or rejection
        "task": "claims.tasks.batch_files_purge",
        "schedule": crontab(hour=3, minute=45),
        "options": {"expires": 60 * 60 * 12},
    },
    "claims-partitions-ensure": {
        # the yearly partitions of records, compensations and results, made two years ahead
        "task": "claims.tasks.partitions_ensure",
        "schedule": crontab(day_of_month=1, hour=4, minute=20),
        "options": {"expires": 60 * 60 * 24},
    },
    "claims-supervision-nightly": {
        "task": "claims.tasks.supervision_nightly",
        "schedule": crontab(hour=3, minute=15),
        "options": {"expires": 60 * 60 * 12},
    },
    "claims-evaluations-draft-daily": {
        "task": "claims.tasks.evaluations_draft",
        # each contract year is drafted a few days after it ends (its insurance year: January
        # for a calendar year, July for Huizhou's), once its last data is in
        "schedule": crontab(hour=6, minute=0),
        "options": {"expires": 60 * 60 * 12},
    },
    "claims-disclosures-draft-monthly": {
        "task": "claims.tasks.disclosures_draft",
        # the 20th: drafts (or refreshes the draft of) each scheme year ended 19 days to a year
        # ago: a calendar year in January, Huizhou's July-June year in July
        "schedule": crontab(day_of_month=20, hour=6, minute=30),
        "options": {"expires": 60 * 60 * 24},
    },
}
