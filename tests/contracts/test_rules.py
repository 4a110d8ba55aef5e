"""Term (R-CON-1), renewal dates (R-CON-2), shares (R-CON-6) and money terms."""

import datetime
from decimal import Decimal

import pytest

from audit.errors import RuleError
from contracts.choices import ContractStatus, PlatformFeeKind
from contracts.dates import add_months, min_term_end, renewal_answer_due, renewal_window
from contracts.models import Contract
from contracts.rules import money_term_errors, share_errors, term_errors

D = datetime.date


def test_min_term_end_is_three_full_years():
    assert min_term_end(D(2024, 1, 1)) == D(2026, 12, 31)
    assert min_term_end(D(2024, 2, 29)) == D(2027, 2, 27)


def test_add_months_clamps_month_end():
    assert add_months(D(2024, 8, 31), 6) == D(2025, 2, 28)
    assert add_months(D(2024, 1, 31), -2) == D(2023, 11, 30)


@pytest.mark.parametrize(
    ("ends_on", "window_opens", "window_closes"),
    [
        (D(2026, 12, 31), D(2026, 7, 1), D(2026, 12, 31)),
        (D(2026, 6, 30), D(2026, 1, 1), D(2026, 6, 30)),
        (D(2027, 2, 28), D(2026, 9, 1), D(2027, 2, 28)),
    ],
)
def test_renewal_window_is_the_six_months_before_expiry(ends_on, window_opens, window_closes):
    assert renewal_window(ends_on) == (window_opens, window_closes)


def test_bureau_answer_due_three_months_after_request():
    assert renewal_answer_due(D(2026, 8, 15)) == D(2026, 11, 15)
    assert renewal_answer_due(D(2026, 11, 30)) == D(2027, 2, 28)


def _contract(**kw):
    base = {"starts_on": D(2024, 1, 1), "ends_on": D(2026, 12, 31), "coverage_from": None}
    base.update(kw)
    return Contract(**base)


@pytest.mark.parametrize(
    ("ends_on", "ok"),
    [(D(2026, 12, 31), True), (D(2027, 12, 31), True), (D(2026, 12, 30), False)],
)
def test_term_at_least_three_years(ends_on, ok):
    errors = term_errors(_contract(ends_on=ends_on))
    assert ("ends_on" not in errors) is ok
    if not ok:
        assert "2026-12-31" in errors["ends_on"][0]


@pytest.mark.django_db
def test_renewal_term_must_join_previous_and_cover_retroactively():
    from tests.contracts.factories import ContractFactory

    previous = ContractFactory(status=ContractStatus.ACTIVE)
    good = _contract(
        scheme=previous.scheme,
        previous=previous,
        starts_on=D(2027, 1, 1),
        ends_on=D(2029, 12, 31),
        coverage_from=D(2027, 1, 1),
    )
    assert term_errors(good) == {}
    gap = _contract(
        scheme=previous.scheme,
        previous=previous,
        starts_on=D(2027, 2, 1),
        ends_on=D(2030, 1, 31),
        coverage_from=D(2027, 2, 1),
    )
    errors = term_errors(gap)
    assert "2027-01-01" in errors["starts_on"][0]
    assert "coverage_from" in errors
    late_cover = _contract(
        scheme=previous.scheme,
        previous=previous,
        starts_on=D(2027, 1, 1),
        ends_on=D(2029, 12, 31),
        coverage_from=D(2027, 3, 1),
    )
    assert set(term_errors(late_cover)) == {"coverage_from"}


def test_shares_must_add_up_to_exactly_100_and_show_the_sum():
    ok = share_errors(1, [(1, Decimal("60.00")), (2, Decimal("40.00"))])
    assert ok == {}
    errors = share_errors(1, [(1, Decimal("60.00")), (2, Decimal("39.99"))])
    assert "99.99" in errors["members"][0]
    errors = share_errors(1, [(1, Decimal("60.00")), (2, Decimal("40.01"))])
    assert "100.01" in errors["members"][0]


def test_lead_must_be_a_member_and_at_most_ten_insurers():
    assert share_errors(9, [(1, Decimal("100"))])["members"]
    ten = [(i, Decimal("10.00")) for i in range(1, 11)]
    assert share_errors(1, ten) == {}
    eleven = [(i, Decimal("10.00")) for i in range(1, 11)] + [(11, Decimal("0.01"))]
    messages = " ".join(share_errors(1, eleven)["members"])
    assert "11" in messages and "100.01" in messages


def test_duplicate_and_zero_shares_refused():
    assert share_errors(1, [(1, Decimal("50")), (1, Decimal("50"))])["members"]
    assert share_errors(1, [(1, Decimal("100")), (2, Decimal("0"))])["members"]


def test_transfer_and_reserve_must_sum_to_100():
    contract = _contract(transfer_share=Decimal("80.00"), reserve_share=Decimal("20.00"))
    assert money_term_errors(contract) == {}
    contract.reserve_share = Decimal("25.00")
    assert "105.00" in money_term_errors(contract)["reserve_share"][0]


def test_platform_fee_rate_capped_at_5_percent():
    contract = _contract(platform_fee_kind=PlatformFeeKind.RATE, platform_fee_rate=Decimal("5.01"))
    assert "platform_fee_rate" in money_term_errors(contract)
    contract.platform_fee_rate = Decimal("5.00")
    assert money_term_errors(contract) == {}
    contract = _contract(platform_fee_kind=PlatformFeeKind.FIXED)
    assert "platform_fee_amount" in money_term_errors(contract)


@pytest.mark.django_db
def test_contract_save_refuses_a_short_term(role_user):
    from contracts.services import contract_save
    from tests.contracts.factories import InsurerFactory, SchemeFactory

    contract = _contract(
        number="HT-X",
        scheme=SchemeFactory(),
        lead_insurer=InsurerFactory(),
        ends_on=D(2025, 12, 31),
    )
    with pytest.raises(RuleError) as exc:
        contract_save(contract=contract, actor=role_user("finance"))
    assert "ends_on" in exc.value.message_dict
    assert not Contract.objects.exists()
