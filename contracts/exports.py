"""The payment voucher (拨付凭证) of a transfer or reserve release as XLSX (openpyxl).

Text cells that a spreadsheet would read as a formula are neutralised (`audit.spreadsheet`);
amounts are written as numbers with 2 decimals.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from audit.spreadsheet import safe_cell


def _person(user) -> str:
    return user.get_username() if user else ""


def voucher_xlsx(doc) -> bytes:
    """One sheet: the document's header figures, then one row per consortium member."""
    from contracts.models import Transfer

    is_transfer = isinstance(doc, Transfer)
    title = _("季度拨付凭证") if is_transfer else _("考核预留款拨付凭证")
    period = (
        _("%(y)s年第%(q)s季度") % {"y": doc.year, "q": doc.quarter}
        if is_transfer
        else _("%(y)s年度") % {"y": doc.year}
    )
    amount = doc.amount if is_transfer else doc.released
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    header = [
        (_("合同编号"), doc.contract.number),
        (_("主承保机构"), str(doc.contract.lead_insurer)),
        (_("期间"), period),
        (_("拨付金额（元）"), amount),
        (_("状态"), str(doc.get_status_display())),
        (_("制单人"), _person(doc.prepared_by)),
        (_("审批人"), _person(doc.approved_by)),
        (_("支付日期"), doc.paid_on.isoformat() if doc.paid_on else ""),
        (_("银行流水号"), doc.bank_reference),
    ]
    for label, value in header:
        ws.append([label, safe_cell(value)])
    ws.append([])
    ws.append([_("保险机构"), _("统一社会信用代码"), _("份额(%)"), _("金额（元）")])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for part in doc.parts.select_related("insurer").order_by("id"):
        ws.append(
            [
                safe_cell(part.insurer.name),
                safe_cell(part.insurer.credit_code),
                part.share,
                part.amount,
            ]
        )
    ws.append([_("合计"), "", None, sum((p.amount for p in doc.parts.all()), Decimal("0.00"))])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.column in (2, 4) and not isinstance(cell.value, str) and cell.value is not None:
                cell.number_format = "#,##0.00"
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 28
    ws.column_dimensions["D"].width = 18
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
