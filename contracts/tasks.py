"""Celery tasks of the contracts app (thin: parse arguments, call a service)."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone


@shared_task(name="contracts.tasks.reminders_generate", acks_late=True)
def reminders_generate(on: str | None = None) -> int:
    """Daily: create due reminders. `on` is an ISO date (default: today, Asia/Shanghai)."""
    from contracts.services.reminders import reminders_generate as generate

    day = datetime.date.fromisoformat(on) if on else timezone.localdate()
    return generate(on=day)
