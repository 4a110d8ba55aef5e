"""Streaming readers for settlement files: CSV (UTF-8, UTF-8 BOM, GBK/GB18030), XLSX, JSON lines.

Each reader reads the header (header.py: title rows, doubled and missing columns) and yields
`(row_number, cells)` one row at a time; row numbers are those a person sees in a spreadsheet
(the header is row 1), or the line number for JSON lines.
"""

from __future__ import annotations

import codecs
import csv
import json
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from itertools import islice
from pathlib import Path

from charset_normalizer import from_bytes

from claims.ingest.errors import FileRejected
from claims.ingest.header import (
    TITLE_ROWS_SEARCHED,
    Header,
    is_header,
    read_header,
    reject_title_row,
)

SAMPLE_BYTES = 256 * 1024
# XLSX is a zip: refuse archives that would inflate far beyond their size (zip bombs).
XLSX_MAX_RATIO = 100
XLSX_MAX_UNCOMPRESSED = 2 * 1024**3
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
BAD_JSON = "__bad_json__"  # the key of a JSON line's stand-in row when it is not an object


def detect_format(path: Path, filename: str = "") -> str:
    name = (filename or path.name).lower()
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith(b"PK\x03\x04") or name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    return "csv"


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the bytes decode as UTF-8; otherwise GB18030.

    GB18030 is a superset of GBK and GB2312, so one decoder reads all three. charset-normalizer
    arbitrates only when neither decodes the sample cleanly.
    """
    with path.open("rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        _decode_sample(sample, "utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        _decode_sample(sample, "gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        best = from_bytes(sample).best()
        if best is None:
            raise FileRejected(
                "bad_encoding",
                "无法识别文件编码，请使用 UTF-8 或 GBK 编码的 CSV",
                "cannot tell the file's encoding; send CSV in UTF-8 or GBK",
            ) from None
        return best.encoding


def _decode_sample(sample: bytes, encoding: str) -> None:
    # The sample may end inside a multi-byte character: an incremental decoder without `final`
    # keeps that tail instead of failing on it.
    codecs.getincrementaldecoder(encoding)().decode(sample, final=False)


def normalise_encoding(name: str) -> str:
    """Accept what people type (`GBK`, `gb2312`, `utf8`, `UTF-8-BOM`) and pick the decoder."""
    key = name.strip().lower().replace("_", "-")
    if key in ("gbk", "gb2312", "gb18030", "cp936"):
        return "gb18030"
    if key in ("utf-8", "utf8", "utf-8-bom", "utf-8-sig"):
        return "utf-8-sig"
    try:
        return codecs.lookup(key).name
    except LookupError:
        raise FileRejected(
            "bad_encoding", f"不支持的编码：{name}", f"unsupported encoding: {name}"
        ) from None


def _header_of(first: list, ahead: Iterator[tuple[int, list]], where=("", "")) -> Header:
    """The header that `first` is; else FileRejected, naming a title row when one of the rows
    `ahead` (row number, cells) is the header."""
    if is_header(first):
        return read_header(first)
    reject_title_row(first, list(islice(ahead, TITLE_ROWS_SEARCHED)), where)
    return read_header(first)  # raises missing_column


def _open_csv(path: Path, encoding: str):
    fh = path.open("r", encoding=encoding, newline="")
    reader = csv.reader(fh)

    def records() -> Iterator[tuple[int, list]]:
        """(row number as a spreadsheet shows it: the header is row 1, cells)."""
        try:
            yield from enumerate(reader, start=1)
        except UnicodeDecodeError as exc:
            raise FileRejected(
                "bad_encoding",
                f"第 {reader.line_num} 行附近出现无法按 {encoding} 解码的字符，请确认文件编码",
                f"bytes near line {reader.line_num} are not valid {encoding}; check the encoding",
            ) from exc

    rows = records()
    try:
        first = next(rows, None)
        if first is None:
            raise FileRejected("empty", "文件为空", "the file is empty")
        header = _header_of(first[1], rows)
    except BaseException:
        fh.close()
        raise
    return fh, header, rows


def read_csv_header(path: Path, encoding: str) -> Header:
    """The header row alone, read (and rejected) exactly as `read_csv` reads it."""
    fh, header, _rows = _open_csv(path, encoding)
    fh.close()
    return header


def read_csv(path: Path, encoding: str) -> tuple[Header, Iterator[tuple[int, list]]]:
    """(row number, cells) of each data row; rows of blank cells are skipped."""
    fh, header, records = _open_csv(path, encoding)

    def rows() -> Iterator[tuple[int, list]]:
        try:
            for number, values in records:
                if any(v.strip() for v in values):
                    yield number, values
        finally:
            fh.close()

    return header, rows()


def check_xlsx_archive(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise FileRejected("bad_xlsx", "不是有效的 XLSX 文件", "not a valid XLSX file") from exc
    packed = sum(i.compress_size for i in infos) or 1
    unpacked = sum(i.file_size for i in infos)
    if unpacked > XLSX_MAX_UNCOMPRESSED or unpacked / packed > XLSX_MAX_RATIO:
        raise FileRejected(
            "zip_bomb",
            "XLSX 文件解压后体积异常（疑似压缩炸弹），已拒绝",
            "the XLSX inflates abnormally (suspected zip bomb); refused",
        )


def read_xlsx(path: Path) -> tuple[Header, Iterator[tuple[int, list]]]:
    """The first sheet (a notes sheet after it is not read). Cells come as the sheet holds
    them: text, float, bool, or datetime for a cell formatted as a date (an Excel serial
    date); formulas as their cached results."""
    from python_calamine import CalamineWorkbook

    check_xlsx_archive(path)
    workbook = CalamineWorkbook.from_path(str(path))
    sheet = workbook.get_sheet_by_index(0)
    numbered = enumerate(sheet.iter_rows(), start=1)
    first = next(numbered, None)
    if first is None:
        raise FileRejected("empty", "工作表为空", "the sheet is empty")
    name = workbook.sheet_names[0]
    where = ("", "") if len(workbook.sheet_names) == 1 else (f"工作表“{name}”", f"sheet “{name}”: ")
    header = _header_of(first[1], numbered, where)

    def rows() -> Iterator[tuple[int, list]]:
        for number, values in numbered:
            if all(v == "" or v is None for v in values):
                continue
            yield number, values

    return header, rows()


def _json_object(line: str):
    """The object on a line (amounts exactly as written: no float), or None."""
    try:
        obj = json.loads(line, parse_float=Decimal)
    except (ValueError, RecursionError):  # not JSON, or a number of thousands of digits
        return None
    return obj if isinstance(obj, dict) else None


def read_jsonl(path: Path) -> tuple[Header, Iterator[tuple[int, dict]]]:
    """One JSON object per line (row number = line number); the keys of the first object
    stand for the header. A line that is not an object is yielded as BAD_JSON."""
    fh = path.open("r", encoding="utf-8-sig")
    try:
        lines = ((number, line) for number, line in enumerate(fh, start=1) if line.strip())
        first_number, first = next(lines, (0, None))
        if first is None:
            raise FileRejected("empty", "文件为空", "the file is empty")
        first_obj = _json_object(first)
        if first_obj is None:
            raise FileRejected(
                "bad_json",
                f"第 {first_number} 行不是有效的 JSON 对象",
                f"line {first_number} is not a JSON object",
            )
        header = read_header(list(first_obj))
    except BaseException:
        fh.close()
        raise

    def rows() -> Iterator[tuple[int, dict]]:
        try:
            yield first_number, first_obj
            for number, line in lines:
                obj = _json_object(line)
                yield number, obj if obj is not None else {BAD_JSON: line[:80]}
        finally:
            fh.close()

    return header, rows()


def open_rows(
    path: Path, *, filename: str = "", encoding: str = ""
) -> tuple[str, str, Header, Iterator[tuple[int, list | dict]]]:
    """(format, encoding used, header, rows) for any supported file. Rows are (row number,
    cells): a list in header order (CSV, XLSX) or a dict by key (JSON lines)."""
    file_format = detect_format(path, filename)
    if file_format == "xlsx":
        return file_format, "", *read_xlsx(path)
    if file_format == "jsonl":
        return file_format, "utf-8", *read_jsonl(path)
    used = normalise_encoding(encoding) if encoding else detect_encoding(path)
    return file_format, used, *read_csv(path, used)
