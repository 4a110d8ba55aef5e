"""Admin of the audit app (accounts, roles, API keys, the log, authenticators, audit
conclusions) and the admin machinery every app uses: the doors (`audit.admin.doors`), audited
saves (`audit.admin.mixins`) and the workflow buttons and move pages (`audit.admin.workflow`)."""

from audit.admin import accounts, conclusions, schedules  # noqa: F401  (registrations)
