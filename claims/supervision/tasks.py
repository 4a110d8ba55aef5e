"""The nightly supervision job: reconcile what changed, screen for fraud, flag overdue claims,
bring the dashboard's month figures up to date.

Idempotent: reconciliation upserts one row per settlement, fraud flags are keyed, the overdue
flag is recomputed from the dates. Running it twice, or after a crash, changes nothing more.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task

from audit.jobs import single_run

logger = logging.getLogger(__name__)


@shared_task(name="claims.tasks.supervision_nightly", acks_late=True)
@single_run("claims.tasks.supervision_nightly")
def supervision_nightly(day: str | None = None) -> dict:
    """`day` (ISO date) is the day the overdue flags are judged on; default today."""
    from django.utils import timezone

    from claims.choices import BatchStatus
    from claims.settlements.models import SettlementBatch
    from claims.settlements.services.month_figures import month_figures_catch_up
    from claims.supervision.services.fraud import fraud_screen_new
    from claims.supervision.services.manual_claims import manual_claims_flag_overdue
    from claims.supervision.services.reconciliation import reconciliation_nightly
    from contracts.models import Contract

    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    # from the small batch table, not a DISTINCT over the year's records
    contract_ids = SettlementBatch.objects.filter(status=BatchStatus.APPLIED).values_list(
        "contract_id"
    )
    reconciled = flagged = 0
    for contract in Contract.objects.filter(pk__in=contract_ids).select_related("scheme"):
        reconciled += sum(reconciliation_nightly(contract=contract).values())
        # the new batches' people and groups, over the last 13 months (a year's groups)
        start = today - dt.timedelta(days=400)
        flagged += sum(fraud_screen_new(contract=contract, start=start, end=today).values())
    overdue = manual_claims_flag_overdue(today=today)
    result = {"reconciled": reconciled, "new_flags": flagged, "overdue_manual_claims": overdue}
    logger.info("claims month figures rebuilt: %s rows", month_figures_catch_up())
    logger.info("claims supervision nightly %s: %s", today, result)
    return result
