from claims.settlements.models.batch_chunk import BatchChunk, ChunkStatus
from claims.settlements.models.code_mapping import CodeColumn, CodeMapping
from claims.settlements.models.compensation import (
    Compensation,
    CompensationAdjustment,
    CompensationStatus,
)
from claims.settlements.models.settlement import SettlementBatch, SettlementRecord, SettlementStage

__all__ = [
    "BatchChunk",
    "ChunkStatus",
    "CodeColumn",
    "CodeMapping",
    "Compensation",
    "CompensationAdjustment",
    "CompensationStatus",
    "SettlementBatch",
    "SettlementRecord",
    "SettlementStage",
]
from claims.settlements.models.quota_pool import QuotaPoolEntry as QuotaPoolEntry
from claims.supervision.models.calendar import CalendarOverride as CalendarOverride
from claims.supervision.models.fraud import FraudFlag as FraudFlag
from claims.supervision.models.manual_claim import ManualClaim as ManualClaim
from claims.supervision.models.reconciliation import ReconciliationResult as ReconciliationResult
from claims.supervision.models.reconciliation import SupervisionConfig as SupervisionConfig
from claims.supervision.models.statement import ClaimStatement as ClaimStatement
from claims.supervision.models.statement import StatementAdjustment as StatementAdjustment
from claims.supervision.models.statement import StatementItem as StatementItem

# isort: split
from claims.oversight.models.survey import SatisfactionSurvey as SatisfactionSurvey
from claims.settlements.models.change import Change as Change
from claims.settlements.models.month_figure import MonthFigure as MonthFigure
from claims.supervision.models.complaint import Complaint as Complaint
from claims.supervision.models.spot_check import FollowUpAction as FollowUpAction
from claims.supervision.models.spot_check import SpotCheck as SpotCheck
from claims.supervision.models.spot_check import SpotCheckFinding as SpotCheckFinding
