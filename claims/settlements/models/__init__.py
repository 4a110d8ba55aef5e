"""The settlements' models: batches and their records, compensations, chunks, code mappings, the
common quota pool, the changes feed and the month figures."""

from claims.settlements.models.batch_chunk import BatchChunk, ChunkStatus
from claims.settlements.models.change import Change
from claims.settlements.models.code_mapping import CodeColumn, CodeMapping
from claims.settlements.models.compensation import (
    Compensation,
    CompensationAdjustment,
    CompensationStatus,
)
from claims.settlements.models.compute_state import PersonComputeState
from claims.settlements.models.month_figure import MonthFigure
from claims.settlements.models.quota_pool import QuotaPoolEntry
from claims.settlements.models.settlement import SettlementBatch, SettlementRecord, SettlementStage

__all__ = [
    "BatchChunk",
    "Change",
    "ChunkStatus",
    "CodeColumn",
    "CodeMapping",
    "Compensation",
    "CompensationAdjustment",
    "CompensationStatus",
    "MonthFigure",
    "PersonComputeState",
    "QuotaPoolEntry",
    "SettlementBatch",
    "SettlementRecord",
    "SettlementStage",
]
