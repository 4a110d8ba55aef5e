"""The one door: insurer users see only their own contracts (lead or member)."""

from decimal import Decimal

import pytest

from audit.scoping import restrict
from contracts.models import PerformanceBond
from contracts.selectors import (
    contract_for_user,
    contract_shares,
    insurer_of,
)
from contracts.services import insurer_user_link
from tests.conftest import with_perms
from tests.contracts.factories import BondFactory, ContractFactory, InsurerFactory


@pytest.fixture
def contracts(db):
    lead, member, stranger = InsurerFactory(), InsurerFactory(), InsurerFactory()
    led = ContractFactory(
        lead_insurer=lead, members=[(lead, Decimal("70")), (member, Decimal("30"))]
    )
    joined = ContractFactory(
        lead_insurer=stranger, members=[(stranger, Decimal("50")), (lead, Decimal("50"))]
    )
    other = ContractFactory(lead_insurer=stranger)
    for contract in (led, joined, other):
        BondFactory(contract=contract)
    return lead, member, stranger, led, joined, other


def test_insurer_user_sees_contracts_where_it_is_lead_or_member(contracts, role_user):
    lead, member, _stranger, led, joined, _other = contracts
    user = with_perms(role_user("insurer", "ins_lead"), "contracts.view_performancebond")
    insurer_user_link(user=user, insurer=lead, actor=None)
    assert insurer_of(user) == lead
    assert set(contract_for_user(user)) == {led, joined}
    assert set(restrict(PerformanceBond, user).values_list("contract", flat=True)) == {
        led.pk,
        joined.pk,
    }
    member_user = role_user("insurer", "ins_member")
    insurer_user_link(user=member_user, insurer=member, actor=None)
    assert list(contract_for_user(member_user)) == [led]


def test_unlinked_insurer_user_sees_nothing(contracts, role_user):
    assert not contract_for_user(role_user("insurer")).exists()


def test_bureau_staff_see_all(contracts, role_user):
    assert contract_for_user(role_user("auditor")).count() == 3
    assert insurer_of(role_user("auditor")) is None


def test_anonymous_sees_nothing(contracts):
    from django.contrib.auth.models import AnonymousUser

    assert not contract_for_user(AnonymousUser()).exists()


def test_contract_shares_lead_first(contracts):
    _lead, _member, stranger, _led, joined, _other = contracts
    assert contract_shares(joined)[0][0] == stranger
