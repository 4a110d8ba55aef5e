"""Reads of the audit app."""

from audit.chain import ChainReport, verify_chain
from audit.models import AuditEntry


def audit_chain_verify(*, chunk_size: int = 5000) -> ChainReport:
    entries = AuditEntry.objects.order_by("id").iterator(chunk_size=chunk_size)
    return verify_chain(entries)
