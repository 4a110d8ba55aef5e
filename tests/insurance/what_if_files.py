"""Settlement and persons CSV files for the what-if calculator, written from engine facts."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import fields
from datetime import date, datetime
from pathlib import Path

from insurance.engine import Settlement

COLUMNS = [f.name for f in fields(Settlement)]


def _text(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def write_settlements(path: Path, settlements: Iterable[Settlement]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for s in settlements:
            writer.writerow([_text(getattr(s, name)) for name in COLUMNS])
            count += 1
    return count
