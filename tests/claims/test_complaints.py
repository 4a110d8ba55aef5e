"""Complaints: deadlines in working days, the workflow, the insurer's door, the bond deduction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.errors import RuleError
from audit.scoping import restrict
from claims.choices import CalendarDayKind, ComplaintStatus
from claims.models import CalendarOverride, Complaint
from claims.supervision.selectors import complaint_figures
from claims.supervision.services.complaints import (
    complaint_bond_deduction_propose,
    complaint_due_on,
    complaint_move,
    complaint_register,
)
from contracts.choices import DeductionSource, DeductionStatus
from contracts.services.insurers import insurer_user_link
from tests.contracts.factories import BondFactory, ContractFactory, InsurerFactory

D = dt.date


@pytest.fixture
def setup(covered_city, role_user):
    contract = covered_city["contract"]
    clerk = role_user("insurer", username="ins_clerk")
    insurer_user_link(user=clerk, insurer=contract.lead_insurer, actor=None)
    return {
        "contract": contract,
        "person": covered_city["people"][0],
        "operator": role_user("operator"),
        "reviewer": role_user("reviewer"),
        "clerk": clerk,
    }


def register(setup, **kwargs):
    return complaint_register(
        contract=setup["contract"],
        person=setup["person"],
        channel=kwargs.pop("channel", "hotline"),
        category=kwargs.pop("category", "refusal"),
        content="以既往病史为由拒绝赔付住院费用",
        actor=setup["operator"],
        received_on=kwargs.pop("received_on", D(2025, 9, 29)),
        **kwargs,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("assigned", "due"),
    [
        (D(2025, 3, 3), D(2025, 3, 10)),  # Monday + 5 working days = next Monday
        (D(2025, 3, 7), D(2025, 3, 14)),  # Friday: the weekend does not count
        # National Day 1-8 Oct 2025 are holidays, Saturday 11 Oct is a make-up working day
        (D(2025, 9, 30), D(2025, 10, 14)),
    ],
)
def test_deadline_in_working_days(assigned, due):
    assert complaint_due_on(assigned) == due


@pytest.mark.django_db
def test_deadline_respects_admin_overrides_and_setting(settings):
    CalendarOverride.objects.create(day=D(2025, 3, 5), kind=CalendarDayKind.HOLIDAY, name="停工")
    assert complaint_due_on(D(2025, 3, 3)) == D(2025, 3, 11)
    settings.COMPLAINT_RESPONSE_WORKING_DAYS = 2
    assert complaint_due_on(D(2025, 3, 3)) == D(2025, 3, 6)


def test_full_workflow_with_history(setup):
    complaint = register(setup)
    assert complaint.status == ComplaintStatus.RECEIVED
    assert complaint.insurer == setup["contract"].lead_insurer
    complaint = complaint_move(
        complaint=complaint, move="assign", actor=setup["operator"], on=D(2025, 9, 30)
    )
    assert complaint.due_on == D(2025, 10, 14)
    complaint = complaint_move(
        complaint=complaint,
        move="answer",
        actor=setup["clerk"],
        on=D(2025, 10, 15),
        answer="经核实已补付",
    )
    assert complaint.answered_late is True
    complaint = complaint_move(
        complaint=complaint,
        move="decide",
        actor=setup["reviewer"],
        decision="justified",
        required_action="三个工作日内补付并书面说明",
    )
    complaint = complaint_move(
        complaint=complaint, move="close", actor=setup["operator"], satisfaction=4
    )
    assert complaint.status == ComplaintStatus.CLOSED and complaint.satisfaction == 4
    complaint = complaint_move(
        complaint=complaint,
        move="reopen",
        actor=setup["operator"],
        reason="参保人反映仍未补付",
        on=D(2025, 11, 3),
    )
    assert complaint.status == ComplaintStatus.ASSIGNED and complaint.reopened_count == 1
    assert complaint.decision == "" and complaint.due_on == D(2025, 11, 10)
    assert list(complaint.history.values_list("move", flat=True)) == [
        "assign", "answer", "decide", "close", "reopen"
    ]  # fmt: skip


def test_illegal_and_unauthorised_moves_are_refused(setup):
    complaint = register(setup)
    with pytest.raises(ValidationError) as exc:
        complaint_move(complaint=complaint, move="close", actor=setup["operator"], satisfaction=5)
    assert "不能「回访办结」" in str(exc.value) and "转保险机构办理" in str(exc.value)
    with pytest.raises(PermissionDenied):  # an insurer can only answer
        complaint_move(complaint=complaint, move="assign", actor=setup["clerk"])
    complaint_move(complaint=complaint, move="assign", actor=setup["operator"])
    with pytest.raises(PermissionDenied):  # the bureau does not answer for the insurer
        complaint_move(complaint=complaint, move="answer", actor=setup["operator"], answer="x")
    with pytest.raises(PermissionDenied):  # the operator may not decide
        complaint_move(
            complaint=complaint, move="decide", actor=setup["operator"], decision="unjustified"
        )
    with pytest.raises(ValidationError) as exc:  # justified needs the required action
        complaint_move(
            complaint=complaint, move="decide", actor=setup["reviewer"], decision="justified"
        )
    assert "必须写明" in str(exc.value)
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ASSIGNED


def test_insurer_sees_only_its_complaints(setup, role_user):
    own = register(setup)
    other_contract = ContractFactory(lead_insurer=InsurerFactory())
    other = complaint_register(
        contract=other_contract,
        person=setup["person"],
        channel="letter",
        category="attitude",
        content="态度差",
        actor=setup["operator"],
    )
    assert list(restrict(Complaint, setup["clerk"])) == [own]
    assert set(restrict(Complaint, setup["operator"])) == {own, other}
    complaint_move(complaint=other, move="assign", actor=setup["operator"])
    with pytest.raises(PermissionDenied):
        complaint_move(complaint=other, move="answer", actor=setup["clerk"], answer="不是我们")


def test_justified_complaint_proposes_a_bond_deduction(setup):
    BondFactory(contract=setup["contract"], amount=Decimal("2000000.00"))
    complaint = register(setup)
    complaint_move(complaint=complaint, move="assign", actor=setup["operator"])
    with pytest.raises(ValidationError):  # not decided yet
        complaint_bond_deduction_propose(
            complaint=complaint, amount="5000", reason="无理拒付", actor=setup["reviewer"]
        )
    complaint_move(
        complaint=complaint,
        move="decide",
        actor=setup["reviewer"],
        decision="justified",
        required_action="补付",
    )
    deduction = complaint_bond_deduction_propose(
        complaint=complaint, amount="5000", reason="无理拒付", actor=setup["reviewer"]
    )
    assert deduction.source == DeductionSource.COMPLAINT
    assert deduction.source_ref == f"claims.complaint:{complaint.pk}"
    assert deduction.status == DeductionStatus.PROPOSED
    complaint.refresh_from_db()
    assert complaint.bond_deduction == deduction
    with pytest.raises(ValidationError):  # once only
        complaint_bond_deduction_propose(
            complaint=complaint, amount="1", reason="再扣", actor=setup["reviewer"]
        )


def test_complaint_figures_for_reports(setup):
    on_time = register(setup)
    complaint_move(complaint=on_time, move="assign", actor=setup["operator"], on=D(2025, 3, 3))
    complaint_move(
        complaint=on_time, move="answer", actor=setup["clerk"], on=D(2025, 3, 10), answer="已处理"
    )
    late = register(setup)
    complaint_move(complaint=late, move="assign", actor=setup["operator"], on=D(2025, 3, 3))
    register(setup)  # received, not yet assigned
    figures = complaint_figures(setup["contract"], 2025, today=D(2025, 3, 11))
    assert figures["received"] == 3 and figures["judged"] == 2 and figures["on_time"] == 1
    assert figures["open"] == 3
    assert Complaint.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["channel", "category"])
def test_a_channel_or_category_outside_the_choices_is_refused(setup, field):
    with pytest.raises(RuleError, match="不在可选范围内"):
        register(setup, **{field: "payment"})
    assert not Complaint.objects.exists()
