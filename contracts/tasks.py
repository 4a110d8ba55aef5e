"""Celery tasks of the contracts app (thin: parse arguments, call a service)."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from audit.jobs import single_run


@shared_task(name="contracts.tasks.reminders_generate", acks_late=True)
@single_run("contracts.tasks.reminders_generate")
def reminders_generate(on: str | None = None) -> int:
    """Daily: create due reminders. `on` is an ISO date (default: today, Asia/Shanghai)."""
    from contracts.services.reminders import reminders_generate as generate

    day = datetime.date.fromisoformat(on) if on else timezone.localdate()
    return generate(on=day)


@shared_task(name="contracts.tasks.transfers_generate", acks_late=True)
@single_run("contracts.tasks.transfers_generate")
def transfers_generate(
    year: int | None = None, quarter: int | None = None, on: str | None = None
) -> dict:
    """Daily: every quarter of every live contract's insurance years that has begun by `on`
    (ISO date, default today) and has no transfer yet. With `year` and `quarter`: that quarter
    of that scheme year only. Idempotent: unique per contract, year and quarter."""
    from contracts.services.transfers import transfers_due
    from contracts.services.transfers import transfers_generate as generate

    if year is not None and quarter is not None:
        return generate(year=int(year), quarter=int(quarter))
    day = datetime.date.fromisoformat(on) if on else timezone.localdate()
    return transfers_due(on=day)
