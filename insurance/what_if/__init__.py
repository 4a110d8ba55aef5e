"""The what-if calculator's machinery (`manage.py compute_benefits`): the external sort on disk
(`spill`) and the settlement rows checked once as text (`rows`)."""

from .rows import SettlementRows
from .spill import Spill

__all__ = ["SettlementRows", "Spill"]
