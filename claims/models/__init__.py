from claims.models.batch_chunk import BatchChunk, ChunkStatus
from claims.models.code_mapping import CodeColumn, CodeMapping
from claims.models.compensation import Compensation, CompensationAdjustment, CompensationStatus
from claims.models.settlement import SettlementBatch, SettlementRecord, SettlementStage

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
from claims.models.calendar import CalendarOverride as CalendarOverride
from claims.models.fraud import FraudFlag as FraudFlag
from claims.models.manual_claim import ManualClaim as ManualClaim
from claims.models.quota_pool import QuotaPoolEntry as QuotaPoolEntry
from claims.models.reconciliation import ReconciliationResult as ReconciliationResult
from claims.models.reconciliation import SupervisionConfig as SupervisionConfig
from claims.models.statement import ClaimStatement as ClaimStatement
from claims.models.statement import StatementAdjustment as StatementAdjustment
from claims.models.statement import StatementItem as StatementItem

# isort: split
from claims.models.change import Change as Change
from claims.models.complaint import Complaint as Complaint
from claims.models.month_figure import MonthFigure as MonthFigure
from claims.models.spot_check import FollowUpAction as FollowUpAction
from claims.models.spot_check import SpotCheck as SpotCheck
from claims.models.spot_check import SpotCheckFinding as SpotCheckFinding
from claims.models.survey import SatisfactionSurvey as SatisfactionSurvey
