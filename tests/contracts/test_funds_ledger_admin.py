"""The ledger after a year of generated activity; admin pages, voucher and dashboard tile."""

import datetime
import io
import random
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from contracts.choices import LedgerAccount, LedgerKind, PaymentStatus
from contracts.models import FundingCalculation, LedgerEntry, ReserveRelease, Transfer
from contracts.selectors import fund_summary, ledger_balances
from contracts.services import bond_deduction_approve, bond_deduction_propose
from contracts.services.reserves import reserve_release, reserve_release_move
from contracts.services.transfers import transfer_move, transfers_generate
from contracts.services.year_end import year_end_approve, year_end_prepare
from tests.conftest import login_verified
from tests.contracts.factories import BondFactory, InsurerFactory
from tests.contracts.test_funds_support import HZ_PARAMS, approve_funding, make_contract

D = Decimal


@pytest.fixture
def finance(role_user):
    return role_user("finance")


@pytest.fixture
def director(role_user):
    return role_user("director")


def run_year(contract, finance, director, *, score, claims, year=2025):
    for q in (1, 2, 3, 4):
        transfers_generate(year=year, quarter=q)
        t = Transfer.objects.get(contract=contract, year=year, quarter=q)
        transfer_move(transfer=t, move="prepare", actor=finance)
        transfer_move(transfer=t, move="approve", actor=director)
        transfer_move(
            transfer=t,
            move="pay",
            actor=finance,
            paid_on=datetime.date(year, 3 * q - 2, 5),
            bank_reference=f"T{contract.pk}{q}",
        )
    release = reserve_release(
        contract=contract, year=year, score=score, evaluation_ref="KH", actor=finance
    )
    reserve_release_move(release=release, move="approve", actor=director)
    reserve_release_move(
        release=release,
        move="pay",
        actor=finance,
        paid_on=datetime.date(year + 1, 3, 1),
        bank_reference=f"R{contract.pk}",
    )
    settlement = year_end_prepare(
        contract=contract,
        year=year,
        claims_paid=claims,
        claims_source="测试",
        interest=D("1234.56"),
        allowed_costs=D("7654.32"),
        actor=finance,
    )
    return year_end_approve(settlement=settlement, actor=director)


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ledger_balances_after_a_year(finance, director, seed):
    rng = random.Random(seed)
    lead, other = InsurerFactory(), InsurerFactory()
    total = D(rng.randint(10**6, 10**10)) / 100
    params = {**HZ_PARAMS, "total": str(total)}
    contract, _y = make_contract(
        params=params,
        lead_insurer=lead,
        members=[(lead, D("61.37")), (other, D("38.63"))],
        **(
            # R-HZ-2 defines what is paid over in all: no evaluation reserve beside it
            {"settlement_rule": "payout_ratio", "transfer_share": D(100), "reserve_share": D(0)}
            if seed == 1
            else {}
        ),
        surplus_rule=["carry_over", "return_to_fund"][seed % 2],
    )
    bond = BondFactory(contract=contract)
    approve_funding(contract, 2025, finance, director)
    claims = (total * D(rng.randint(70, 120)) / 100).quantize(D("0.01"))
    settlement = run_year(contract, finance, director, score=rng.randint(50, 100), claims=claims)
    deduction = bond_deduction_propose(
        contract=contract, amount="12345.67", reason="拒赔", actor=finance, bond=bond
    )
    bond_deduction_approve(deduction=deduction, actor=director)

    balances = ledger_balances(contract=contract)
    # double entry: per fund and year, all accounts add up to zero
    per_fund_year: dict = {}
    for (fund, year, _account), value in balances.items():
        per_fund_year[(fund, year)] = per_fund_year.get((fund, year), D(0)) + value
    assert set(per_fund_year.values()) == {D("0.00")}

    def total_of(account, year=2025):
        return sum(
            (v for (_f, y, a), v in balances.items() if a == account and y == year), D("0.00")
        )

    release = ReserveRelease.objects.get(contract=contract)
    transfers = sum(t.amount for t in Transfer.objects.filter(contract=contract))
    bond_year = LedgerEntry.objects.get(kind=LedgerKind.BOND_DEDUCTION, direction="out").year
    # every account equals the documents' figures, independently summed
    assert total_of(LedgerAccount.POOL) == D("0.00")  # all four quarters paid
    assert total_of(LedgerAccount.RESERVE) == D("0.00")  # released + returned
    expected_insurer = (
        transfers
        + release.released
        - settlement.to_return
        - settlement.to_carry
        + settlement.loss_fund_share
        + settlement.to_pay
    )
    bond_adj = deduction.amount if bond_year == 2025 else D(0)
    assert total_of(LedgerAccount.INSURER) == expected_insurer - bond_adj
    assert total_of(LedgerAccount.CARRIED) == settlement.to_carry
    assert total_of(LedgerAccount.FUND) == (
        -total
        + release.returned
        + settlement.to_return
        - settlement.loss_fund_share
        - settlement.to_pay
        + bond_adj
    )
    assert transfers + release.held == total  # 80% + 20% = the year's funding
    # the balance of an account is the sum of its entries
    pool_in = sum(
        e.amount
        for e in LedgerEntry.objects.filter(contract=contract, account="pool", direction="in")
    )
    assert pool_in == total
    assert LedgerEntry.objects.filter(kind=LedgerKind.BOND_DEDUCTION).count() == 2
    summary = fund_summary(contract=contract, year=2025)
    assert summary["raised"] == total and summary["transferred"] == transfers
    assert summary["held"] == D("0.00") and summary["released"] == release.released


