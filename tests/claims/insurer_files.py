"""Settlement files as insurers' software really writes them (docs/data-format.md,
../shared/INTERFACES.md): a query-5203 dump as JSON lines, an XLSX saved by office software, a GBK
CSV after an Excel round trip, and an export with the platform's other names and Chinese headers.

The settlements are written out by hand (`INPATIENT`, `OUTPATIENT`, `refund_of`): every figure
adds up to the fen on paper, so the tests compare what is stored with these figures.
"""

from __future__ import annotations

import json
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

D = Decimal

# 49667.14 = 2000.00 + 167.14 + 500.00 + 47000.00 (cost parts)
# 36200.00 = 30000.00 + 5000.00 + 1200.00 (pooled, large-amount, disabled persons' funds)
# 13467.14 = 49667.14 - 36200.00 = 3000.00 (account) + 10467.14 (cash)
INPATIENT = {
    "setl_id": "S15060000000001",
    "mdtrt_id": "M15060000000001",
    "psn_no": "P0001",
    "insutype": "310",
    "med_type": "2101",
    "fixmedins_code": "H15060200001",
    "begndate": date(2025, 3, 1),
    "enddate": date(2025, 3, 10),
    "setl_time": datetime(2025, 3, 10, 16, 30, 12),  # Beijing time
    "medfee_sumamt": D("49667.14"),
    "fulamt_ownpay_amt": D("2000.00"),
    "overlmt_selfpay": D("167.14"),
    "preselfpay_amt": D("500.00"),
    "inscp_scp_amt": D("47000.00"),
    "act_pay_dedc": D("800.00"),
    "hifp_pay": D("30000.00"),
    "hifob_pay": D("5000.00"),
    "hifdm_pay": D("1200.00"),
    "fund_pay_sumamt": D("36200.00"),
    "psn_part_amt": D("13467.14"),
    "acct_pay": D("3000.00"),
    "psn_cash_pay": D("10467.14"),
}
# 1234.50 = 34.50 + 1200.00; 600.00 pooled; 634.50 = 1234.50 - 600.00 = 100.00 + 534.50
OUTPATIENT = {
    "setl_id": "S15060000000002",
    "mdtrt_id": "M15060000000002",
    "psn_no": "P0002",
    "insutype": "320",
    "med_type": "11",
    "fixmedins_code": "H15060200002",
    "begndate": date(2025, 3, 5),
    "enddate": date(2025, 3, 5),
    "setl_time": datetime(2025, 3, 5, 8, 28, 0),
    "medfee_sumamt": D("1234.50"),
    "fulamt_ownpay_amt": D("34.50"),
    "overlmt_selfpay": D("0.00"),
    "preselfpay_amt": D("0.00"),
    "inscp_scp_amt": D("1200.00"),
    "act_pay_dedc": D("0.00"),
    "hifp_pay": D("600.00"),
    "hifob_pay": D("0.00"),
    "hifdm_pay": D("0.00"),
    "fund_pay_sumamt": D("600.00"),
    "psn_part_amt": D("634.50"),
    "acct_pay": D("100.00"),
    "psn_cash_pay": D("534.50"),
}
AMOUNTS = [name for name, value in INPATIENT.items() if isinstance(value, Decimal)]


def refund_of(original: dict, *, setl_id: str, setl_time: datetime) -> dict:
    """The platform's refund (退费) of a settlement: a new id, every amount negated."""
    refund = {**original, "setl_id": setl_id, "setl_time": setl_time, "refd_setl_flag": "1"}
    refund.update({name: -original[name] for name in AMOUNTS})
    return refund


