"""The apply step checks the person reference once per batch (no per-row foreign key check):
it locks the batch's people as the constraint would, so none can be deleted until it commits."""

import datetime as dt
import threading

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from claims.models import SettlementStage
from claims.services.batches import _lock_people
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


def _try_delete_lock(person_id: int) -> str:
    """What a DELETE of the person would first take (FOR UPDATE), from another session."""
    outcome = []

    def attempt():
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SET lock_timeout = '300ms'")
                cursor.execute(
                    "SELECT id FROM insurance_person WHERE id = %s FOR UPDATE", [person_id]
                )
            outcome.append("locked")
        except OperationalError as exc:
            outcome.append(f"blocked: {exc}")
        finally:
            other.close()

    thread = threading.Thread(target=attempt)
    thread.start()
    thread.join()
    return outcome[0]


def test_people_of_the_batch_cannot_be_deleted_until_apply_commits():
    in_batch, twice, outside = PersonFactory(), PersonFactory(), PersonFactory()
    _stage(in_batch.psn_no, 0)
    _stage(twice.psn_no, 1)
    _stage(twice.psn_no, 2)
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_people(cursor, SettlementStage._meta.db_table, BATCH_ID)
        assert _try_delete_lock(in_batch.pk).startswith("blocked")
        assert _try_delete_lock(twice.pk).startswith("blocked")
        assert _try_delete_lock(outside.pk) == "locked"  # only the batch's people
    assert _try_delete_lock(in_batch.pk) == "locked"  # released at commit
