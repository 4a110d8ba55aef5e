import csv
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from audit.models import AuditEntry
from insurance.choices import PlanStatus
from insurance.models import BenefitPlan
from insurance.plans import load_shipped_plans
from insurance.services.plans import plan_activate, plan_new_version
from tests.insurance.factories import SchemeYearFactory

SETTLEMENTS = """\
setl_id,mdtrt_id,psn_no,insutype,med_type,begndate,setl_time,medfee_sumamt,inscp_over_max_amt,\
psn_part_amt,excl_item_amt,refd_setl_flag
S1,M1,A,310,21,2018-03-01,2018-03-10 10:00:00,100000.00,10000.00,40000.00,2000.00,0
S2,M2,A,310,21,2018-05-01,2018-05-08 10:00:00,30000.00,0,15000.00,0,0
S3,M3,B,310,11,2018-05-01,2018-05-01 10:00:00,500.00,0,500.00,0,0
"""


def _compute(tmp_path, *extra, settlements=SETTLEMENTS):
    (tmp_path / "s.csv").write_text(settlements, encoding="utf-8")
    out = tmp_path / "out.csv"
    call_command(
        "compute_benefits", "--settlements", str(tmp_path / "s.csv"), "--output", str(out), *extra
    )
    return {row["setl_id"]: row for row in csv.DictReader(out.open(encoding="utf-8"))}


@pytest.mark.django_db
def test_shipped_plans_are_loaded_active_with_their_rendering():
    codes = set(BenefitPlan.objects.filter(status=PlanStatus.ACTIVE).values_list("code", flat=True))
    assert codes == set(load_shipped_plans())
    ordos = BenefitPlan.objects.get(code="ordos-2018")
    assert "按80%补偿，不设封顶线" in ordos.plain_words
    assert BenefitPlan.objects.get(code="jining-2022").example is True


@pytest.mark.django_db
def test_calculator_ordos_worked_example(tmp_path):
    rows = _compute(tmp_path, "--plan", "ordos-2018")
    # S1: above the pooled maximum 10,000 x 80% = 8,000 (R-ORD-5); burden 40,000 - excluded
    # items 2,000 - 8,000 already paid = 30,000, the part above 20,000 x 30% = 3,000 (R-ORD-6).
    assert rows["S1"] == {
        "setl_id": "S1", "psn_no": "A", "payable": "11000.00",
        "over-max": "8000.00", "cancer-drug": "0.00", "burden": "3000.00",
    }  # fmt: skip
    assert rows["S2"]["payable"] == "0.00"  # 15,000 burden: below 20,000 for this admission
    assert rows["S3"]["payable"] == "0.00"  # outpatient (med_type 11) is not covered


@pytest.mark.django_db
def test_calculator_without_persons_meets_the_service_condition(tmp_path):
    # Company scheme (example figures): outpatient in-policy 1,000, pooled fund 700 -> top-up to
    # 90% = 200; without a persons file everyone has served (and waited) long enough.
    settlements = (
        "setl_id,psn_no,insutype,med_type,setl_time,inscp_scp_amt,hifp_pay\n"
        "E1,E,310,11,2012-03-01 10:00:00,1000.00,700.00\n"
    )
    rows = _compute(tmp_path, "--plan", "shaanxi-enterprise-2011", settlements=settlements)
    assert rows["E1"]["co-pay-top-up"] == "200.00"


@pytest.mark.django_db
def test_calculator_persons_file_civil_servant_keeps_old_rules(tmp_path):
    (tmp_path / "p.csv").write_text(
        "psn_no,insutype,cvlserv_flag,special_statuses,enrol_date,first_enrol\n"
        "A,310,1,,2018-01-01,0\nB,310,0,dibao,2018-01-01,0\n",
        encoding="utf-8",
    )
    rows = _compute(tmp_path, "--plan", "ordos-2018", "--persons", str(tmp_path / "p.csv"))
    # Civil-servant subsidy: no R-ORD-5 line; burden 40,000 - 2,000 = 38,000 -> 18,000 x 30%.
    assert rows["S1"]["over-max"] == "0.00" and rows["S1"]["burden"] == "5400.00"


@pytest.mark.django_db
def test_calculator_persons_file_rural_and_eligibility_columns(tmp_path):
    # R-IM-2 (seed 004, 三（三）): a rural resident's deductible is last year's rural net income.
    # In-policy 100,000, basic fund 0; bands above the deductible 50% to 50,000, then 60%:
    #   urban (30,594): 50,000 x 50% + 19,406 x 60% = 25,000 + 11,643.60 = 36,643.60
    #   rural (12,000): 50,000 x 50% + 38,000 x 60% = 25,000 + 22,800.00 = 47,800.00
    settlements = (
        "setl_id,psn_no,insutype,med_type,setl_time,inscp_scp_amt\n"
        "U1,U,390,21,2015-06-01 10:00:00,100000.00\nR1,R,390,21,2015-06-01 10:00:00,100000.00\n"
    )
    (tmp_path / "p.csv").write_text(
        "psn_no,insutype,rural,insured_since,hire_date,retired\n"
        "U,390,0,2001-01-01,,0\nR,390,1,2001-01-01,,0\n",
        encoding="utf-8",
    )
    rows = _compute(
        tmp_path, "--plan", "inner-mongolia-2015", "--persons", str(tmp_path / "p.csv"),
        "--reference", "disposable_income_urban=30594", "--reference", "net_income_rural=12000",
        settlements=settlements,
    )  # fmt: skip
    assert (rows["U1"]["payable"], rows["R1"]["payable"]) == ("36643.60", "47800.00")
    persons = ["--persons", str(tmp_path / "p.csv"), "--reference", "disposable_income_urban=1"]
    for column, bad in (("rural", "maybe"), ("hire_date", "2015-13-01")):
        (tmp_path / "p.csv").write_text(f"psn_no,{column}\nU,{bad}\n", encoding="utf-8")
        with pytest.raises(CommandError, match=rf"p\.csv 第2行 列 {column}"):
            _compute(tmp_path, "--plan", "inner-mongolia-2015", *persons, settlements=settlements)


