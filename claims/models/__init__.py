from claims.models.compensation import Compensation, CompensationAdjustment, CompensationStatus
from claims.models.settlement import SettlementBatch, SettlementRecord, SettlementStage

__all__ = [
    "Compensation",
    "CompensationAdjustment",
    "CompensationStatus",
    "SettlementBatch",
    "SettlementRecord",
    "SettlementStage",
]
