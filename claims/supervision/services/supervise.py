"""Supervision of what is new on a contract: its batches reconciled and screened for fraud.

Run as each batch's compute ends (`claims.tasks.batch_supervise`, when
`MEDSUPP_SUPERVISE_EACH_BATCH` is on), so the bureau sees a batch's discrepancies and flags the
same day and the night has only the leftovers; and by the nightly job, which catches whatever
a lost or switched-off task left. Both take every batch still pending on the contract, so the
order in which they run changes nothing: reconciliation and screen are idempotent and each
takes its turn per contract.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from claims.supervision.services.fraud import fraud_screen_new
from claims.supervision.services.reconciliation import reconciliation_nightly


def supervise_new(*, contract, today: dt.date | None = None) -> dict[str, int]:
    """Reconcile and screen the contract's batches not yet reconciled or screened (and the
    people whose data changed since the last screen); `today`: the day it counts as run on."""
    today = today or timezone.localdate()
    reconciled = sum(reconciliation_nightly(contract=contract).values())
    flagged = sum(fraud_screen_new(contract=contract, today=today).values())
    return {"reconciled": reconciled, "new_flags": flagged}
