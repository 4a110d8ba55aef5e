"""The hospital notice (医院公示海报, R-IM / R-SUP-4): who is covered, conditions, scope, process,
time limits, benefit level (the plan's own plain words), where to apply and the complaint hotline.
One content builder for the HTML page and the printable A4 PDF."""

from __future__ import annotations

from io import BytesIO

from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from claims.oversight.reports.disclosure_pdf import Paragraph
from claims.oversight.reports.fonts import pdf_font
from claims.oversight.reports.public_text import plan_words
from claims.oversight.services.disclosure_figures import contracts_for, process_section
from insurance.engine import render_eligibility
from insurance.models import Scheme, SchemeYear

WHO = {
    "employee_supp": "参加本市职工基本医疗保险的在职职工和退休人员",
    "resident_critical": "参加本市城乡居民基本医疗保险的人员",
    "universal_supp": "参加本市职工或城乡居民基本医疗保险的全体参保人员",
    "city_voluntary": "参加本市基本医疗保险并自愿投保本产品的人员（不限年龄、健康状况和职业）",
    "enterprise_supp": "参加单位补充医疗保险的职工和退休人员",
}


def hotline() -> str:
    return str(settings.MEDSUPP_COMPLAINT_HOTLINE)


def notice_schemes() -> list[dict]:
    """Schemes that have a year with a benefit plan: the ones a notice can be printed for."""
    rows = (
        Scheme.objects.filter(years__plan__isnull=False)
        .distinct()
        .order_by("code")
        .values("code", "name")
    )
    return list(rows)


def _scheme_year(scheme: Scheme) -> SchemeYear | None:
    years = SchemeYear.objects.filter(scheme=scheme, plan__isnull=False).select_related("plan")
    today = timezone.localdate()
    current = years.filter(coverage_start__lte=today, coverage_end__gte=today).first()
    return current or years.order_by("-year").first()


def notice_content(code: str) -> dict | None:
    scheme = Scheme.objects.select_related("region").filter(code=code).first()
    if scheme is None:
        return None
    year = _scheme_year(scheme)
    if year is None:
        return None
    contracts = contracts_for(scheme.pk, year.year)
    plan = year.plan
    limit = max((c.claim_time_limit_days for c in contracts), default=7)
    windows = [
        {
            "insurer": c.lead_insurer.name,
            "address": c.service_window_address or "医保经办机构服务大厅",
            "hours": c.service_window_hours,
        }
        for c in contracts
    ]
    conditions = [
        "已按规定参加基本医疗保险并缴费，在保障期内发生的住院等合规医疗费用。",
        "先经基本医保、大病保险等按规定报销后，个人负担部分按本方案赔付。",
    ]
    # the waiting period and the service condition as the plan words them (R-QD-5, R-ENT-2)
    conditions.extend(f"{s}。" for s in render_eligibility(eligibility=plan.parsed.eligibility))
    return {
        "code": scheme.code,
        "name": scheme.name,
        "region": scheme.region.name,
        "year": year.year,
        "coverage": f"{year.coverage_start.isoformat()} 至 {year.coverage_end.isoformat()}",
        "who": scheme.description.strip() or WHO.get(scheme.kind, "本统筹区基本医疗保险参保人员"),
        "conditions": conditions,
        "scope": plan.name,
        "benefit": plan_words(plan.plain_words),
        "process": process_section(contracts),
        "time_limits": [
            "在定点医疗机构出院时即时结算。",
            f"无法即时结算的，材料齐全后 {limit} 个工作日内办结。",
            "对赔付结果有异议的，可在收到结果之日起向经办机构投诉。",
        ],
        "where": windows,
        "hotline": hotline(),
    }


def notice_pdf(n: dict) -> bytes:
    font = pdf_font()
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=17, wordWrap="CJK")
    bureau = ParagraphStyle("bureau", parent=body, fontSize=12, alignment=1)
    title = ParagraphStyle("title", parent=body, fontSize=22, leading=30, alignment=1)
    head = ParagraphStyle(
        "head", parent=body, fontSize=13, leading=20, spaceBefore=6, textColor=colors.darkblue
    )
    big = ParagraphStyle("big", parent=body, fontSize=18, leading=26, alignment=1)
    story = [
        Paragraph(settings.BUREAU_NAME, bureau),
        Paragraph(f"{n['name']}待遇告知", title),
        Paragraph(f"{n['year']}年度　保障期间：{n['coverage']}", body),
        Spacer(1, 3 * mm),
    ]
    sections = [
        ("保障对象", [n["who"]]),
        ("享受条件", n["conditions"]),
        ("保障范围与待遇标准", [n["scope"], *n["benefit"]]),
        ("办理流程", n["process"]),
        ("办理时限", n["time_limits"]),
        ("办理地点", [f"{w['insurer']}：{w['address']} {w['hours']}" for w in n["where"]]),
    ]
    for heading, lines in sections:
        story.append(Paragraph(heading, head))
        story.extend(Paragraph(line, body) for line in lines or ["—"])
    box = Table([[Paragraph(f"投诉咨询电话：{n['hotline']}", big)]], colWidths=[170 * mm])
    box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1.5, colors.darkred)]))
    story += [Spacer(1, 6 * mm), box]
    buffer = BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{n['name']}待遇告知",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
    ).build(story)
    return buffer.getvalue()
