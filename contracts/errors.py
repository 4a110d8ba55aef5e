"""The contracts app's own refusals, in the one hierarchy of `audit.errors` (messages for
people, Chinese source strings)."""

from audit.errors import RuleError


class AwardRefused(RuleError):
    """A tender award was refused (eligibility, scoring, debarment)."""


class BondError(RuleError):
    """A bond or deduction was refused (amount, balance, evidence)."""
