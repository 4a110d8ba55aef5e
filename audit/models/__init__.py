from audit.models.api_key import ApiKey
from audit.models.entry import AuditEntry
from audit.models.user import User

__all__ = ["ApiKey", "AuditEntry", "User"]
from audit.models.conclusion import AuditConclusion, AuditFollowUp
from audit.models.consent import Consent

__all__ += [
    "AuditConclusion",
    "AuditFollowUp",
    "Consent",
]

# isort: split
from audit.models.disclosure import DisclosureReport  # noqa: E402

__all__ += ["DisclosureReport"]

# isort: split
from audit.models.workflow import StatusChange  # noqa: E402

__all__ += ["StatusChange"]
