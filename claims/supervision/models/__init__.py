"""The supervision's models: reconciliation and its settings, statements and adjustments, fraud
flags, manual claims, complaints, spot checks and the working calendar."""

from claims.supervision.models.calendar import CalendarOverride
from claims.supervision.models.complaint import Complaint
from claims.supervision.models.fraud import FraudFlag
from claims.supervision.models.manual_claim import ManualClaim
from claims.supervision.models.reconciliation import ReconciliationResult, SupervisionConfig
from claims.supervision.models.spot_check import FollowUpAction, SpotCheck, SpotCheckFinding
from claims.supervision.models.statement import ClaimStatement, StatementAdjustment, StatementItem

__all__ = [
    "CalendarOverride",
    "ClaimStatement",
    "Complaint",
    "FollowUpAction",
    "FraudFlag",
    "ManualClaim",
    "ReconciliationResult",
    "SpotCheck",
    "SpotCheckFinding",
    "StatementAdjustment",
    "StatementItem",
    "SupervisionConfig",
]
