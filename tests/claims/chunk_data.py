"""A batch for the compute chunk tests: `people` enrolled people with three chemotherapy
admissions each in ordos-2018 (R-ORD-6: the year's burden above 20,000 paid at 30%), so later
admissions carry what earlier ones used up and a chunk's people are computed over their year."""

import datetime as dt
from pathlib import Path

from claims.models import Compensation
from contracts.models import Contract
from insurance.models import BenefitPlan, Enrollment
from insurance.services.plans import shipped_plans_sync
from tests.claims.files import settlement_row, write_csv
from tests.contracts.factories import ContractFactory
from tests.insurance.factories import PersonFactory, SchemeYearFactory


def ordos() -> BenefitPlan:
    """The shipped plan: a transactional test's flush may have removed the row the session's
    `sync_plans` made, so it is synced again when missing."""
    if not BenefitPlan.objects.filter(code="ordos-2018").exists():
        shipped_plans_sync()
    return BenefitPlan.objects.get(code="ordos-2018")


def chemo_file(tmp_path: Path, *, people: int) -> tuple[Contract, Path]:
    year = SchemeYearFactory(year=2018, plan=ordos())
    contract = ContractFactory(
        scheme=year.scheme, starts_on=dt.date(2018, 1, 1), ends_on=dt.date(2020, 12, 31)
    )
    rows = []
    for n in range(people):
        person = PersonFactory(psn_no=f"P{n:04d}", insutype="310")
        Enrollment.objects.create(
            person=person, scheme_year=year, kind="renewal", start_date=dt.date(2018, 1, 1),
            end_date=dt.date(2018, 12, 31), benefits_from=dt.date(2018, 1, 1),
        )  # fmt: skip
        for k, month in enumerate((3, 5, 9)):
            rows.append(settlement_row(
                n * 10 + k, psn_no=person.psn_no, total=f"{30000 + 7000 * k + n}.00",
                setl_time=f"2018-{month:02d}-0{k + 1} 10:00:00", begndate=f"2018-{month:02d}-01",
                enddate=f"2018-{month:02d}-0{k + 1}", trt_category="chemotherapy",
            ))  # fmt: skip
    return contract, write_csv(tmp_path / "chemo.csv", rows)


def owed() -> dict[str, tuple]:
    """Every compensation by settlement id: what a run computed, to compare with another run."""
    return {
        c.record.setl_id: (c.status, c.lines, c.total, c.trace)
        for c in Compensation.objects.select_related("record")
    }
