"""Money and reports in the browser, each step by the person whose job it is and never by the
same person twice where two are required: a quarterly transfer sent back, prepared, approved
and paid; an evaluation scored, submitted and approved; a corrected disclosure report checked,
published, and read on the public site with its PDF."""

import io
import re

import pytest
from pypdf import PdfReader

from tests.browser.conftest import english_on_page, error_beside, shot, visible_fields

# serialized_rollback: the test database is serialized after migrating; `demo` restores it
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def click(page, name: str):
    """Follow a button or link the page offers, by the words on it."""
    page.get_by_role("link", name=name, exact=True).or_(
        page.get_by_role("button", name=name, exact=True)
    ).first.click()
    page.wait_for_load_state()


def no_browser_checks(page):
    """Send the form as it is, to see the server's check (the browser's own stops it first)."""
    page.evaluate("document.querySelectorAll('form').forEach(f => { f.noValidate = true; })")


def status_of(page) -> str:
    return page.locator("#workflow").inner_text()


def test_a_transfer_is_prepared_approved_and_paid_by_two_people(person):
    from contracts.models import Transfer

    transfer = Transfer.objects.get(status="prepared")  # the demo's newest quarter
    url = f"/admin/contracts/transfer/{transfer.pk}/change/"
    director = person("demo_director")
    finance = person("demo_finance")

    page = director.open(url)
    click(page, "退回制单")
    page.get_by_label("原因/说明").fill("金额需按最新筹资测算核对")
    click(page, "确认")
    assert "草稿" in status_of(page) or "待制单" in status_of(page)

    page = finance.open(url)
    assert "审批通过" not in status_of(page)  # the preparer is never offered the approval
    click(page, "制单")
    visible_fields(page, some=False)
    click(page, "确认")
    assert "审批通过" not in status_of(page)
    shot(page, "finance-transfer-prepared")

    page = director.open(url)
    click(page, "审批通过")
    visible_fields(page, some=False)
    click(page, "确认")
    shot(page, "director-transfer-approved")

    page = finance.open(url)
    click(page, "登记支付")
    assert {f["name"] for f in visible_fields(page)} >= {"paid_on", "bank_reference"}
    page.get_by_label("支付日期").fill(transfer.created_at.date().isoformat())
    no_browser_checks(page)  # the server's own check
    click(page, "确认")  # without the bank's reference: refused beside that field
    error_beside(page, "银行流水号", "必填项")
    assert Transfer.objects.get(pk=transfer.pk).status == "approved"  # nothing half-written
    page.get_by_label("银行流水号").fill("BOC20261205000123")
    shot(page, "finance-transfer-pay")
    click(page, "确认")
    assert "已支付" in status_of(page)
    assert not english_on_page(page, allowed={"demo_finance"})
    shot(page, "finance-transfer-paid")
    # the status box and its history are styled: a coloured edge, padded cells under a head
    box = page.locator("#workflow").evaluate("e => getComputedStyle(e).borderLeftWidth")
    assert float(box.removesuffix("px")) >= 4
    cell = page.locator("#workflow-history td").first
    assert float(cell.evaluate("e => getComputedStyle(e).paddingLeft").removesuffix("px")) >= 8
    assert page.locator("#workflow-history thead th").count() == 6
    transfer.refresh_from_db()
    assert transfer.status == "paid" and transfer.prepared_by.username == "demo_finance"
    assert transfer.approved_by.username == "demo_director"
    assert not director.refused and not finance.refused


def test_an_evaluation_is_scored_submitted_and_approved(person):
    from claims.oversight.services.evaluation import evaluation_draft
    from contracts.models import Contract
    from tests.browser.world import running_year

    contract = Contract.objects.get()
    evaluation, _created = evaluation_draft(contract=contract, year=running_year(contract).year)
    url = f"/admin/contracts/evaluation/{evaluation.pk}/change/"
    reviewer = person("demo_reviewer")
    manual = list(evaluation.scores.filter(computed_score__isnull=True).order_by("pk"))
    assert manual
    for row in manual:
        page = reviewer.open(url)
        page.locator(f"a[href$='/evaluation/score/{row.pk}/']").click()
        page.get_by_label("人工评分(百分制)").wait_for()
        if row == manual[0]:  # a score out of range is refused beside its field
            visible_fields(page)
            page.get_by_label("人工评分(百分制)").fill("150")
            no_browser_checks(page)
            click(page, "确认")
            error_beside(page, "人工评分(百分制)", "100")
        page.get_by_label("人工评分(百分制)").fill("92")
        page.get_by_label("评分说明").fill("现场检查：服务窗口、材料齐全")
        if row == manual[0]:
            shot(page, "reviewer-evaluation-score")
        click(page, "确认")
    page = reviewer.open(url)
    click(page, "提交审批")
    click(page, "确认")
    shot(page, "reviewer-evaluation-submitted")

    director = person("demo_director")
    page = director.open(url)
    click(page, "审批通过")
    click(page, "确认")
    shot(page, "director-evaluation-approved")
    evaluation.refresh_from_db()
    assert evaluation.status == "approved"
    assert not reviewer.refused and not director.refused


def test_a_disclosure_correction_is_checked_published_and_read_by_the_public(person, settings):
    from audit.models import DisclosureReport, User
    from claims.oversight.services.disclosure import disclosure_correct

    settings.BUREAU_NAME = "示范市医疗保障局"
    published = DisclosureReport.objects.get(status="published")
    admin = User.objects.create_superuser("browser_admin", password="unused-pw-1")
    draft = disclosure_correct(report=published, actor=admin, change_note="更正按月赔付人数")
    url = f"/admin/audit/disclosurereport/{draft.pk}/change/"

    reviewer = person("demo_reviewer")
    page = reviewer.open(url)
    click(page, "复核通过")
    visible_fields(page, some=False)
    click(page, "确认")
    director = person("demo_director")
    page = director.open(url)
    click(page, "发布")
    visible_fields(page, some=False)
    click(page, "确认")
    shot(page, "director-disclosure-published")
    draft.refresh_from_db()
    assert draft.status == "published"

    public = director.context.new_page()
    public.goto("/public/")
    assert "示范市医疗保障局" in public.locator("header").inner_text()
    public.get_by_role("link", name=draft.scheme_name).first.click()
    public.wait_for_load_state()
    body = public.locator("body").inner_text()
    assert "第2版" in body and "更正按月赔付人数" in body
    assert re.search(r"\d{1,3}(,\d{3})+\.\d{2}", body)  # amounts with thousands separators
    shot(public, "public-disclosure")
    pdf_url = public.get_by_role("link", name="下载 PDF").get_attribute("href")
    response = public.request.get(pdf_url)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert text.startswith("示范市医疗保障局") and "第2版" in text


def test_the_funding_form_shows_its_fields(person):
    finance = person("demo_finance")
    page = finance.open("/admin/contracts/fundingcalculation/add/")
    visible_fields(page)
    shot(page, "finance-funding-form")
    assert not english_on_page(page, allowed={"demo_finance"})
    assert not finance.refused
