"""The year-end settlement prepared from real claims data: settlement files go through the real
pipeline (plan ordos-2018), the engine computes what the insurer owed, and the statement's
claims-paid line is that sum. Also the two ways to prepare it: the command and the admin page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.urls import reverse

from audit.errors import NotPermitted
from claims.models import Compensation, CompensationAdjustment, SettlementRecord
from claims.oversight.services.year_end import year_end_prepare_for
from claims.settlements.services.batches import batch_receive
from contracts.choices import ContractStatus, LedgerAccount, SettlementStatus
from contracts.models import YearEndSettlement
from contracts.selectors import ledger_balances
from contracts.services.funding import funding_approve, funding_calculate
from contracts.services.insurers import insurer_user_link
from contracts.services.year_end import year_end_approve
from insurance.choices import FundingKind
from insurance.models import BenefitPlan, Enrollment
from tests.claims.files import settlement_row, write_csv
from tests.contracts.factories import ContractFactory
from tests.contracts.test_funds_support import pay_year
from tests.insurance.factories import PersonFactory, SchemeYearFactory

D = Decimal
FUNDING = {"total": "30000.00", "split": [{"source": "resident_fund", "percent": "100"}]}


@pytest.fixture
def people(role_user):
    return {"finance": role_user("finance"), "director": role_user("director")}


@pytest.fixture
def ordos(db, people):
    """An ordos-2018 contract for 2018-2019, one person enrolled both years, 2018 funding of
    30,000.00 approved by two people."""
    plan = BenefitPlan.objects.get(code="ordos-2018")
    years = [
        SchemeYearFactory(
            year=2018, plan=plan, funding_kind=FundingKind.FIXED_TOTAL, funding_params=FUNDING
        )
    ]
    years.append(SchemeYearFactory(scheme=years[0].scheme, year=2019, plan=plan))
    contract = ContractFactory(
        scheme=years[0].scheme,
        status=ContractStatus.ACTIVE,
        starts_on=dt.date(2018, 1, 1),
        ends_on=dt.date(2019, 12, 31),
    )
    person = PersonFactory(psn_no="P0001", insutype="310")
    for year in years:
        Enrollment.objects.create(
            person=person, scheme_year=year, kind="renewal", start_date=year.coverage_start,
            end_date=year.coverage_end, benefits_from=year.coverage_start,
        )  # fmt: skip
    calc = funding_calculate(contract=contract, year=2018, actor=people["finance"])
    funding_approve(calculation=calc, actor=people["director"])
    # the year's money is settled before its year-end: 24,000 in four quarters, then the
    # 6,000 reserve released in full for a score of 95
    pay_year(contract, 2018, people["finance"], people["director"], score="95")
    return contract


@pytest.fixture
def send(django_capture_on_commit_callbacks, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"

    def _send(contract, name, rows):
        path = write_csv(tmp_path / name, rows)
        with django_capture_on_commit_callbacks(execute=True), path.open("rb") as fh:
            batch = batch_receive(contract=contract, fileobj=fh, filename=name).batch
        batch.refresh_from_db()
        assert batch.status == "applied", batch.errors_preview or batch.file_problem
        assert batch.computed_at is not None
        return batch

    return _send


def _chemo(n: int, day: str, burden: str) -> dict:
    """A chemotherapy admission whose whole cost is the patient's burden (no fund paid)."""
    return settlement_row(
        n, psn_no="P0001", total=burden, setl_time=f"{day} 10:00:00", begndate=day, enddate=day,
        fulamt_ownpay_amt="0.00", inscp_scp_amt=burden, hifp_pay="0.00", fund_pay_sumamt="0.00",
        psn_part_amt=burden, trt_category="chemotherapy",
    )  # fmt: skip


