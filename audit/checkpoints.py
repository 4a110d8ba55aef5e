"""Signed checkpoints of the audit chain's head, kept where the database owner cannot change
them: one line per checkpoint appended to `<MEDSUPP_AUDIT_CHECKPOINT_DIR>/<database>.jsonl`
(opened for appending only; give the directory to the application's user alone, or make the
file append-only with `chattr +a`) and the same line written to the `audit.checkpoint` log
(ship it to the central log server). Each line is the count of entries, the last entry's id and
hash, the time, and an HMAC of all of it under `MEDSUPP_AUDIT_KEY`: a forged or edited line is
refused, and `verify_audit_chain` checks the chain against every genuine line.

Besides these periodic checkpoints, every entry is anchored as its transaction commits
(`anchor_entry`: its id and hash, no count): deleting the newest entries between two
checkpoints leaves an anchored entry missing, which the verifier reports. The verifier also
reports a missing checkpoint file and a newest checkpoint older than
`MEDSUPP_AUDIT_CHECKPOINT_MAX_AGE_MINUTES` (the checkpoint job stopped, or the file was
replaced); `audit.tasks.audit_checkpoint_watch` raises the same alarm in the log between nights.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from audit.chain import mac

logger = logging.getLogger("audit.checkpoint")


class CheckpointError(ValueError):
    pass


@dataclass(frozen=True)
class Checkpoint:
    count: int | None  # None: an entry's anchor at commit (the count is the periodic job's)
    last_id: int
    head: str
    at: dt.datetime


def checkpoint_file() -> Path:
    name = Path(str(connection.settings_dict["NAME"])).name or "default"
    return Path(settings.MEDSUPP_AUDIT_CHECKPOINT_DIR) / f"{name}.jsonl"


def _signed(record: dict) -> str:
    return mac(f"{record['count']}|{record['last_id']}|{record['head']}|{record['at']}")


def _append(record: dict) -> str:
    record["sig"] = _signed(record)
    line = json.dumps(record, sort_keys=True)
    path = checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return line


def checkpoint_write() -> dict | None:
    """Append a signed checkpoint of the chain's head; None while the log is empty."""
    from audit.models import AuditEntry

    last = AuditEntry.objects.order_by("-id").values("id", "hash").first()
    if last is None:
        return None
    count = AuditEntry.objects.filter(id__lte=last["id"]).count()
    record = {
        "count": count,
        "last_id": last["id"],
        "head": last["hash"],
        "at": timezone.now().isoformat(),
    }
    line = _append(record)
    logger.info("audit checkpoint %s", line)
    return record


def anchor_entry(entry_id: int, entry_hash: str) -> None:
    """Anchor one committed entry (`audit.events.record` calls it on commit)."""
    _append(
        {"count": None, "last_id": entry_id, "head": entry_hash, "at": timezone.now().isoformat()}
    )


def checkpoints_read() -> list[Checkpoint]:
    """Every checkpoint and anchor; CheckpointError on a forged or edited line."""
    path = checkpoint_file()
    if not path.exists():
        return []
    found = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            genuine = hmac.compare_digest(record["sig"], _signed(record))
        except (ValueError, KeyError, TypeError) as exc:
            raise CheckpointError(f"checkpoint line {number} is not readable") from exc
        if not genuine:
            raise CheckpointError(f"checkpoint line {number} is not signed with the audit key")
        count = None if record["count"] is None else int(record["count"])
        at = dt.datetime.fromisoformat(record["at"])
        found.append(Checkpoint(count, int(record["last_id"]), record["head"], at))
    return found


def checkpoint_age_problem(checkpoints: list[Checkpoint], oldest_entry_at, now=None) -> str:
    """Why the periodic checkpoints cannot be trusted to be current, or "" when they can: none
    at all, or the newest older than MEDSUPP_AUDIT_CHECKPOINT_MAX_AGE_MINUTES, once the log
    has an entry older than that (a new log's first checkpoint may not be due yet)."""
    if oldest_entry_at is None:
        return ""
    now = now or timezone.now()
    limit = dt.timedelta(minutes=settings.MEDSUPP_AUDIT_CHECKPOINT_MAX_AGE_MINUTES)
    if now - oldest_entry_at <= limit:
        return ""
    periodic = [c.at for c in checkpoints if c.count is not None]
    if not periodic:
        return (
            f"no checkpoint in {checkpoint_file()}: the file is missing or was emptied, "
            f"though the log has entries older than {limit}"
        )
    newest = max(periodic)
    if now - newest > limit:
        minutes = int((now - newest).total_seconds() // 60)
        return (
            f"the newest checkpoint is {minutes} minutes old (more than {limit}): the "
            f"checkpoint job stopped, or the file was replaced by an older one"
        )
    return ""
