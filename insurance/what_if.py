"""The what-if calculator's external sort (`manage.py compute_benefits`): any file size within
a fixed memory budget.

The engine needs each person's settlements together; the output keeps the input's order. Both
are orders of the whole file, so neither can be had by reading it once in memory (a city's
year held as objects took ~3.6 KB a settlement). The settlements, and the persons file if one
is given, go to a temporary SQLite file instead: read back sorted by person (joined to the
person's facts) for the engine, and the results read back in file order for the output. SQLite
sorts on disk within its small page cache, so memory stays flat whatever the file size.
"""

from __future__ import annotations

import json
import pickle
import sqlite3
import tempfile
from collections.abc import Iterator
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from insurance.engine import PersonFacts, Settlement

_CACHE_KIB = 64 * 1024  # SQLite's page cache: the sort's memory, spilled to disk beyond it


class Spill:
    """A temporary SQLite file holding one run's settlements, persons and result rows."""

    def __init__(self, directory: str | None = None):
        self._dir = tempfile.TemporaryDirectory(prefix="medsupp-what-if-", dir=directory)
        self.db = sqlite3.connect(Path(self._dir.name) / "spill.sqlite3", isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", f"cache_size=-{_CACHE_KIB}",
                       "temp_store=FILE"):  # fmt: skip
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(
            """
            CREATE TABLE settlement (n INTEGER PRIMARY KEY, setl_id TEXT NOT NULL UNIQUE,
                                     psn_no TEXT NOT NULL, data BLOB NOT NULL);
            CREATE TABLE person (psn_no TEXT PRIMARY KEY, data BLOB NOT NULL);
            CREATE TABLE result (n INTEGER PRIMARY KEY, row TEXT NOT NULL);
            BEGIN;
            """
        )

    def close(self) -> None:
        self.db.close()
        self._dir.cleanup()

    def __enter__(self) -> Spill:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def add_settlement(self, number: int, settlement: Settlement) -> bool:
        """False when the settlement id was already read (the caller reports the row)."""
        try:
            self.db.execute(
                "INSERT INTO settlement VALUES (?, ?, ?, ?)",
                (number, settlement.setl_id, settlement.psn_no, pickle.dumps(settlement, 5)),
            )
        except sqlite3.IntegrityError:
            return False
        return True

    def add_person(self, facts: PersonFacts) -> None:
        """A later row of the same person replaces the earlier one."""
        self.db.execute(
            "INSERT OR REPLACE INTO person VALUES (?, ?)", (facts.psn_no, pickle.dumps(facts, 5))
        )

    def people(self) -> Iterator[tuple[str, PersonFacts | None, list[tuple[int, Settlement]]]]:
        """(psn_no, the person's facts or None, [(row number, settlement)] in file order), one
        person at a time, by psn_no."""
        self.db.execute("CREATE INDEX settlement_person ON settlement (psn_no, n)")
        rows = self.db.execute(
            "SELECT s.psn_no, p.data, s.n, s.data FROM settlement s "
            "LEFT JOIN person p ON p.psn_no = s.psn_no ORDER BY s.psn_no, s.n"
        )
        # Only this process's own pickles, in its private (0700) temporary directory.
        for psn_no, group in groupby(rows, key=itemgetter(0)):
            group = list(group)
            first = group[0][1]
            facts = pickle.loads(first) if first is not None else None  # noqa: S301
            yield psn_no, facts, [(n, pickle.loads(data)) for _p, _f, n, data in group]  # noqa: S301

    def add_result(self, number: int, row: list[str]) -> None:
        self.db.execute("INSERT INTO result VALUES (?, ?)", (number, json.dumps(row)))

    def results(self) -> Iterator[list[str]]:
        """The result rows in the order of the input file."""
        for (row,) in self.db.execute("SELECT row FROM result ORDER BY n"):
            yield json.loads(row)
