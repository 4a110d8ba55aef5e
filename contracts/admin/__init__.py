"""Admin screens of the contracts app (unfold), one module per aggregate."""

from contracts.admin import bonds, contracts, funds, insurers, reminders, tenders

__all__ = ["bonds", "contracts", "funds", "insurers", "reminders", "tenders"]

from contracts.admin import consents, evaluation

__all__ += ["consents", "evaluation"]
