import logging

from celery import shared_task
from django.utils import timezone

from audit.jobs import single_run

logger = logging.getLogger(__name__)


@shared_task(name="audit.tasks.heartbeat", ignore_result=False)
def heartbeat() -> str:
    """A no-op that proves a worker is consuming."""
    return timezone.now().isoformat()


@shared_task(name="audit.tasks.add", ignore_result=False)
def add(x: int, y: int) -> int:
    """Used by the test that drives a real worker."""
    return x + y


@shared_task(name="audit.tasks.verify_audit_chain", acks_late=True)
@single_run("audit.tasks.verify_audit_chain")
def verify_audit_chain() -> dict:
    """Nightly: walk the whole chain (read-only, so safe to retry) and log the first broken link."""
    from audit.checkpoints import checkpoint_write
    from audit.choices import AuditAction
    from audit.events import record
    from audit.selectors import audit_chain_verify

    report = audit_chain_verify()
    result = {"ok": report.ok, "checked": report.checked, "first_broken_id": report.first_broken_id}
    if not report.ok:
        logger.error("audit chain broken at entry %s: %s", report.first_broken_id, report.problem)
    record(action=AuditAction.CHAIN_CHECK, summary=str(result), extra=result)
    if report.ok:
        checkpoint_write()  # anchor the verified head outside the database
    return result


@shared_task(name="audit.tasks.audit_checkpoint", acks_late=True)
@single_run("audit.tasks.audit_checkpoint")
def audit_checkpoint() -> dict | None:
    """Every few minutes: a signed checkpoint of the chain's head, outside the database."""
    from audit.checkpoints import checkpoint_write

    return checkpoint_write()


@shared_task(name="audit.tasks.audit_checkpoint_watch")
def audit_checkpoint_watch(now: str | None = None) -> str:
    """Every quarter hour: an ERROR in the log (ship it, alert on it) when the periodic
    checkpoints are missing or older than MEDSUPP_AUDIT_CHECKPOINT_MAX_AGE_MINUTES."""
    import datetime as dt

    from audit.checkpoints import CheckpointError, checkpoint_age_problem, checkpoints_read
    from audit.models import AuditEntry

    moment = dt.datetime.fromisoformat(now) if now else None
    try:
        checkpoints = checkpoints_read()
    except CheckpointError as exc:
        problem = str(exc)
    else:
        oldest = AuditEntry.objects.order_by("id").values_list("at", flat=True).first()
        problem = checkpoint_age_problem(checkpoints, oldest, moment)
    if problem:
        logger.error("audit checkpoints not current: %s", problem)
    return problem or "ok"
