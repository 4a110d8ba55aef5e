"""The general path: reading rows into typed records, every problem located (row, column, reason).

Every cell is read by its column's reader (forms.py) and every row checked by the rules of
spec.py; built once per file from its header, so each row costs only its own conversions.
No database: the code mapping comes in as a CodeBook.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from claims.settlements.ingest.codes import CodeBook, national_codebook
from claims.settlements.ingest.errors import RowError, error
from claims.settlements.ingest.forms import EXACT_DIGITS, Bad, ZeroedIds, reader
from claims.settlements.ingest.header import Header, resolve_header
from claims.settlements.ingest.readers import BAD_JSON
from claims.settlements.ingest.spec import (
    BY_NAME,
    REQUIRED_COLUMNS,
    Kind,
    absent,
    complete_record,
    row_problems,
)


@dataclass
class ParseStats:
    rows: int = 0
    good: int = 0
    bad: int = 0
    reversals: int = 0
    errors: list[RowError] = field(default_factory=list)
    truncated: bool = False
    ignored: list[str] = field(default_factory=list)  # header cells naming no column


class _Cell(NamedTuple):
    at: int | str  # a position in the row (CSV, XLSX) or a key (JSON lines)
    name: str
    read: object
    code: bool  # a CODE column: its reader gives (family, code as sent)
    required: bool
    empty: object  # what an empty optional cell holds
    identifier: bool  # an ID column: watched for a spreadsheet's zeroing (forms.ZeroedIds)


class RowParser:
    """Parse the rows of one file. `parse(rows)` yields (row number, record) for good rows
    and collects errors for bad ones; repeated setl_ids inside the file are caught here too."""

    def __init__(self, header: Header, *, codes: CodeBook | None = None, max_errors: int = 10_000):
        self.max_errors = max_errors
        self.stats = ParseStats(ignored=list(header.ignored))
        self._codes = national_codebook() if codes is None else codes
        self._width = len(header.cells)
        self._cells = self._compile(enumerate(header.names))
        # Positions under an empty header cell: a value there has no column to go to.
        self._unnamed = [i for i, text in enumerate(header.cells) if not text]
        self._by_keys: dict[tuple, list[_Cell]] = {}
        self._template = complete_record()
        self._seen: dict[str, int] = {}
        self._zeroed = ZeroedIds()

    def _compile(self, named) -> list[_Cell]:
        cells = []
        for at, name in named:
            if name is None:
                continue
            column = BY_NAME[name]
            read = reader(column, self._codes.get(name))
            code = column.kind is Kind.CODE
            identifier = column.kind is Kind.ID
            cells.append(_Cell(at, name, read, code, column.required, absent(name), identifier))
        return cells

    def _cells_of(self, obj: dict, number: int) -> list[_Cell]:
        """A JSON line's keys, read once per set of keys: the first line's are the header,
        another line's unknown keys join the ignored columns."""
        keys = tuple(obj)
        cells = self._by_keys.get(keys)
        if cells is None:
            header = resolve_header(keys, number)  # missing values are reported as `required`
            for key in header.ignored:
                if key not in self.stats.ignored:
                    self.stats.ignored.append(key)
            cells = self._by_keys[keys] = self._compile(zip(keys, header.names, strict=True))
        return cells

    def _note_unnamed(self, raw: list) -> None:
        """List a column without a header among the ignored ones once it holds a value."""
        for at in list(self._unnamed):
            if at < len(raw) and str(raw[at]).strip():
                self.stats.ignored.append(
                    f"（第 {at + 1} 列，无表头 / column {at + 1}, no header）"
                )
                self._unnamed.remove(at)

    def _add_error(self, err: RowError) -> None:
        if len(self.stats.errors) < self.max_errors:
            self.stats.errors.append(err)
        else:
            self.stats.truncated = True

    def _convert(self, number: int, raw) -> tuple[dict, list[RowError]]:
        record = self._template.copy()
        problems: list[RowError] = []
        if isinstance(raw, dict):
            if BAD_JSON in raw:
                return record, [error(number, "", "bad_json", value=raw[BAD_JSON])]
            cells = self._cells_of(raw, number)  # the line's own keys: each one is there
        else:
            # More cells than the header has (even empty ones): e.g. "1,234.50" without its
            # quotes, which shifts every later cell into the wrong column.
            if len(raw) != self._width:
                if len(raw) > self._width:
                    count = len(raw) - self._width
                    return record, [error(number, "", "extra_cells", count=count)]
                raw = [*raw, *[""] * (self._width - len(raw))]  # a short row: empty cells
            if self._unnamed:
                self._note_unnamed(raw)
            cells = self._cells
        for at, name, read, code, required, empty, identifier in cells:
            try:
                value = read(raw[at])
            except Bad as bad:
                problems.append(error(number, name, bad.code, **bad.params))
                continue
            if code:
                value, record[f"{name}_code"] = value
            elif identifier and len(value) > EXACT_DIGITS:
                self._zeroed.note(name, value, number)
            if value is None or value == "":
                if required:
                    problems.append(error(number, name, "required"))
                    continue
                value = empty
            record[name] = value
        if cells is not self._cells:  # a JSON line may lack some required key
            keys = {cell.name for cell in cells}
            problems.extend(
                error(number, name, "required") for name in REQUIRED_COLUMNS if name not in keys
            )
        return record, problems

    def _check(self, number: int, record: dict) -> list[RowError]:
        problems = [error(number, c, code, **params) for c, code, params in row_problems(record)]
        setl_id = record["setl_id"]
        first = self._seen.setdefault(setl_id, number)
        if first != number:
            problems.append(error(number, "setl_id", "duplicate_in_file", first_row=first))
        return problems

    def parse(self, rows: Iterator[tuple[int, list | dict]]) -> Iterator[tuple[int, dict]]:
        stats = self.stats
        for number, raw in rows:
            stats.rows += 1
            record, problems = self._convert(number, raw)
            if not problems:
                problems = self._check(number, record)
            if problems:
                stats.bad += 1
                for problem in problems:
                    self._add_error(problem)
                continue
            stats.good += 1
            if record.get("refd_setl_flag"):
                stats.reversals += 1
            yield number, record
        self._refuse_zeroed()

    def _refuse_zeroed(self) -> None:
        """Once every row is read: the rows of an ID column a spreadsheet zeroed are bad (their
        rows were staged, but a batch with errors applies nothing)."""
        bad_rows = {e.row for e in self.stats.errors}
        for column, rows in self._zeroed.zeroed().items():
            for number, value in rows:
                self._add_error(error(number, column, "id_zeroed", value=value))
                if number not in bad_rows:
                    bad_rows.add(number)
                    self.stats.bad += 1
                    self.stats.good -= 1
