"""Writes of the contracts app. Import from here: `from contracts.services import ...`."""

from contracts.services.bonds import (
    bond_deduction_approve,
    bond_deduction_propose,
    bond_deduction_reject,
    bond_lodge,
)
from contracts.services.contracts import (
    contract_members_set,
    contract_save,
    contract_transition,
)
from contracts.services.insurers import insurer_debar, insurer_user_link
from contracts.services.reminders import reminder_mark_done, reminders_generate
from contracts.services.tenders import (
    bid_check_review,
    bid_checks_open,
    bid_score,
    bid_submit,
    tender_award,
)

__all__ = [
    "bid_check_review",
    "bid_checks_open",
    "bid_score",
    "bid_submit",
    "bond_deduction_approve",
    "bond_deduction_propose",
    "bond_deduction_reject",
    "bond_lodge",
    "contract_members_set",
    "contract_save",
    "contract_transition",
    "insurer_debar",
    "insurer_user_link",
    "reminder_mark_done",
    "reminders_generate",
    "tender_award",
]
