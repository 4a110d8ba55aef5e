"""Hash chaining of the audit log: how an entry's hash is made, and how the chain is verified."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

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


def _canonical(value):
    if hasattr(value, "isoformat"):
        return value.isoformat(timespec="microseconds")
    return value


def entry_hash(*, prev_hash: str, fields: dict) -> str:
    payload = {name: _canonical(fields.get(name)) for name in HASHED_FIELDS}
    text = json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(f"{prev_hash}|{text}".encode()).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


def verify_chain(entries) -> ChainReport:
    """Walk entries in id order; report the first whose link or content does not hold."""
    prev = GENESIS
    checked = 0
    for entry in entries:
        fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
        if entry.prev_hash != prev:
            return ChainReport(checked, entry.id, "prev_hash does not match the previous entry")
        if entry_hash(prev_hash=prev, fields=fields) != entry.hash:
            return ChainReport(checked, entry.id, "content does not match its hash")
        prev = entry.hash
        checked += 1
    return ChainReport(checked, None)
