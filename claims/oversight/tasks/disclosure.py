"""The yearly disclosure job: after year end, draft each ended scheme year's report."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from audit.jobs import single_run


@shared_task(name="claims.tasks.disclosures_draft", acks_late=True)
@single_run("claims.tasks.disclosures_draft")
def disclosures_draft(today: str | None = None) -> list[int]:
    """Idempotent: one report per scheme year; a draft is refreshed, a checked or published
    report is left alone. `today` (ISO date) is for reruns and tests."""
    from claims.oversight.services.disclosure import disclosures_draft_due

    day = dt.date.fromisoformat(today) if today else None
    return disclosures_draft_due(today=day)
