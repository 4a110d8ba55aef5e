"""The contract workflow table: every (status, move) pair, legal or not, plus the guards."""

import datetime

import pytest

from audit.errors import IllegalMove, NotPermitted, RuleError
from audit.models import AuditEntry, StatusChange
from audit.workflow import allowed_moves
from contracts.choices import (
    ContractStatus,
    DebarmentReason,
    RenewalAnswer,
    TerminationReason,
)
from contracts.models import Debarment
from contracts.services import contract_transition, insurer_user_link
from contracts.workflows import CONTRACT
from tests.contracts.factories import BondFactory, ContractFactory, InsurerFactory

D = datetime.date

# For each move: keyword arguments and a business date that satisfy its guard.
VALID_ARGS = {
    "sign": {"on": D(2023, 12, 1)},
    "activate": {"on": D(2024, 1, 1)},
    "request_renewal": {"on": D(2026, 8, 1)},
    "answer_renewal": {"on": D(2026, 9, 1), "answer": RenewalAnswer.ACCEPTED},
    "expire": {"on": D(2027, 1, 1)},
    "terminate": {
        "on": D(2025, 3, 1),
        "reason": "双方协商一致解除",
        "termination_reason": TerminationReason.MUTUAL,
    },
}
CONTRACT_MOVES = {move.name: move for move in CONTRACT.moves}
ALL_PAIRS = [(status, move) for status in ContractStatus.values for move in CONTRACT_MOVES]


@pytest.fixture
def director(role_user):
    return role_user("director")


def _contract_in(status):
    contract = ContractFactory(status=status)
    BondFactory(contract=contract)
    return contract


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "move"), ALL_PAIRS)
def test_every_pair_of_the_table(status, move, director):
    contract = _contract_in(status)
    spec = CONTRACT_MOVES[move]
    if status in spec.sources:
        contract_transition(contract=contract, move=move, actor=director, **VALID_ARGS[move])
        contract.refresh_from_db()
        assert contract.status == spec.target
        row = contract.history.get()
        assert (row.from_status, row.to_status, row.actor) == (status, spec.target, director)
        assert row.effective_on == VALID_ARGS[move]["on"]
        entry = AuditEntry.objects.filter(object_id=str(contract.pk), action="transition").get()
        assert entry.changes["after"]["status"] == spec.target
    else:
        with pytest.raises(IllegalMove) as exc:
            contract_transition(contract=contract, move=move, actor=director, **VALID_ARGS[move])
        assert "不能" in exc.value.message
        contract.refresh_from_db()
        assert contract.status == status
        assert not StatusChange.objects.exists()


def test_table_shape_matches_the_issue():
    S = ContractStatus
    assert CONTRACT_MOVES["terminate"].sources == {
        S.SIGNED,
        S.ACTIVE,
        S.RENEWAL_REQUESTED,
        S.RENEWAL_ANSWERED,
    }
    assert CONTRACT_MOVES["terminate"].needs_reason
    for terminal in (S.EXPIRED, S.TERMINATED):
        assert not [m for m in CONTRACT_MOVES.values() if terminal in m.sources]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("on", "ok"),
    [
        (D(2026, 6, 30), False),
        (D(2026, 7, 1), True),
        (D(2026, 12, 31), True),
        (D(2027, 1, 1), False),
    ],
)
def test_renewal_request_only_in_the_six_months_before_expiry(on, ok, director):
    contract = _contract_in(ContractStatus.ACTIVE)
    if ok:
        contract_transition(contract=contract, move="request_renewal", actor=director, on=on)
        contract.refresh_from_db()
        assert contract.renewal_requested_on == on
        assert contract.renewal_answer_due_on is not None
    else:
        with pytest.raises(RuleError) as exc:
            contract_transition(contract=contract, move="request_renewal", actor=director, on=on)
        assert "2026-07-01" in exc.value.message


