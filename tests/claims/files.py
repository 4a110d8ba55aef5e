"""Real settlement files for tests: rows with consistent amounts, written as CSV/XLSX/JSON lines."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

HEADER = [
    "setl_id", "mdtrt_id", "psn_no", "insutype", "med_type", "fixmedins_code", "begndate",
    "enddate", "setl_time", "medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay",
    "preselfpay_amt", "inscp_scp_amt", "act_pay_dedc", "hifp_pay", "hifmi_pay", "hifob_pay",
    "fund_pay_sumamt", "psn_part_amt", "refd_setl_flag", "init_setl_id", "trt_category",
    "excl_item_amt", "inscp_over_max_amt",
]  # fmt: skip


def settlement_row(n: int, *, psn_no: str = "P0001", total: str = "50000.00", **overrides) -> dict:
    """A consistent inpatient settlement: the parts add up to the totals to the fen."""
    total_d = Decimal(total)
    own = (total_d * Decimal("0.10")).quantize(Decimal("0.01"))
    inscp = total_d - own
    hifp = (inscp * Decimal("0.70")).quantize(Decimal("0.01"))
    row = {
        "setl_id": f"S{n:08d}",
        "mdtrt_id": f"M{n:08d}",
        "psn_no": psn_no,
        "insutype": "310",
        "med_type": "21",
        "fixmedins_code": "H15060200001",
        "begndate": "2025-03-01",
        "enddate": "2025-03-10",
        "setl_time": "2025-03-10 10:00:00",
        "medfee_sumamt": str(total_d),
        "fulamt_ownpay_amt": str(own),
        "overlmt_selfpay": "0.00",
        "preselfpay_amt": "0.00",
        "inscp_scp_amt": str(inscp),
        "act_pay_dedc": "800.00" if total_d >= 0 else "-800.00",  # a refund negates it too
        "hifp_pay": str(hifp),
        "hifmi_pay": "0.00",
        "hifob_pay": "0.00",
        "fund_pay_sumamt": str(hifp),
        "psn_part_amt": str(total_d - hifp),
        "refd_setl_flag": "0",
        "init_setl_id": "",
        "trt_category": "",
    }
    row.update(overrides)
    return row


def write_csv(path: Path, rows: list[dict], *, encoding: str = "utf-8", header=None) -> Path:
    header = header or HEADER
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(h, "") for h in header])
    return path


def write_xlsx(path: Path, rows: list[dict], *, numeric_amounts: bool = True) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        values = []
        for h in HEADER:
            value = row.get(h, "")
            if numeric_amounts and (h.endswith(("_amt", "_pay", "_selfpay", "_dedc"))) and value:
                value = float(value)  # as a spreadsheet stores numbers
            values.append(value)
        sheet.append(values)
    workbook.save(path)
    return path


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path
