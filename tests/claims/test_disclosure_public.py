"""The public side: pages without login and without personal data, the PDF with Chinese text and
the right totals, the read-only API (published only, JSON and CSV), the hospital notice, and the
admin workflow buttons (reviewer checks, director publishes)."""

import io
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from pypdf import PdfReader

from claims.models import Compensation, CompensationAdjustment
from claims.oversight.reports.disclosure_pdf import HEADINGS
from claims.oversight.services.disclosure import disclosure_draft, disclosure_move
from tests.claims.disclosure_data import world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def _claims_paid() -> str:
    first = Compensation.objects.aggregate(s=Sum("total"))["s"]
    adjusted = CompensationAdjustment.objects.aggregate(s=Sum("total"))["s"] or Decimal("0")
    return str((first + adjusted).quantize(Decimal("0.01")))


@pytest.fixture
def published(world, role_user):
    report = disclosure_draft(scheme=world["scheme"], year=2018)
    disclosure_move(report=report, move="check", actor=role_user("reviewer"))
    return disclosure_move(report=report, move="publish", actor=role_user("director"))


def grouped(plain: str) -> str:
    """ "225792.00" as the public reads it: "225,792.00" (written out here, not the code's)."""
    whole, fen = plain.split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return ",".join(groups) + "." + fen


def _pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_public_pages_need_no_login_and_show_no_personal_data(client, world, published):
    listing = client.get(reverse("public:disclosure-list"))
    assert listing.status_code == 200
    assert published.scheme_name in listing.content.decode()
    page = client.get(reverse("public:disclosure-detail", args=[published.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "年度收支情况" in html and grouped(_claims_paid()) in html and "<svg" in html
    assert "&lt;5" in html  # suppressed cells are marked
    for person in world["people"]:
        assert person.psn_no not in html
        assert person.certno not in html and person.certno[-4:] + "<" not in html
    assert "李四" not in html and "13812345678" not in html
    assert "cdn" not in html.lower() and "<script" not in html


def test_a_draft_is_not_public(client, world):
    report = disclosure_draft(scheme=world["scheme"], year=2018)
    assert client.get(reverse("public:disclosure-detail", args=[report.pk])).status_code == 404
    assert client.get(reverse("public:disclosure-pdf", args=[report.pk])).status_code == 404
    api = client.get(reverse("public:api-disclosure", args=[report.pk]))
    assert api.status_code == 404
    assert client.get(reverse("public:api-disclosures")).json() == []


def test_the_pdf_has_the_chinese_headings_and_the_totals(client, published):
    response = client.get(reverse("public:disclosure-pdf", args=[published.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    for heading in HEADINGS:
        assert heading in text
    assert "年度信息公开报告" in text and grouped(_claims_paid()) in text
    assert grouped(published.content["beneficiaries"]["amount"]) in text


def test_the_api_gives_json_and_csv_without_login(client, published):
    listing = client.get(reverse("public:api-disclosures")).json()
    assert [r["id"] for r in listing] == [published.pk]
    detail = client.get(reverse("public:api-disclosure", args=[published.pk])).json()
    assert detail["content"]["finance"]["claims_paid"] == _claims_paid()
    assert detail["content_sha256"] == published.content_sha256
    response = client.get(reverse("public:api-disclosure-csv", args=[published.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert f"finance,claims_paid,value,{_claims_paid()}" in text
    assert "by_region,东区,people,<5" in text
    # asked for as the schema declares it (a 406 before the downloads accepted their media type)
    csv_url = reverse("public:api-disclosure-csv", args=[published.pk])
    asked = client.get(csv_url, HTTP_ACCEPT="text/csv")
    assert asked.status_code == 200 and asked.content == response.content
    missing = client.get(reverse("public:api-disclosure-csv", args=[10**9]), HTTP_ACCEPT="text/csv")
    assert missing.status_code == 404 and missing.json()["status"] == 404


def test_the_hospital_notice_html_and_pdf(client, world, settings):
    settings.MEDSUPP_COMPLAINT_HOTLINE = "0477-12393"
    code = world["scheme"].code
    html = client.get(reverse("public:notice", args=[code])).content.decode()
    for words in ("保障对象", "享受条件", "办理流程", "办理时限", "办理地点", "0477-12393"):
        assert words in html
    plain = [line for line in world["year"].plan.plain_words.splitlines() if line.strip()]
    assert plain and plain[1].strip() in html  # a benefit line, word for word
    assert "ordos-2018" not in html  # the plan's code is for staff, not the public
    response = client.get(reverse("public:notice-pdf", args=[code]))
    text = _pdf_text(response.content)
    assert "投诉咨询电话" in text and "0477-12393" in text and "待遇告知" in text
    assert client.get(reverse("public:notice", args=["NOPE"])).status_code == 404


def test_admin_buttons_reviewer_checks_director_publishes(
    client, world, role_user, verified_client
):
    report = disclosure_draft(scheme=world["scheme"], year=2018)
    reviewer, director = role_user("reviewer"), role_user("director")
    client.force_login(reviewer)
    page = client.get(reverse("admin:audit_disclosurereport_change", args=[report.pk]))
    assert page.status_code == 200 and "复核通过" in page.content.decode()
    step = reverse("admin:audit_disclosurereport_move", args=[report.pk, "check"])
    assert client.post(step, {"reason": ""}).status_code == 302
    report.refresh_from_db()
    assert report.status == "checked" and report.checked_by == reviewer
    # the reviewer may not publish: refused, nothing written
    publish = reverse("admin:audit_disclosurereport_move", args=[report.pk, "publish"])
    client.post(publish, {"reason": ""})
    report.refresh_from_db()
    assert report.status == "checked"

    director_client = verified_client(director)
    assert director_client.post(publish, {"reason": ""}).status_code == 302
    report.refresh_from_db()
    assert report.status == "published" and report.published_by == director
    correct = reverse("admin:claims_disclosure_step", args=[report.pk, "correct"])
    response = director_client.post(correct, {"change_note": "更正地区口径"})
    assert response.status_code == 302
    assert report.superseded_by.version == 2
