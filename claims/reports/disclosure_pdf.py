"""The disclosure report (信息公开报告) as PDF: Chinese text with the CID font STSong-Light, the
figures as tables and the monthly compensation as a bar chart. Reads only the report's frozen
`content` (aggregates, small cells already suppressed)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph as _Paragraph
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from claims.reports.evaluation_pdf import _font
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


def _table(rows, widths, font):
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
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
    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16)
    title = ParagraphStyle("title", parent=body, fontSize=17, leading=24, alignment=1)
    head = ParagraphStyle("head", parent=body, fontSize=12.5, leading=20, spaceBefore=8)
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=12)
    c = report.content
    mark = f"<{c.get('min_cell', 5)}"
    story = [
        Paragraph(f"{report.scheme_name} {report.year}年度信息公开报告", title),
        Paragraph(
            f"第{report.version}版　发布日期："
            f"{fmt(report.published_at and report.published_at.date())}",
            small,
        ),
    ]
    if report.supersedes_id:
        story.append(Paragraph(f"更正说明：{report.change_note}", small))
    story.append(Spacer(1, 3 * mm))

    story.append(Paragraph(HEADINGS[0], head))
    rows = [["合同编号", "主承保机构", "共保体（份额）", "合同期限"]]
    for k in c["contracts"]:
        members = "、".join(f"{m['name']}（{m['share']}）" for m in k["insurers"])
        rows.append(
            [
                k["number"],
                Paragraph(k["lead_insurer"], small),
                Paragraph(members or "—", small),
                f"{k['starts_on']} 至 {k['ends_on']}",
            ]
        )
    story.append(_table(rows, [30 * mm, 45 * mm, 60 * mm, 40 * mm], font))

    story.append(Paragraph(HEADINGS[1], head))
    f = c["funding"]
    params = "，".join(f"{k}：{v}" for k, v in f.get("params", {}).items())
    story.append(Paragraph(f"筹资方式：{fmt(f.get('kind_label'))}；{params or ''}", body))
    story.append(Paragraph(f"保障期间：{fmt(f.get('coverage'))}", body))

    story.append(Paragraph(HEADINGS[2], head))
    b = c["benefits"]
    story.append(Paragraph(f"待遇方案：{fmt(b.get('plan'))}", body))
    for line in (b.get("plain_words") or "").splitlines():
        if line.strip():
            story.append(Paragraph(line.strip(), body))

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
        ["筹集资金", fin["raised"]],
        ["已拨付保险机构", fin["transferred"]],
        ["赔付支出", fin["claims_paid"]],
        ["考核预留金（未拨付）", fin["reserve_held"]],
        ["预留金已拨付", fin["reserve_released"]],
        ["收支结余（筹集资金－赔付支出）", fin["balance"]],
        ["返还基金", fin["to_return"]],
        ["结转下年", fin["to_carry"]],
        ["基金分担亏损", fin["loss_fund_share"]],
        ["赔付率", fmt(c["payout_ratio"], "%")],
    ]
    rows += [[Paragraph(line["label"], small), line["amount"]] for line in fin["lines"]]
    story.append(_table(rows, [90 * mm, 50 * mm], font))
    if not fin["settled"]:
        story.append(Paragraph("年度清算尚未审批，结余去向以清算结果为准。", small))

    story.append(Paragraph(HEADINGS[6], head))
    ben = c["beneficiaries"]
    story.append(
        Paragraph(f"获得赔付人数：{ben['people']}；赔付金额合计：{ben['amount']} 元", body)
    )
    for label, key in (("按个人年度赔付额分段", "by_tier"), ("按地区", "by_region")):
        rows = [[label, "人数", "金额（元）"]]
        rows += [[r["label"], str(r["people"]), str(r["amount"])] for r in ben[key]]
        story.append(_table(rows, [70 * mm, 30 * mm, 45 * mm], font))
        story.append(Spacer(1, 2 * mm))

    story.append(Paragraph(HEADINGS[7], head))
    chart = _monthly_chart(c["monthly"], font)
    if chart is not None:
        story.append(chart)
    rows = [["月份", "赔付笔数", "赔付人数", "赔付金额（元）"]]
    rows += [
        [r["month"], str(r["settlements"]), str(r["people"]), str(r["amount"])]
        for r in c["monthly"]
    ]
    story.append(_table(rows, [35 * mm, 30 * mm, 30 * mm, 45 * mm], font))
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
