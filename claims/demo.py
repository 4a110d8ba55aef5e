"""Demo data for `make run`: plans on the demo schemes, an insurer with a contract, and a batch of
settlements ingested through the real pipeline. Idempotent: the same seed makes the same file,
which the pipeline recognises and does not apply twice."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from claims.services.batches import batch_process, batch_receive
from claims.synthetic import covered_people, settlement_rows, write_settlement_csv
from contracts.choices import ContractStatus
from contracts.models import Contract, ContractMember, Insurer, PerformanceBond
from contracts.selectors import insurer_of
from contracts.services.insurers import insurer_user_link
from insurance.models import BenefitPlan, SchemeYear

DEMO_PLANS = {"EMP-SUPP": "ordos-2018", "UNIV-SUPP": "qingdao-2017", "CRIT-2ND": "huizhou-2013"}


@transaction.atomic
def _contract_ensure(year: SchemeYear) -> Contract:
    insurer, _c = Insurer.objects.get_or_create(
        credit_code="91150600MA0DEMO01X",
        defaults={
            "name": "示范人寿保险股份有限公司示范市中心支公司",
            "health_insurance_licensed": True,
            "head_office_name": "示范人寿保险股份有限公司",
        },
    )
    contract, created = Contract.objects.get_or_create(
        number=f"DEMO-{year.scheme.code}-{year.year}",
        defaults={
            "scheme": year.scheme,
            "lead_insurer": insurer,
            "starts_on": dt.date(year.year, 1, 1),
            "ends_on": dt.date(year.year + 2, 12, 31),
            "coverage_from": dt.date(year.year, 1, 1),
            "status": ContractStatus.ACTIVE,
            "signed_on": dt.date(year.year - 1, 12, 20),
            "activated_on": dt.date(year.year, 1, 1),
        },
    )
    if created:
        ContractMember.objects.create(contract=contract, insurer=insurer, share=Decimal("100.00"))
        PerformanceBond.objects.create(
            contract=contract,
            bank="中国工商银行示范市分行",
            guarantee_no=f"BH{year.year}0001",
            amount=Decimal("2000000.00"),
            valid_from=dt.date(year.year, 1, 1),
            valid_until=dt.date(year.year + 3, 3, 31),
        )
    return contract


def demo_claims_ensure(*, insurer_username: str = "demo_insurer", rows: int = 600) -> None:
    from audit.models import User

    for code, plan_code in DEMO_PLANS.items():
        year = SchemeYear.objects.filter(scheme__code=code).order_by("-year").first()
        if year is not None and year.plan_id is None:
            year.plan = BenefitPlan.objects.filter(code=plan_code, status="active").first()
            year.save()
    year = SchemeYear.objects.select_related("scheme").get(scheme__code="EMP-SUPP")
    contract = _contract_ensure(year)
    user = User.objects.filter(username=insurer_username).first()
    if user is not None and insurer_of(user) is None:
        insurer_user_link(user=user, insurer=contract.lead_insurer, actor=None)
    people = covered_people(scheme_year=year)
    if not people:
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"demo-{year.year}-settlements.csv"
        write_settlement_csv(path, settlement_rows(people=people, count=rows, year=year.year))
        with path.open("rb") as fh:
            received = batch_receive(contract=contract, fileobj=fh, filename=path.name, queue=False)
    if not received.duplicate:
        batch_process(batch_id=received.batch.pk)
