"""Supervision jobs. After each batch's compute: reconcile and screen it. Nightly: the same for
whatever is still pending, flag overdue claims, bring the dashboard's month figures up to date.

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
    from claims.supervision.services.manual_claims import manual_claims_flag_overdue
    from claims.supervision.services.supervise import supervise_new
    from contracts.models import Contract

    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    # from the small batch table, not a DISTINCT over the year's records
    contract_ids = SettlementBatch.objects.filter(status=BatchStatus.APPLIED).values_list(
        "contract_id"
    )
    reconciled = flagged = 0
    for contract in Contract.objects.filter(pk__in=contract_ids).select_related("scheme"):
        done = supervise_new(contract=contract, today=today)
        reconciled, flagged = reconciled + done["reconciled"], flagged + done["new_flags"]
    overdue = manual_claims_flag_overdue(today=today)
    result = {"reconciled": reconciled, "new_flags": flagged, "overdue_manual_claims": overdue}
    logger.info("claims month figures rebuilt: %s rows", month_figures_catch_up())
    logger.info("claims supervision nightly %s: %s", today, result)
    return result


def on_batch_computed(sender, *, batch_id: int, **kwargs) -> None:
    """Connected to `claims.settlements.signals.batch_computed` (claims/apps.py): the batch is
    supervised once its compute commits, when MEDSUPP_SUPERVISE_EACH_BATCH is on."""
    from django.conf import settings
    from django.db import transaction

    if settings.MEDSUPP_SUPERVISE_EACH_BATCH:
        transaction.on_commit(lambda: batch_supervise.delay(batch_id))


@shared_task(name="claims.tasks.batch_supervise", acks_late=True)
def batch_supervise(batch_id: int) -> dict:
    """After a batch's compute, off its clock: its contract's pending batches reconciled and
    screened. Idempotent: a batch already done is not looked at again."""
    from claims.settlements.models import SettlementBatch
    from claims.supervision.services.supervise import supervise_new

    batch = SettlementBatch.objects.select_related("contract__scheme").get(pk=batch_id)
    result = supervise_new(contract=batch.contract)
    logger.info("claims batch %s supervised: %s", batch_id, result)
    return result
