"""Reads of the audit app."""

from audit.chain import ChainReport, verify_chain
from audit.checkpoints import CheckpointError, checkpoints_read
from audit.models import AuditEntry


def audit_chain_verify(*, chunk_size: int = 5000) -> ChainReport:
    """The chain, checked link by link and against every signed checkpoint kept outside the
    database (`audit.checkpoints`)."""
    try:
        checkpoints = checkpoints_read()
    except CheckpointError as exc:
        return ChainReport(0, None, f"checkpoints: {exc}")
    entries = AuditEntry.objects.order_by("id").iterator(chunk_size=chunk_size)
    return verify_chain(entries, checkpoints)
