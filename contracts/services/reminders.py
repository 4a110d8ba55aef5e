"""Reminders: generated daily (idempotent), marked done by staff."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction
from contracts.choices import ContractStatus, ReminderKind, ReminderStatus
from contracts.dates import renewal_window
from contracts.models import Contract, PerformanceBond, Reminder, StaffingCommitment
from contracts.selectors import staffing_rows

LIVE = [
    ContractStatus.SIGNED,
    ContractStatus.ACTIVE,
    ContractStatus.RENEWAL_REQUESTED,
    ContractStatus.RENEWAL_ANSWERED,
]


def _ensure(kind, target, contract, due_on, message) -> bool:
    _obj, created = Reminder.objects.get_or_create(
        kind=kind,
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        due_on=due_on,
        defaults={"contract": contract, "message": message[:255]},
    )
    return created


@transaction.atomic
def reminders_generate(*, on: datetime.date) -> int:
    """Create the reminders due on `on`; returns how many were new. Running it again for the
    same day (or any later day) creates no duplicate: (kind, object, due date) is unique."""
    created = 0
    renewal_lead = datetime.timedelta(days=settings.CONTRACTS_RENEWAL_REMINDER_DAYS)
    answer_lead = datetime.timedelta(days=settings.CONTRACTS_ANSWER_REMINDER_DAYS)
    bond_lead = datetime.timedelta(days=settings.CONTRACTS_BOND_REMINDER_DAYS)

    contracts = Contract.objects.filter(status__in=LIVE).select_related("lead_insurer")
    for contract in contracts.filter(status__in=[ContractStatus.SIGNED, ContractStatus.ACTIVE]):
        opens, closes = renewal_window(contract.ends_on)
        if opens - renewal_lead <= on <= closes and not hasattr(contract, "next"):
            created += _ensure(
                ReminderKind.RENEWAL_WINDOW,
                contract,
                contract,
                opens,
                _("合同 %(n)s 将于 %(end)s 到期，续签申请期自 %(opens)s 开始。")
                % {"n": contract.number, "end": contract.ends_on, "opens": opens},
            )
    for contract in contracts.filter(status=ContractStatus.RENEWAL_REQUESTED):
        due = contract.renewal_answer_due_on
        if due and on >= due - answer_lead:
            created += _ensure(
                ReminderKind.RENEWAL_ANSWER_DUE,
                contract,
                contract,
                due,
                _("合同 %(n)s 的续签申请须在 %(due)s 前答复（R-CON-2）。")
                % {"n": contract.number, "due": due},
            )
    bonds = PerformanceBond.objects.filter(
        contract__status__in=LIVE, valid_until__gte=on, valid_until__lte=on + bond_lead
    ).select_related("contract")
    for bond in bonds:
        created += _ensure(
            ReminderKind.BOND_EXPIRING,
            bond,
            bond.contract,
            bond.valid_until,
            _("履约保函 %(b)s 将于 %(d)s 到期（合同 %(n)s）。")
            % {"b": bond, "d": bond.valid_until, "n": bond.contract.number},
        )
    commitment_type = ContentType.objects.get_for_model(StaffingCommitment)
    for contract in contracts.filter(status__in=[ContractStatus.ACTIVE, *LIVE[2:]]):
        for row in staffing_rows(contract, on):
            if not row["below_commitment"]:
                continue
            commitment = row["commitment"]
            already_open = Reminder.objects.filter(
                kind=ReminderKind.STAFFING_BELOW,
                content_type=commitment_type,
                object_id=commitment.pk,
                status=ReminderStatus.OPEN,
            ).exists()
            if already_open:
                continue
            created += _ensure(
                ReminderKind.STAFFING_BELOW,
                commitment,
                contract,
                on,
                _("合同 %(n)s 在 %(r)s 实际在岗 %(a)s 人，低于承诺的 %(c)s 人（R-CON-4）。")
                % {
                    "n": contract.number,
                    "r": row["region"].name,
                    "a": row["actual"],
                    "c": row["committed"],
                },
            )
    return created


@transaction.atomic
def reminder_mark_done(*, reminder: Reminder, actor, request=None) -> Reminder:
    reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
    if reminder.status == ReminderStatus.DONE:
        return reminder
    reminder.status = ReminderStatus.DONE
    reminder.done_by = actor
    reminder.done_at = timezone.now()
    reminder.save(update_fields=["status", "done_by", "done_at"])
    events.change(
        actor=actor,
        obj=reminder,
        action=AuditAction.UPDATE,
        before={"status": ReminderStatus.OPEN},
        after={"status": ReminderStatus.DONE},
        summary=f"提醒已处理：{reminder.message}",
        request=request,
    )
    return reminder
