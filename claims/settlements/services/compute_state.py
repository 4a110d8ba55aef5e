"""Incremental compute: a person's running totals kept between batches (`PersonComputeState`).

A city's daily file brings about one settlement per person, later than everything the person
had before. Computing it then needs only where the person's totals stood, not a walk over the
person's whole year (which made a batch into a full year twice as slow as into an empty one).

A stored state is used only when the walk would give the same answer:
- the scheme has one contract (with several, which twin of a settlement counts depends on the
  contract of the batch);
- its fingerprint (the person's facts, the scheme years' plans with their documents, reference
  figures and coverage, STATE_VERSION) is the one the batch would compute with: a change means
  earlier settlements may owe something else, which only the walk finds (as adjustments);
- every record of the batch for the person has an id above the highest folded (none was
  computed already, by another batch's walk), comes after the last one folded in its scheme
  year in the engine's order (local settlement time, then setl_id), and is no reversal; a
  person whose totals came through a reversal has no state.
Otherwise the person is walked over their whole year, as before, and the state written anew.

Batches computed out of order (a batch's chunk failed and is resumed later) are where the two
paths differ on the way, not at the end: a later batch continues from totals without the
earlier batch's records; when those are computed, they come before the highest id folded, so
their person is walked and the later settlements get their adjustments.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection

from claims.settlements.bulk import AnyOf, copy_rows
from claims.settlements.models import PersonComputeState
from insurance.engine import PersonFacts, Settlement
from insurance.engine.accumulate import PersonState, state_dump, state_load

STATE_FIELDS = ("person_id", "scheme_id", "fingerprint", "last_record_id", "totals", "batch_id")
# Raised with any change to how the engine moves running totals or to what a state holds: every
# stored state is then unusable and each person is walked over their year once.
STATE_VERSION = 1


def plans_signature(years, computed_with: dict[int, int]) -> str:
    """What the scheme's years compute with: the plan (its document too: a draft can be edited
    under the same version), reference figures, coverage and which years share one history.
    Part of every state's fingerprint, with STATE_VERSION."""
    parts = []
    for year in sorted(years, key=lambda y: y.pk):
        plan = None
        if year.plan_id:
            document = _digest(json.dumps(year.plan.document, sort_keys=True, default=str))
            plan = (year.plan_id, year.plan.version, document)
        figures = sorted((k, str(v)) for k, v in year.reference_figures().items())
        coverage = (year.coverage_start.isoformat(), year.coverage_end.isoformat())
        parts.append((year.pk, plan, figures, coverage, computed_with.get(year.pk)))
    return _digest(f"{STATE_VERSION}|{parts!r}")


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def fingerprint(facts: PersonFacts | None, signature: str) -> str:
    """The person's facts (as the engine is given them) and the scheme's `plans_signature`."""
    return _digest(f"{facts!r}|{signature}")


@dataclass
class Stored:
    """A person's usable state: totals by scheme year id (as text) and the highest record id
    folded into them."""

    totals: dict[str, dict]
    last_record_id: int

    def after_last(self, year_id: int | None, record_id: int, record: Settlement) -> bool:
        """Whether `record` was never folded (its id is above every folded one: a record another
        batch's walk already computed is not) and comes after everything folded in `year_id`'s
        totals, in the engine's order (local time, then setl_id)."""
        if record_id <= self.last_record_id:
            return False
        if year_id is None:
            return True  # no plan: nothing accumulates
        folded = self.totals.get(str(year_id))
        if folded is None:
            return True
        time, setl_id = folded["last"]
        return (record.setl_time, record.setl_id) > (datetime.fromisoformat(time), setl_id)

    def state(self, year_id: int) -> PersonState:
        folded = self.totals.get(str(year_id))
        return PersonState() if folded is None else state_load(folded)


