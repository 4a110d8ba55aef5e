"""A small generated world for the disclosure tests: the Ordos plan (2018), one contract, 16
people in three districts, settlements ingested through the real pipeline."""

from __future__ import annotations

import datetime as dt

import pytest

from claims.settlements.services.batches import batch_receive
from insurance.models import BenefitPlan, Enrollment
from tests.claims.files import settlement_row, write_csv
from tests.contracts.factories import ContractFactory
from tests.insurance.factories import PersonFactory, RegionFactory, SchemeYearFactory

# district -> number of people; 东区 2 is under the threshold of 5, so 西区 (6) is hidden too
DISTRICTS = {"北区": 8, "西区": 6, "东区": 2}
# total medical cost per person (amounts above the pooled maximum pay 80%): spread over tiers
OVER_MAX = ["500.00", "900.00", "2000.00", "5000.00", "8000.00", "20000.00", "70000.00"]


def _rows(people) -> list[dict]:
    rows = []
    for i, person in enumerate(people, start=1):
        month = 3 if i <= 8 else 3 + i % 9
        end = dt.date(2018, month, 10)
        paid = end + dt.timedelta(days=i % 4)
        rows.append(
            settlement_row(
                i, psn_no=person.psn_no, total="100000.00",
                setl_time=f"{paid.isoformat()} 10:00:00", begndate=f"2018-{month:02d}-01",
                enddate=end.isoformat(), inscp_over_max_amt=OVER_MAX[i % len(OVER_MAX)],
            )
        )  # fmt: skip
    return rows


@pytest.fixture(name="world")
def world_fixture(db, tmp_path, settings, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path / "media"
    year = SchemeYearFactory(year=2018, plan=BenefitPlan.objects.get(code="ordos-2018"))
    contract = ContractFactory(
        scheme=year.scheme,
        starts_on=dt.date(2018, 1, 1),
        ends_on=dt.date(2020, 12, 31),
        status="active",
    )
    people = []
    for name, count in DISTRICTS.items():
        region = RegionFactory(name=name)
        for _ in range(count):
            person = PersonFactory(insutype="310", region=region, name="李四")
            Enrollment.objects.create(
                person=person, scheme_year=year, kind="renewal",
                start_date=dt.date(2018, 1, 1), end_date=dt.date(2018, 12, 31),
                benefits_from=dt.date(2018, 1, 1),
            )  # fmt: skip
            people.append(person)
    path = write_csv(tmp_path / "world.csv", _rows(people))
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as fh:
        batch = batch_receive(contract=contract, fileobj=fh, filename="world.csv").batch
    batch.refresh_from_db()
    assert batch.status == "applied", batch.errors_preview or batch.file_problem
    return {"scheme": year.scheme, "year": year, "contract": contract, "people": people}
