"""The error report an insurer downloads: CSV (UTF-8 with BOM, opens in Excel) or XLSX."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from openpyxl import Workbook

from audit.spreadsheet import safe_row

HEADER_ZH = ("行号", "列", "错误代码", "说明", "Message")


def _lines(errors: list[dict]):
    for e in errors:
        yield safe_row([e["row"], e["column"], e["code"], e["message"], e["message_en"]])


def errors_csv(errors: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER_ZH)
    writer.writerows(_lines(errors))
    return buffer.getvalue().encode("utf-8-sig")


def errors_xlsx(errors: list[dict]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("错误")
    sheet.append(HEADER_ZH)
    for line in _lines(errors):
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def error_report_response(batch, file_format: str) -> HttpResponse:
    """The batch's errors as CSV (UTF-8 with BOM, opens in Excel) or XLSX."""
    from claims.settlements.services.batches import batch_errors

    errors = batch_errors(batch)
    if file_format == "xlsx":
        body = errors_xlsx(errors)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        file_format = "csv"
        body = errors_csv(errors)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="batch-{batch.pk}-errors.{file_format}"'
    )
    return response
