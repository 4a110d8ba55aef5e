"""Writes about insurers: debarments (R-CON-7) and insurer-user links."""

from __future__ import annotations

import datetime

from django.db import transaction

from audit import events
from audit.choices import AuditAction
from contracts.choices import DebarmentReason
from contracts.dates import DAY, add_years
from contracts.models import Debarment, InsurerUser
from contracts.services.common import snapshot

FAILED_EVALUATION_BAR_YEARS = 3  # R-CON-7 (R-IM)


@transaction.atomic
def insurer_debar(
    *,
    insurer,
    reason: str,
    starts_on: datetime.date,
    actor,
    ends_on: datetime.date | None = None,
    contract=None,
    note: str = "",
) -> Debarment:
    """Bar an insurer from bidding. A failed evaluation bars for 3 years unless `ends_on` is
    given; a breach bars indefinitely (R-CON-7: "loses its right to bid")."""
    if ends_on is None and reason == DebarmentReason.FAILED_EVALUATION:
        ends_on = add_years(starts_on, FAILED_EVALUATION_BAR_YEARS) - DAY
    debarment = Debarment.objects.create(
        insurer=insurer,
        reason=reason,
        starts_on=starts_on,
        ends_on=ends_on,
        contract=contract,
        note=note,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    events.change(
        actor=actor,
        obj=debarment,
        action=AuditAction.CREATE,
        after=snapshot(debarment, ["insurer", "reason", "starts_on", "ends_on", "contract"]),
        summary=f"禁止投标：{insurer}（{debarment.get_reason_display()}）",
        reason=note,
    )
    return debarment


@transaction.atomic
def insurer_user_link(*, user, insurer, actor) -> InsurerUser:
    """Make `user` an employee of `insurer` (replacing any previous link)."""
    link, _created = InsurerUser.objects.update_or_create(user=user, defaults={"insurer": insurer})
    events.change(
        actor=actor,
        obj=link,
        action=AuditAction.UPDATE,
        after={"user": user.pk, "insurer": insurer.pk},
        summary=f"{user} 关联保险机构 {insurer}",
    )
    return link
