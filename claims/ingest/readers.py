"""Streaming readers for settlement files: CSV (UTF-8, UTF-8 BOM, GBK/GB18030), XLSX, JSON lines.

Each reader yields `(row_number, {header: text_or_value})` one row at a time; row numbers are
those a person sees in a spreadsheet (the header is row 1), or the line number for JSON lines.
"""

from __future__ import annotations

import codecs
import csv
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

from charset_normalizer import from_bytes

from claims.ingest.errors import FileRejected

SAMPLE_BYTES = 256 * 1024
# XLSX is a zip: refuse archives that would inflate far beyond their size (zip bombs).
XLSX_MAX_RATIO = 100
XLSX_MAX_UNCOMPRESSED = 2 * 1024**3
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


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


def _open_csv(path: Path, encoding: str):
    fh = path.open("r", encoding=encoding, newline="")
    reader = csv.reader(fh)
    try:
        header = next(reader)
    except (StopIteration, UnicodeDecodeError) as exc:
        fh.close()
        raise FileRejected("empty", "文件为空或无法按所选编码读取", "empty or unreadable") from exc
    return fh, reader, header


def read_csv_header(path: Path, encoding: str) -> list[str]:
    """The header row alone, read (and rejected) exactly as `read_csv` reads it."""
    fh, _reader, header = _open_csv(path, encoding)
    fh.close()
    return header


def read_csv(path: Path, encoding: str) -> tuple[list[str], Iterator[tuple[int, dict]]]:
    fh, reader, header = _open_csv(path, encoding)

    def rows() -> Iterator[tuple[int, dict]]:
        try:
            for number, values in enumerate(reader, start=2):
                if not any(v.strip() for v in values):
                    continue
                yield number, dict(zip(header, values, strict=False))
        except UnicodeDecodeError as exc:
            raise FileRejected(
                "bad_encoding",
                f"第 {reader.line_num} 行附近出现无法按 {encoding} 解码的字符，请确认文件编码",
                f"bytes near line {reader.line_num} are not valid {encoding}; check the encoding",
            ) from exc
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


def read_xlsx(path: Path) -> tuple[list[str], Iterator[tuple[int, dict]]]:
    from python_calamine import CalamineWorkbook

    check_xlsx_archive(path)
    workbook = CalamineWorkbook.from_path(str(path))
    sheet = workbook.get_sheet_by_index(0)
    iterator = iter(sheet.iter_rows())
    try:
        header = [str(cell).strip() for cell in next(iterator)]
    except StopIteration as exc:
        raise FileRejected("empty", "工作表为空", "the sheet is empty") from exc

    def rows() -> Iterator[tuple[int, dict]]:
        for number, values in enumerate(iterator, start=2):
            if all(v in ("", None) for v in values):
                continue
            yield number, dict(zip(header, values, strict=False))

    return header, rows()


def read_jsonl(path: Path) -> tuple[list[str], Iterator[tuple[int, dict]]]:
    """One JSON object per line; the keys of the first object stand for the header."""
    fh = path.open("r", encoding="utf-8-sig")
    first_line_number, first = 0, None
    for number, line in enumerate(fh, start=1):
        if line.strip():
            first_line_number, first = number, line
            break
    if first is None:
        fh.close()
        raise FileRejected("empty", "文件为空", "the file is empty")
    try:
        first_obj = json.loads(first)
    except json.JSONDecodeError as exc:
        fh.close()
        raise FileRejected(
            "bad_json",
            f"第 {first_line_number} 行不是有效 JSON",
            f"line {first_line_number} is not JSON",
        ) from exc
    if not isinstance(first_obj, dict):
        fh.close()
        raise FileRejected("bad_json", "每行应为一个 JSON 对象", "each line must be a JSON object")

    def rows() -> Iterator[tuple[int, dict]]:
        try:
            yield first_line_number, first_obj
            for number, line in enumerate(fh, start=first_line_number + 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError:
                    obj = None
                yield number, obj if isinstance(obj, dict) else {"__bad_json__": line[:80]}
        finally:
            fh.close()

    return list(first_obj), rows()


def open_rows(
    path: Path, *, filename: str = "", encoding: str = ""
) -> tuple[str, str, list[str], Iterator[tuple[int, dict]]]:
    """Return (format, encoding used, header, row iterator) for any supported file."""
    file_format = detect_format(path, filename)
    if file_format == "xlsx":
        return file_format, "", *read_xlsx(path)
    if file_format == "jsonl":
        return file_format, "utf-8", *read_jsonl(path)
    used = normalise_encoding(encoding) if encoding else detect_encoding(path)
    return file_format, used, *read_csv(path, used)
