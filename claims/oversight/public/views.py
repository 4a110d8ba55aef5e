"""Public pages (no login): only published disclosure reports, read from their frozen content,
and the hospital notices (R-IM). Nothing here reads a person."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from audit.replica import reports
from claims.oversight.reports import notice_pdf as notice
from claims.oversight.reports.disclosure_pdf import disclosure_pdf, percent
from claims.oversight.reports.notice_pdf import notice_content, notice_schemes
from claims.oversight.reports.public_text import funding_words, plan_words
from claims.oversight.services.disclosure import latest_published, published_reports
from insurance.engine.money import quantize


def _dec(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


def bars(rows: list[dict], key: str = "amount") -> list[dict]:
    """Rows with `width` (0..100, percent of the largest shown value) for CSS/SVG bars; a
    suppressed cell gets no bar."""
    values = [_dec(r[key]) for r in rows]
    top = max((v for v in values if v is not None), default=None)
    out = []
    for row, value in zip(rows, values, strict=True):
        width = 0
        if value is not None and top:
            width = int(quantize(value * 100 / top, Decimal("1")))
        out.append({**row, "width": max(width, 0)})
    return out


def _page(request, template: str, context: dict):
    """A public page: the bureau's name heads every one."""
    return render(request, template, {"bureau_name": settings.BUREAU_NAME, **context})


def _published(pk: int):
    return get_object_or_404(published_reports(), pk=pk)


@require_safe
@reports()
def report_list(request):
    published = latest_published()
    return _page(
        request,
        "public/disclosure_list.html",
        {"reports": published, "notices": notice_schemes()},
    )


@require_safe
@reports()
def report_detail(request, pk: int):
    report = _published(pk)
    content = report.content
    monthly = bars(content["monthly"])
    chart_w = 36 * len(monthly)
    for i, row in enumerate(monthly):
        row["x"] = i * 36 + 6
        row["h"] = row["width"] * 160 // 100
        row["y"] = 170 - row["h"]
    context = {
        "report": report,
        "c": content,
        "funding": funding_words(content["funding"]),
        "plan_words": plan_words(content["benefits"].get("plain_words")),
        "monthly": monthly,
        "chart_w": chart_w,
        "tiers": bars(content["beneficiaries"]["by_tier"]),
        "regions": bars(content["beneficiaries"]["by_region"]),
        "manual_share": percent(content["efficiency"].get("manual_within_limit_share")),
        "versions": published_reports().filter(scheme_id=report.scheme_id, year=report.year),
        "superseded_by": published_reports().filter(supersedes=report).first(),
    }
    return _page(request, "public/disclosure_detail.html", context)


@require_safe
@reports()
def report_pdf(request, pk: int):
    report = _published(pk)
    response = HttpResponse(disclosure_pdf(report), content_type="application/pdf")
    name = f"disclosure-{report.scheme_code}-{report.year}-v{report.version}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def _notice(code: str) -> dict:
    content = notice_content(code)
    if content is None:
        raise Http404
    return content


@require_safe
@reports()
def notice_detail(request, code: str):
    return _page(request, "public/notice.html", {"n": _notice(code)})


@require_safe
@reports()
def notice_pdf(request, code: str):
    response = HttpResponse(notice.notice_pdf(_notice(code)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{code}.pdf"'
    return response
