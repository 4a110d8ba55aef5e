from claims.models.settlement import SettlementBatch, SettlementRecord, SettlementStage

__all__ = ["SettlementBatch", "SettlementRecord", "SettlementStage"]
