"""Writing to the audit log. One function per kind of event, all through `record`.

Call these inside the service's transaction: the entry commits or rolls back with the change.
Personal fields in `changes` must already be masked (see `audit.masking`).
"""

from __future__ import annotations

import functools

from django.db import connection, transaction
from django.utils import timezone

from audit.chain import GENESIS, entry_hash
from audit.checkpoints import anchor_entry
from audit.choices import AuditAction
from audit.models import AuditEntry

# Any constant works; it names the one lock that serialises appends to the chain on PostgreSQL.
_CHAIN_LOCK_ID = 7_310_390


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_ID])


def _describe(obj) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    meta = obj._meta
    return f"{meta.app_label}.{meta.model_name}", str(obj.pk or ""), str(obj)[:200]


def record(
    *,
    action: str,
    actor=None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    summary: str = "",
    reason: str = "",
    changes: dict | None = None,
    extra: dict | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Append one entry to the chain (atomic; serialised against concurrent appends)."""
    if obj is not None:
        object_type, object_id, object_repr = _describe(obj)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    fields = {
        "at": timezone.now(),
        "actor_id": actor.pk if authenticated else None,
        "actor_name": actor.get_username() if authenticated else "",
        "action": str(action),
        "object_type": object_type,
        "object_id": str(object_id),
        "object_repr": str(object_repr)[:200],
        "summary": str(summary)[:500],
        "reason": reason,
        "changes": changes or {},
        "extra": extra or {},
        "ip": ip,
    }
    with transaction.atomic():
        _lock_chain()
        last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        prev_hash = last or GENESIS
        entry = AuditEntry.objects.create(
            **fields, prev_hash=prev_hash, hash=entry_hash(prev_hash=prev_hash, fields=fields)
        )
        # Anchored outside the database once committed: deleting it later is then detected.
        transaction.on_commit(functools.partial(anchor_entry, entry.id, entry.hash), robust=True)
        return entry


def client_ip(request) -> str | None:
    """The client's real address, through the trusted proxies (`audit.client_address`)."""
    from audit.client_address import client_ip as real_client_ip

    return real_client_ip(request)


def reveal(*, actor, obj, fields: list[str], reason: str, request=None) -> AuditEntry:
    """Someone saw personal data unmasked; `reason` is what they stated."""
    return record(
        action=AuditAction.REVEAL,
        actor=actor,
        obj=obj,
        reason=reason,
        summary="查看完整个人信息: " + ", ".join(fields),
        extra={"fields": list(fields)},
        ip=client_ip(request),
    )


def export(
    *,
    actor,
    model_label: str,
    count: int,
    file_format: str,
    filters: dict | None = None,
    personal: bool = True,
    request=None,
) -> AuditEntry:
    return record(
        action=AuditAction.EXPORT,
        actor=actor,
        object_type=model_label,
        summary=f"导出 {count} 行 ({file_format})",
        extra={
            "count": count,
            "format": file_format,
            "filters": filters or {},
            "personal": personal,
        },
        ip=client_ip(request),
    )


def change(
    *,
    actor,
    obj,
    action: str,
    before: dict | None = None,
    after: dict | None = None,
    summary: str = "",
    reason: str = "",
    request=None,
) -> AuditEntry:
    """A domain record was created, changed, deleted or moved through its workflow."""
    return record(
        action=action,
        actor=actor,
        obj=obj,
        summary=summary,
        reason=reason,
        changes={"before": before or {}, "after": after or {}},
        ip=client_ip(request),
    )


def batch(
    *, actor, obj, summary: str, checksum: str, count: int, extra: dict | None = None, request=None
) -> AuditEntry:
    """A bulk path (ingest, import): one entry per batch with its checksum, never one per row."""
    return record(
        action=AuditAction.BATCH,
        actor=actor,
        obj=obj,
        summary=summary,
        extra={"sha256": checksum, "count": count, **(extra or {})},
        ip=client_ip(request),
    )
