"""Admin screens of the contracts app (unfold), one module per aggregate."""

from contracts.admin import bonds, contracts, insurers, reminders, tenders

__all__ = ["bonds", "contracts", "insurers", "reminders", "tenders"]
