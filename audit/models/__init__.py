from audit.models.api_key import ApiKey, ApiScope
from audit.models.entry import AuditEntry
from audit.models.user import User

__all__ = ["ApiKey", "ApiScope", "AuditEntry", "User"]
