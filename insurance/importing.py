"""Reading uploaded people / enrollment files: encodings, XLSX, header aliases, error reports.

- CSV: UTF-8, UTF-8 with BOM, GBK / GB18030 (detected with charset-normalizer; GB* is read as
  GB18030, its superset).
- XLSX: read with python-calamine (first sheet, first row is the header).
- Headers may be the Chinese names or the national field names (`psn_no`, `certno` ...): both are
  mapped to the resource's Chinese column names before import.
"""

from __future__ import annotations

import datetime as dt
import io

import tablib
from charset_normalizer import from_bytes
from django.utils.translation import gettext as _
from import_export.formats.base_formats import CSV, XLSX

GB_FAMILY = {"gb2312", "gbk", "gb18030", "hz", "cp936"}


def decode_text(data: bytes) -> str:
    """Decode an uploaded CSV: UTF-8 (with or without BOM) first, then what charset-normalizer
    detects; a bureau's non-UTF-8 files are GBK, so GB18030 (its superset) wins whenever it decodes
    the file cleanly (short samples can fool any detector)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:200_000]).best()
    detected = best.encoding if best else ""
    candidates = ["gb18030", detected] if detected else ["gb18030"]
    if detected and detected.lower().replace("-", "").replace("_", "") not in GB_FAMILY:
        candidates = ["gb18030", detected]
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise ValueError(_("无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV。"))


class DetectedCSV(CSV):
    """CSV read as bytes so that GBK files survive the admin's temporary storage."""

    def get_read_mode(self):
        return "rb"

    def is_binary(self):
        return True

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            in_stream = decode_text(in_stream)
        return tablib.import_set(in_stream, format="csv")


def _cell(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores "1234" typed as a number as 1234.0
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


class CalamineXLSX(XLSX):
    """XLSX read with python-calamine (fast), first sheet."""

    def create_dataset(self, in_stream):
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_filelike(io.BytesIO(in_stream)).get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=True)
        dataset = tablib.Dataset()
        if not rows:
            return dataset
        dataset.headers = [str(h).strip() for h in rows[0]]
        for row in rows[1:]:
            if any(cell not in ("", None) for cell in row):
                dataset.append([_cell(cell) for cell in row])
        return dataset


IMPORT_FORMATS = [DetectedCSV, CalamineXLSX]
EXPORT_FORMATS = [CSV, XLSX]


def dataset_from_bytes(data: bytes, file_name: str) -> tablib.Dataset:
    fmt = CalamineXLSX() if file_name.lower().endswith((".xlsx", ".xlsm")) else DetectedCSV()
    return fmt.create_dataset(data)


def normalise_headers(dataset: tablib.Dataset, aliases: dict[str, str]) -> None:
    """Rename headers in place: national names (any case) and stray spaces map to Chinese names."""
    lowered = {k.lower(): v for k, v in aliases.items()}
    if dataset.headers:
        dataset.headers = [
            lowered.get(str(h).strip().lower(), str(h).strip()) for h in dataset.headers
        ]


def result_errors(result, resource) -> list[dict]:
    """Every bad row as {row, column, message} (row = line in the file, header is line 1)."""
    columns = {f.attribute: f.column_name for f in resource.get_import_fields()}
    errors: list[dict] = []
    for base in result.base_errors:
        errors.append({"row": None, "column": "", "message": str(base.error)})
    for number, row_errors in result.row_errors():
        for error in row_errors:
            errors.append({"row": number + 1, "column": "", "message": str(error.error)})
    for invalid in result.invalid_rows:
        for field, messages in invalid.error_dict.items():
            column = columns.get(field, "" if field == "__all__" else field)
            for message in messages:
                errors.append({"row": invalid.number + 1, "column": column, "message": message})
    errors.sort(key=lambda e: (e["row"] or 0, e["column"]))
    return errors
