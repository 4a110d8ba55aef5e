"""The apply step checks the person reference once per batch (no per-row foreign key check):
it holds one lock that every DELETE of a person waits for (the shared side of
PERSON_DELETE_LOCK, taken exclusively by the person's delete guard), so no person can be deleted
until it commits, and a person the batch refers to cannot be deleted at all."""

import datetime as dt
import threading
import time

import pytest
from django.db import IntegrityError, OperationalError, connection, connections, transaction
from django.utils import timezone

from claims.models import SettlementStage
from claims.settlements.services.batches import _lock_people
from insurance.models.person import PERSON_DELETE_LOCK
from tests.insurance.factories import PersonFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only"),
    pytest.mark.django_db(transaction=True),  # another session must see the committed rows
]
BATCH_ID = 424242


def _stage(psn_no: str, n: int) -> None:
    SettlementStage.objects.create(
        batch_id=BATCH_ID,
        row_number=n + 2,
        setl_id=f"LOCK{n}",
        mdtrt_id=f"LOCK{n}",
        psn_no=psn_no,
        insutype="310",
        med_type="21",
        setl_time=timezone.now(),
        service_date=dt.date.today(),
    )


def _other_session(statements, *, done: str, refused, word: str):
    """A thread running `statements` in a session of its own; the list says how they ended:
    `done`, or `word: error` when they raised `refused`."""
    outcome: list[str] = []

    def run():
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                for sql, params in statements:
                    cursor.execute(sql, params)
            outcome.append(done)
        except refused as exc:
            outcome.append(f"{word}: {exc}")
        finally:
            other.close()

    return threading.Thread(target=run), outcome


def _try_delete(person_id: int) -> str:
    """A DELETE of the person from another session, waiting at most 300 ms for a lock."""
    thread, outcome = _other_session(
        [
            ("SET lock_timeout = '300ms'", []),
            ("DELETE FROM insurance_person WHERE id = %s", [person_id]),
        ],
        done="deleted",
        refused=OperationalError,
        word="blocked",
    )
    thread.start()
    thread.join()
    return outcome[0]


def test_no_person_can_be_deleted_until_the_apply_commits():
    from insurance.models import Person

    in_batch, outside = PersonFactory(), PersonFactory()
    _stage(in_batch.psn_no, 0)
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_people(cursor)
        assert _try_delete(in_batch.pk).startswith("blocked")
        assert _try_delete(outside.pk).startswith("blocked")  # one lock for every person
        # the apply takes no row lock of the people: a person's registry entry can still change
        updated = Person.objects.filter(pk=outside.pk).update(phone="13800000000")
        assert updated == 1
    assert _try_delete(outside.pk) == "deleted"  # released at commit
    assert not Person.objects.filter(pk=outside.pk).exists()


def test_two_applies_hold_the_lock_together():
    """The shared side: batches of several insurers apply at once."""
    thread, outcome = _other_session(
        [
            ("SET lock_timeout = '300ms'", []),
            ("BEGIN", []),
            ("SELECT pg_advisory_xact_lock_shared(%s)", [PERSON_DELETE_LOCK]),
            ("COMMIT", []),
        ],
        done="held",
        refused=OperationalError,
        word="blocked",
    )
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_people(cursor)
        thread.start()
        thread.join()
    assert outcome == ["held"]


def _waiting_for_a_lock(cursor) -> bool:
    # pg_locks, not pg_stat_activity: the latter is read once per transaction
    cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
    return cursor.fetchone()[0] > 0


def test_a_delete_that_waited_for_the_apply_is_refused_after_it_commits():
    """A DELETE that checked nothing (as Django's PROTECT check, run before the apply's records
    were committed, finds nothing) waits for the apply's lock; once the apply commits, the
    database's delete guard (pgtrigger on Person, audit.triggers.delete_guard) refuses it: no
    record is left without its person."""
    from claims.models import SettlementRecord
    from insurance.models import Person
    from tests.claims.supervision_data import applied_batch, record
    from tests.contracts.factories import ContractFactory

    person = PersonFactory()
    batch = applied_batch(ContractFactory())
    _stage(person.psn_no, 0)
    deleter, outcome = _other_session(
        [("DELETE FROM insurance_person WHERE id = %s", [person.pk])],
        done="deleted",
        refused=IntegrityError,
        word="refused",
    )
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_people(cursor)
        record(batch, person)
        deleter.start()
        for _ in range(100):  # until the DELETE waits for the apply's lock
            if _waiting_for_a_lock(cursor):
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"the DELETE never waited for the apply's lock: {outcome}")
    deleter.join()
    assert outcome and outcome[0].startswith("refused"), outcome
    assert Person.objects.filter(pk=person.pk).exists()
    assert SettlementRecord.objects.filter(person_id=person.pk).count() == 1
