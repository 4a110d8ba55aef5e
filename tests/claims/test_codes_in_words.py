"""What the record pages say about a compensation: names, not the plan file's ids (issue 23)."""

import pytest
from django.urls import reverse

from claims.settlements.admin.batches import compensation_html
from insurance.models import BenefitPlan
from tests.claims.supervision_data import applied_batch, compensation, record
from tests.conftest import login_verified


@pytest.mark.django_db
def test_compensation_names_the_plan_and_its_lines(covered_city):
    rec = record(applied_batch(covered_city["contract"]), covered_city["people"][0], paid="0")
    comp = compensation(rec, "120.00")
    comp.lines = {"over-max": "100.00", "burden": "20.00"}
    comp.save()
    version = BenefitPlan.objects.get(code="ordos-2018", status="active").version

    html = str(compensation_html(rec))

    assert f"鄂尔多斯市职工基本医疗保险商业补充保险（2018）（第{version}版）" in html
    assert "统筹基金最高支付限额以上费用补偿：100.00 元" in html
    assert "个人负担住院费用补偿：20.00 元" in html
    assert "over-max" not in html and "burden:" not in html and "ordos-2018" not in html


@pytest.mark.django_db
def test_records_show_medical_categories_by_name_and_filter_by_them(
    covered_city, role_user, client
):
    batch = applied_batch(covered_city["contract"])
    person = covered_city["people"][0]
    inpatient = record(batch, person, med_type="21")
    outpatient = record(batch, person, med_type="11")
    login_verified(client, role_user("operator"))
    url = reverse("admin:claims_settlementrecord_changelist")

    page = client.get(url).content.decode()
    assert "普通住院（21）" in page and "普通门诊（11）" in page
    assert "门诊慢特病" in page  # the filter offers the families by name

    filtered = client.get(url, {"med_type": "11"}).content.decode()
    assert f"/{outpatient.pk}/change/" in filtered
    assert f"/{inpatient.pk}/change/" not in filtered

    detail = client.get(reverse("admin:claims_settlementrecord_change", args=[inpatient.pk]))
    assert "普通住院（21）" in detail.content.decode()
    assert "职工基本医疗保险（310）" in detail.content.decode()


@pytest.mark.django_db
def test_the_records_list_sums_the_amount_owed_of_what_it_shows(covered_city, role_user, client):
    batch = applied_batch(covered_city["contract"])
    person = covered_city["people"][0]
    compensation(record(batch, person, med_type="21"), "100.00")
    compensation(record(batch, person, med_type="21"), "20.50")
    compensation(record(batch, person, med_type="11"), "7.25")
    login_verified(client, role_user("operator"))
    url = reverse("admin:claims_settlementrecord_changelist")

    unfiltered = client.get(url).content.decode()
    assert "选择筛选条件或查找后" in unfiltered  # no sum over the whole table

    inpatient = client.get(url, {"med_type": "21"}).content.decode()
    assert "筛选结果的应赔付合计" in inpatient
    assert "120.50 元" in inpatient  # 100.00 + 20.50, not the outpatient 7.25

    every = client.get(url, {"refd_setl_flag__exact": "0"}).content.decode()
    assert "127.75 元" in every  # 100.00 + 20.50 + 7.25
    assert "完整编号，不支持部分匹配" in every


@pytest.mark.django_db
def test_treatment_categories_by_name(covered_city, role_user, client):
    batch = applied_batch(covered_city["contract"])
    chemo = record(batch, covered_city["people"][0], trt_category="chemotherapy")
    plain = record(batch, covered_city["people"][0])
    login_verified(client, role_user("operator"))
    url = reverse("admin:claims_settlementrecord_changelist")
    listed = client.get(url, {"trt_category": "chemotherapy"}).content.decode()
    assert "化疗" in listed and ">chemotherapy<" not in listed
    assert f"/{chemo.pk}/change/" in listed and f"/{plain.pk}/change/" not in listed
    page = client.get(reverse("admin:claims_settlementrecord_change", args=[chemo.pk]))
    assert "化疗" in page.content.decode()
