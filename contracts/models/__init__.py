from contracts.models.bond import BondDeduction, PerformanceBond
from contracts.models.contract import (
    Contract,
    ContractDocument,
    ContractMember,
    StaffAssignment,
    StaffingCommitment,
)
from contracts.models.funding import FundingCalculation
from contracts.models.insurer import (
    AdministrativePenalty,
    Debarment,
    Insurer,
    InsurerBranch,
    InsurerContact,
    InsurerStaff,
    InsurerUser,
)
from contracts.models.ledger import LedgerEntry
from contracts.models.reminder import Reminder
from contracts.models.reserve import ReserveRelease, ReserveReleaseBand
from contracts.models.settlement import SettlementLine, YearEndSettlement
from contracts.models.tender import Bid, BidCheck, EligibilityCriterion, Tender
from contracts.models.transfer import PaymentPart, Transfer

__all__ = [
    "AdministrativePenalty",
    "Bid",
    "BidCheck",
    "BondDeduction",
    "Contract",
    "ContractDocument",
    "ContractMember",
    "Debarment",
    "EligibilityCriterion",
    "FundingCalculation",
    "Insurer",
    "InsurerBranch",
    "InsurerContact",
    "InsurerStaff",
    "InsurerUser",
    "LedgerEntry",
    "PaymentPart",
    "PerformanceBond",
    "Reminder",
    "ReserveRelease",
    "ReserveReleaseBand",
    "SettlementLine",
    "StaffAssignment",
    "StaffingCommitment",
    "Tender",
    "Transfer",
    "YearEndSettlement",
]

from contracts.models.evaluation import Evaluation as Evaluation
from contracts.models.evaluation import EvaluationIndicator as EvaluationIndicator
from contracts.models.evaluation import EvaluationScore as EvaluationScore