# --- query 5203 as JSON lines ------------------------------------------------------------------
def _java_utc(moment: datetime) -> str:
    """A Beijing time as a Java export writes it: in UTC, with milliseconds and an offset."""
    return (moment - timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S.000+00:00")


def _json_value(value) -> str:
    """Amounts as JSON numbers written exactly (as Java writes a BigDecimal)."""
    return str(value) if isinstance(value, Decimal) else json.dumps(value, ensure_ascii=False)


def platform_5203_jsonl(path: Path, settlements: list[dict]) -> Path:
    """Each settlement as the 5203 query (Output5203Setlinfo) answers it: the platform's names
    (`psn_pay`, `cash_payamt`), no `init_setl_id`, the person's identity fields, amounts as JSON
    numbers, times with an offset or a `.0` fraction, codes as the city writes them."""
    lines = []
    for n, s in enumerate(settlements):
        record = {
            "setl_id": s["setl_id"],
            "mdtrt_id": s["mdtrt_id"],
            "psn_no": s["psn_no"],
            "psn_name": "张三",
            "psn_cert_type": "01",
            "certno": "150602198001011234",
            "gend": "1",
            "brdy": "1980-01-01",
            "insutype": s["insutype"],
            "psn_type": "1101",
            "cvlserv_flag": "0",
            # Java writes UTC with an offset; others a local time with a `.0` fraction.
            "setl_time": (
                _java_utc(s["setl_time"])
                if n % 2 == 0
                else s["setl_time"].strftime("%Y-%m-%d %H:%M:%S.0")
            ),
            "med_type": s["med_type"],
            "begndate": s["begndate"].isoformat(),
            "enddate": s["enddate"].isoformat(),
            "fixmedins_code": s["fixmedins_code"],
            "pool_prop_selfpay": D("0.1000"),
            "psn_pay": s["psn_part_amt"],
            "cash_payamt": s["psn_cash_pay"],
            "balc": D("1523.40"),
            "acct_mulaid_pay": D("0"),
            "medins_setl_id": f"Y{s['setl_id']}",
            "clr_type": "11",
            "refd_setl_flag": s.get("refd_setl_flag", "0"),
        }
        for name in AMOUNTS:
            if name not in ("psn_part_amt", "psn_cash_pay"):
                record[name] = s[name]
        cells = (f"{json.dumps(key)}:{_json_value(value)}" for key, value in record.items())
        lines.append("{" + ",".join(cells) + "}\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


# --- XLSX as office software saves it -----------------------------------------------------------
XLSX_COLUMNS = (
    "setl_id", "mdtrt_id", "psn_no", "insutype", "med_type", "begndate", "enddate", "setl_time",
    "medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt",
    "act_pay_dedc", "hifp_pay", "hifob_pay", "hifdm_pay", "fund_pay_sumamt", "psn_part_amt",
    "acct_pay", "psn_cash_pay", "refd_setl_flag",
)  # fmt: skip
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd\\ hh:mm:ss"/></numFmts>
<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill>
<fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="5">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
</cellXfs>
</styleSheet>"""
TEXT, DATE_STYLE, DATETIME_STYLE, AMOUNT_STYLE = 1, 2, 3, 4
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def excel_serial(moment: date | datetime) -> float:
    """Days since 1899-12-30 (Excel's 1900 date system), the day's fraction for the time."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    delta = moment - datetime(1899, 12, 30)
    return delta.days + delta.seconds / 86400


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class _Strings:
    def __init__(self):
        self.items: list[str] = []

    def cell(self, ref: str, text: str, style: int = TEXT) -> str:
        if text not in self.items:
            self.items.append(text)
        return f'<c r="{ref}" s="{style}" t="s"><v>{self.items.index(text)}</v></c>'

    def xml(self) -> str:
        body = "".join(f"<si><t>{escape(t)}</t></si>" for t in self.items)
        return f'<sst {_NS} count="{len(self.items)}" uniqueCount="{len(self.items)}">{body}</sst>'


_OOXML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_PACKAGE = "application/vnd.openxmlformats-package"


def _content_types() -> str:
    kinds = {
        "/xl/workbook.xml": "sheet.main+xml",
        "/xl/worksheets/sheet1.xml": "worksheet+xml",
        "/xl/worksheets/sheet2.xml": "worksheet+xml",
        "/xl/styles.xml": "styles+xml",
        "/xl/sharedStrings.xml": "sharedStrings+xml",
    }
    overrides = "".join(
        f'<Override PartName="{part}" ContentType="{_OOXML}.{kind}"/>'
        for part, kind in kinds.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="{_PACKAGE}.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f"{overrides}</Types>"
    )


def office_xlsx(
    path: Path,
    settlements: list[dict],
    *,
    title: str | None = None,
    numbers_in_first_row: dict[str, float] | None = None,
    formula_noise: str = "49667.14000000001",
) -> Path:
    """An XLSX as office software saves it: a sheet 结算明细 (optionally a merged title row
    above the header), a notes sheet 说明 after it, IDs as text cells (or, `numeric_ids`, as
    numbers, a mistake insurers make), dates and times as Excel serial numbers with date formats,
    amounts formatted #,##0.00, and medfee_sumamt a formula whose saved result carries the float
    noise of a sum (`formula_noise` for 49667.14). `numbers_in_first_row`: ID columns the first
    row holds as numeric cells (a mistake insurers make), with the number the cell holds."""
    numbers = numbers_in_first_row or {}
    strings = _Strings()
    rows_xml: list[str] = []
    row_number = 0
    merge = ""
    if title is not None:
        row_number += 1
        rows_xml.append(f'<row r="{row_number}">{strings.cell("A1", title, 0)}</row>')
        merge = f'<mergeCells count="1"><mergeCell ref="A1:{_column_letter(7)}1"/></mergeCells>'
    row_number += 1
    header = "".join(
        strings.cell(f"{_column_letter(i)}{row_number}", name, 0)
        for i, name in enumerate(XLSX_COLUMNS)
    )
    rows_xml.append(f'<row r="{row_number}">{header}</row>')
    first_part = _column_letter(XLSX_COLUMNS.index("fulamt_ownpay_amt"))
    last_part = _column_letter(XLSX_COLUMNS.index("inscp_scp_amt"))
    for n, s in enumerate(settlements):
        row_number += 1
        cells = []
        for i, name in enumerate(XLSX_COLUMNS):
            ref = f"{_column_letter(i)}{row_number}"
            value = s.get(name, "0")
            if n == 0 and name in numbers:
                cells.append(f'<c r="{ref}"><v>{numbers[name]!r}</v></c>')
            elif name in ("setl_id", "mdtrt_id", "psn_no", "insutype", "med_type"):
                cells.append(strings.cell(ref, str(value)))
            elif name in ("begndate", "enddate"):
                cells.append(f'<c r="{ref}" s="{DATE_STYLE}"><v>{excel_serial(value):g}</v></c>')
            elif name == "setl_time":
                serial = repr(excel_serial(value))
                cells.append(f'<c r="{ref}" s="{DATETIME_STYLE}"><v>{serial}</v></c>')
            elif name == "medfee_sumamt":
                saved = formula_noise if value == D("49667.14") else str(value)
                formula = f"SUM({first_part}{row_number}:{last_part}{row_number})"
                cells.append(f'<c r="{ref}" s="{AMOUNT_STYLE}"><f>{formula}</f><v>{saved}</v></c>')
            else:
                cells.append(f'<c r="{ref}" s="{AMOUNT_STYLE}"><v>{value}</v></c>')
        rows_xml.append(f'<row r="{row_number}">{"".join(cells)}</row>')
    data_sheet = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {_NS}>'
        f"<sheetData>{''.join(rows_xml)}</sheetData>{merge}</worksheet>"
    )
    notes = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {_NS}><sheetData>'
        f'<row r="1">{strings.cell("A1", "填报说明：金额单位为元，保留两位小数。", 0)}</row>'
        f'<row r="2">{strings.cell("A2", "setl_id", 0)}{strings.cell("B2", "结算ID", 0)}</row>'
        "</sheetData></worksheet>"
    )
    parts = {
        "[Content_Types].xml": _content_types(),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {_NS} '
            f'xmlns:r="{_REL}"><sheets><sheet name="结算明细" sheetId="1" r:id="rId1"/>'
            '<sheet name="说明" sheetId="2" r:id="rId2"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/worksheet" Target="worksheets/sheet2.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId4" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": _STYLES,
        "xl/worksheets/sheet1.xml": data_sheet,
        "xl/worksheets/sheet2.xml": notes,
        "xl/sharedStrings.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        + strings.xml(),
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode("utf-8"))
    return path


# --- GBK CSV after an Excel round trip ----------------------------------------------------------
# A bureau-side export's Chinese headers, as Excel saves the sheet back to CSV (GBK, CRLF).
ROUND_TRIP_HEADERS = {
    "setl_id": "结算ID",
    "mdtrt_id": "就诊ID",
    "psn_no": "人员编号",
    "insutype": "险种类型",
    "med_type": "医疗类别",
    "begndate": "入院日期",
    "enddate": "出院日期",
    "setl_time": "结算时间",
    "medfee_sumamt": "医疗费总额",
    "fulamt_ownpay_amt": "全自费金额",
    "overlmt_selfpay": "超限价自付金额",
    "preselfpay_amt": "先行自付金额",
    "inscp_scp_amt": "符合范围金额",
    "hifp_pay": "统筹基金支出",
    "hifob_pay": "大额医疗补助基金支出",
    "hifdm_pay": "伤残人员医疗保障基金支出",
    "fund_pay_sumamt": "基金支付总额",
    "psn_part_amt": "个人支付总额",
}


def _excel_amount(value: Decimal) -> str:
    """As Excel saves a cell formatted #,##0.00: separators, quoted when they make a comma."""
    text = f"{value:,.2f}"
    return f'"{text}"' if "," in text else text


def _excel_time(moment: datetime) -> str:
    """Excel's default date-time display on Chinese Windows: 2025/3/5 8:28 (no seconds)."""
    return f"{moment.year}/{moment.month}/{moment.day} {moment.hour}:{moment.minute:02d}"


def excel_roundtrip_gbk_csv(
    path: Path, settlements: list[dict], *, long_id: str | None = None
) -> Path:
    """A GBK CSV that went through Excel: CRLF, Chinese headers, thousands separators, dates
    and times as Excel shows them; `long_id` replaces the first row's psn_no by what Excel
    writes for a long number (5.00155E+19)."""
    lines = [",".join(ROUND_TRIP_HEADERS.values())]
    for n, s in enumerate(settlements):
        cells = []
        for name in ROUND_TRIP_HEADERS:
            value = s[name]
            if name == "psn_no" and long_id and n == 0:
                value = long_id
            elif isinstance(value, Decimal):
                value = _excel_amount(value)
            elif isinstance(value, datetime):
                value = _excel_time(value)
            elif isinstance(value, date):
                value = f"{value.year}/{value.month}/{value.day}"
            cells.append(str(value))
        lines.append(",".join(cells))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


# --- the platform's other names -----------------------------------------------------------------
OTHER_NAMES = {
    "setl_id": "setl_id",
    "mdtrt_id": "mdtrt_id",
    "psn_no": "psn_no",
    "insutype": "insutype",
    "med_type": "med_type",
    "begndate": "就医开始时间",
    "enddate": "就医结束时间",
    "setl_time": "setl_time",
    "medfee_sumamt": "medfee_sumamt",
    "fulamt_ownpay_amt": "fulamt_ownpay_amt",
    "overlmt_selfpay": "overlmt_selfpay",
    "preselfpay_amt": "preselfpay_amt",
    "inscp_scp_amt": "inscp_amt",
    "hifp_pay": "基本医疗基金支出",
    "hifob_pay": "大额医疗补助基金支出",
    "hifdm_pay": "hifdm_pay",
    "oth_pay": "othfund_pay",
    "fund_pay_sumamt": "fund_pay_sumamt",
    "psn_part_amt": "psn_pay",
    "acct_pay": "acct_pay",
    "psn_cash_pay": "cash_payamt",
}


def other_names_csv(path: Path, settlements: list[dict], *, extra: dict | None = None) -> Path:
    """A 两定-client export: the platform's other field names and Chinese headers, 就医开始时间
    and 就医结束时间 with their times, and columns of its own (`extra`: header -> value) that
    are not read."""
    extra = extra or {}
    header = [*OTHER_NAMES.values(), *extra]
    lines = [",".join(header)]
    for s in settlements:
        cells = []
        for name in OTHER_NAMES:
            value = s.get(name, D("0.00"))
            if name in ("begndate", "enddate"):
                value = f"{value.isoformat()} 09:15:00"
            elif isinstance(value, datetime):
                value = value.strftime("%Y-%m-%d %H:%M:%S")
            cells.append(str(value))
        lines.append(",".join([*cells, *map(str, extra.values())]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
