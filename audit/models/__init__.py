from audit.models.entry import AuditEntry
from audit.models.user import User

__all__ = ["AuditEntry", "User"]
