"""The disclosure report (信息公开报告) as PDF: Chinese text in the embedded CJK font
(`claims.oversight.reports.fonts`), the bureau's name on top, figures as tables whose cells wrap
and whose
amounts carry thousands separators, dates in the bureau's time zone, and the monthly compensation
as a bar chart. Reads only the report's frozen `content` (aggregates, small cells already
suppressed), worded for the public by `claims.oversight.reports.public_text`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from io import BytesIO
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph as _Paragraph
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from claims.oversight.reports.fonts import pdf_font
from claims.oversight.reports.public_text import (
    amount,
    funding_words,
    local_day,
    plan_words,
    settlement_line,
)
from insurance.engine.money import quantize

HEADINGS = (
    "一、合同签订情况",
    "二、筹资标准",
    "三、保障待遇",
    "四、支付流程",
    "五、结算效率",
    "六、年度收支情况",
    "七、受益人群",
    "八、按月赔付情况",
)


def _dec(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


def Paragraph(text, style):
    return _Paragraph(escape(str(text)), style)


def percent(share) -> str:
    share = _dec(share)
    return "—" if share is None else f"{quantize(share * 100, Decimal('0.1'))}%"


def fmt(value, unit: str = "") -> str:
    if value is None or value == "":
        return "—"
    return f"{value}{unit}"


def _table(rows, widths, styles, numeric=()):
    """A table whose every cell wraps inside its column (a Paragraph); the columns in `numeric`
    (amounts, counts) are right aligned."""
    cell, number = styles
    wrapped = [
        [
            value
            if not isinstance(value, str)
            else Paragraph(value, number if i in numeric and r else cell)
            for i, value in enumerate(row)
        ]
        for r, row in enumerate(rows)
    ]
    table = Table(wrapped, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), cell.fontName),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _monthly_chart(monthly, font) -> Drawing | None:
    values = [float(_dec(r["amount"]) or 0) for r in monthly]  # drawing only, not money
    if not any(values):
        return None
    drawing = Drawing(170 * mm, 55 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 8 * mm, 150 * mm, 42 * mm
    chart.data = [values]
    chart.categoryAxis.categoryNames = [r["month"][-2:] for r in monthly]
    chart.categoryAxis.labels.fontName = font
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#2563eb")
    drawing.add(chart)
    return drawing


def disclosure_pdf(report) -> bytes:
    font = pdf_font()
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=17, leading=24, alignment=1)
    bureau = ParagraphStyle("bureau", parent=body, fontSize=11, alignment=1)
    head = ParagraphStyle("head", parent=body, fontSize=12.5, leading=20, spaceBefore=8)
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=12)
    cells = (
        ParagraphStyle("cell", parent=body, fontSize=9, leading=12),
        ParagraphStyle("number", parent=body, fontSize=9, leading=12, alignment=2),
    )
    c = report.content
    mark = f"<{c.get('min_cell', 5)}"
    story = [
        Paragraph(settings.BUREAU_NAME, bureau),
        Paragraph(f"{report.scheme_name} {report.year}年度信息公开报告", title),
        Paragraph(f"第{report.version}版　发布日期：{local_day(report.published_at)}", small),
    ]
    if report.supersedes_id:
        story.append(Paragraph(f"更正说明：{report.change_note}", small))
    story.append(Spacer(1, 3 * mm))

    story.append(Paragraph(HEADINGS[0], head))
    rows = [["合同编号", "主承保机构", "共保体（份额）", "合同期限"]]
    for k in c["contracts"]:
        members = "、".join(f"{m['name']}（{m['share']}）" for m in k["insurers"])
        rows.append(
            [k["number"], k["lead_insurer"], members or "—", f"{k['starts_on']} 至 {k['ends_on']}"]
        )
    story.append(_table(rows, [42 * mm, 42 * mm, 54 * mm, 40 * mm], cells))

    story.append(Paragraph(HEADINGS[1], head))
    f = c["funding"]
    story.append(Paragraph(f"筹资方式：{funding_words(f)}", body))
    story.append(Paragraph(f"保障期间：{fmt(f.get('coverage'))}", body))

    story.append(Paragraph(HEADINGS[2], head))
    b = c["benefits"]
    story.append(Paragraph(f"待遇方案：{fmt(b.get('plan'))}", body))
    story.extend(Paragraph(line, body) for line in plan_words(b.get("plain_words")))

    story.append(Paragraph(HEADINGS[3], head))
    for i, step in enumerate(c["process"], start=1):
        story.append(Paragraph(f"{i}. {step}", body))

    story.append(Paragraph(HEADINGS[4], head))
    e = c["efficiency"]
    story.append(
        Paragraph(
            f"结算笔数：{e['settlements']}；出院至结算天数 中位数 {fmt(e['median_days'], ' 天')}，"
            f"平均 {fmt(e['mean_days'], ' 天')}；"
            f"零星报销 {e['manual_limit_days']} 个工作日内办结率："
            f"{percent(e.get('manual_within_limit_share'))}",
            body,
        )
    )

    story.append(Paragraph(HEADINGS[5], head))
    fin = c["finance"]
    rows = [
        ["项目", "金额（元）"],
        ["筹集资金", amount(fin["raised"])],
        ["已拨付保险机构", amount(fin["transferred"])],
        ["赔付支出", amount(fin["claims_paid"])],
        ["考核预留金（未拨付）", amount(fin["reserve_held"])],
        ["预留金已拨付", amount(fin["reserve_released"])],
        ["收支结余（筹集资金－赔付支出）", amount(fin["balance"])],
        ["返还基金", amount(fin["to_return"])],
        ["结转下年", amount(fin["to_carry"])],
        ["基金分担亏损", amount(fin["loss_fund_share"])],
        ["赔付率", fmt(c["payout_ratio"], "%")],
    ]
    rows += [list(settlement_line(line)) for line in fin["lines"]]
    story.append(_table(rows, [100 * mm, 50 * mm], cells, numeric=(1,)))
    if not fin["settled"]:
        story.append(Paragraph("年度清算尚未审批，结余去向以清算结果为准。", small))

    story.append(Paragraph(HEADINGS[6], head))
    ben = c["beneficiaries"]
    story.append(
        Paragraph(f"获得赔付人数：{ben['people']}；赔付金额合计：{amount(ben['amount'])} 元", body)
    )
    for label, key in (("按个人年度赔付额分段", "by_tier"), ("按地区", "by_region")):
        rows = [[label, "人数", "金额（元）"]]
        rows += [[r["label"], str(r["people"]), amount(r["amount"])] for r in ben[key]]
        story.append(_table(rows, [70 * mm, 30 * mm, 45 * mm], cells, numeric=(1, 2)))
        story.append(Spacer(1, 2 * mm))

    story.append(Paragraph(HEADINGS[7], head))
    chart = _monthly_chart(c["monthly"], font)
    if chart is not None:
        story.append(chart)
    rows = [["月份", "赔付笔数", "赔付人数", "赔付金额（元）"]]
    rows += [
        [r["month"], str(r["settlements"]), str(r["people"]), amount(r["amount"])]
        for r in c["monthly"]
    ]
    story.append(_table(rows, [35 * mm, 30 * mm, 30 * mm, 45 * mm], cells, numeric=(1, 2, 3)))
    story.append(Spacer(1, 3 * mm))
    story.append(
        Paragraph(
            f"说明：为保护个人信息，人数少于{c.get('min_cell', 5)}人的单元格"
            f"及其对应金额以“{mark}”表示。"
            f"内容校验码（SHA-256）：{report.content_sha256}",
            small,
        )
    )
    buffer = BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{report.scheme_name} {report.year}年度信息公开报告",
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
    ).build(story)
    return buffer.getvalue()
