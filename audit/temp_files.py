"""Plain temporary files a killed process left behind.

Django spools an upload above FILE_UPLOAD_MAX_MEMORY_SIZE to `tmp*.upload*` in
FILE_UPLOAD_TEMP_DIR (the system temp folder by default) and deletes it when the request ends;
the ingest reads a settlement file through a `medsupp-plain-*` copy deleted when its parse ends
(`audit.file_crypto.plain_copy`). A worker killed in between (a proxy or gunicorn timeout, an
OOM kill, a restart) leaves the file there, plain. `sweep_plain_temp_files` deletes such files
of this process's user older than MEDSUPP_PLAIN_TEMP_MAX_MINUTES; it runs with the quarter-hour
job `insurance.tasks.import_jobs_expire`.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from django.conf import settings

from audit.file_crypto import TEMP_PREFIX

PATTERNS = ("tmp*.upload*", TEMP_PREFIX + "*")


def _folders() -> set[Path]:
    folders = {Path(tempfile.gettempdir())}
    if settings.FILE_UPLOAD_TEMP_DIR:
        folders.add(Path(settings.FILE_UPLOAD_TEMP_DIR))
    return folders


def sweep_plain_temp_files(*, now: float | None = None) -> list[str]:
    """Delete the left-behind plain files; return their names (for the log)."""
    cutoff = (now or time.time()) - settings.MEDSUPP_PLAIN_TEMP_MAX_MINUTES * 60
    removed = []
    for folder in _folders():
        for pattern in PATTERNS:
            for path in folder.glob(pattern):
                try:
                    stat = path.stat()
                except FileNotFoundError:
                    continue  # its request ended meanwhile
                if path.is_file() and stat.st_uid == os.getuid() and stat.st_mtime < cutoff:
                    path.unlink(missing_ok=True)
                    removed.append(path.name)
    return removed
