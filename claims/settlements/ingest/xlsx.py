"""What an XLSX sheet holds beyond the values calamine gives: the cells it reads as empty although
they are not (an error such as #DIV/0! or #N/A, a formula saved without its result, as software
that writes formulas without computing them saves it), and which sheet part is which sheet.

The sheet's XML is scanned as it inflates, for those two marks only (`t="e"`, `<f>`), in C-speed
byte searches: a sheet without formulas costs one pass of inflating it.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from typing import NamedTuple
from xml.etree import ElementTree

CHUNK_BYTES = 4 * 1024 * 1024
MOST_LISTED = 10
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')
_VALUE = re.compile(rb"<v(?:\s[^>]*)?>([^<]*)</v>")
_FORMULA = re.compile(rb"<f[\s>/]")


class ProblemCell(NamedTuple):
    row: int
    letter: str  # the column's letter as the sheet shows it
    index: int  # the column's 0-based index in the sheet
    error: str  # the error shown (#DIV/0!), or "" for a formula without a saved result


def sheet_members(path) -> dict[str, str]:
    """Sheet name -> its part in the archive (xl/worksheets/sheet1.xml)."""
    with zipfile.ZipFile(path) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314 our own check ran
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_RELS}Relationship")}
    members = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(_REL_ID), "")
        member = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        members[sheet.get("name", "")] = posixpath.normpath(member)
    return members


def column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def problem_cells(path, member: str, *, wanted, below_row: int) -> list[ProblemCell]:
    """The first error cells and formulas without a saved result in rows after `below_row`
    whose column index `wanted(index)` accepts (the columns that are read)."""
    found: list[ProblemCell] = []
    with zipfile.ZipFile(path) as archive, archive.open(member) as raw:
        tail = b""
        while len(found) < MOST_LISTED:
            chunk = raw.read(CHUNK_BYTES)
            data = tail + chunk
            if chunk:  # whole cells only: the rest waits for the next chunk
                cut = data.rfind(b"</c>") + 4
                if cut < 4:
                    tail = data
                    continue
                data, tail = data[:cut], data[cut:]
            for cell in _problems_in(data):
                if cell.row > below_row and wanted(cell.index):
                    found.append(cell)
            if not chunk:
                break
    return sorted(found)[:MOST_LISTED]


def _cell_at(data: bytes, at: int) -> tuple[int, int, int] | None:
    """(start, end of the start tag, end) of the <c> element around position `at`."""
    start = data.rfind(b"<c ", 0, at)
    if start < 0:
        return None
    opened = data.find(b">", start)
    closed = data.find(b"</c>", start)
    if data[opened - 1 : opened] == b"/" or closed < at:  # `at` is not inside this cell
        return None
    return start, opened, closed


def _problem(data: bytes, cell: tuple[int, int, int], error: str) -> ProblemCell | None:
    start, opened, _closed = cell
    ref = _REF.search(data, start, opened)
    if ref is None:  # a cell without its reference: the sheet names no place to point at
        return None
    letters = ref.group(1).decode()
    return ProblemCell(int(ref.group(2)), letters, column_index(letters), error)


def _problems_in(data: bytes):
    at = data.find(b't="e"')
    while at >= 0:
        cell = _cell_at(data, at)
        if cell is not None and at < cell[1]:
            value = _VALUE.search(data, cell[1], cell[2])
            shown = value.group(1).decode(errors="replace") if value else "#ERROR"
            problem = _problem(data, cell, shown or "#ERROR")
            if problem is not None:
                yield problem
        at = data.find(b't="e"', at + 1)
    for formula in _FORMULA.finditer(data):
        cell = _cell_at(data, formula.start())
        if cell is None or b't="e"' in data[cell[0] : cell[1]]:
            continue
        value = _VALUE.search(data, cell[1], cell[2])
        if value is not None and value.group(1):
            continue
        # A text formula whose saved result is the empty text (=IF(A2="","",A2)) has a value;
        # a number formula with an empty <v/>, as openpyxl writes every formula, has none.
        text = b't="str"' in data[cell[0] : cell[1]]
        if not (text and data.find(b"<v", cell[1], cell[2]) >= 0):
            problem = _problem(data, cell, "")
            if problem is not None:
                yield problem
