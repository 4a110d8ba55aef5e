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

from claims.settlements.ingest import xlsx
from claims.settlements.ingest.errors import FileRejected
from claims.settlements.ingest.header import (
    TITLE_ROWS_SEARCHED,
    Header,
    is_header,
    read_header,
    reject_title_row,
)

# XLSX is a zip: refuse archives that would inflate far beyond their size (zip bombs).
XLSX_MAX_RATIO = 100
XLSX_MAX_UNCOMPRESSED = 2 * 1024**3
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
# An OLE2 compound file: Excel 97-2003 (.xls), WPS (.et), or an XLSX saved with a password.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BAD_JSON = "__bad_json__"  # the key of a JSON line's stand-in row when it is not an object


def detect_format(path: Path, filename: str = "") -> str:
    name = (filename or path.name).lower()
    with path.open("rb") as fh:
        head = fh.read(len(OLE_MAGIC))
    if head.startswith(OLE_MAGIC):  # before the name: a password-protected .xlsx is one too
        return "xls"
    if head.startswith(b"PK\x03\x04") or name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith((".xls", ".et")):
        return "xls"
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    return "csv"


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as UTF-8; else GB18030 when the
    whole file decodes as GB18030 (a superset of GBK and GB2312, so one decoder reads all
    three); else UTF-16 with its BOM (Excel's "Unicode text"). The whole file is read: a GBK
    character far down a file that began in plain ASCII decides as surely as one at its start
    (a C-speed pass, under a second for 200 MB). Neither: refused, naming the line."""
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not head.startswith(
        codecs.BOM_UTF8
    ):
        return "utf-16"
    utf8_line = undecodable_line(path, "utf-8")
    if utf8_line is None:
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF8):  # says UTF-8, is not: nothing to guess
        raise _not_decodable("UTF-8", utf8_line)
    gbk_line = undecodable_line(path, "gb18030")
    if gbk_line is None:
        return "gb18030"
    raise FileRejected(
        "bad_encoding",
        f"无法识别文件编码：按 UTF-8 读第 {utf8_line} 行出错，按 GBK 读第 {gbk_line} 行出错；"
        "请以 UTF-8 或 GBK 编码保存后重新发送",
        f"cannot tell the file's encoding: line {utf8_line} is not UTF-8 and line {gbk_line} is "
        "not GBK; save the file as UTF-8 or GBK and send it again",
    )


def _not_decodable(encoding: str, line: int) -> FileRejected:
    return FileRejected(
        "bad_encoding",
        f"第 {line} 行含有无法按 {encoding} 解码的字节：请确认文件编码（可在上传时指定编码，"
        "如 GBK 或 UTF-8）",
        f"line {line} holds bytes that are not valid {encoding}: check the encoding (it can be "
        "stated with the upload, e.g. GBK or UTF-8)",
    )


def undecodable_line(path: Path, encoding: str, chunk_bytes: int = 4 * 1024 * 1024) -> int | None:
    """The line of the first bytes that `encoding` cannot decode, or None: the file decodes."""
    decoder = codecs.getincrementaldecoder(encoding)()
    lines_before = 0
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(chunk_bytes)
            # A chunk may end inside a character: the decoder keeps that tail for the next.
            pending = decoder.getstate()[0]
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                at = max(exc.start - len(pending), 0)
                return lines_before + chunk[:at].count(b"\n") + 1
            if not chunk:
                return None
            lines_before += chunk.count(b"\n")


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
        if len(first[1]) == 1 and "\t" in first[1][0]:
            raise FileRejected(
                "tsv",
                "文件以制表符分隔（TSV，如 Excel“文本文件(制表符分隔)”或“Unicode 文本”），"
                "不是逗号分隔的 CSV：请另存为“CSV UTF-8(逗号分隔)”或 XLSX 后发送",
                "the file is tab-separated (TSV, as Excel's “Text (Tab delimited)” or “Unicode "
                "Text” saves it), not comma-separated CSV: save it as “CSV UTF-8 (Comma "
                "delimited)” or XLSX and send it again",
            )
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
    """The sheet whose first row is the header: the first sheet, or a later one when the first
    holds notes (a notes sheet is not read). Cells come as the sheet holds them: text, float,
    bool, or datetime for a cell formatted as a date (an Excel serial date); formulas as their
    saved results. A cell read as empty that is not (an error such as #DIV/0!, a formula
    without a saved result) in a column that is read rejects the file, naming the cells."""
    from python_calamine import CalamineWorkbook

    check_xlsx_archive(path)
    workbook = CalamineWorkbook.from_path(str(path))
    names = workbook.sheet_names
    sheet, header, numbered, name = None, None, None, ""
    first_problem: FileRejected | None = None
    for index, name in enumerate(names):
        sheet = workbook.get_sheet_by_index(index)
        numbered = enumerate(sheet.iter_rows(), start=1)
        first = next(numbered, None)
        if first is None:
            continue
        where = ("", "") if len(names) == 1 else (f"工作表“{name}”", f"sheet “{name}”: ")
        try:
            header = _header_of(first[1], numbered, where)
            break
        except FileRejected as exc:
            if exc.code not in ("missing_column", "title_row"):
                raise
            # Look on: a later sheet may be the data. A title row is the likelier mistake.
            if first_problem is None or exc.code == "title_row" != first_problem.code:
                first_problem = exc
    if header is None:
        if first_problem is None:
            raise FileRejected("empty", "工作表为空", "the sheet is empty")
        if len(names) > 1 and first_problem.code == "missing_column":
            raise FileRejected(
                "no_header_sheet",
                f"没有一个工作表的第 1 行是表头（共 {len(names)} 个工作表："
                f"{'、'.join(names)}）：{first_problem.message_zh}",
                f"no sheet has the header on its first row ({len(names)} sheets: "
                f"{', '.join(names)}): {first_problem.message_en}",
            )
        raise first_problem
    _refuse_problem_cells(path, name, sheet.start[1], header)

    def rows() -> Iterator[tuple[int, list]]:
        for number, values in numbered:
            if all(v == "" or v is None for v in values):
                continue
            yield number, values

    return header, rows()


def _refuse_problem_cells(path: Path, sheet_name: str, first_column: int, header: Header) -> None:
    """FileRejected naming the cells of read columns that calamine reads as empty but are not."""
    member = xlsx.sheet_members(path).get(sheet_name)
    if member is None:
        return
    read = {i + first_column for i, name in enumerate(header.names) if name}
    cells = xlsx.problem_cells(path, member, wanted=read.__contains__, below_row=1)
    if not cells:
        return

    def column(cell) -> str:
        return header.names[cell.index - first_column] or ""

    errors = [c for c in cells if c.error]
    listed = cells[: xlsx.MOST_LISTED]
    places = "、".join(
        f"{c.letter}{c.row}（{column(c)}）" + (f"：{c.error}" if c.error else "：公式无计算结果")
        for c in listed
    )
    places_en = "; ".join(
        f"{c.letter}{c.row} ({column(c)})" + (f": {c.error}" if c.error else ": formula, no result")
        for c in listed
    )
    code = "xlsx_error_cell" if errors else "xlsx_formula_without_value"
    raise FileRejected(
        code,
        f"工作表“{sheet_name}”中这些单元格没有可读的值：{places}。错误值（如 #DIV/0!、#N/A）"
        "请在源表中更正；没有计算结果的公式请在 Excel 或 WPS 中打开文件、重新计算并保存，"
        "或把公式列“选择性粘贴为数值”后再发送",
        f"these cells of sheet “{sheet_name}” hold no value that can be read: {places_en}. "
        "Correct the error values (#DIV/0!, #N/A) in the source; for formulas without a saved "
        "result, open the file in Excel or WPS, recalculate and save it, or paste the formula "
        "columns as values, then send it again",
    )


def _json_object(line: str):
    """The object on a line (amounts exactly as written: no float), or None."""
    try:
        obj = json.loads(line, parse_float=Decimal)
    except (ValueError, RecursionError):  # not JSON, or a number of thousands of digits
        return None
    return obj if isinstance(obj, dict) else None


# The platform's answer to a query (5203) wraps the records: {"infcode": 0, "output": {...}}.
_RESPONSE_KEYS = frozenset(("infcode", "output", "err_msg", "inf_refmsgid"))


def _not_lines(number: int, line: str, first_obj) -> FileRejected:
    """Why a file's first object is not a row of JSON lines, in words the sender can act on."""
    if isinstance(first_obj, dict) and _RESPONSE_KEYS & set(first_obj):
        return FileRejected(
            "json_response",
            "这是平台接口的整段响应（含 infcode、output），不是逐行记录：请把 output 中的每条"
            "结算记录（setlinfo）各写成一行 JSON 对象后发送",
            "this is the platform's whole response (infcode, output), not JSON lines: write each "
            "settlement record of output (setlinfo) as one JSON object per line",
        )
    if line.strip() in ("{", "[") or line.lstrip().startswith("["):
        return FileRejected(
            "json_document",
            f"第 {number} 行开始的是一个完整的 JSON 文档（数组或多行对象），不是逐行记录："
            "请每行写一个完整的 JSON 对象（JSON Lines）",
            f"line {number} begins one JSON document (an array or an object over several lines), "
            "not JSON lines: write one whole JSON object per line",
        )
    return FileRejected(
        "bad_json",
        f"第 {number} 行不是有效的 JSON 对象",
        f"line {number} is not a JSON object",
    )


def read_jsonl(
    path: Path, encoding: str = "utf-8-sig"
) -> tuple[Header, Iterator[tuple[int, dict]]]:
    """One JSON object per line (row number = line number); the keys of the first object
    stand for the header. A line that is not an object is yielded as BAD_JSON. Bytes the
    encoding cannot read reject the file, naming the line."""
    fh = path.open("r", encoding=encoding)
    numbered = enumerate(fh, start=1)

    def lines() -> Iterator[tuple[int, str]]:
        number = 0
        try:
            for number, line in numbered:
                if line.strip():
                    yield number, line
        except UnicodeDecodeError as exc:
            raise _not_decodable(encoding, number + 1) from exc

    nonblank = lines()
    try:
        first_number, first = next(nonblank, (0, None))
        if first is None:
            raise FileRejected("empty", "文件为空", "the file is empty")
        first_obj = _json_object(first)
        if first_obj is None or (_RESPONSE_KEYS & set(first_obj) and "setl_id" not in first_obj):
            try:
                whole = json.loads(first)
            except (ValueError, RecursionError):
                whole = None
            raise _not_lines(first_number, first, whole)
        header = read_header(list(first_obj), first_number)
    except BaseException:
        fh.close()
        raise

    def rows() -> Iterator[tuple[int, dict]]:
        try:
            yield first_number, first_obj
            for number, line in nonblank:
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
    if file_format == "xls":
        raise FileRejected(
            "xls",
            "这是旧版 Excel 97-2003（.xls）或 WPS（.et）文件，或设置了打开密码的工作簿，无法读取："
            "请去掉密码，另存为 .xlsx 或“CSV UTF-8(逗号分隔)”后发送",
            "this is an Excel 97-2003 (.xls) or WPS (.et) file, or a workbook with a password, "
            "which cannot be read: remove the password and save it as .xlsx or “CSV UTF-8 "
            "(Comma delimited)”, then send it again",
        )
    if file_format == "xlsx":
        return file_format, "", *read_xlsx(path)
    used = normalise_encoding(encoding) if encoding else detect_encoding(path)
    if file_format == "jsonl":
        return file_format, used, *read_jsonl(path, used)
    return file_format, used, *read_csv(path, used)
