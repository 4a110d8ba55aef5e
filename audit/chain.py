"""The audit log's chain: how an entry's hash is made, and how the chain is verified.

An entry's `hash` is HMAC-SHA256, keyed with `MEDSUPP_AUDIT_KEY` (settings, never the database),
of the previous entry's hash and its own content: whoever can rewrite the table but does not hold
the key cannot rehash a changed chain so that it verifies. Signed checkpoints of the chain's head
(`audit.checkpoints`), kept outside the database, catch what a chain alone cannot: a truncated
table, or the newest entries deleted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

GENESIS = "0" * 64
HASHED_FIELDS = (
    "at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "summary",
    "reason",
    "changes",
    "extra",
    "ip",
)


@lru_cache(maxsize=4)
def _key(raw: str) -> bytes:
    key = base64.b64decode(raw)
    if len(key) < 16:
        raise ImproperlyConfigured("MEDSUPP_AUDIT_KEY must be at least 16 bytes (base64)")
    return key


def audit_key() -> bytes:
    return _key(settings.MEDSUPP_AUDIT_KEY)


def mac(text: str) -> str:
    """HMAC-SHA256 of `text` under the audit key, hex."""
    return hmac.new(audit_key(), text.encode(), hashlib.sha256).hexdigest()


def _canonical(value):
    if hasattr(value, "isoformat"):
        return value.isoformat(timespec="microseconds")
    return value


def payload(*, prev_hash: str, fields: dict) -> str:
    body = {name: _canonical(fields.get(name)) for name in HASHED_FIELDS}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return f"{prev_hash}|{text}"


def entry_hash(*, prev_hash: str, fields: dict) -> str:
    return mac(payload(prev_hash=prev_hash, fields=fields))


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None and not self.problem


def verify_chain(entries, checkpoints=()) -> ChainReport:
    """Walk entries in id order; report the first whose link or content does not hold, then any
    checkpoint the chain does not reach or does not match (truncation, rehash, newest entries
    deleted). `checkpoints`: `audit.checkpoints.Checkpoint`s (count None: an entry's anchor)."""
    expected: dict[int, tuple[int | None, str]] = {}
    for point in checkpoints:
        count, head = expected.get(point.last_id, (None, point.head))
        expected[point.last_id] = (point.count if point.count is not None else count, point.head)
    prev = GENESIS
    checked = 0
    for entry in entries:
        fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
        if entry.prev_hash != prev:
            return ChainReport(checked, entry.id, "prev_hash does not match the previous entry")
        if not hmac.compare_digest(entry_hash(prev_hash=prev, fields=fields), entry.hash):
            return ChainReport(checked, entry.id, "content does not match its keyed hash")
        prev = entry.hash
        checked += 1
        if entry.id in expected:
            count, head = expected.pop(entry.id)
            if (count is not None and count != checked) or head != entry.hash:
                return ChainReport(
                    checked, entry.id, f"checkpoint of {count} entries up to #{entry.id} differs"
                )
    if expected:
        last_id = max(expected)
        counted = [c for c, _h in expected.values() if c is not None]
        held = f"{max(counted)} entries up to #{last_id}" if counted else f"entry #{last_id}"
        return ChainReport(
            checked,
            last_id,
            f"a signed checkpoint holds {held}; the table has {checked} entries and not "
            f"#{last_id}: entries were deleted or the table was truncated",
        )
    return ChainReport(checked, None)
