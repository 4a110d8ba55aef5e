"""Reads of the audit app."""

from audit.chain import ChainReport, verify_chain
from audit.models import AuditEntry


def audit_entry_for_user(user):
    """The log is for auditors and directors (and superusers); nobody else reads it."""
    if not user.is_authenticated or not user.has_perm("audit.view_auditentry"):
        return AuditEntry.objects.none()
    return AuditEntry.objects.all()


def audit_chain_verify(*, chunk_size: int = 5000) -> ChainReport:
    entries = AuditEntry.objects.order_by("id").iterator(chunk_size=chunk_size)
    return verify_chain(entries)
