"""The oversight's jobs (thin: each calls its service): the daily evaluation job drafts each
contract year's evaluation once the year has ended; the yearly disclosure job drafts each ended
scheme year's report. Task names stay `claims.tasks.<name>` (stored in the beat schedule)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from audit.jobs import single_run


@shared_task(name="claims.tasks.evaluations_draft", acks_late=True)
@single_run("claims.tasks.evaluations_draft")
def evaluations_draft(year: int | None = None, on: str | None = None) -> dict:
    """Daily: draft the evaluation of every contract year that has just ended (each scheme's
    insurance year); with `year`, that year of every contract. Idempotent: one evaluation per
    (contract, year), an existing one is left as it is."""
    from django.utils import timezone

    from claims.oversight.services.evaluation import evaluations_draft_due, evaluations_draft_year

    if year:
        return evaluations_draft_year(year=int(year))
    return evaluations_draft_due(on=dt.date.fromisoformat(on) if on else timezone.localdate())


@shared_task(name="claims.tasks.disclosures_draft", acks_late=True)
@single_run("claims.tasks.disclosures_draft")
def disclosures_draft(today: str | None = None) -> list[int]:
    """Idempotent: one report per scheme year; a draft is refreshed, a checked or published
    report is left alone. `today` (ISO date) is for reruns and tests."""
    from claims.oversight.services.disclosure import disclosures_draft_due

    day = dt.date.fromisoformat(today) if today else None
    return disclosures_draft_due(today=day)
