"""Row scopes of the audit app: every row for whoever holds the model permission (users, roles,
API keys, the log and the status changes of every workflow, audit conclusions, disclosure reports).
A document's status changes are shown on its own page, which its scope already guards. Consents
are scoped by insurer, which only the claims app knows: `claims.scopes` declares them."""

from django.contrib.auth.models import Group

from audit.models import (
    ApiKey,
    AuditConclusion,
    AuditEntry,
    AuditFollowUp,
    DisclosureReport,
    StatusChange,
    User,
)
from audit.scoping import Everyone, row_scope

row_scope(
    User, Group, ApiKey, AuditEntry, StatusChange, AuditConclusion, AuditFollowUp, DisclosureReport
)(Everyone())
row_scope("otp_totp.TOTPDevice")(Everyone())  # administrators reset a lost authenticator
