"""Row scopes of the audit app: every row for whoever holds the model permission (users, roles,
API keys, the log, audit conclusions, disclosure reports). Consents are scoped by insurer, which
only the claims app knows: `claims.scopes` declares them."""

from django.contrib.auth.models import Group

from audit.models import ApiKey, AuditConclusion, AuditEntry, AuditFollowUp, DisclosureReport, User
from audit.scoping import Everyone, row_scope

row_scope(User, Group, ApiKey, AuditEntry, AuditConclusion, AuditFollowUp, DisclosureReport)(
    Everyone()
)
row_scope("otp_totp.TOTPDevice")(Everyone())  # administrators reset a lost authenticator
