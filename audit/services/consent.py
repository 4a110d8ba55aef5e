"""Writes of consents (R-SUP-5): record and revoke, each atomic and audited.

Who may record is decided by the caller (the admin's add permission); these functions check the
consent itself: a person and an insurer, a known scope and channel, a validity that ends after it
starts, a data period for settlement data, and evidence for a written form.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction, ConsentChannel, ConsentScope
from audit.models import Consent

MAX_VALIDITY = dt.timedelta(days=3 * 366)


def _snapshot(consent: Consent) -> dict:
    return {
        "psn_no": consent.psn_no,
        "insurer_id": consent.insurer_id,
        "scope": consent.scope,
        "period_from": str(consent.period_from or ""),
        "period_to": str(consent.period_to or ""),
        "channel": consent.channel,
        "given_at": consent.given_at.isoformat(),
        "expires_at": consent.expires_at.isoformat(),
        "evidence": consent.evidence.name if consent.evidence else "",
        "revoked_at": consent.revoked_at.isoformat() if consent.revoked_at else None,
    }


def _check(consent: Consent) -> None:
    errors: dict[str, str] = {}
    if not (consent.psn_no or "").strip():
        errors["psn_no"] = _("请填写人员编号。")
    if not consent.insurer_id:
        errors["insurer_id"] = _("请选择被授权的保险机构。")
    if consent.scope not in ConsentScope.values:
        errors["scope"] = _("授权范围无效。")
    if consent.channel not in ConsentChannel.values:
        errors["channel"] = _("授权方式无效。")
    if consent.given_at and consent.given_at > timezone.now():
        errors["given_at"] = _("授权时间不能晚于现在。")
    if consent.given_at and consent.expires_at:
        if consent.expires_at <= consent.given_at:
            errors["expires_at"] = _("到期时间必须晚于授权时间。")
        elif consent.expires_at - consent.given_at > MAX_VALIDITY:
            errors["expires_at"] = _("授权有效期最长三年。")
    if consent.scope == ConsentScope.SETTLEMENTS:
        if not consent.period_from or not consent.period_to:
            errors["period_from"] = _("结算数据授权必须写明数据期间。")
        elif consent.period_to < consent.period_from:
            errors["period_to"] = _("数据期间止不能早于起。")
    if consent.channel == ConsentChannel.WRITTEN and not consent.evidence:
        errors["evidence"] = _("书面授权须上传授权书扫描件。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def consent_record(
    *,
    psn_no: str,
    insurer_id: int,
    scope: str,
    channel: str,
    given_at: dt.datetime,
    expires_at: dt.datetime,
    period_from: dt.date | None = None,
    period_to: dt.date | None = None,
    evidence=None,
    note: str = "",
    actor=None,
    request=None,
) -> Consent:
    """Record a consent the person gave; refuses an incomplete one with a message per field."""
    consent = Consent(
        psn_no=(psn_no or "").strip(),
        insurer_id=insurer_id,
        scope=scope,
        channel=channel,
        given_at=given_at,
        expires_at=expires_at,
        period_from=period_from if scope == ConsentScope.SETTLEMENTS else None,
        period_to=period_to if scope == ConsentScope.SETTLEMENTS else None,
        note=note,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if evidence:
        consent.evidence = evidence
    _check(consent)
    consent.save()
    events.change(
        actor=actor,
        obj=consent,
        action=AuditAction.CREATE,
        after=_snapshot(consent),
        summary=f"登记个人信息查询授权：{consent}",
        request=request,
    )
    return consent


@transaction.atomic
def consent_revoke(*, consent: Consent, reason: str, actor=None, request=None) -> Consent:
    """The person withdrew his consent: look-ups are refused from now on (idempotent)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"revoke_reason": _("请填写撤回原因。")})
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.revoked_at is not None:
        return consent
    before = _snapshot(consent)
    consent.revoked_at = timezone.now()
    consent.revoked_by = actor if getattr(actor, "is_authenticated", False) else None
    consent.revoke_reason = reason[:200]
    consent.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    events.change(
        actor=actor,
        obj=consent,
        action=AuditAction.UPDATE,
        before=before,
        after=_snapshot(consent),
        summary=f"撤回个人信息查询授权：{consent}",
        reason=reason,
        request=request,
    )
    return consent
