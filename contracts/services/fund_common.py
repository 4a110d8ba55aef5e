"""Shared steps of the fund-flow services: permission and maker/checker checks, history."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction
from contracts.errors import IllegalTransition, NotPermitted
from contracts.models import FundTransition
from contracts.workflow import Move


def check_move(*, doc, move: Move, legal: list[str]) -> None:
    if doc.status not in move.sources:
        raise IllegalTransition(
            _("「%(doc)s」当前状态为「%(s)s」，不能「%(m)s」。可执行的操作：%(legal)s。")
            % {
                "doc": doc,
                "s": doc.get_status_display(),
                "m": move.label,
                "legal": "、".join(str(x) for x in legal) or _("无"),
            }
        )


def check_perm(actor, perm: str, what) -> None:
    if actor is None or not actor.has_perm(perm):
        raise NotPermitted(
            _("您没有「%(what)s」的权限（%(perm)s）。") % {"what": what, "perm": perm}
        )


def check_other_person(*, actor, maker_id, what) -> None:
    if maker_id is not None and actor.pk == maker_id:
        raise NotPermitted(
            _("「%(what)s」须由制单人以外的另一人办理：制单人不能审批自己制作的单据。")
            % {"what": what}
        )


def record_move(
    *, doc, move_name: str, from_status: str, actor, reason: str = "", after=None, request=None
):
    FundTransition.objects.create(
        content_type=ContentType.objects.get_for_model(doc),
        object_id=doc.pk,
        move=move_name,
        from_status=from_status,
        to_status=doc.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason,
    )
    action = {
        "approve": AuditAction.APPROVE,
        "send_back": AuditAction.REJECT,
        "pay": AuditAction.TRANSFER,
    }.get(move_name, AuditAction.TRANSITION)
    events.change(
        actor=actor,
        obj=doc,
        action=action,
        before={"status": from_status},
        after={"status": doc.status, **(after or {})},
        summary=f"{doc}: {from_status or '-'} → {doc.status}",
        reason=reason,
        request=request,
    )


def fund_history(doc):
    return FundTransition.objects.filter(
        content_type=ContentType.objects.get_for_model(doc), object_id=doc.pk
    ).select_related("actor")
