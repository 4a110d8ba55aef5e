"""The one workflow machine (`audit.workflow`, issue 22): what it refuses and what one move
writes, shown on a bond deduction (permission, maker and checker, a reason to refuse it), plus
the declarations every app registers."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import CharField

from audit.errors import IllegalMove, NotPermitted, RuleError
from audit.models import AuditEntry, StatusChange
from audit.workflow import allowed_moves, perform_move, registered, workflow_of
from contracts.choices import DeductionStatus
from contracts.models import BondDeduction
from contracts.services import bond_deduction_propose
from tests.contracts.factories import BondFactory


def _checker(role_user, name="checker"):
    user = role_user("director", username=name)
    user.user_permissions.add(Permission.objects.get(codename="approve_bond_deduction"))
    return type(user).objects.get(pk=user.pk)  # fresh permission cache


@pytest.fixture
def world(db, role_user):
    bond = BondFactory()
    maker = role_user("finance")
    deduction = bond_deduction_propose(
        contract=bond.contract, amount="1000.00", reason="无正当理由拒赔", actor=maker
    )
    return {"deduction": deduction, "maker": maker, "checker": _checker(role_user)}


def _written(deduction) -> tuple[int, int]:
    """(status changes, audit entries) about the deduction."""
    changes = StatusChange.objects.filter(object_id=deduction.pk).count()
    entries = AuditEntry.objects.filter(
        object_type="contracts.bonddeduction", object_id=str(deduction.pk)
    ).count()
    return changes, entries


def test_a_move_writes_one_status_change_and_one_audit_entry(world):
    deduction, checker = world["deduction"], world["checker"]
    changes, entries = _written(deduction)
    moved = perform_move(doc=deduction, move="reject", actor=checker, reason="证据不足")
    assert moved.status == DeductionStatus.REJECTED
    assert moved.approved_by == checker and moved.decision_note == "证据不足"
    assert _written(deduction) == (changes + 1, entries + 1)
    change = deduction.history.get()
    assert (change.move, change.from_status, change.to_status) == ("reject", "proposed", "rejected")
    assert (change.actor, change.reason) == (checker, "证据不足")
    entry = AuditEntry.objects.filter(object_id=str(deduction.pk)).order_by("-id").first()
    assert entry.action == "reject" and entry.reason == "证据不足"
    assert entry.changes == {
        "before": {"status": "proposed"},
        "after": {"status": "rejected", "balance": "2000000.00"},
    }


def test_an_illegal_move_is_refused_naming_the_legal_ones(world):
    deduction, checker = world["deduction"], world["checker"]
    perform_move(doc=deduction, move="reject", actor=checker, reason="证据不足")
    written = _written(deduction)
    with pytest.raises(IllegalMove) as exc:
        perform_move(doc=deduction, move="approve", actor=checker)
    assert "当前状态为「已驳回」，不能「批准扣款」" in exc.value.message
    assert "可执行的操作：无" in exc.value.message
    with pytest.raises(IllegalMove, match="未知的操作：pay"):
        perform_move(doc=deduction, move="pay", actor=checker)
    assert _written(deduction) == written
    assert BondDeduction.objects.get().status == DeductionStatus.REJECTED


def test_a_move_without_its_permission_is_refused(world, role_user):
    deduction = world["deduction"]
    reviewer = role_user("reviewer")
    written = _written(deduction)
    with pytest.raises(NotPermitted, match="您没有「批准扣款」的权限"):
        perform_move(doc=deduction, move="approve", actor=reviewer)
    assert allowed_moves(deduction, reviewer) == []
    assert _written(deduction) == written
    assert BondDeduction.objects.get().status == DeductionStatus.PROPOSED


def test_the_maker_may_not_check_even_holding_the_permission(world):
    deduction, maker = world["deduction"], world["maker"]
    maker.user_permissions.add(Permission.objects.get(codename="approve_bond_deduction"))
    maker = type(maker).objects.get(pk=maker.pk)
    with pytest.raises(NotPermitted) as exc:
        perform_move(doc=deduction, move="approve", actor=maker)
    assert "须由提出人以外的另一人审批" in str(exc.value)
    assert allowed_moves(deduction, maker) == []
    assert BondDeduction.objects.get().approved_by is None


def test_the_database_refuses_one_person_as_maker_and_checker(world):
    deduction, maker = world["deduction"], world["maker"]
    with pytest.raises(IntegrityError), transaction.atomic():
        BondDeduction.objects.filter(pk=deduction.pk).update(approved_by=maker)


def test_a_move_that_needs_a_reason_is_refused_without_one(world):
    deduction, checker = world["deduction"], world["checker"]
    written = _written(deduction)
    with pytest.raises(RuleError, match="「驳回扣款」必须填写理由"):
        perform_move(doc=deduction, move="reject", actor=checker, reason="  ")
    assert _written(deduction) == written


def test_a_refusing_guard_writes_nothing(world):
    """The guard runs after the checks: an amount over the bond's balance is refused whole."""
    deduction, checker = world["deduction"], world["checker"]
    BondDeduction.objects.filter(pk=deduction.pk).update(amount=Decimal("2000000.01"))
    written = _written(deduction)
    with pytest.raises(RuleError, match="超过保函余额"):
        perform_move(doc=deduction, move="approve", actor=checker)
    assert _written(deduction) == written
    deduction.refresh_from_db()
    assert deduction.status == DeductionStatus.PROPOSED and deduction.approved_by is None