@pytest.fixture
def claims_2018(ordos, send):
    """Three files: an admission (owed 10,100.00), two chemotherapy stays, a late one that
    adjusts them (+900.00, +1,500.00), and a 2019 admission that must stay out of 2018."""
    admission = settlement_row(
        1, psn_no="P0001", total="100000.00", setl_time="2018-03-10 10:00:00",
        begndate="2018-03-01", enddate="2018-03-10", inscp_over_max_amt="10000.00",
        excl_item_amt="2000.00",
    )  # fmt: skip
    send(ordos, "a.csv", [admission, _chemo(10, "2018-06-01", "15000.00"),
                          _chemo(11, "2018-08-01", "10000.00")])  # fmt: skip
    send(ordos, "b.csv", [_chemo(12, "2018-04-01", "8000.00")])
    next_year = settlement_row(
        20, psn_no="P0001", total="100000.00", setl_time="2019-02-10 10:00:00",
        begndate="2019-02-01", enddate="2019-02-10", inscp_over_max_amt="10000.00",
    )  # fmt: skip
    send(ordos, "c.csv", [next_year])
    return ordos


def _owed_in_2018(contract) -> Decimal:
    """Independently of `compensation_due_total`: per record of the contract settled in 2018,
    its first compensation plus its adjustments, summed in Python."""
    total = D("0.00")
    records = SettlementRecord.objects.filter(contract=contract, setl_time__year=2018)
    for record in records:
        total += Compensation.objects.get(record=record).total
        total += CompensationAdjustment.objects.filter(record=record).aggregate(s=Sum("total"))[
            "s"
        ] or D("0.00")
    return total


def test_claims_paid_line_is_the_engines_sum_of_the_year(claims_2018, people):
    contract = claims_2018
    # The 2019 admission was computed too (so leaving it out is a real choice).
    assert Compensation.objects.get(record__setl_id="S00000020").total > 0
    assert CompensationAdjustment.objects.filter(record__contract=contract).exists()
    expected = _owed_in_2018(contract)
    assert expected == D("14000.00")  # 10,100 + 0 + (0 + 900) + (1,500 + 1,500)

    settlement = year_end_prepare_for(contract=contract, year=2018, actor=people["finance"])

    assert settlement.claims_paid == expected
    line = settlement.lines.get(code="claims_paid")
    assert line.amount == expected
    assert "2018-01-01～2018-12-31" in line.source
    assert settlement.payout_ratio == D("46.67")  # 14,000 / 30,000
    assert settlement.status == SettlementStatus.PREPARED
    assert settlement.prepared_by == people["finance"]

    with pytest.raises(NotPermitted):
        year_end_approve(settlement=settlement, actor=people["finance"])  # the maker
    year_end_approve(settlement=settlement, actor=people["director"])
    settlement.refresh_from_db()
    # received 24,000 + 6,000 = 30,000 - claims 14,000 = 16,000; profit cap 5% = 1,500; the
    # rest (14,500) is carried over into 2019's funds (R-ORD-3), the contract running to 2019
    assert settlement.to_carry == D("14500.00") and settlement.to_return == D("0.00")
    assert settlement.loss_fund_share == D("0.00") and settlement.insurer_result == D("1500.00")
    balances = ledger_balances(contract=contract)
    assert balances[("resident_fund", 2018, LedgerAccount.INSURER)] == D("15500.00")
    # and enters 2019 with the insurer
    assert balances[("resident_fund", 2019, LedgerAccount.INSURER)] == D("14500.00")
    assert balances[("resident_fund", 2019, LedgerAccount.CARRIED)] == D("-14500.00")


def test_the_command_prepares_with_interest_and_costs(claims_2018, people, capsys):
    call_command(
        "year_end_prepare", contract=claims_2018.pk, year=2018, user=people["finance"].username,
        interest="100.00", allowed_costs="500.00",
    )  # fmt: skip
    settlement = YearEndSettlement.objects.get(contract=claims_2018, year=2018)
    assert settlement.claims_paid == _owed_in_2018(claims_2018)
    lines = {line.code: line.amount for line in settlement.lines.all()}
    assert lines["interest"] == D("100.00") and lines["allowed_costs"] == D("500.00")
    assert "claims_paid=14000.00" in capsys.readouterr().out


