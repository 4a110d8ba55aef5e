"""A file's header row: which column each cell names, which cells are ignored, and the header
problems that reject the whole file (a missing or doubled column, a title row above it)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from claims.settlements.ingest.errors import FileRejected
from claims.settlements.ingest.spec import BY_NAME, HEADER_COLUMNS, Kind, header_to_name

# Rows looked at below the first when it is not the header: a title, a unit, a blank line...
TITLE_ROWS_SEARCHED = 10


@dataclass(frozen=True)
class Header:
    cells: tuple[str, ...]  # as the file wrote them
    names: tuple[str | None, ...]  # the column each cell names, None for an unknown one
    ignored: tuple[str, ...]  # the unknown cells' text, in file order

    def index(self, name: str) -> int | None:
        return self.names.index(name) if name in self.names else None


def _text(cell) -> str:
    return "" if cell is None else str(cell).strip().lstrip("\ufeff").strip()


# A unit after a header, as bureau exports write it: 统筹基金支出(元), （元）, [元], 【元】.
_UNIT = re.compile(r"(?P<name>.+?)\s*[(（\[【]\s*(?P<unit>[^)）\]】]*?)\s*[)）\]】]")
YUAN = "元"


def cell_name(text: str) -> str | None:
    """The column a header cell names: its text, or the text before a unit of yuan. An amount
    header stating another unit (万元, 千元, 分) rejects the file: its amounts are not yuan."""
    name = header_to_name(text)
    if name is not None:
        return name
    found = _UNIT.fullmatch(text)
    if found is None:
        return None
    name = header_to_name(found["name"])
    if name is None or BY_NAME[name].kind is not Kind.MONEY:
        return None
    if found["unit"] != YUAN:
        raise FileRejected(
            "unit_not_yuan",
            f"表头“{text}”的金额单位不是元：请把该列换算为元，表头写作“{found['name']}”"
            f"或“{found['name']}(元)”",
            f"the header “{text}” states a unit other than yuan: convert the column to yuan and "
            f"head it “{found['name']}” or “{found['name']}(元)”",
        )
    return name


def _missing(names) -> list[str]:
    present = set(names)
    return [name for name in HEADER_COLUMNS if name not in present]


def resolve_header(cells, line: int = 1) -> Header:
    """The header's columns, or FileRejected (`duplicate_column`, naming the header's `line`:
    1 in a CSV or XLSX file, the line of a JSON object); columns may be missing."""
    texts = tuple(_text(cell) for cell in cells)
    names = tuple(cell_name(text) if text else None for text in texts)
    first_cell: dict[str, int] = {}
    for position, (text, name) in enumerate(zip(texts, names, strict=True), start=1):
        if name is None:
            continue
        if name in first_cell:
            before = first_cell[name]
            raise FileRejected(
                "duplicate_column",
                f"第 {line} 行第 {before} 列“{texts[before - 1]}”和第 {position} 列“{text}”"
                f"是同一字段 {name}（{BY_NAME[name].label}）：请只保留一列",
                f"line {line}: column {before} “{texts[before - 1]}” and column {position} "
                f"“{text}” are the same field {name}: keep one column",
            )
        first_cell[name] = position
    ignored = tuple(text for text, name in zip(texts, names, strict=True) if text and not name)
    return Header(texts, names, ignored)


def read_header(cells, line: int = 1) -> Header:
    """The header, or FileRejected (`duplicate_column`, `missing_column`)."""
    header = resolve_header(cells, line)
    missing = _missing(header.names)
    if missing:
        labels = "、".join(f"{n}（{BY_NAME[n].label}）" for n in missing)
        raise FileRejected(
            "missing_column",
            f"缺少必需的列：{labels}",
            f"required columns are missing: {', '.join(missing)}",
        )
    return header


def is_header(cells) -> bool:
    try:
        names = [cell_name(_text(cell)) for cell in cells]
    except FileRejected:
        return True  # a header, whose unit read_header then refuses
    return not _missing(names)


def reject_title_row(
    first, following: list[tuple[int, list]], where: tuple[str, str] = ("", "")
) -> None:
    """When the first row is not the header but a later one is, say so: the title above it
    may change the meaning of the figures (a unit such as 万元), so nothing is guessed.
    `following`: (row number, cells) of the next rows; `where`: the sheet, in Chinese and
    English, when the file has several."""
    for number, cells in following[:TITLE_ROWS_SEARCHED]:
        if is_header(cells):
            title = " ".join(_text(c) for c in first if _text(c))[:60] or "（空行）"
            above = number - 1
            raise FileRejected(
                "title_row",
                f"{where[0]}第 1 行“{title}”不是表头，表头在第 {number} 行：请删除表头上方的 "
                f"{above} 行（标题、单位说明等），使表头成为第 1 行；如标题注明了金额单位，"
                "请先把金额换算为元",
                f"{where[1]}row 1 (“{title}”) is not the header, which is on row {number}: delete "
                f"the {above} row(s) above the header (title, units) so that it is row 1; if the "
                "title states a unit for the amounts, convert them to yuan first",
            )
