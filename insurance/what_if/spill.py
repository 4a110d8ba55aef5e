"""The what-if calculator's external sort: any file size within a fixed memory budget.

The engine needs each person's settlements together; the output keeps the input's order. Both
are orders of the whole file, so neither can be had by reading it once in memory (a city's
year held as objects took ~3.6 KB a settlement). The settlements, and the persons file if one
is given, go to a temporary SQLite file instead: read back sorted by person (joined to the
person's facts) for the engine, and the results read back in file order for the output. SQLite
sorts on disk within its small page cache, so memory stays flat whatever the file size.

What keeps it fast: rows go in by `executemany` in batches; a settlement is a marshalled tuple
of text (`rows.SettlementRows`, no pickled objects); a result is its finished CSV line, appended
as it comes and sorted once at the end; the settlement ids are indexed once after loading (a
sort) instead of a unique index kept up row by row, and a repeated id is looked for in one pass.
"""

from __future__ import annotations

import marshal
import pickle
import sqlite3
import tempfile
from collections.abc import Iterator
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from insurance.engine import PersonFacts

_CACHE_KIB = 32 * 1024  # SQLite's page cache, and each sorter's memory: spilled to disk beyond it
_BATCH = 5000  # rows held before one executemany: a few MB at most


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
            CREATE TABLE settlement (n INTEGER PRIMARY KEY, setl_id TEXT NOT NULL,
                                     psn_no TEXT NOT NULL, data BLOB NOT NULL);
            CREATE TABLE person (psn_no TEXT PRIMARY KEY, data BLOB NOT NULL);
            CREATE TABLE result (n INTEGER NOT NULL, line TEXT NOT NULL);
            BEGIN;
            """
        )
        self._settlements: list[tuple[int, str, str, bytes]] = []
        self._results: list[tuple[int, str]] = []

    def close(self) -> None:
        self.db.close()
        self._dir.cleanup()

    def __enter__(self) -> Spill:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def add_settlement(self, number: int, setl_id: str, psn_no: str, row: tuple) -> None:
        """`row`: a tuple of text, tuples of text and bools (marshal's types)."""
        self._settlements.append((number, setl_id, psn_no, marshal.dumps(row)))
        if len(self._settlements) >= _BATCH:
            self._flush_settlements()

    def _flush_settlements(self) -> None:
        batch, self._settlements = self._settlements, []
        self.db.executemany("INSERT INTO settlement VALUES (?, ?, ?, ?)", batch)

    def first_duplicate(self, before: int | None = None) -> tuple[int, str] | None:
        """(row number, setl_id) of the first row, in file order, whose settlement id an earlier
        row had; only rows before `before` if given. None: every id once."""
        self._flush_settlements()
        self.db.execute("CREATE INDEX IF NOT EXISTS settlement_id ON settlement (setl_id, n)")
        found = self.db.execute(
            "SELECT n, setl_id FROM (SELECT n, setl_id, lag(n) OVER (PARTITION BY setl_id "
            "ORDER BY n) AS earlier FROM settlement WHERE n < ?) "
            "WHERE earlier IS NOT NULL ORDER BY n LIMIT 1",
            (before if before is not None else 2**62,),
        ).fetchone()
        return None if found is None else (found[0], found[1])

    def add_person(self, facts: PersonFacts) -> None:
        """A later row of the same person replaces the earlier one."""
        self.db.execute(
            "INSERT OR REPLACE INTO person VALUES (?, ?)", (facts.psn_no, pickle.dumps(facts, 5))
        )

    def people(self) -> Iterator[tuple[str, PersonFacts | None, list[tuple[int, tuple]]]]:
        """(psn_no, the person's facts or None, [(row number, row)] in file order), one person at
        a time, by psn_no."""
        self._flush_settlements()
        self.db.execute("CREATE INDEX settlement_person ON settlement (psn_no, n)")
        rows = self.db.execute(
            "SELECT s.psn_no, p.data, s.n, s.data FROM settlement s "
            "LEFT JOIN person p ON p.psn_no = s.psn_no ORDER BY s.psn_no, s.n"
        )
        loads = marshal.loads
        # Only this process's own pickles, in its private (0700) temporary directory.
        for psn_no, group in groupby(rows, key=itemgetter(0)):
            group = list(group)
            first = group[0][1]
            facts = pickle.loads(first) if first is not None else None  # noqa: S301
            yield psn_no, facts, [(n, loads(data)) for _p, _f, n, data in group]

    def add_result(self, number: int, line: str) -> None:
        self._results.append((number, line))
        if len(self._results) >= _BATCH:
            self._flush_results()

    def _flush_results(self) -> None:
        batch, self._results = self._results, []
        self.db.executemany("INSERT INTO result VALUES (?, ?)", batch)

    def results(self) -> Iterator[str]:
        """The result lines in the order of the input file."""
        self._flush_results()
        for (line,) in self.db.execute("SELECT line FROM result ORDER BY n"):
            yield line
