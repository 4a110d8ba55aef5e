"""Signals the settlements capability sends to the capabilities above it, which it must not
import (pyproject's import contracts: oversight -> supervision -> settlements).

`batch_computed` is sent by the compute step inside the transaction that marks a batch computed,
with `batch_id`. A receiver queues its own follow-up work with `transaction.on_commit` (the
supervision capability: the batch's reconciliation and fraud screen, `batch_supervise`).
"""

from django.dispatch import Signal

batch_computed = Signal()
