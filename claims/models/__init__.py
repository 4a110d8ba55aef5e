"""Every model of the claims app (app_label `claims`), defined in its capability's sub-package:
Django finds them here."""

from claims.oversight.models import (
    SatisfactionSurvey,
)
from claims.settlements.models import (
    BatchChunk,
    Change,
    ChunkStatus,
    CodeColumn,
    CodeMapping,
    Compensation,
    CompensationAdjustment,
    CompensationStatus,
    MonthFigure,
    QuotaPoolEntry,
    SettlementBatch,
    SettlementRecord,
    SettlementStage,
)
from claims.supervision.models import (
    CalendarOverride,
    ClaimStatement,
    Complaint,
    FollowUpAction,
    FraudFlag,
    ManualClaim,
    ReconciliationResult,
    SpotCheck,
    SpotCheckFinding,
    StatementAdjustment,
    StatementItem,
    SupervisionConfig,
)

__all__ = [
    "BatchChunk",
    "CalendarOverride",
    "Change",
    "ChunkStatus",
    "ClaimStatement",
    "CodeColumn",
    "CodeMapping",
    "Compensation",
    "CompensationAdjustment",
    "CompensationStatus",
    "Complaint",
    "FollowUpAction",
    "FraudFlag",
    "ManualClaim",
    "MonthFigure",
    "QuotaPoolEntry",
    "ReconciliationResult",
    "SatisfactionSurvey",
    "SettlementBatch",
    "SettlementRecord",
    "SettlementStage",
    "SpotCheck",
    "SpotCheckFinding",
    "StatementAdjustment",
    "StatementItem",
    "SupervisionConfig",
]
