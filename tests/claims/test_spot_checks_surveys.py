"""Spot checks with findings and follow-up, and the survey import (all or nothing)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from claims.choices import SpotCheckStatus
from claims.models import SatisfactionSurvey
from claims.oversight.services.surveys import survey_import
from claims.supervision.services.spot_checks import (
    follow_up_add,
    follow_up_done,
    spot_check_perform,
    spot_check_plan,
)

HEADER = "合同编号,调查期间起,调查期间止,受访人数,满意人数,满意度得分,调查机构\n"


def test_spot_check_plan_perform_follow_up_close(covered_city, role_user):
    operator = role_user("operator")
    check = spot_check_plan(
        contract=covered_city["contract"],
        kind="hospital_visit",
        subject="市立医院住院病人在床核查",
        planned_on=dt.date(2025, 6, 1),
        actor=operator,
    )
    with pytest.raises(ValidationError):  # findings need a known severity
        spot_check_perform(
            check=check,
            performed_on=dt.date(2025, 6, 2),
            inspectors="王、李",
            summary="",
            findings=[("huge", "x")],
            actor=operator,
        )
    check = spot_check_perform(
        check=check,
        performed_on=dt.date(2025, 6, 2),
        inspectors="王、李",
        summary="抽查 30 份",
        findings=[("major", "挂床住院 1 例")],
        actor=operator,
    )
    assert check.status == SpotCheckStatus.PERFORMED
    action = follow_up_add(
        finding=check.findings.get(), action="追回费用", due_on=dt.date(2025, 6, 30), actor=operator
    )
    follow_up_done(action=action, done_on=dt.date(2025, 6, 20), actor=operator)
    check.refresh_from_db()
    assert check.status == SpotCheckStatus.CLOSED


def test_survey_import_good_file(covered_city, role_user):
    number = covered_city["contract"].number
    content = (HEADER + f"{number},2025-01-01,2025-06-30,200,170,86.5,第三方\n").encode()
    result = survey_import(content=content, filename="s.csv", actor=role_user("operator"))
    assert result.errors == [] and result.imported == 1
    survey = SatisfactionSurvey.objects.get()
    assert (survey.respondents, survey.satisfied, str(survey.score)) == (200, 170, "86.50")


def test_survey_import_with_a_bad_row_writes_nothing(covered_city, role_user):
    number = covered_city["contract"].number
    content = (
        HEADER
        + f"{number},2025-01-01,2025-06-30,200,170,86.5,第三方\n"
        + f"{number},2025-07-01,2025-12-31,100,120,90,第三方\n"
        + "NOPE,2025-07-01,2025-12-31,100,90,abc,第三方\n"
    ).encode("gb18030")
    result = survey_import(content=content, filename="s.csv", actor=role_user("operator"))
    messages = [str(e) for e in result.errors]
    assert "第 3 行「满意人数」：满意人数不能大于受访人数。" in messages
    assert any(m.startswith("第 4 行「合同编号」") for m in messages)
    assert any(m.startswith("第 4 行「满意度得分」") for m in messages)
    assert SatisfactionSurvey.objects.count() == 0


def test_survey_import_in_the_admin(covered_city, role_user, client):
    client.force_login(role_user("operator"))
    page = client.get("/admin/claims/satisfactionsurvey/import/")
    assert "导入满意度调查结果" in page.text
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("s.csv", (HEADER + "X,2025-01-01,2025-06-30,1,1,1,\n").encode())
    response = client.post("/admin/claims/satisfactionsurvey/import/", {"file": bad})
    assert "未导入任何数据" in response.text and "第 2 行「合同编号」" in response.text
    assert SatisfactionSurvey.objects.count() == 0
