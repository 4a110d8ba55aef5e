"""The compute step in chunks (claims/settlements/services/compute.py): a batch's people cut by
person id,
each chunk one idempotent task on the `ingest` queue, the batch computed once every chunk is."""

from itertools import pairwise

import pytest
from django.db import transaction

from claims.models import BatchChunk, Compensation, SettlementBatch, SettlementRecord
from claims.settlements.services import compute
from claims.settlements.services.batches import batch_process, batch_receive
from claims.settlements.services.compute import batch_compute, compute_chunk
from config.celery import app
from tests.claims.chunk_data import chemo_file, owed

pytestmark = pytest.mark.django_db
PEOPLE = 24  # three settlements each


@pytest.fixture
def received(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    contract, path = chemo_file(tmp_path, people=PEOPLE)
    with path.open("rb") as fh:
        return batch_receive(contract=contract, fileobj=fh, filename=path.name, queue=False).batch


def _recompute_from_scratch(batch: SettlementBatch) -> None:
    Compensation.objects.all().delete()
    BatchChunk.objects.all().delete()
    SettlementBatch.objects.filter(pk=batch.pk).update(computed_at=None)
    batch_compute(batch_id=batch.pk)


def test_people_are_cut_into_chunks_by_id_and_give_what_one_chunk_gives(received, settings):
    settings.MEDSUPP_COMPUTE_CHUNK_PEOPLE = 5
    batch = batch_process(batch_id=received.pk)
    assert batch.computed_at is not None and batch.people_computed == PEOPLE
    chunks = list(BatchChunk.objects.filter(batch=batch).order_by("index"))
    assert [c.people for c in chunks] == [5, 5, 5, 5, 4]  # 24 people, 5 a chunk
    for before, after in pairwise(chunks):
        assert before.last_person_id < after.first_person_id  # disjoint ranges, in id order
    assert {(c.status, c.attempts) for c in chunks} == {("done", 1)}
    assert sum(c.compensations for c in chunks) == Compensation.objects.count() == 3 * PEOPLE
    chunked = owed()
    assert any(trace for _status, _lines, _total, trace in chunked.values())

    settings.MEDSUPP_COMPUTE_CHUNK_PEOPLE = 1000
    _recompute_from_scratch(batch)
    assert BatchChunk.objects.filter(batch=batch).count() == 1
    assert owed() == chunked


def test_a_doubled_chunk_leaves_one_result(received, settings):
    settings.MEDSUPP_COMPUTE_CHUNK_PEOPLE = 10
    batch = batch_process(batch_id=received.pk)
    before = owed()
    assert compute_chunk(batch_id=batch.pk, index=1) == (0, 0)  # a task delivered twice
    assert owed() == before and Compensation.objects.count() == 3 * PEOPLE
    chunk = BatchChunk.objects.get(batch=batch, index=1)
    assert (chunk.status, chunk.attempts, chunk.compensations) == ("done", 1, 30)
    assert SettlementBatch.objects.get(pk=batch.pk).people_computed == PEOPLE
    assert batch_compute(batch_id=batch.pk) == (0, 0)  # the batch again: nothing to do


def test_a_chunk_that_fails_leaves_nothing_and_the_batch_resumes(received, settings, monkeypatch):
    settings.MEDSUPP_COMPUTE_CHUNK_PEOPLE = 10
    real = compute.people_compute
    calls = []

    def dies_in_the_third_chunk(job, people):
        done = real(job, people)  # its compensations written, then the worker dies
        calls.append(len(people))
        if len(calls) == 3:
            raise RuntimeError("worker lost")
        return done

    monkeypatch.setattr(compute, "people_compute", dies_in_the_third_chunk)
    with pytest.raises(RuntimeError, match="worker lost"):
        batch_process(batch_id=received.pk)
    batch = SettlementBatch.objects.get(pk=received.pk)
    assert batch.status == "applied" and batch.computed_at is None
    statuses = list(BatchChunk.objects.order_by("index").values_list("status", "attempts"))
    assert statuses == [("done", 1), ("done", 1), ("pending", 1)]  # its try is counted
    third = BatchChunk.objects.get(index=2)
    assert batch.people_computed == 20
    in_third = Compensation.objects.filter(record__person_id__gte=third.first_person_id)
    assert not in_third.exists()  # nothing of the failed chunk's work was kept
    assert Compensation.objects.count() == 3 * 20

    batch = batch_process(batch_id=batch.pk)  # processed again: only the lost chunk runs
    assert calls == [10, 10, 4, 4]
    assert BatchChunk.objects.get(index=2).attempts == 2
    assert batch.computed_at is not None and batch.people_computed == PEOPLE
    resumed = owed()
    monkeypatch.setattr(compute, "people_compute", real)
    _recompute_from_scratch(batch)
    assert owed() == resumed


def test_with_a_broker_each_pending_chunk_is_queued_on_ingest(received, settings, monkeypatch):
    settings.MEDSUPP_COMPUTE_CHUNK_PEOPLE = 5
    batch = batch_process(batch_id=received.pk)
    whole = owed()
    lost = BatchChunk.objects.filter(batch=batch, index__in=(1, 3))
    Compensation.objects.filter(
        record__in=SettlementRecord.objects.filter(person_id__in=_people_of(lost))
    ).delete()
    lost.update(status="pending", attempts=0)
    SettlementBatch.objects.filter(pk=batch.pk).update(computed_at=None, people_computed=14)

    from claims.tasks import compute_chunk as chunk_task

    queued = []
    monkeypatch.setattr(chunk_task, "delay", lambda *args: queued.append(args))
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert batch_compute(batch_id=batch.pk) == (0, 0)  # nothing computed here
    assert queued == [(batch.pk, 1), (batch.pk, 3)]
    assert SettlementBatch.objects.get(pk=batch.pk).computed_at is None
    assert chunk_task.apply(args=(batch.pk, 3)).get() == 15
    assert SettlementBatch.objects.get(pk=batch.pk).computed_at is None  # chunk 1 still pending
    assert chunk_task.apply(args=(batch.pk, 1)).get() == 15
    batch.refresh_from_db()
    assert batch.computed_at is not None and batch.people_computed == PEOPLE
    assert owed() == whole


def _people_of(chunks) -> list[int]:
    return [
        person_id
        for chunk in chunks
        for person_id in SettlementRecord.objects.filter(
            person_id__gte=chunk.first_person_id, person_id__lte=chunk.last_person_id
        ).values_list("person_id", flat=True)
    ]


def test_the_chunk_task_is_routed_to_ingest_and_requeued_when_its_worker_is_lost():
    from claims.tasks import compute_chunk as chunk_task

    assert app.amqp.router.route({}, chunk_task.name)["queue"].name == "ingest"
    assert chunk_task.acks_late and chunk_task.reject_on_worker_lost


def test_a_chunk_never_doubles_a_compensation_its_people_already_have(received, settings):
    """A chunk writes its compensations and marks itself done in one transaction, so a pending
    chunk has none. Were one found anyway (a hand-made row), the chunk is refused by the unique
    key and rolls back: nothing doubled, the chunk left pending."""
    import psycopg
    from django.db import IntegrityError

    settings.MEDSUPP_COMPUTE_CHUNK_PEOPLE = 10
    batch = batch_process(batch_id=received.pk)
    before = owed()
    BatchChunk.objects.filter(batch=batch, index=0).update(status="pending")
    SettlementBatch.objects.filter(pk=batch.pk).update(computed_at=None, people_computed=14)
    # the COPY speaks to psycopg directly on PostgreSQL; bulk_create goes through Django elsewhere
    with pytest.raises((IntegrityError, psycopg.IntegrityError)), transaction.atomic():
        batch_compute(batch_id=batch.pk)
    assert owed() == before and Compensation.objects.count() == 3 * PEOPLE
    assert BatchChunk.objects.get(batch=batch, index=0).status == "pending"


def test_a_chunk_that_collides_with_another_batch_is_tried_again_at_once(
    received, settings, monkeypatch
):
    """Two batches' chunks computing the same person at once: the second to commit meets the
    first's unique key (a compensation, a person's running totals) or a deadlock, and rolls back
    whole. The task tries again (backing off) and then reads what the first committed; the
    batch does not wait for `batches_resume`. Other failures are not retried here."""
    from django.db import IntegrityError

    from claims.tasks import compute_chunk as chunk_task

    settings.MEDSUPP_COMPUTE_CHUNK_PEOPLE = 10
    batch = batch_process(batch_id=received.pk)
    whole = owed()
    lost = BatchChunk.objects.filter(batch=batch, index=1)
    Compensation.objects.filter(
        record__in=SettlementRecord.objects.filter(person_id__in=_people_of(lost))
    ).delete()
    lost.update(status="pending", attempts=0)
    SettlementBatch.objects.filter(pk=batch.pk).update(computed_at=None, people_computed=14)
    real = compute.people_compute
    calls = []

    def collides_twice(job, people):
        calls.append(len(people))
        if len(calls) <= 2:
            raise IntegrityError('duplicate key value violates "claims_state_person_scheme"')
        return real(job, people)

    monkeypatch.setattr(compute, "people_compute", collides_twice)
    # as a worker runs it: the tests' eager tasks would raise a retry as an exception
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    assert chunk_task.apply(args=(batch.pk, 1)).get() == 30  # ten people, three each
    assert calls == [10, 10, 10]
    chunk = BatchChunk.objects.get(batch=batch, index=1)
    assert chunk.status == "done" and chunk.attempts == 3
    assert SettlementBatch.objects.get(pk=batch.pk).computed_at is not None
    assert owed() == whole

    def breaks(job, people):
        raise RuntimeError("a bug, not a collision")

    BatchChunk.objects.filter(pk=chunk.pk).update(status="pending")
    monkeypatch.setattr(compute, "people_compute", breaks)
    with pytest.raises(RuntimeError):
        chunk_task.apply(args=(batch.pk, 1), throw=True)
    assert BatchChunk.objects.get(pk=chunk.pk).attempts == 4  # tried once, left pending


def test_a_stalled_batch_is_resumed_by_the_periodic_job_only_after_its_grace(
    received, settings, monkeypatch
):
    """A chunk whose task failed stays pending; `batches_resume` queues it again once the batch
    has waited MEDSUPP_BATCH_RESUME_MINUTES after its apply, not before."""
    import datetime as dt

    from django.utils import timezone

    from claims.tasks import batches_resume

    settings.MEDSUPP_COMPUTE_CHUNK_PEOPLE = 10
    settings.MEDSUPP_BATCH_RESUME_MINUTES = 30
    real = compute.people_compute
    calls = []

    def fails_once_in_the_second_chunk(job, people):
        calls.append(len(people))
        if len(calls) == 2:
            raise RuntimeError("database restarted")
        return real(job, people)

    monkeypatch.setattr(compute, "people_compute", fails_once_in_the_second_chunk)
    with pytest.raises(RuntimeError):
        batch_process(batch_id=received.pk)
    batch = SettlementBatch.objects.get(pk=received.pk)
    assert batch.computed_at is None and batch.people_computed == 10

    SettlementBatch.objects.filter(pk=batch.pk).update(
        applied_at=timezone.now() - dt.timedelta(minutes=29)
    )
    assert batches_resume.apply().get() == 0  # still within its grace: left alone
    assert SettlementBatch.objects.get(pk=batch.pk).computed_at is None

    SettlementBatch.objects.filter(pk=batch.pk).update(
        applied_at=timezone.now() - dt.timedelta(minutes=31)
    )
    assert batches_resume.apply().get() == 1
    batch.refresh_from_db()
    assert batch.computed_at is not None and batch.people_computed == PEOPLE
    assert calls == [10, 10, 10, 4]  # only the failed chunk and the one never reached ran again
    assert Compensation.objects.count() == 3 * PEOPLE
    assert batches_resume.apply().get() == 0  # nothing left to resume


def test_the_batch_page_shows_its_chunks_to_the_bureau_not_to_the_insurer(
    received, settings, client, role_user
):
    from django.urls import reverse

    from contracts.services.insurers import insurer_user_link
    from tests.conftest import login_verified

    settings.MEDSUPP_COMPUTE_CHUNK_PEOPLE = 10
    batch = batch_process(batch_id=received.pk)
    chunks = list(BatchChunk.objects.filter(batch=batch).order_by("index"))
    assert [c.people for c in chunks] == [10, 10, 4]
    url = reverse("admin:claims_settlementbatch_change", args=[batch.pk])

    login_verified(client, role_user("operator"))
    page = client.get(url).content.decode()
    assert "批次计算分块" in page and "计算进程" in page
    cell = '<td style="padding:.25rem .75rem;border-top:1px solid #e5e7eb">'
    for chunk in chunks:  # index, people and status in words, one row each
        assert f"<tr>{cell}{chunk.index}</td>{cell}{chunk.people}</td>{cell}已完成</td>" in page

    clerk = role_user("insurer", username="ins_chunks")
    insurer_user_link(user=clerk, insurer=batch.contract.lead_insurer, actor=None)
    login_verified(client, clerk)
    response = client.get(url)
    assert response.status_code == 200  # the insurer's own batch, without the workers
    assert "计算进程" not in response.content.decode()