def states_taken(
    *, scheme_id: int, people: list[int], prints: dict[int, str], single_contract: bool
) -> dict[int, Stored | None]:
    """The stored states of `people`, taken out of the table: person id -> Stored when it fits
    the person's fingerprint (`prints`), None when it does not. One statement by person id,
    never reading their records; the chunk writes each person's state anew (`StatesWritten`).

    On PostgreSQL a DELETE … RETURNING: it reads, locks and removes the rows at once, where a
    SELECT … FOR UPDATE and the DELETE before the write found each row twice. The lock is what
    keeps two batches of a contract apart: a chunk of the other batch taking the same person's
    totals waits until this chunk commits, then finds the row gone and walks the person over
    their year (with this batch's settlements). Both continuing from the same totals lost one
    batch's settlements from them, and the later settlement was owed too little. (SQLite: one
    writer at a time.)"""
    if not settings.MEDSUPP_COMPUTE_INCREMENTAL or not single_contract or not people:
        return {}
    if connection.vendor == "postgresql":
        table = PersonComputeState._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE scheme_id = %s AND person_id = ANY(%s) "  # noqa: S608
                "RETURNING person_id, fingerprint, last_record_id, totals",
                [scheme_id, people],
            )
            rows = cursor.fetchall()
    else:
        found = PersonComputeState.objects.filter(AnyOf("person_id", people), scheme_id=scheme_id)
        rows = list(found.values_list("person_id", "fingerprint", "last_record_id", "totals"))
        _states_delete(people, scheme_id)
    return {
        person_id: Stored(json.loads(text), last) if prints.get(person_id) == print_ else None
        for person_id, print_, last, text in rows
    }


class StatesWritten:
    """The states a chunk leaves: collected person by person, written in one go."""

    def __init__(self, *, batch, scheme_id: int, prints: dict[int, str], taken=frozenset()):
        self.batch = batch
        self.scheme_id = scheme_id
        self.prints = prints
        self.taken = taken  # people whose rows `states_taken` removed already
        self.totals: dict[int, dict[str, dict]] = {}
        self.last_record_id: dict[int, int] = {}
        self.broken: set[int] = set()  # a reversal among them: no state

    def start(self, person_id: int, stored: Stored | None) -> None:
        """Begin from what was stored (a resumed person) or from nothing (a full walk)."""
        self.totals[person_id] = dict(stored.totals) if stored else {}
        self.last_record_id[person_id] = stored.last_record_id if stored else 0

    def count(self, person_id: int | None, record_id: int) -> None:
        """One more record of the person folded (None: a record whose psn_no is no person's)."""
        if person_id is None or person_id not in self.last_record_id:
            return
        self.last_record_id[person_id] = max(self.last_record_id[person_id], record_id)

    def fold(
        self, person_id: int | None, year_id: int, state: PersonState | None, last: Settlement
    ) -> None:
        """The person's totals in `year_id` after `last`, their last settlement there."""
        if person_id is None or person_id not in self.totals:
            return
        if state is None:
            self.broken.add(person_id)
            return
        self.totals[person_id][str(year_id)] = {
            "last": [last.setl_time.isoformat(), last.setl_id],
            **state_dump(state),
        }

    def write(self) -> None:
        """Replace the chunk's people's states: those with a reversal among their settlements,
        or with no person row, get none (they are walked over their year next time). A row
        not taken at the start (a person walked without one) may have been written since by
        another batch's chunk: it is replaced too."""
        _states_delete([p for p in self.totals if p not in self.taken], self.scheme_id)
        rows = []
        for person_id, totals in self.totals.items():
            print_ = self.prints.get(person_id)
            if person_id in self.broken or print_ is None:
                continue
            text = json.dumps(totals, separators=(",", ":"), ensure_ascii=False)
            rows.append(
                (
                    person_id,
                    self.scheme_id,
                    print_,
                    self.last_record_id[person_id],
                    text,
                    self.batch.pk,
                )
            )
        copy_rows(PersonComputeState, STATE_FIELDS, rows)


def _states_delete(people: list[int], scheme_id: int) -> None:
    """On PostgreSQL a plain DELETE: the ORM's would first read the rows to look for
    dependents."""
    if not people:
        return
    if connection.vendor != "postgresql":
        PersonComputeState.objects.filter(AnyOf("person_id", people), scheme_id=scheme_id).delete()
        return
    table = PersonComputeState._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE scheme_id = %s AND person_id = ANY(%s)",  # noqa: S608
            [scheme_id, people],
        )