@pytest.mark.django_db
def test_calculator_reports_file_row_and_column(tmp_path):
    bad = SETTLEMENTS.replace("40000.00", "4O000.00")
    with pytest.raises(CommandError, match=r"s\.csv 第2行 列 psn_part_amt"):
        _compute(tmp_path, "--plan", "ordos-2018", settlements=bad)
    with pytest.raises(CommandError, match="unknown plan: nowhere-2020"):
        _compute(tmp_path, "--plan", "nowhere-2020")
    missing = "setl_id,psn_no\nS1,A\n"
    with pytest.raises(CommandError, match="第1行 列 setl_time"):
        _compute(tmp_path, "--plan", "ordos-2018", settlements=missing)


@pytest.mark.django_db
def test_calculator_plan_file_is_validated(tmp_path):
    document = load_shipped_plans()["ordos-2018"]
    document["lines"][0]["rate"] = "1.80"
    (tmp_path / "plan.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CommandError, match=r"lines\[0\]\.rate"):
        _compute(tmp_path, "--plan-file", str(tmp_path / "plan.json"))


@pytest.mark.django_db
def test_new_version_then_activate_retires_the_old_one(role_user):
    director = role_user("director")
    ordos = BenefitPlan.objects.get(code="ordos-2018", status=PlanStatus.ACTIVE)
    draft = plan_new_version(plan=ordos, actor=director)
    assert (draft.version, draft.status) == (ordos.version + 1, PlanStatus.DRAFT)
    plan_activate(plan=draft, actor=director)
    ordos.refresh_from_db()
    assert ordos.status == PlanStatus.RETIRED
    with pytest.raises(ValidationError):
        plan_activate(plan=ordos, actor=director)
    assert AuditEntry.objects.filter(
        object_type="insurance.benefitplan", action="transition"
    ).exists()


@pytest.mark.django_db
def test_scheme_year_takes_its_waiting_period_from_the_plan():
    qingdao = BenefitPlan.objects.get(code="qingdao-2017")
    year = SchemeYearFactory(waiting_period_days=0, plan=qingdao)
    assert year.waiting_period_days == qingdao.waiting_days == 90


@pytest.mark.django_db
def test_admin_shows_plans_and_locates_document_errors(client, django_user_model):
    from tests.conftest import login_verified

    root = django_user_model.objects.create_superuser("root", "r@example.cn", "pw-long-12345")
    login_verified(client, root)
    ordos = BenefitPlan.objects.get(code="ordos-2018")
    page = client.get(f"/admin/insurance/benefitplan/{ordos.pk}/change/")
    assert page.status_code == 200 and "不设封顶线" in page.content.decode()
    document = dict(load_shipped_plans()["ordos-2018"], version=7)
    document["lines"] = [dict(document["lines"][0], rate="abc")]
    response = client.post(
        "/admin/insurance/benefitplan/add/", {"document": json.dumps(document, ensure_ascii=False)}
    )
    assert response.status_code == 200
    assert "lines[0].rate" in response.content.decode()
    assert not BenefitPlan.objects.filter(version=7).exists()
    document["lines"] = load_shipped_plans()["ordos-2018"]["lines"]
    created = client.post(
        "/admin/insurance/benefitplan/add/", {"document": json.dumps(document, ensure_ascii=False)}
    )
    assert created.status_code == 302
    assert BenefitPlan.objects.get(code="ordos-2018", version=7).status == PlanStatus.DRAFT


@pytest.mark.django_db
def test_admin_copy_and_activate_buttons(client, django_user_model):
    from django.urls import reverse

    from tests.conftest import login_verified

    root = django_user_model.objects.create_superuser("root", "r@example.cn", "pw-long-12345")
    login_verified(client, root)
    huizhou = BenefitPlan.objects.get(code="huizhou-2013", status=PlanStatus.ACTIVE)
    following = huizhou.version + 1
    copy_url = reverse("admin:insurance_benefitplan_copy_as_new_version", args=[huizhou.pk])
    assert client.get(copy_url).status_code == 200  # asks first
    assert not BenefitPlan.objects.filter(code="huizhou-2013", version=following).exists()
    response = client.post(copy_url)
    draft = BenefitPlan.objects.get(code="huizhou-2013", version=following)
    assert response.status_code == 302 and str(draft.pk) in response["Location"]
    client.post(reverse("admin:insurance_benefitplan_activate", args=[draft.pk]))
    draft.refresh_from_db()
    huizhou.refresh_from_db()
    assert (draft.status, huizhou.status) == (PlanStatus.ACTIVE, PlanStatus.RETIRED)