@pytest.mark.django_db
def test_renewal_dates_are_stored(director):
    contract = _contract_in(ContractStatus.ACTIVE)
    contract_transition(
        contract=contract, move="request_renewal", actor=director, on=D(2026, 9, 30)
    )
    contract.refresh_from_db()
    assert contract.renewal_answer_due_on == D(2026, 12, 30)
    contract_transition(
        contract=contract,
        move="answer_renewal",
        actor=director,
        on=D(2026, 11, 1),
        answer=RenewalAnswer.REFUSED,
        reason="考核结果不达标",
    )
    contract.refresh_from_db()
    assert (contract.renewal_answered_on, contract.renewal_answer) == (
        D(2026, 11, 1),
        RenewalAnswer.REFUSED,
    )


@pytest.mark.django_db
def test_refusing_renewal_needs_a_reason(director):
    contract = _contract_in(ContractStatus.RENEWAL_REQUESTED)
    with pytest.raises(RuleError):
        contract_transition(
            contract=contract, move="answer_renewal", actor=director, answer=RenewalAnswer.REFUSED
        )


@pytest.mark.django_db
def test_terminate_needs_reason_and_breach_debars_every_member(director):
    contract = _contract_in(ContractStatus.ACTIVE)
    with pytest.raises(RuleError):
        contract_transition(
            contract=contract,
            move="terminate",
            actor=director,
            termination_reason=TerminationReason.BREACH,
        )
    contract_transition(
        contract=contract,
        move="terminate",
        actor=director,
        on=D(2025, 5, 1),
        reason="严重违约，无正当理由拒赔",
        termination_reason=TerminationReason.BREACH,
    )
    debarment = Debarment.objects.get(insurer=contract.lead_insurer)
    assert debarment.reason == DebarmentReason.BREACH
    assert debarment.ends_on is None


@pytest.mark.django_db
def test_failed_evaluation_debars_for_three_years(director):
    contract = _contract_in(ContractStatus.ACTIVE)
    contract_transition(
        contract=contract,
        move="terminate",
        actor=director,
        on=D(2025, 5, 1),
        reason="年度考核不合格",
        termination_reason=TerminationReason.FAILED_EVALUATION,
    )
    debarment = Debarment.objects.get(insurer=contract.lead_insurer)
    assert debarment.ends_on == D(2028, 4, 30)


@pytest.mark.django_db
def test_expire_not_before_the_end(director):
    contract = _contract_in(ContractStatus.ACTIVE)
    with pytest.raises(RuleError):
        contract_transition(contract=contract, move="expire", actor=director, on=D(2026, 12, 31))


@pytest.mark.django_db
def test_activation_needs_a_bond(director):
    contract = ContractFactory(status=ContractStatus.SIGNED)
    with pytest.raises(RuleError):
        contract_transition(contract=contract, move="activate", actor=director)


@pytest.mark.django_db
def test_sign_validates_shares(director):
    lead, other = InsurerFactory(), InsurerFactory()
    contract = ContractFactory(lead_insurer=lead, members=[(lead, 60), (other, 30)])
    with pytest.raises(RuleError) as exc:
        contract_transition(contract=contract, move="sign", actor=director)
    assert "90.00" in " ".join(exc.value.message_dict["members"])


@pytest.mark.django_db
def test_permissions(role_user):
    contract = _contract_in(ContractStatus.ACTIVE)
    auditor = role_user("auditor")
    with pytest.raises(NotPermitted):
        contract_transition(
            contract=contract, move="request_renewal", actor=auditor, on=D(2026, 8, 1)
        )
    insurer_user = role_user("insurer")
    insurer_user_link(user=insurer_user, insurer=contract.lead_insurer, actor=None)
    assert [m.name for m in allowed_moves(contract, insurer_user)] == ["request_renewal"]
    with pytest.raises(NotPermitted):
        contract_transition(
            contract=contract,
            move="terminate",
            actor=insurer_user,
            reason="x",
            termination_reason=TerminationReason.MUTUAL,
        )
    contract_transition(
        contract=contract, move="request_renewal", actor=insurer_user, on=D(2026, 8, 1)
    )
    assert contract.history.get().actor == insurer_user
