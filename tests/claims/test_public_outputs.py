"""The public outputs as a citizen reads them (issue 23): the PDF carries its own Chinese font,
dates are the bureau's calendar day (Asia/Shanghai, as the web page), long cells wrap inside their
column, amounts have thousands separators, the bureau's name heads every page, and neither plan
codes nor funding parameters (JSON) reach the public."""

import datetime as dt
import io
import logging

import pytest
from django.urls import reverse
from pypdf import PdfReader

from audit.models import DisclosureReport
from claims.oversight.reports.public_text import funding_words, plan_words
from claims.oversight.services.disclosure import disclosure_draft, disclosure_move
from tests.claims.disclosure_data import world_fixture  # noqa: F401
from tests.claims.test_disclosure_public import grouped

pytestmark = pytest.mark.django_db

LONG_INSURER = (
    "中国人民财产保险股份有限公司示范市分公司城乡居民大病保险与补充医疗保险事业部第一营业部"
)
LONG_NUMBER = "HT-2018-SFS-CXJM-DBBX-BCXY-0001-0002"
UTC = dt.UTC


@pytest.fixture
def report(world, role_user):
    """The world's 2018 report with a fixed-total funding split between two funds (stored as the
    report keeps it) and a lead insurer whose name is far wider than its column."""
    year = world["year"]
    year.funding_kind = "fixed_total"
    year.funding_params = {
        "total": "1458913.00",
        "split": [
            {"source": "employee_supp_fund", "percent": "80"},
            {"source": "resident_fund", "percent": "20"},
        ],
    }
    year.save()
    insurer = world["contract"].lead_insurer
    insurer.name = LONG_INSURER
    insurer.save()
    world["contract"].number = LONG_NUMBER
    world["contract"].save()
    draft = disclosure_draft(scheme=world["scheme"], year=2018)
    disclosure_move(report=draft, move="check", actor=role_user("reviewer"))
    published = disclosure_move(report=draft, move="publish", actor=role_user("director"))
    # published at 17:30 UTC on 31 March: already 1 April in Beijing (frozen rows are only
    # re-dated here, the way the clock would have)
    DisclosureReport.objects.filter(pk=published.pk).update(
        published_at=dt.datetime(2019, 3, 31, 17, 30, tzinfo=UTC)
    )
    published.refresh_from_db()
    return published


def _pdf(client, report) -> bytes:
    response = client.get(reverse("public:disclosure-pdf", args=[report.pk]))
    assert response.status_code == 200
    return response.content


def _text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_fonts(data: bytes) -> dict[str, dict]:
    """Every font the PDF's pages use: name -> its descriptor's keys (of the descendant for a
    composite font)."""
    found = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            found[str(font["/BaseFont"])] = descriptor.get_object() if descriptor else {}
    return found


def test_the_pdf_embeds_its_chinese_font(client, report):
    fonts = pdf_fonts(_pdf(client, report))
    chinese = {name: d for name, d in fonts.items() if "Helvetica" not in name}
    assert chinese, fonts
    # a TrueType font program inside the file: any reader shows the text, no Adobe fonts needed
    assert all("/FontFile2" in d for d in chinese.values()), fonts
    assert not any("STSong" in name for name in fonts)


def test_the_notice_pdf_embeds_its_chinese_font_too(client, world):
    response = client.get(reverse("public:notice-pdf", args=[world["scheme"].code]))
    fonts = pdf_fonts(response.content)
    assert any("/FontFile2" in d for d in fonts.values())
    assert not any("STSong" in name for name in fonts)


def test_without_the_font_file_the_pdf_still_comes_and_says_why(client, report, settings, caplog):
    settings.PDF_FONT_PATH = "/nonexistent/font.ttc"
    with caplog.at_level(logging.WARNING, logger="claims.oversight.reports.fonts"):
        data = _pdf(client, report)
    assert "年度信息公开报告" in _text(data)
    assert any("STSong" in name for name in pdf_fonts(data))
    assert "/nonexistent/font.ttc" in caplog.text and "MEDSUPP_PDF_FONT" in caplog.text


def test_the_publication_day_is_beijings_on_the_page_and_in_the_pdf(client, report):
    html = client.get(reverse("public:disclosure-detail", args=[report.pk])).content.decode()
    listing = client.get(reverse("public:disclosure-list")).content.decode()
    text = _text(_pdf(client, report))
    assert "发布日期：2019-04-01" in text
    assert "2019-04-01" in html and "2019-04-01" in listing
    for output in (html, listing, text):
        assert "2019-03-31" not in output


def test_amounts_have_thousands_separators(client, report):
    paid = report.content["finance"]["claims_paid"]  # "225792.00" as stored
    assert len(paid.split(".")[0]) > 3, paid
    html = client.get(reverse("public:disclosure-detail", args=[report.pk])).content.decode()
    text = _text(_pdf(client, report))
    for output in (html, text):
        assert grouped(paid) in output
        assert paid not in output
    # the funding total, in words: 1458913.00 -> 1,458,913.00
    assert "1,458,913.00" in html and "1,458,913.00" in text


def _pieces(page) -> list[tuple[float, float, float, str]]:
    """(left, baseline, right, text) of every run of text on the page."""
    pieces = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            # a Chinese character is one em wide, a Latin one about 0.6 (WenQuanYi Micro Hei)
            ems = sum(1 if ord(ch) > 0xFF else 0.6 for ch in text.strip())
            pieces.append((x, y, x + ems * size * cm[0], text.strip()))

    page.extract_text(visitor_text=visit)
    return pieces


