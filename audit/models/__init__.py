from audit.models.api_key import ApiKey, ApiScope
from audit.models.entry import AuditEntry
from audit.models.user import User

__all__ = ["ApiKey", "ApiScope", "AuditEntry", "User"]
from audit.models.conclusion import (
    AuditConclusion,
    AuditFollowUp,
    AuditOpinion,
    ConclusionStatus,
    FollowUpStatus,
)
from audit.models.consent import Consent, ConsentChannel, ConsentScope

__all__ += [
    "AuditConclusion",
    "AuditFollowUp",
    "AuditOpinion",
    "ConclusionStatus",
    "Consent",
    "ConsentChannel",
    "ConsentScope",
    "FollowUpStatus",
]

# isort: split
from audit.models.disclosure import DisclosureReport, DisclosureStatus  # noqa: E402

__all__ += ["DisclosureReport", "DisclosureStatus"]
