"""The daily work of the insurer, the clerk and the director, in the browser: an upload that is
taken and one that is refused, a complaint registered and answered, a person revealed with a
reason."""

import pytest

from insurance.models import Enrollment
from tests.browser.conftest import english_on_page, shot, visible_fields
from tests.browser.world import settlement_file

# serialized_rollback: the test database is serialized after migrating; `demo` restores it
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def upload(page, path):
    page.goto("/admin/claims/settlementbatch/add/")
    contract = page.locator("select[name=contract]")
    offered = [
        v for v in contract.locator("option").evaluate_all("os => os.map(o => o.value)") if v
    ]
    assert len(offered) == 1  # the insurer's one contract
    contract.select_option(offered[0])
    page.get_by_label("结算数据文件").set_input_files(str(path))
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state()


def test_the_insurer_uploads_a_good_and_a_bad_file_and_reads_the_result(person, tmp_path):
    insurer = person("demo_insurer")
    page = insurer.page
    upload(page, settlement_file(tmp_path))
    shot(page, "insurer-upload-good")
    text = page.locator("body").inner_text()
    assert "已入库" in text
    card = page.locator("#batch-summary")  # the result card first, in the status's colour
    assert card.get_attribute("data-colour") == "green"
    assert page.locator("#batch-rows-good").inner_text() == "3"
    assert page.locator("#batch-rows-bad").inner_text() == "0"
    upload(page, settlement_file(tmp_path, bad=True))
    shot(page, "insurer-upload-bad")
    page.get_by_text("不是有效金额").first.scroll_into_view_if_needed()
    shot(page, "insurer-upload-bad-errors")
    text = page.locator("body").inner_text()
    assert "已退回" in text
    assert "不是有效金额：三万六" in text  # the refused value, said in Chinese
    assert page.locator("#batch-summary").get_attribute("data-colour") == "red"
    assert page.locator("#batch-rows-bad").inner_text() == "1"
    assert "正在后台校验与入库" not in text  # no "being stored" banner above a refusal
    assert not insurer.refused


def click(page, name: str):
    """Follow a button or link the page offers, by the words on it."""
    page.get_by_role("link", name=name, exact=True).or_(
        page.get_by_role("button", name=name, exact=True)
    ).first.click()
    page.wait_for_load_state()


def test_a_complaint_is_registered_by_the_clerk_and_answered_by_the_insurer(person):
    from claims.models import Complaint

    member = Enrollment.objects.order_by("person_id").first().person
    clerk = person("demo_operator")
    page = clerk.page
    page.goto("/admin/claims/complaint/")
    page.locator("a[href$='/admin/claims/complaint/add/']").first.click()
    contract = page.get_by_label("合同")
    contract.select_option(index=1)
    page.get_by_label("人员编号").fill(member.psn_no)
    page.get_by_label("投诉内容").fill("出院一个月仍未收到补充保险赔付。")
    visible_fields(page)
    shot(page, "operator-complaint-register")
    click(page, "确认")
    shot(page, "operator-complaint-registered")
    assert "已登记" in page.locator("#workflow").inner_text()
    assert not english_on_page(page, allowed={"demo_operator"})
    complaint = Complaint.objects.get()
    clerk.open(f"/admin/claims/complaint/{complaint.pk}/change/")
    click(page, "转保险机构办理")
    click(page, "确认")
    assert "已转保险机构" in page.locator("#workflow").inner_text()

    insurer = person("demo_insurer")
    page = insurer.page
    page.goto("/admin/claims/complaint/")
    page.get_by_role("link", name=complaint.number).first.click()
    page.wait_for_load_state()
    click(page, "答复投诉")
    page.get_by_label("答复内容").fill("经核实，已于今日补付，请查收。")
    shot(page, "insurer-complaint-answer")
    click(page, "确认")
    workflow = page.locator("#workflow").inner_text()
    assert "已答复" in workflow and "经核实，已于今日补付" in page.locator("body").inner_text()
    complaint.refresh_from_db()
    assert complaint.status == "answered"
    assert not clerk.refused and not insurer.refused


def test_the_director_reveals_a_person_with_a_reason(person):
    member = Enrollment.objects.order_by("person_id").first().person
    director = person("demo_director")
    page = director.open(f"/admin/insurance/person/{member.pk}/change/")
    body = page.locator("body").inner_text()
    assert member.certno not in body  # masked until a reason is given
    click(page, "查看完整信息")
    visible_fields(page)
    page.get_by_label("查看理由").fill("核实投诉人身份：投诉单涉及的赔付")
    shot(page, "director-reveal-reason")
    click(page, "确认查看")
    body = page.locator("body").inner_text()
    assert member.certno in body and "本次查看已记入审计日志" in body
    shot(page, "director-reveal-shown")
    assert not director.refused


def test_a_page_refused_to_the_clerk_says_why_in_chinese(person):
    member = Enrollment.objects.order_by("person_id").first().person
    clerk = person("demo_operator")
    page = clerk.page
    response = page.goto(f"/admin/insurance/person/{member.pk}/reveal/")
    assert response.status == 403
    shot(page, "operator-refused")
    text = page.locator("body").inner_text()
    assert "Forbidden" not in text and "403" not in page.locator("h1").inner_text()
    assert page.evaluate("document.documentElement.lang").lower() == "zh-hans"
    assert english_on_page(page) == set()
    assert "返回" in text
