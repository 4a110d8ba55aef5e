"""Quarterly transfers: exact quarters and consortium parts, idempotent job, maker/checker."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.errors import IllegalMove, NotPermitted, RuleError
from contracts.choices import LedgerAccount, PaymentStatus
from contracts.models import PaymentPart, Transfer
from contracts.selectors import ledger_balances
from contracts.services.transfers import (
    member_parts,
    transfer_approve,
    transfer_move,
    transfer_pay,
    transfer_prepare,
    transfers_generate,
)
from contracts.tasks import transfers_generate as transfers_task
from insurance.choices import FundingKind
from insurance.engine.money import split_exact
from tests.contracts.factories import ContractFactory, InsurerFactory
from tests.contracts.test_funds_support import (
    approve_funding,
    enroll,
    make_contract,
)

D = Decimal


@pytest.fixture
def finance(role_user):
    return role_user("finance")


@pytest.fixture
def director(role_user):
    return role_user("director")


def _run_year(year=2025):
    for q in (1, 2, 3, 4):
        transfers_generate(year=year, quarter=q)
    return list(Transfer.objects.filter(year=year).order_by("quarter"))


@pytest.mark.django_db
def test_ordos_60_per_head_80_20_over_four_quarters(finance, director):
    contract, year = make_contract(
        kind=FundingKind.PER_CAPITA, params={"amount": "60.00", "source": "employee_large_fund"}
    )
    for _ in range(7):
        enroll(year)
    approve_funding(contract, 2025, finance, director)
    transfers = _run_year()
    # 7 × 60.00 = 420.00; 80% = 336.00 -> 84.00 a quarter; reserve 84.00 -> 21.00 a quarter
    assert [t.amount for t in transfers] == [D("84.00")] * 4
    assert [t.reserve_part for t in transfers] == [D("21.00")] * 4
    assert sum(t.amount for t in transfers) == D("336.00")


@pytest.mark.django_db
def test_quarters_add_up_exactly_when_fen_do_not_divide(finance, director):
    params = {"total": "100000.07", "split": [{"source": "resident_fund", "percent": "100"}]}
    contract, _y = make_contract(params=params)
    approve_funding(contract, 2025, finance, director)
    transfers = _run_year()
    # 80% of 100,000.07 = 80,000.056 -> 80,000.06; 8,000,006 fen / 4 = 2,000,001 r 2
    assert [t.amount for t in transfers] == [D("20000.02"), D("20000.02")] + [D("20000.01")] * 2
    # reserve = 100,000.07 − 80,000.06 = 20,000.01; 2,000,001 fen / 4 = 500,000 r 1
    assert [t.reserve_part for t in transfers] == [D("5000.01")] + [D("5000.00")] * 3
    assert sum(t.amount for t in transfers) + sum(t.reserve_part for t in transfers) == D(
        "100000.07"
    )


@pytest.mark.django_db
def test_transfer_share_is_contract_configurable(finance, director):
    params = {"total": "1000.00", "split": [{"source": "resident_fund", "percent": "100"}]}
    contract, _y = make_contract(params=params, transfer_share=D("90.00"), reserve_share=D("10.00"))
    approve_funding(contract, 2025, finance, director)
    # 90% of 1,000.00 = 900.00 -> 225.00 a quarter; reserve 100.00 -> 25.00
    assert {t.amount for t in _run_year()} == {D("225.00")}


@pytest.mark.django_db
def test_consortium_parts_add_up(finance, director):
    lead, second, third = InsurerFactory(), InsurerFactory(), InsurerFactory()
    params = {"total": "100000.07", "split": [{"source": "resident_fund", "percent": "100"}]}
    contract, _y = make_contract(
        params=params,
        lead_insurer=lead,
        members=[(lead, D("50.00")), (second, D("30.00")), (third, D("20.00"))],
    )
    approve_funding(contract, 2025, finance, director)
    q1 = _run_year()[0]
    # 20,000.02 = 2,000,002 fen: 50% 1,000,001; 30% 600,000.6; 20% 400,000.4 -> the fen left
    # goes to the largest remainder (0.6): 10,000.01 / 6,000.01 / 4,000.00
    parts = list(PaymentPart.objects.filter(transfer=q1).order_by("-share"))
    assert [(p.insurer, p.amount) for p in parts] == [
        (lead, D("10000.01")),
        (second, D("6000.01")),
        (third, D("4000.00")),
    ]


@st.composite
def shares(draw):
    """2..10 shares in 0.01% that add up to 100.00%."""
    n = draw(st.integers(min_value=2, max_value=10))
    cuts = sorted(draw(st.sets(st.integers(1, 9999), min_size=n - 1, max_size=n - 1)))
    bounds = [0, *cuts, 10000]
    return [D(bounds[i + 1] - bounds[i]) / 100 for i in range(n)]


@settings(max_examples=200, deadline=None)
@given(weights=shares(), fen=st.integers(min_value=0, max_value=10**13))
def test_split_over_consortium_is_exact(weights, fen):
    total = D(fen) / 100
    parts = split_exact(total=total, weights=weights)
    assert sum(parts) == total
    assert all(p >= 0 for p in parts)
    # no part is more than one fen away from its exact share
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - total * weight / 100) < D("0.01")


@pytest.mark.django_db
def test_member_parts_uses_contract_shares():
    lead, other = InsurerFactory(), InsurerFactory()
    contract = ContractFactory(lead_insurer=lead, members=[(other, D("66.67")), (lead, D("33.33"))])
    # 100.00 × 33.33% = 33.33, × 66.67% = 66.67; the lead comes first
    assert member_parts(contract, D("100.00")) == [
        (lead, D("33.33"), D("33.33")),
        (other, D("66.67"), D("66.67")),
    ]


@pytest.mark.django_db
def test_job_twice_creates_one_transfer(finance, director):
    contract, _y = make_contract()
    approve_funding(contract, 2025, finance, director)
    assert transfers_task(year=2025, quarter=2) == {"created": 1, "existing": 0, "no_funding": 0}
    assert transfers_task(year=2025, quarter=2) == {"created": 0, "existing": 1, "no_funding": 0}
    assert Transfer.objects.filter(contract=contract).count() == 1
    # the amount is what quarter 2 gets whatever order the quarters are made in:
    # 145,891,300.00 × 80% = 116,713,040.00 / 4 = 29,178,260.00
    assert Transfer.objects.get(contract=contract).amount == D("29178260.00")


@pytest.mark.django_db
def test_job_skips_years_without_approved_funding():
    make_contract()
    assert transfers_generate(year=2025, quarter=1) == {
        "created": 0,
        "existing": 0,
        "no_funding": 1,
    }


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks under concurrency need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_job_run_concurrently_creates_one_transfer(finance, director):
    contract, _y = make_contract()
    approve_funding(contract, 2025, finance, director)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(transfers_generate(year=2025, quarter=1))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Transfer.objects.filter(contract=contract, year=2025, quarter=1).count() == 1
    assert sum(r["created"] for r in results) == 1
    assert sum(r["existing"] for r in results) == 3


@pytest.mark.django_db
def test_workflow_maker_checker_and_payment(finance, director):
    contract, _y = make_contract()
    approve_funding(contract, 2025, finance, director)
    transfers_generate(year=2025, quarter=1)
    transfer = Transfer.objects.get()
    with pytest.raises(IllegalMove, match="制单"):
        transfer_approve(transfer=transfer, actor=director)  # still a draft
    with pytest.raises(NotPermitted):
        transfer_prepare(transfer=transfer, actor=director)  # director is no maker
    transfer_prepare(transfer=transfer, actor=finance)
    with pytest.raises(NotPermitted):
        transfer_approve(transfer=transfer, actor=finance)  # finance may not approve
    transfer = transfer_approve(transfer=transfer, actor=director)
    assert transfer.status == PaymentStatus.APPROVED and transfer.approved_by == director
    with pytest.raises(RuleError, match="银行流水号"):
        transfer_pay(transfer=transfer, actor=finance, paid_on=None, bank_reference="")
    transfer = transfer_pay(
        transfer=transfer,
        actor=finance,
        paid_on=datetime.date(2025, 1, 10),
        bank_reference="ICBC-20250110-001",
    )
    assert transfer.status == PaymentStatus.PAID
    balances = ledger_balances(contract=contract, year=2025)
    # Q1: transfer 29,178,260.00 split 8:2 -> 23,342,608.00 / 5,835,652.00 to the insurer
    assert balances[("employee_supp_fund", 2025, LedgerAccount.INSURER)] == D("23342608.00")
    assert balances[("resident_fund", 2025, LedgerAccount.INSURER)] == D("5835652.00")
    # reserve Q1: 29,178,260.00 / 4 = 7,294,565.00 (20% of the year)
    reserve = sum(v for (_f, _y, a), v in balances.items() if a == LedgerAccount.RESERVE)
    assert reserve == D("7294565.00")
    with pytest.raises(IllegalMove):
        transfer_move(transfer=transfer, move="approve", actor=director)


@pytest.mark.django_db
def test_approval_by_the_preparer_is_refused(finance, director):
    finance.user_permissions.add(Permission.objects.get(codename="approve_transfer"))
    finance = type(finance).objects.get(pk=finance.pk)  # drop the permission cache
    contract, _y = make_contract()
    approve_funding(contract, 2025, finance, director)
    transfers_generate(year=2025, quarter=1)
    transfer = transfer_prepare(transfer=Transfer.objects.get(), actor=finance)
    with pytest.raises(NotPermitted, match="制单人不能审批"):
        transfer_approve(transfer=transfer, actor=finance)
    transfer.refresh_from_db()
    assert transfer.status == PaymentStatus.PREPARED and transfer.approved_by is None


@pytest.mark.django_db
def test_send_back_needs_reason_and_returns_to_draft(finance, director):
    contract, _y = make_contract()
    approve_funding(contract, 2025, finance, director)
    transfers_generate(year=2025, quarter=1)
    transfer = transfer_prepare(transfer=Transfer.objects.get(), actor=finance)
    with pytest.raises(RuleError, match="原因"):
        transfer_move(transfer=transfer, move="send_back", actor=director)
    transfer = transfer_move(
        transfer=transfer, move="send_back", actor=director, reason="银行账号有误"
    )
    assert transfer.status == PaymentStatus.DRAFT and transfer.prepared_by is None
