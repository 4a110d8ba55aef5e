"""The annual evaluation report (年度考核报告) as PDF, Chinese text in the embedded CJK font
(`claims.oversight.reports.fonts`), dates in the bureau's time zone."""

from __future__ import annotations

from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from claims.oversight.reports.fonts import pdf_font
from claims.oversight.reports.public_text import local_day

TITLE = "年度考核报告"


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "—"
    return f"{value.normalize():f}{unit}" if hasattr(value, "normalize") else f"{value}{unit}"


def evaluation_pdf(evaluation) -> bytes:
    """The report of one evaluation: contract, insurers, each indicator (value, weight, points,
    weighted points), total score, result, renewal recommendation, who approved when."""
    font = pdf_font()
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=26, alignment=1)
    cell = ParagraphStyle("cell", parent=body, fontSize=9, leading=12)
    contract = evaluation.contract
    members = "、".join(m.insurer.name for m in contract.members.select_related("insurer"))
    result = {None: "尚未审批", True: "合格", False: "不合格"}[evaluation.passed]
    story = [
        Paragraph(TITLE, title),
        Spacer(1, 4 * mm),
        Paragraph(f"考核年度：{evaluation.year}　　状态：{evaluation.get_status_display()}", body),
        Paragraph(f"合同：{contract.number}（{contract.scheme}）", body),
        Paragraph(f"主承保机构：{contract.lead_insurer.name}", body),
        Paragraph(f"共保体成员：{members or '—'}", body),
        Spacer(1, 4 * mm),
    ]
    rows = [["考核指标", "计算值", "权重", "得分(百分制)", "加权得分", "说明"]]
    for row in evaluation.scores.all():
        note = row.comment or row.source
        rows.append(
            [
                Paragraph(row.name, cell),
                _fmt(row.value, row.unit if row.value is not None else ""),
                _fmt(row.weight),
                _fmt(row.score),
                _fmt(row.weighted),
                Paragraph(note or "", cell),
            ]
        )
    table = Table(rows, colWidths=[38 * mm, 24 * mm, 14 * mm, 22 * mm, 18 * mm, 54 * mm])
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
    story += [
        table,
        Spacer(1, 5 * mm),
        Paragraph(
            f"总得分：{_fmt(evaluation.total_score)}　　合格线：{evaluation.pass_mark}", body
        ),
        Paragraph(f"考核结果：{result}", body),
        Paragraph(f"续签建议：{evaluation.get_renewal_recommendation_display() or '—'}", body),
    ]
    if evaluation.conclusion:
        story.append(Paragraph(f"结论：{evaluation.conclusion}", body))
    if evaluation.approved_by_id:
        story.append(
            Paragraph(
                f"审批人：{evaluation.approved_by}　　"
                f"审批时间：{local_day(evaluation.approved_at)}",
                body,
            )
        )
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{contract.number} {evaluation.year} {TITLE}",
        leftMargin=15 * mm,
        rightMargin=15 * mm,
    )
    doc.build(story)
    return buffer.getvalue()
