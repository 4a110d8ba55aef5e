"""Writes of the audit app, one module per area: accounts and API keys, consents, audit
conclusions. Import the functions from here: `from audit.services import ...`."""

from audit.services.accounts import api_key_create, api_key_revoke, user_ensure
from audit.services.conclusions import (
    conclusion_check,
    conclusion_create,
    conclusion_sign,
    conclusion_update,
    followup_check,
    followup_delete,
    followup_save,
)
from audit.services.consent import consent_record, consent_revoke

__all__ = [
    "api_key_create",
    "api_key_revoke",
    "conclusion_check",
    "conclusion_create",
    "conclusion_sign",
    "conclusion_update",
    "consent_record",
    "consent_revoke",
    "followup_check",
    "followup_delete",
    "followup_save",
    "user_ensure",
]
