"""Issue 23: funding inputs and parts as tables with the funds' Chinese names; documents named
and linked instead of raw ids and references."""

import pytest
from django.urls import reverse

from audit.admin.links import ref_link
from contracts.models import LedgerEntry
from contracts.services.funding import funding_approve, funding_calculate
from insurance.choices import FundingKind
from tests.conftest import login_verified
from tests.contracts.test_funds_support import enroll, make_contract


@pytest.fixture
def approved(role_user):
    contract, year = make_contract(
        kind=FundingKind.PER_CAPITA,
        params={"amount": "60.00", "source": "employee_large_fund"},
    )
    enroll(year)
    enroll(year)
    calc = funding_calculate(contract=contract, year=2025, actor=role_user("finance"))
    director = role_user("director")
    funding_approve(calculation=calc, actor=director)
    return calc, director


@pytest.mark.django_db
def test_funding_page_shows_inputs_and_parts_as_tables_in_words(client, approved):
    calc, director = approved
    url = reverse("admin:contracts_fundingcalculation_change", args=[calc.pk])
    page = login_verified(client, director).get(url).content.decode()
    # 2 people × 60.00 = 120.00, all from the employees' large-amount fund
    assert "职工大额医疗费用补助基金" in page
    assert "120.00 元" in page
    assert "筹资参数" in page and "参保人数" in page
    for code in ("employee_large_fund", '"source"', '"amount"', "funding_params"):
        assert code not in page


@pytest.mark.django_db
def test_ledger_entry_names_and_links_its_source_document(client, approved):
    calc, director = approved
    entry = LedgerEntry.objects.filter(source_id=calc.pk).first()
    url = reverse("admin:contracts_ledgerentry_change", args=[entry.pk])
    page = login_verified(client, director).get(url).content.decode()
    link = reverse("admin:contracts_fundingcalculation_change", args=[calc.pk])
    assert f'href="{link}"' in page
    assert str(calc) in page


@pytest.mark.django_db
def test_a_reference_is_a_named_link_and_an_unknown_one_stays_text(approved):
    calc, _director = approved
    html = ref_link(f"contracts.fundingcalculation:{calc.pk}")
    assert reverse("admin:contracts_fundingcalculation_change", args=[calc.pk]) in html
    assert str(calc) in html
    assert ref_link("contracts.fundingcalculation:999999") == "contracts.fundingcalculation:999999"
    assert ref_link("") == "-"