ADMIN_MODELS = [
    "fundingcalculation",
    "transfer",
    "reserverelease",
    "reservereleaseband",
    "yearendsettlement",
    "ledgerentry",
]


@pytest.fixture
def year_done(finance, director):
    evil = InsurerFactory(name='=HYPERLINK("http://x")')
    contract, _y = make_contract(lead_insurer=evil)
    approve_funding(contract, 2025, finance, director)
    run_year(contract, finance, director, score=85, claims=D("140000000.00"))
    return contract


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["finance", "director"])
def test_admin_pages_render(client, role, finance, director, year_done):
    user = finance if role == "finance" else director
    login_verified(client, user)
    for model in ADMIN_MODELS:
        url = reverse(f"admin:contracts_{model}_changelist")
        assert client.get(url).status_code == 200, model
    for obj in [
        FundingCalculation.objects.first(),
        Transfer.objects.first(),
        ReserveRelease.objects.first(),
        year_done.settlements.first(),
        LedgerEntry.objects.first(),
    ]:
        url = reverse(f"admin:contracts_{obj._meta.model_name}_change", args=[obj.pk])
        response = client.get(url)
        assert response.status_code == 200, obj._meta.model_name
    add = client.get(reverse("admin:contracts_fundingcalculation_add"))
    assert add.status_code == (200 if role == "finance" else 403)


@pytest.mark.django_db
def test_admin_buttons_offer_only_legal_moves(client, finance, director):
    contract, _y = make_contract()
    approve_funding(contract, 2025, finance, director)
    transfers_generate(year=2025, quarter=1)
    transfer = transfer_move(transfer=Transfer.objects.get(), move="prepare", actor=finance)
    change = reverse("admin:contracts_transfer_change", args=[transfer.pk])
    approve = reverse("admin:contracts_transfer_move", args=[transfer.pk, "approve"])
    login_verified(client, finance)
    assert approve not in client.get(change).content.decode()  # the maker sees no approve
    assert client.get(approve).status_code == 403
    login_verified(client, director)
    assert approve in client.get(change).content.decode()
    response = client.post(approve, {"reason": "同意"})
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == PaymentStatus.APPROVED


@pytest.mark.django_db
def test_voucher_xlsx_neutralises_formulas(client, finance, year_done):
    login_verified(client, finance)
    transfer = Transfer.objects.get(contract=year_done, quarter=1)
    response = client.get(reverse("admin:contracts_transfer_voucher", args=[transfer.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert '\'=HYPERLINK("http://x")' in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
    assert "合同编号" in values
    numbers = [D(str(v)).quantize(D("0.01")) for v in values if isinstance(v, float | int)]
    assert numbers.count(transfer.amount) >= 2  # the header amount and the total row


@pytest.mark.django_db
def test_dashboard_tile_per_contract(rf, finance, role_user, year_done):
    from contracts.dashboard import fund_tiles
    from contracts.services import insurer_user_link

    make_contract()  # another contract, another insurer
    request = rf.get("/")
    request.user = finance
    assert len(fund_tiles(request)) == 2
    insurer_user = role_user("insurer", "t_ins")
    insurer_user_link(user=insurer_user, insurer=year_done.lead_insurer, actor=finance)
    request.user = insurer_user
    tiles = fund_tiles(request)
    assert [t.title.split(" ")[0] for t in tiles] == [year_done.number]
    # amounts as people read money: thousands grouped, never "58800.00"

    assert not re.search(r"\d{4,}\.\d\d", str(tiles[0].value) + str(tiles[0].note))
    assert re.search(r"已筹 \d{1,3}(,\d{3})*\.\d\d", str(tiles[0].value))
    request.user = role_user("administrator")
    assert fund_tiles(request) == []
