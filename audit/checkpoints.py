"""Signed checkpoints of the audit chain's head, kept where the database owner cannot change
them: one line per checkpoint appended to `<MEDSUPP_AUDIT_CHECKPOINT_DIR>/<database>.jsonl`
(opened for appending only; give the directory to the application's user alone, or make the
file append-only with `chattr +a`) and the same line written to the `audit.checkpoint` log
(ship it to the central log server). Each line is the count of entries, the last entry's id and
hash, the time, and an HMAC of all of it under `MEDSUPP_AUDIT_KEY`: a forged or edited line is
refused, and `verify_audit_chain` checks the chain against every genuine line.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from audit.chain import mac

logger = logging.getLogger("audit.checkpoint")


class CheckpointError(ValueError):
    pass


def checkpoint_file() -> Path:
    name = Path(str(connection.settings_dict["NAME"])).name or "default"
    return Path(settings.MEDSUPP_AUDIT_CHECKPOINT_DIR) / f"{name}.jsonl"


def _signed(record: dict) -> str:
    return mac(f"{record['count']}|{record['last_id']}|{record['head']}|{record['at']}")


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
    logger.info("audit checkpoint %s", line)
    return record


def checkpoints_read() -> list[tuple[int, int, str]]:
    """(count, last_id, head) of every checkpoint; CheckpointError on a forged or edited line."""
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
        found.append((int(record["count"]), int(record["last_id"]), record["head"]))
    return found