def test_the_command_refuses_a_user_without_the_finance_permission(claims_2018, role_user):
    operator = role_user("operator")
    with pytest.raises(CommandError, match="年度清算编制"):
        call_command("year_end_prepare", contract=claims_2018.pk, year=2018, user=operator.username)
    with pytest.raises(CommandError, match="合同不存在"):
        call_command("year_end_prepare", contract=999999, year=2018, user=operator.username)
    assert not YearEndSettlement.objects.exists()


def test_the_command_explains_a_year_without_funding(claims_2018, people):
    with pytest.raises(CommandError, match="没有已批准的筹资测算"):
        call_command(
            "year_end_prepare", contract=claims_2018.pk, year=2019, user=people["finance"].username
        )


# --- the admin page (served by the claims admin, linked from the contracts admin) -------------

PREPARE_URL = "/admin/contracts/yearendsettlement/prepare/"


def test_the_page_is_where_the_url_name_says():
    assert reverse("admin:claims_year_end_prepare") == PREPARE_URL


def test_finance_prepares_from_the_admin_by_post_only(claims_2018, people, verified_client):
    client = verified_client(people["finance"])
    listing = client.get(reverse("admin:contracts_yearendsettlement_changelist"))
    assert PREPARE_URL in listing.content.decode()

    page = client.get(PREPARE_URL, {"contract": claims_2018.pk, "year": 2018})
    assert page.status_code == 200
    assert not YearEndSettlement.objects.exists()  # a GET writes nothing

    data = {"contract": claims_2018.pk, "year": 2018, "interest": "", "allowed_costs": "250"}
    response = client.post(PREPARE_URL, data)
    settlement = YearEndSettlement.objects.get(contract=claims_2018, year=2018)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:contracts_yearendsettlement_change", args=[settlement.pk]
    )
    assert settlement.claims_paid == _owed_in_2018(claims_2018)
    assert settlement.lines.get(code="allowed_costs").amount == D("250.00")
    assert settlement.prepared_by == people["finance"]

    # Its page offers re-preparing (not approving: the maker is not the checker).
    page = client.get(response["Location"]).content.decode()
    assert f"{PREPARE_URL}?contract={claims_2018.pk}&amp;year=2018" in page
    assert (
        reverse("admin:contracts_yearendsettlement_move", args=[settlement.pk, "approve"])
        not in page
    )


def test_service_refusals_are_shown_on_the_page(claims_2018, people, verified_client):
    client = verified_client(people["finance"])
    response = client.post(PREPARE_URL, {"contract": claims_2018.pk, "year": 2019})
    assert response.status_code == 200
    assert "没有已批准的筹资测算" in response.content.decode()
    assert not YearEndSettlement.objects.exists()


@pytest.mark.parametrize("role", ["operator", "reviewer", "insurer"])
def test_the_page_refuses_users_without_the_finance_permission(
    claims_2018, role_user, client, role
):
    user = role_user(role)
    if role == "insurer":
        insurer_user_link(user=user, insurer=claims_2018.lead_insurer, actor=None)
    client.force_login(user)
    for response in (
        client.get(PREPARE_URL),
        client.post(PREPARE_URL, {"contract": claims_2018.pk, "year": 2018}),
    ):
        assert response.status_code == 403
        text = response.content.decode()
        assert "您没有编制年度清算的权限" in text and "contracts.prepare_transfer" in text
        assert 'name="contract"' not in text  # no form to fill
    assert not YearEndSettlement.objects.exists()
    listing = client.get(reverse("admin:contracts_yearendsettlement_changelist"))
    assert PREPARE_URL not in listing.content.decode()