@pytest.mark.django_db(transaction=True)
def test_two_moves_at_once_the_row_lock_shows_the_second_the_new_state(role_user):
    """Two checkers approve and reject the same deduction at the same moment: the first takes
    the row's lock; the second waits, then sees it decided and is refused. One change only."""
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (set DATABASE_URL)")
    bond = BondFactory()
    deduction = bond_deduction_propose(
        contract=bond.contract, amount="10.00", reason="违规", actor=role_user("finance")
    )
    checkers = [_checker(role_user, "checker_a"), _checker(role_user, "checker_b")]
    barrier = threading.Barrier(2)
    outcomes: list = [None, None]

    def run(slot: int, move: str) -> None:
        try:
            barrier.wait(timeout=30)
            done = perform_move(doc=deduction, move=move, actor=checkers[slot], reason="同时处理")
            outcomes[slot] = ("ok", done.status)
        except IllegalMove as exc:
            outcomes[slot] = ("refused", exc.message)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(0, "approve")),
        threading.Thread(target=run, args=(1, "reject")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    kinds = sorted(kind for kind, _value in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    refused = next(value for kind, value in outcomes if kind == "refused")
    won = next(value for kind, value in outcomes if kind == "ok")
    assert "当前状态为「{}」".format({"approved": "已批准", "rejected": "已驳回"}[won]) in refused
    assert deduction.history.count() == 1
    assert BondDeduction.objects.get().status == won


# --- the declarations --------------------------------------------------------------------------

# Models with a status field that is not a workflow of moves people make, each with the reason.
NOT_WORKFLOWS = {
    "claims.settlementbatch": "the ingest pipeline's progress, moved by the batch task",
    "claims.compensation": "what the engine computed for a settlement (a result, not a state)",
    "claims.batchchunk": "a compute chunk's progress, moved by its ingest task",
    "insurance.importjob": "a background import's progress",
    "insurance.person": "a person's life event on a date (special statuses)",
    "insurance.enrollment": "cancelled once, with a refund, by `enrollment_cancel`",
    "insurance.benefitplan": "a plan version's activation retires the one before (plans as data)",
    "contracts.tender": "awarded once by `tender_award`, which drafts the contract",
    "contracts.reminder": "a reminder marked done",
    "claims.spotcheck": "closed when its findings' follow-ups are done",
    "claims.followupaction": "a follow-up's progress",
    "audit.auditconclusion": "signed once, then frozen",
    "audit.auditfollowup": "a follow-up's progress",
}


def _models_with_a_status():
    from django.apps import apps

    found = {}
    for model in apps.get_models():
        if model._meta.app_label not in ("insurance", "contracts", "claims", "audit"):
            continue
        try:
            field = model._meta.get_field("status")
        except FieldDoesNotExist:
            continue
        if isinstance(field, CharField):
            found[model._meta.label_lower] = model
    return found


def test_every_status_field_is_a_registered_workflow_or_said_not_to_be_one():
    models = _models_with_a_status()
    unexplained = set(models) - set(registered()) - set(NOT_WORKFLOWS)
    assert not unexplained, f"declare their workflow (an app's workflows.py): {unexplained}"
    stale = set(NOT_WORKFLOWS) - set(models)
    assert not stale, f"no such model with a status: {stale}"
    assert not set(NOT_WORKFLOWS) & set(registered())


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(registered()))
def test_every_declared_move_is_well_formed(label):
    """Each move goes between real statuses, its permission exists, its makers are user fields
    of the document or functions; every status of the field is the start or end of a move."""
    from django.apps import apps

    workflow = registered()[label]
    model = apps.get_model(label)
    assert workflow_of(model) is workflow
    statuses = {value for value, _label in model._meta.get_field(workflow.field).choices}
    reached = set()
    for move in workflow.moves:
        assert move.sources and move.sources <= statuses, (label, move.name)
        assert move.target in statuses, (label, move.name)
        reached |= move.sources | {move.target}
        if move.permission:
            app_label, codename = move.permission.split(".")
            assert Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).exists(), move.permission
        else:
            assert workflow.rule is not None, f"{label}.{move.name}: who may make it?"
        for maker in move.makers:
            if maker.field:
                assert model._meta.get_field(maker.field).related_model._meta.label == "audit.User"
            else:
                assert callable(maker.ids)
        for prefix in filter(None, (move.stamp, move.clear)):
            model._meta.get_field(f"{prefix}_by")
            model._meta.get_field(f"{prefix}_at")
    default = model._meta.get_field(workflow.field).default
    # a status nothing moves into or out of is either the one documents are born in or unused
    assert statuses - reached <= {default, "superseded"}, (label, statuses - reached)
