"""Reads of the audit app."""

from audit.chain import ChainReport, verify_chain
from audit.checkpoints import CheckpointError, checkpoint_age_problem, checkpoints_read
from audit.models import AuditEntry


def audit_chain_verify(*, chunk_size: int = 5000, now=None) -> ChainReport:
    """The chain, checked link by link and against every signed checkpoint and anchor kept
    outside the database (`audit.checkpoints`); then whether those checkpoints are current."""
    try:
        checkpoints = checkpoints_read()
    except CheckpointError as exc:
        return ChainReport(0, None, f"checkpoints: {exc}")
    entries = AuditEntry.objects.order_by("id").iterator(chunk_size=chunk_size)
    report = verify_chain(entries, checkpoints)
    if not report.ok:
        return report
    oldest = AuditEntry.objects.order_by("id").values_list("at", flat=True).first()
    problem = checkpoint_age_problem(checkpoints, oldest, now)
    return ChainReport(report.checked, None, f"checkpoints: {problem}") if problem else report
