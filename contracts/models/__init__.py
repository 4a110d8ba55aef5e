from contracts.models.bond import BondDeduction, PerformanceBond
from contracts.models.contract import (
    Contract,
    ContractDocument,
    ContractMember,
    ContractTransition,
    StaffAssignment,
    StaffingCommitment,
)
from contracts.models.insurer import (
    AdministrativePenalty,
    Debarment,
    Insurer,
    InsurerBranch,
    InsurerContact,
    InsurerStaff,
    InsurerUser,
)
from contracts.models.reminder import Reminder
from contracts.models.tender import Bid, BidCheck, EligibilityCriterion, Tender

__all__ = [
    "AdministrativePenalty",
    "Bid",
    "BidCheck",
    "BondDeduction",
    "Contract",
    "ContractDocument",
    "ContractMember",
    "ContractTransition",
    "Debarment",
    "EligibilityCriterion",
    "Insurer",
    "InsurerBranch",
    "InsurerContact",
    "InsurerStaff",
    "InsurerUser",
    "PerformanceBond",
    "Reminder",
    "StaffAssignment",
    "StaffingCommitment",
    "Tender",
]
