"""Performance bond deductions: maker and checker, balance never negative (R-CON-3)."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from audit.errors import IllegalMove, NotPermitted, RuleError
from audit.models import AuditEntry
from contracts.choices import DeductionSource, DeductionStatus
from contracts.errors import BondError
from contracts.models import BondDeduction, PerformanceBond
from contracts.selectors import bond_balance
from contracts.services import (
    bond_deduction_approve,
    bond_deduction_propose,
    bond_deduction_reject,
)
from tests.contracts.factories import BondFactory


def _checker(role_user, name="checker"):
    user = role_user("director", username=name)
    user.user_permissions.add(Permission.objects.get(codename="approve_bond_deduction"))
    return type(user).objects.get(pk=user.pk)  # fresh permission cache


@pytest.fixture
def bond(db):
    return BondFactory()


def test_default_amount_is_two_million(bond):
    assert bond.amount == Decimal("2000000.00")
    assert bond_balance(bond) == Decimal("2000000.00")


def test_two_people_approve_and_balance_drops(bond, role_user):
    maker = role_user("finance")
    checker = _checker(role_user)
    deduction = bond_deduction_propose(
        contract=bond.contract,
        amount="150000.005",
        reason="无正当理由拒赔",
        source=DeductionSource.CLAIMS_SUPERVISION,
        source_ref="CS-001",
        actor=maker,
    )
    assert deduction.amount == Decimal("150000.01")  # quantised half up
    assert bond_balance(bond) == Decimal("2000000.00")  # pending does not count
    bond_deduction_approve(deduction=deduction, actor=checker, note="同意")
    deduction.refresh_from_db()
    assert deduction.status == DeductionStatus.APPROVED
    assert deduction.approved_by == checker
    assert bond_balance(bond) == Decimal("1849999.99")
    assert AuditEntry.objects.filter(action="approve", object_id=str(deduction.pk)).exists()


def test_proposer_cannot_approve_even_with_permission(bond, role_user):
    maker = _checker(role_user, "maker")
    deduction = bond_deduction_propose(
        contract=bond.contract, amount="1000", reason="违规", actor=maker
    )
    with pytest.raises(NotPermitted) as exc:
        bond_deduction_approve(deduction=deduction, actor=maker)
    assert "提出人" in str(exc.value)
    assert BondDeduction.objects.get().status == DeductionStatus.PROPOSED


def test_approver_needs_the_permission(bond, role_user):
    deduction = bond_deduction_propose(
        contract=bond.contract, amount="1000", reason="违规", actor=role_user("finance")
    )
    with pytest.raises(NotPermitted):
        bond_deduction_approve(deduction=deduction, actor=role_user("reviewer"))
    # The director role holds the permission: its approval goes through.
    bond_deduction_approve(deduction=deduction, actor=role_user("director"))
    deduction.refresh_from_db()
    assert deduction.status == "approved" and deduction.approved_by.username == "t_director"


def test_deduction_above_balance_refused(bond, role_user):
    maker, checker = role_user("finance"), _checker(role_user)
    first = bond_deduction_propose(
        contract=bond.contract, amount="1500000", reason="严重违约", actor=maker
    )
    with pytest.raises(BondError) as exc:
        bond_deduction_propose(contract=bond.contract, amount="600000", reason="再扣", actor=maker)
    assert "500000.00" in exc.value.message
    bond_deduction_approve(deduction=first, actor=checker)
    last = bond_deduction_propose(
        contract=bond.contract, amount="500000.00", reason="再扣", actor=maker
    )
    bond_deduction_approve(deduction=last, actor=checker)
    assert bond_balance(bond) == Decimal("0.00")
    with pytest.raises(BondError):
        bond_deduction_propose(contract=bond.contract, amount="0.01", reason="再扣", actor=maker)


def test_approval_rechecks_the_balance(bond, role_user):
    """Two proposals that each fit can't both be approved if the balance shrank meanwhile."""
    maker, checker = role_user("finance"), _checker(role_user)
    PerformanceBond.objects.filter(pk=bond.pk).update(amount=Decimal("100.00"))
    stale = BondDeduction.objects.create(
        bond=bond, amount=Decimal("80.00"), reason="a", prepared_by=maker
    )
    other = BondDeduction.objects.create(
        bond=bond, amount=Decimal("80.00"), reason="b", prepared_by=maker
    )
    bond_deduction_approve(deduction=stale, actor=checker)
    with pytest.raises(BondError):
        bond_deduction_approve(deduction=other, actor=checker)


def test_reject_needs_note_and_decided_once(bond, role_user):
    maker, checker = role_user("finance"), _checker(role_user)
    deduction = bond_deduction_propose(contract=bond.contract, amount="10", reason="x", actor=maker)
    with pytest.raises(RuleError, match="必须填写理由"):
        bond_deduction_reject(deduction=deduction, actor=checker, note="")
    bond_deduction_reject(deduction=deduction, actor=checker, note="证据不足")
    with pytest.raises(IllegalMove):
        bond_deduction_approve(deduction=deduction, actor=checker)
    assert bond_balance(bond) == Decimal("2000000.00")


@pytest.mark.parametrize("amount", ["0", "-5", "abc"])
def test_bad_amounts_refused(bond, role_user, amount):
    with pytest.raises(BondError):
        bond_deduction_propose(
            contract=bond.contract, amount=amount, reason="x", actor=role_user("finance")
        )
