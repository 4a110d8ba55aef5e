import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.choices import AuditAction
from audit.crypto import encrypt_bytes
from audit.models import AuditEntry, User
from insurance.choices import ImportJobStatus
from insurance.models import Enrollment, ImportJob, Person
from insurance.services.imports import import_file, import_job_process
from tests.conftest import login_verified

from .factories import PersonFactory, SchemeFactory, SchemeYearFactory, make_certno

pytestmark = pytest.mark.django_db

HEADERS = [
    "人员编号",
    "身份证号",
    "姓名",
    "手机号",
    "险种类型",
    "人员类别",
    "统筹区代码",
    "参保状态",
]


def _rows(region_code="370826"):
    return [
        [
            "A001",
            make_certno(region_code=region_code),
            "张三",
            "13812345678",
            "310",
            "11",
            region_code,
            "正常参保",
        ],
        [
            "A002",
            make_certno(region_code=region_code, male=False),
            "欧阳娜娜",
            "",
            "居民",
            "21",
            region_code,
            "",
        ],
    ]


def gbk_csv(headers, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("gbk")


def xlsx(headers, rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_gbk_csv_with_good_rows_is_imported(county_a):
    data = gbk_csv(HEADERS, _rows())
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really GBK
    created, errors = import_file(actor=None, target="person", data=data, file_name="人员.csv")
    assert errors == [] and created == 2
    person = Person.objects.get(psn_no="A002")
    assert person.name == "欧阳娜娜" and person.insutype == "390" and person.status == "active"
    assert person.sex == "2"
    batch = AuditEntry.objects.get(action=AuditAction.BATCH)
    assert batch.extra["count"] == 2


def test_gbk_csv_with_bad_rows_writes_nothing_and_reports_each(county_a, county_b):
    valid = make_certno()
    wrong_check = valid[:17] + ("1" if valid[17] != "1" else "2")
    rows = _rows()
    rows.append(["A003", wrong_check, "李四", "", "310", "11", "370826", ""])
    rows.append(["A004", make_certno(), "王五", "", "999", "11", "123456", ""])
    rows.append(["A005", rows[0][1], "赵六", "", "310", "11", "370826", ""])
    data = gbk_csv(HEADERS, rows)
    created, errors = import_file(actor=None, target="person", data=data, file_name="p.csv")
    assert created == 0 and Person.objects.count() == 0
    by_cell = {(e["row"], e["column"]): e["message"] for e in errors}
    # file line numbers: header is line 1, first data row line 2
    assert (2, "身份证号") not in by_cell
    assert "校验位" in by_cell[(4, "身份证号")]
    assert "不是有效值" in by_cell[(5, "险种类型")]
    assert "123456" in by_cell[(5, "统筹区代码")]
    assert "第 2 行" in by_cell[(6, "身份证号")]
    assert not AuditEntry.objects.filter(action=AuditAction.BATCH).exists()


def test_national_field_names_and_utf8_bom_are_accepted(county_a):
    headers = ["psn_no", "certno", "psn_name", "tel", "insutype", "psn_type", "admdvs"]
    rows = [r[:7] for r in _rows()]
    out = io.StringIO()
    csv.writer(out).writerows([headers, *rows])
    data = out.getvalue().encode("utf-8-sig")
    created, errors = import_file(actor=None, target="person", data=data, file_name="p.csv")
    assert errors == [] and created == 2


def test_xlsx_good_and_bad(county_a):
    created, errors = import_file(
        actor=None, target="person", data=xlsx(HEADERS, _rows()), file_name="p.xlsx"
    )
    assert (created, errors) == (2, [])
    bad = [["B001", "11010519491231002X", "", "", "310", "99", "370826", ""]]
    created, errors = import_file(
        actor=None, target="person", data=xlsx(HEADERS, bad), file_name="p.xlsx"
    )
    assert created == 0 and Person.objects.filter(psn_no="B001").count() == 0
    columns = {e["column"] for e in errors if e["row"] == 2}
    assert {"姓名", "人员类别"} <= columns


def test_missing_column_is_reported(county_a):
    created, errors = import_file(
        actor=None,
        target="person",
        data=gbk_csv(HEADERS[:2], [["A1", make_certno()]]),
        file_name="p.csv",
    )
    assert created == 0 and "缺少必需的列" in errors[0]["message"]


def test_region_outside_the_clerks_scope_is_refused(role_user, county_a, county_b):
    clerk = role_user("operator", region=county_b)
    created, errors = import_file(
        actor=clerk, target="person", data=gbk_csv(HEADERS, _rows()), file_name="p.csv"
    )
    assert created == 0 and {e["column"] for e in errors} == {"统筹区代码"}


def test_enrollment_import_all_or_nothing(county_a):
    year = SchemeYearFactory(scheme=SchemeFactory(code="HMB"), year=2025, waiting_period_days=30)
    a, b = PersonFactory(region=county_a), PersonFactory(region=county_a)
    headers = ["人员编号", "方案编码", "年度", "开始日期"]
    good = [[a.psn_no, "HMB", "2025", "2025/02/01"], [b.psn_no, "HMB", "2025", ""]]
    bad = [*good, ["NOPE", "HMB", "2025", ""], [a.psn_no, "HMB", "2031", ""]]
    created, errors = import_file(
        actor=None, target="enrollment", data=xlsx(headers, bad), file_name="e.xlsx"
    )
    assert created == 0 and not Enrollment.objects.exists()
    assert {(e["row"], e["column"]) for e in errors} == {(4, "人员编号"), (5, "方案编码")}
    created, errors = import_file(
        actor=None, target="enrollment", data=xlsx(headers, good), file_name="e.xlsx"
    )
    assert (created, errors) == (2, [])
    first = Enrollment.objects.get(person=a)
    assert str(first.benefits_from) == "2025-03-03" and first.scheme_year == year


def test_admin_import_preview_then_confirm(client, role_user, county_a):
    clerk = role_user("operator")
    client.force_login(clerk)
    url = reverse("admin:insurance_person_import")
    upload = SimpleUploadedFile("p.csv", gbk_csv(HEADERS, _rows()), content_type="text/csv")
    preview = client.post(url, {"format": 0, "resource": 0, "import_file": upload})
    assert preview.status_code == 200
    assert Person.objects.count() == 0  # a dry run
    confirm = preview.context["confirm_form"]
    assert confirm is not None
    done = client.post(
        reverse("admin:insurance_person_process_import"),
        {k: v for k, v in confirm.initial.items()},
    )
    assert done.status_code == 302 and Person.objects.count() == 2


def test_admin_import_preview_shows_errors_and_no_confirm(client, role_user, county_a):
    client.force_login(role_user("operator"))
    rows = [["X1", "123", "张三", "", "310", "11", "370826", ""]]
    upload = SimpleUploadedFile("p.csv", gbk_csv(HEADERS, rows), content_type="text/csv")
    preview = client.post(
        reverse("admin:insurance_person_import"),
        {"format": 0, "resource": 0, "import_file": upload},
    )
    assert preview.status_code == 200 and preview.context.get("confirm_form") is None
    assert "18 位" in preview.content.decode()


def test_big_file_runs_as_an_idempotent_background_job(
    client, role_user, county_a, settings, tmp_path
):
    settings.MEDSUPP_IMPORT_BACKGROUND_MB = 0  # every file is "big"
    settings.MEDIA_ROOT = tmp_path
    client.force_login(role_user("operator"))
    upload = SimpleUploadedFile("p.xlsx", xlsx(HEADERS, _rows()))
    with_job = client.post(
        reverse("admin:insurance_person_import"),
        {"format": 1, "resource": 0, "import_file": upload},
    )
    job = ImportJob.objects.get()
    assert with_job.status_code == 302 and str(job.pk) in with_job["Location"]
    # the on_commit hook does not fire inside the test transaction: run the task's body
    assert import_job_process(job_id=job.pk) == ImportJobStatus.DONE
    job.refresh_from_db()
    assert (job.total, job.processed, job.created_rows) == (2, 2, 2)
    assert import_job_process(job_id=job.pk) == "skipped"
    assert Person.objects.count() == 2
    page = client.get(reverse("admin:insurance_importjob_change", args=[job.pk]))
    assert page.status_code == 200 and "100%" in page.content.decode()


def test_background_job_with_bad_rows_reports_and_writes_nothing(county_a, settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    rows = [*_rows(), ["A9", "1", "", "", "310", "11", "370826", ""]]
    job = ImportJob(target="person", original_name="p.csv", file_format="csv")
    sealed = encrypt_bytes(gbk_csv(HEADERS, rows)).encode()  # as import_job_create stores it
    job.file.save("p.csv.enc", ContentFile(sealed), save=True)
    assert import_job_process(job_id=job.pk) == ImportJobStatus.FAILED
    job.refresh_from_db()
    assert Person.objects.count() == 0
    assert {e["row"] for e in job.errors} == {4}


def test_export_is_masked_unless_permitted_and_audited(client, role_user, county_a):
    person = PersonFactory(region=county_a, name="张三")
    clerk = role_user("operator")
    client.force_login(clerk)
    response = client.post(
        reverse("admin:insurance_person_export"),
        {
            "format": 0,
            "resource": 0,
            **{
                f"personresource_{f}": "on"
                for f in ("psn_no", "certno", "name", "phone", "insutype", "region")
            },
        },
    )
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert person.psn_no in body and "张*" in body
    assert "张三" not in body and person.certno not in body
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.extra["count"] == 1 and entry.extra["personal"] is False


def test_even_the_superuser_export_is_masked(client, county_a):
    """Issue 19, point 1: full values only through the audited reveal, for every role."""
    person = PersonFactory(region=county_a, name="张三")
    root = User.objects.create_superuser("root", password="pw-for-tests-1")
    login_verified(client, root)
    response = client.post(
        reverse("admin:insurance_person_export"),
        {"format": 0, "resource": 0, "personresource_name": "on", "personresource_certno": "on"},
    )
    body = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and "张*" in body
    assert "张三" not in body and person.certno not in body
    assert AuditEntry.objects.get(action=AuditAction.EXPORT).extra["personal"] is False


def test_eligibility_facts_are_imported_and_exported(client, county_a):
    # The facts eligibility is derived from: the start of the current basic insurance (R-QD-5,
    # national name psn_insu_date), the hire date (R-ENT-2) and the rural resident flag (R-IM-2).
    headers = ["psn_no", "certno", "psn_name", "insutype", "psn_type", "admdvs",
               "psn_insu_date", "hire_date", "rural"]  # fmt: skip
    rows = [
        ["C001", make_certno(region_code="370826"), "李四", "310", "11", "370826",
         "2016-11-15", "2019/03/01", "否"],
        ["C002", make_certno(region_code="370826"), "王五", "390", "21", "370826", "", "", "是"],
    ]  # fmt: skip
    out = io.StringIO()
    csv.writer(out).writerows([headers, *rows])
    created, errors = import_file(
        actor=None, target="person", data=out.getvalue().encode("utf-8"), file_name="p.csv"
    )
    assert (created, errors) == (2, [])
    employee, resident = Person.objects.get(psn_no="C001"), Person.objects.get(psn_no="C002")
    assert (employee.insured_since, employee.hire_date, employee.rural) == (
        dt.date(2016, 11, 15), dt.date(2019, 3, 1), False,
    )  # fmt: skip
    assert (resident.insured_since, resident.hire_date, resident.rural) == (None, None, True)
    bad = [["C003", make_certno(region_code="370826"), "赵六", "390", "21", "370826", "", "",
            "也许"]]  # fmt: skip
    out = io.StringIO()
    csv.writer(out).writerows([headers, *bad])
    created, errors = import_file(
        actor=None, target="person", data=out.getvalue().encode("utf-8"), file_name="p.csv"
    )
    assert created == 0 and [(e["row"], e["column"]) for e in errors] == [(2, "农村居民")]
    root = User.objects.create_superuser("root", password="pw-for-tests-1")
    login_verified(client, root)
    response = client.post(
        reverse("admin:insurance_person_export"),
        {"format": 0, "resource": 0, **{f"personresource_{f}": "on" for f in (
            "psn_no", "insured_since", "hire_date", "rural")}},
    )  # fmt: skip
    header, *lines = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    columns = [
        header.index(name) for name in ("人员编号", "本次连续参保起始日期", "入职日期", "农村居民")
    ]
    exported = [[line[i] for i in columns] for line in lines]
    assert ["C001", "2016-11-15", "2019-03-01", "否"] in exported
    assert ["C002", "", "", "是"] in exported
