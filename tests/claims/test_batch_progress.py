"""A batch's progress covers the whole pipeline and never goes back: 0-59 while rows are parsed
and checked, 60-99 while the engine computes, 100 when rejected or computed."""

import datetime as dt

import pytest
from django.utils import timezone

from claims.choices import BatchStatus
from claims.models import SettlementBatch
from claims.settlements.services import compute
from claims.settlements.services.batches import batch_process, batch_receive
from insurance.models import BenefitPlan, Enrollment
from tests.claims.files import settlement_row, write_csv
from tests.contracts.factories import ContractFactory
from tests.insurance.factories import PersonFactory, SchemeYearFactory


@pytest.mark.parametrize(
    ("fields", "percent"),
    [
        ({"status": BatchStatus.RECEIVED}, 0),
        ({"status": BatchStatus.VALIDATING, "rows_total": 200, "rows_processed": 100}, 30),
        ({"status": BatchStatus.VALIDATING, "rows_total": 200, "rows_processed": 200}, 59),
        ({"status": BatchStatus.APPLIED, "people_total": 0}, 60),
        ({"status": BatchStatus.APPLIED, "people_total": 10, "people_computed": 5}, 80),
        ({"status": BatchStatus.APPLIED, "people_total": 10, "people_computed": 10}, 99),
        ({"status": BatchStatus.APPLIED, "computed_at": timezone.now()}, 100),
        ({"status": BatchStatus.REJECTED, "rows_total": 10}, 100),
    ],
)
def test_progress_by_state(fields, percent):
    assert SettlementBatch(**fields).progress_percent == percent


def _received(tmp_path, *, people: int) -> SettlementBatch:
    """A received batch of one settlement for each of `people` enrolled people (ordos-2018)."""
    year = SchemeYearFactory(year=2018, plan=BenefitPlan.objects.get(code="ordos-2018"))
    contract = ContractFactory(
        scheme=year.scheme, starts_on=dt.date(2018, 1, 1), ends_on=dt.date(2020, 12, 31)
    )
    rows = []
    for n in range(people):
        person = PersonFactory(psn_no=f"G{n:04d}", insutype="310")
        Enrollment.objects.create(
            person=person, scheme_year=year, kind="renewal", start_date=dt.date(2018, 1, 1),
            end_date=dt.date(2018, 12, 31), benefits_from=dt.date(2018, 1, 1),
        )  # fmt: skip
        rows.append(settlement_row(
            n, psn_no=person.psn_no, setl_time="2018-05-02 10:00:00", begndate="2018-05-01",
            enddate="2018-05-02",
        ))  # fmt: skip
    path = write_csv(tmp_path / "progress.csv", rows)
    with path.open("rb") as fh:
        batch = batch_receive(contract=contract, fileobj=fh, filename=path.name, queue=False).batch
    return batch


@pytest.mark.django_db
def test_compute_progress_grows_chunk_by_chunk(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDSUPP_COMPUTE_CHUNK_PEOPLE = 2
    batch = _received(tmp_path, people=7)
    seen = []
    chunk = compute.chunk_people_compute

    def watched(job, people):
        stored = SettlementBatch.objects.get(pk=job.batch.pk)
        seen.append((stored.people_computed, stored.people_total, stored.progress_percent))
        return chunk(job, people)

    monkeypatch.setattr(compute, "chunk_people_compute", watched)
    batch = batch_process(batch_id=batch.pk)
    assert batch.status == "applied", batch.errors_preview
    assert [done for done, _total, _percent in seen] == [0, 2, 4, 6]
    assert {total for _done, total, _percent in seen} == {7}
    percents = [percent for _done, _total, percent in seen]
    assert percents == sorted(percents) and percents[0] >= 60 and percents[-1] <= 99
    assert (batch.people_computed, batch.progress_percent) == (7, 100)


@pytest.mark.django_db
def test_a_resumed_compute_skips_finished_chunks_and_counts_on(tmp_path, settings, monkeypatch):
    from claims.models import BatchChunk, Compensation, SettlementRecord

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDSUPP_COMPUTE_CHUNK_PEOPLE = 2
    batch = batch_process(batch_id=_received(tmp_path, people=7).pk)
    owed = dict(Compensation.objects.values_list("record__setl_id", "total"))
    people = sorted(set(SettlementRecord.objects.values_list("person_id", flat=True)))
    # a crash after the first two chunks (people 1-4) had committed: the others left nothing
    Compensation.objects.filter(record__person_id__in=people[4:]).delete()
    BatchChunk.objects.filter(batch=batch, index__gte=2).update(status="pending")
    SettlementBatch.objects.filter(pk=batch.pk).update(computed_at=None, people_computed=4)
    seen = []
    chunk = compute.chunk_people_compute

    def watched(job, people):
        stored = SettlementBatch.objects.get(pk=job.batch.pk)
        seen.append((list(people), stored.people_computed, stored.progress_percent))
        return chunk(job, people)

    monkeypatch.setattr(compute, "chunk_people_compute", watched)
    assert compute.batch_compute(batch_id=batch.pk) == (3, 0)  # people 5-7 have one row each
    assert [(ids, done) for ids, done, _percent in seen] == [(people[4:6], 4), (people[6:], 6)]
    assert seen[0][2] > 60 and seen[0][2] <= seen[1][2] <= 99
    assert dict(Compensation.objects.values_list("record__setl_id", "total")) == owed
    batch.refresh_from_db()
    assert (batch.people_computed, batch.progress_percent) == (7, 100)
