"""Issue 23, point 5: settlement records, batches, complaints and transfers export to Excel:
the list's own rows (scope and filters), Chinese headers, personal columns masked, audited."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEntry
from claims.models import Complaint
from contracts.services.transfers import transfers_generate
from insurance.choices import FundingKind
from tests.claims.supervision_data import applied_batch, compensation, record
from tests.conftest import login_verified
from tests.contracts.test_funds_support import approve_funding, enroll, make_contract

XLSX = 1  # the export form's second format (EXPORT_FORMATS: CSV, XLSX)


def _sheet(client, admin_url: str, query: str = "") -> list[tuple]:
    response = client.post(f"{admin_url}export/{query}", {"format": XLSX, "resource": 0})
    assert response.status_code == 200, response.content.decode()[:500]
    assert response["Content-Disposition"].endswith('.xlsx"')
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


@pytest.mark.django_db
def test_records_export_the_filtered_rows_with_the_amount_owed(covered_city, role_user, client):
    batch = applied_batch(covered_city["contract"])
    person = covered_city["people"][0]
    inpatient = record(batch, person, med_type="21")
    compensation(inpatient, "100.00")
    compensation(record(batch, person, med_type="11"), "7.25")
    operator = role_user("operator")
    login_verified(client, operator)

    rows = _sheet(client, reverse("admin:claims_settlementrecord_changelist"), "?med_type=21")

    header, *data = rows
    assert header[:3] == ("结算ID", "就诊ID", "人员编号") and "应赔付" in header
    assert [r[0] for r in data] == [inpatient.setl_id]  # the filter holds: no outpatient row
    assert data[0][header.index("应赔付")] == 100.0
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.actor_name == operator.username and entry.object_type == "claims.settlementrecord"


@pytest.mark.django_db
def test_batches_export_in_words(covered_city, role_user, client):
    batch = applied_batch(covered_city["contract"])
    login_verified(client, role_user("operator"))
    header, *data = _sheet(client, reverse("admin:claims_settlementbatch_changelist"))
    assert header[:5] == ("批次号", "原文件名", "合同", "保险机构", "状态")
    assert data[0][0] == batch.pk and data[0][4] == "已入库"


@pytest.mark.django_db
def test_complaints_export_masks_the_person(covered_city, role_user, client):
    person = covered_city["people"][0]
    operator = role_user("operator")
    login_verified(client, operator)
    client.post(
        reverse("admin:claims_complaint_add"),
        {
            "contract": covered_city["contract"].pk,
            "psn_no": person.psn_no,
            "channel": "window",
            "category": "pre_existing",
            "received_on": "2025-09-29",
            "content": "电话里说不赔，没有书面理由",
        },
    )
    complaint = Complaint.objects.get()
    header, *data = _sheet(client, reverse("admin:claims_complaint_changelist"))
    row = dict(zip(header, data[0], strict=True))
    assert row["投诉编号"] == complaint.number and row["人员编号"] == person.psn_no
    assert row["参保人姓名"] == person.name_masked and person.name not in str(data)
    assert "电话里说不赔" not in str(data)  # the complaint's text is not exported


@pytest.mark.django_db
def test_transfers_export(role_user, client):
    finance, director = role_user("finance"), role_user("director")
    contract, year = make_contract(
        kind=FundingKind.PER_CAPITA, params={"amount": "60.00", "source": "employee_large_fund"}
    )
    for _ in range(2):
        enroll(year)
    approve_funding(contract, 2025, finance, director)
    transfers_generate(year=2025, quarter=1)
    login_verified(client, director)
    header, *data = _sheet(client, reverse("admin:contracts_transfer_changelist"))
    row = dict(zip(header, data[0], strict=True))
    # 2 × 60.00 = 120.00 a year; 80% paid over four quarters: 96.00 / 4 = 24.00
    assert (row["年度"], row["季度"], row["状态"]) == (2025, 1, "待制单")
    assert row["本季拨付金额"] == 24.0
