"""Reads of the audit app: the log's chain check and consents. Import from here."""

from audit.selectors.consent import consent_valid, consents_of_insurer
from audit.selectors.log import audit_chain_verify

__all__ = ["audit_chain_verify", "consent_valid", "consents_of_insurer"]