def test_long_cells_wrap_inside_their_column(client, report):
    page = PdfReader(io.BytesIO(_pdf(client, report))).pages[0]
    pieces = _pieces(page)
    assert pieces
    width = float(page.mediabox.width)
    assert not [t for _x, _y, right, t in pieces if right > width - 10]  # nothing off the page
    # on each line, a cell's text ends before the next cell's begins
    overlapping = []
    for left, y, right, text in pieces:
        for other_left, other_y, _r, other in pieces:
            if abs(y - other_y) < 1 and left < other_left < right - 2:
                overlapping.append((text, other))
    assert not overlapping, overlapping
    # the long name and number are on the page, broken over lines of their cells
    lines = page.extract_text()
    flat = lines.replace("\n", "")
    for long in (LONG_INSURER, LONG_NUMBER):
        assert long in flat and long not in lines


def test_the_bureau_heads_the_public_pages_and_the_pdfs(client, report, world, settings):
    settings.BUREAU_NAME = "鄂尔多斯市医疗保障局"
    pages = [
        reverse("public:disclosure-list"),
        reverse("public:disclosure-detail", args=[report.pk]),
        reverse("public:notice", args=[world["scheme"].code]),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        header = html.split("<header>", 1)[1].split("</header>", 1)[0]
        assert "鄂尔多斯市医疗保障局" in header, url
    assert _text(_pdf(client, report)).startswith("鄂尔多斯市医疗保障局")
    notice = client.get(reverse("public:notice-pdf", args=[world["scheme"].code])).content
    assert _text(notice).startswith("鄂尔多斯市医疗保障局")


def test_no_plan_code_or_funding_parameters_reach_the_public(client, report):
    html = client.get(reverse("public:disclosure-detail", args=[report.pk])).content.decode()
    main = html.split("<main>", 1)[1]
    text = _text(_pdf(client, report)).replace("\n", "")
    for output in (main, text):
        for code in ("ordos-2018", "employee_supp_fund", "resident_fund", "split", "source"):
            assert code not in output
        assert "{" not in output and "[" not in output
        assert "由职工补充医疗保险基金 80%、城乡居民基本医保基金 20%分摊" in output


SPLIT = "[{'source': 'resident_fund', 'percent': '100'}]"  # as the report's content keeps it
COMPONENTS = str(
    [
        {"kind": "per_capita", "amount": "20", "source": "employee_personal_account",
         "label": "职工个人账户划转"},
        {"kind": "fixed", "total": "1000", "source": "resident_fund"},
        {"kind": "declared", "key": "interest", "source": "employee_personal_account"},
    ]
)  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "params", "words"),
    [
        ("per_capita", {"amount": "60.00", "source": "employee_large_fund"},
         "按参保人数定额筹资：每人 60.00 元；资金来源：职工大额医疗费用补助基金"),
        ("basic_funding_pct", {"percent": "5.5", "min_percent": "5"},
         "按上年人均基本医保筹资的比例：上年人均基本医保筹资的 5.5%；不低于 5%"),
        ("fixed_total", {"total": "145891300.00", "split": SPLIT},
         "固定总保费（按资金来源分摊）：年度总保费 145,891,300.00 元；"
         "由城乡居民基本医保基金 100%分摊"),
        ("voluntary_premium", {"premium": "99.00", "months": "12"},
         "个人自愿缴费（每人保费）：每人保费 99.00 元；保障 12 个月"),
        ("payroll_pct", {"percent": "4", "stop_percent": "8", "deductible_percent": "5"},
         "按上年工资总额比例（设停缴上限）：上年工资总额的 4%；累计结余超过工资总额的 8% 时停缴；"
         "税前扣除上限为工资总额的 5%"),
        ("composite", {"components": COMPONENTS},
         "多渠道筹资（分项列明）：职工个人账户划转：每人 20.00 元；"
         "城乡居民基本医保基金：1,000.00 元；职工个人账户：按当年实际金额"),
    ],
)  # fmt: skip
def test_each_funding_rule_in_words(kind, params, words):
    from insurance.choices import FundingKind

    funding = {"kind": kind, "kind_label": str(FundingKind(kind).label), "params": params}
    assert funding_words(funding) == words


def test_plan_words_drop_the_code_and_keep_the_rest():
    text = "惠州市大病二次补偿（2013）（huizhou-2013 第2版）\n\n1. 超过10,000元的部分，按95%补偿。"
    assert plan_words(text) == ["惠州市大病二次补偿（2013）", "1. 超过10,000元的部分，按95%补偿。"]


def test_settlement_percents_and_the_proposal_are_not_shown_as_amounts(client, report):
    """The year-end statement's "费用率(%)" is a percent and "建议调整下年度保费(1=是,0=否)" a yes
    or no: the page and the PDF say so in words, and amounts keep their separators."""
    content = report.content
    content["finance"]["lines"] = [
        {"label": "费用率(%)", "amount": "85.20"},
        {"label": "建议调整下年度保费(1=是,0=否)", "amount": "1.00"},
        {"label": "保险机构应得", "amount": "1234567.80"},
    ]
    DisclosureReport.objects.filter(pk=report.pk).update(content=content)
    html = client.get(reverse("public:disclosure-detail", args=[report.pk])).content.decode()
    text = _text(_pdf(client, report))
    for output in (html, text):
        assert "费用率" in output and "85.20%" in output
        assert "建议调整下年度保费" in output and "1=是" not in output and "(%)" not in output
        assert "1,234,567.80" in output
    assert '<td class="num">是</td>' in html
