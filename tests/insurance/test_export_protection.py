"""Issue 19, points 1 and 10: what a masked export shows together cannot rebuild an ID number,
and no exported cell runs as a formula (CSV and XLSX)."""

import csv
import datetime as dt
import io
import random

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from insurance.identity import certno_check_digit
from tests.conftest import login_verified
from tests.insurance.factories import PersonFactory, make_certno

FIELDS = ("psn_no", "certno", "name", "phone", "sex", "birth_date", "region")
EXPORT_FORM = {f"personresource_{f}": "on" for f in FIELDS}


def _export(client, file_format: int):
    return client.post(
        reverse("admin:insurance_person_export"),
        {"format": file_format, "resource": 0, **EXPORT_FORM},
    )


def _csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _candidates(masked: str, birth: str, region: str, sex: str) -> int:
    """How many valid ID numbers fit what one exported row shows: the attack of the issue."""
    head, tail = masked[:3], masked[-4:]
    if not region.startswith(head):
        return 10**6  # nothing narrows the hidden region digits: far from a rebuild
    if len(birth) == 10:
        days = [dt.date.fromisoformat(birth)]
    else:
        year = int(birth[:4])
        start = dt.date(year, 1, 1)
        days = [start + dt.timedelta(d) for d in range((dt.date(year + 1, 1, 1) - start).days)]
    found = 0
    for day in days:
        first17 = f"{region}{day:%Y%m%d}{tail[:3]}"
        if certno_check_digit(first17) == tail[3] and (int(tail[2]) % 2 == 1) == (sex == "男"):
            found += 1
    return found


@pytest.mark.django_db
def test_a_masked_export_cannot_rebuild_the_id_numbers(client, county_a, django_user_model):
    rng = random.Random(19)
    people = []
    for _n in range(60):
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(30000))
        # As in real registers: the ID's region code is the person's region.
        certno = make_certno(region_code=county_a.code, birth=birth, male=rng.random() < 0.5)
        people.append(PersonFactory(region=county_a, certno=certno))
    root = django_user_model.objects.create_superuser("root", password="pw-for-tests-1")
    login_verified(client, root)
    rows = _csv_rows(_export(client, 0))
    assert len(rows) == len(people)
    body = "\n".join(",".join(row.values()) for row in rows)
    assert not any(p.certno in body for p in people)
    fits = [_candidates(r["身份证号"], r["出生日期"], r["统筹区代码"], r["性别"]) for r in rows]
    # Before issue 19 the full birth date left exactly one: every ID number was rebuilt.
    assert min(fits) >= 10, sorted(fits)[:5]


@pytest.mark.django_db
def test_the_person_page_shows_the_birth_year_only(client, county_a, role_user):
    person = PersonFactory(region=county_a, certno=make_certno(birth=dt.date(1975, 8, 23)))
    client.force_login(role_user("operator"))
    page = client.get(reverse("admin:insurance_person_change", args=[person.pk])).content.decode()
    assert "1975" in page and "1975-08-23" not in page and "1975年8月23日" not in page
    assert person.certno_masked in page and person.certno not in page


INJECTIONS = ['=HYPERLINK("http://evil.example","x")', "@SUM(1+1)", "+cmd|' /C calc'!A0", "-2+3"]


@pytest.mark.django_db
@pytest.mark.parametrize("text", INJECTIONS)
def test_people_exports_neutralise_formulas(client, county_a, role_user, text):
    PersonFactory(region=county_a, psn_no=text[:32], name=text, phone=text)
    client.force_login(role_user("operator"))
    for row in _csv_rows(_export(client, 0)):
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    sheet = load_workbook(io.BytesIO(_export(client, 1).content)).active
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value
            if isinstance(cell.value, str):
                assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), cell.value


def test_one_helper_keeps_numbers_and_quotes_formulas():
    from audit.spreadsheet import safe_cell

    assert safe_cell("-20.00") == "-20.00" and safe_cell(-5) == -5
    assert safe_cell("=1+1") == "'=1+1" and safe_cell("\tx") == "'\tx"
    assert safe_cell("\r=cmd") == "'\r=cmd" and safe_cell("正常文本") == "正常文本"
