"""Every custom admin form page in unfold's own widgets (bordered inputs, date pickers, unfold's
selects and text areas), each field's error beside the field, and a heading without a colon."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django import forms
from django.urls import reverse
from unfold import widgets as unfold

from audit.admin.forms import UnfoldFormMixin, unfold_widgets
from claims.supervision.services.complaints import complaint_register
from contracts.models import Transfer
from contracts.services.transfers import transfer_move, transfers_generate
from tests.conftest import login_verified
from tests.contracts.test_funds_support import approve_funding, enroll, make_contract

# what unfold's widgets put on the elements (unfold/widgets.py): a bordered input, its select
BORDERED = "border-base-200"
DATE_PICKER = "vDateField"
TEXTAREA = "vLargeTextField"


class Everything(forms.Form):
    text = forms.CharField(max_length=12)
    day = forms.DateField()
    amount = forms.DecimalField(decimal_places=2)
    count = forms.IntegerField()
    choice = forms.ChoiceField(choices=[("a", "甲"), ("b", "乙")])
    many = forms.MultipleChoiceField(choices=[("a", "甲")], widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    flag = forms.BooleanField(required=False)
    upload = forms.FileField()
    hidden = forms.CharField(widget=forms.HiddenInput)


def test_every_plain_widget_becomes_unfolds_keeping_its_attributes():
    form = unfold_widgets(Everything())
    w = {name: field.widget for name, field in form.fields.items()}
    assert isinstance(w["text"], unfold.UnfoldAdminTextInputWidget)
    assert w["text"].attrs["maxlength"] == "12"
    assert isinstance(w["day"], unfold.UnfoldAdminSingleDateWidget)
    assert isinstance(w["amount"], unfold.UnfoldAdminDecimalFieldWidget)
    assert isinstance(w["count"], unfold.UnfoldAdminIntegerFieldWidget)
    assert isinstance(w["choice"], unfold.UnfoldAdminSelectWidget)
    assert list(w["choice"].choices) == [("a", "甲"), ("b", "乙")]
    assert isinstance(w["many"], unfold.UnfoldAdminCheckboxSelectMultipleWidget)
    assert isinstance(w["note"], unfold.UnfoldAdminTextareaWidget)
    assert w["note"].attrs["rows"] == 3
    assert isinstance(w["flag"], unfold.UnfoldBooleanWidget)
    assert isinstance(w["upload"], unfold.UnfoldAdminFileFieldWidget)
    assert isinstance(w["hidden"], forms.HiddenInput)
    assert w["day"].is_required and not w["flag"].is_required


def test_the_mixin_applies_them_to_a_form_of_its_own():
    class Mine(UnfoldFormMixin, forms.Form):
        on = forms.DateField()

    assert isinstance(Mine().fields["on"].widget, unfold.UnfoldAdminSingleDateWidget)


def get(client, user, url):
    client.logout()
    login_verified(client, user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def field_block(html: str, name: str) -> str:
    """The unfold field wrapper around the input named `name` (label, widget, errors)."""
    match = re.search(
        rf'<div class="(?:errors )?flex flex-col group mb-4">(?:(?!<div class="(?:errors )?flex '
        rf'flex-col group mb-4">).)*?name="{name}".*?(?=<div class="(?:errors )?flex flex-col '
        rf'group mb-4">|<div class="flex flex-row gap-4 items-center mt-2">)',
        html,
        re.S,
    )
    assert match, f"no unfold field block for {name}"
    return match.group(0)


def heading(html: str) -> str:
    """The form card's title (unfold's card component)."""
    card = r'<h2 class="font-semibold text-\[15px\] text-important">\s*(.*?)\s*</h2>'
    return re.search(card, html, re.S).group(1)


@pytest.fixture
def complaint(covered_city, role_user):
    return complaint_register(
        contract=covered_city["contract"],
        person=covered_city["people"][0],
        channel="window",
        category="pre_existing",
        content="以既往病史为由拒赔",
        received_on=dt.date(2025, 9, 29),
        actor=role_user("operator"),
    )


@pytest.mark.django_db
def test_complaint_intake_in_unfold_widgets_with_the_error_beside_its_field(
    client, role_user, covered_city
):
    operator = role_user("operator")
    url = reverse("admin:claims_complaint_add")
    html = get(client, operator, url)
    assert heading(html) == "登记投诉"  # no trailing colon
    assert "登记投诉：" not in html
    assert DATE_PICKER in field_block(html, "received_on")
    assert BORDERED in field_block(html, "psn_no")
    assert "unfold/widgets" not in html  # rendered, not a template name leaked
    assert "<select" in field_block(html, "channel") and BORDERED in field_block(html, "channel")
    assert TEXTAREA in field_block(html, "content")

    response = client.post(
        url,
        {
            "contract": covered_city["contract"].pk,
            "psn_no": "NOBODY",
            "channel": "window",
            "category": "pre_existing",
            "content": "x",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    block = field_block(html, "psn_no")
    assert "errors" in block.split(">", 1)[0]  # the wrapper is marked as holding an error
    assert "找不到该人员编号的参保人。" in block  # beside psn_no, not at the top of the page
    assert "找不到该人员编号的参保人。" not in field_block(html, "content")


@pytest.mark.django_db
def test_complaint_move_page_in_unfold_widgets(client, role_user, complaint):
    url = reverse("admin:claims_complaint_move", args=[complaint.pk, "assign"])
    operator = role_user("operator")
    html = get(client, operator, url)
    assert TEXTAREA in field_block(html, "reason")
    assert heading(html) == "转保险机构办理"
    assert str(complaint) in html  # the document under the heading, not after a colon


@pytest.mark.django_db
def test_transfer_prepare_approve_pay_in_unfold_widgets(client, role_user):
    finance, director = role_user("finance"), role_user("director")
    contract, _year = make_contract()
    enroll(_year)
    approve_funding(contract, 2025, finance, director)
    transfers_generate(year=2025, quarter=1)
    transfer = Transfer.objects.get(contract=contract, quarter=1)
    html = get(
        client, finance, reverse("admin:contracts_transfer_move", args=[transfer.pk, "prepare"])
    )
    assert TEXTAREA in field_block(html, "reason")
    transfer_move(transfer=transfer, move="prepare", actor=finance)
    html = get(
        client, director, reverse("admin:contracts_transfer_move", args=[transfer.pk, "approve"])
    )
    assert TEXTAREA in field_block(html, "reason")
    transfer_move(transfer=transfer, move="approve", actor=director)
    url = reverse("admin:contracts_transfer_move", args=[transfer.pk, "pay"])
    html = get(client, finance, url)
    assert DATE_PICKER in field_block(html, "paid_on")
    assert BORDERED in field_block(html, "bank_reference")
    assert "admin/js/calendar.js" in html  # the date picker's script is on the page

    response = client.post(url, {"paid_on": "not a date", "bank_reference": ""})
    html = response.content.decode()
    assert "有效的日期" in field_block(html, "paid_on")
    assert "必填项" in field_block(html, "bank_reference")
    transfer.refresh_from_db()
    assert transfer.status == "approved"


@pytest.mark.django_db
def test_funding_form_in_unfold_widgets(client, role_user):
    make_contract()
    html = get(client, role_user("finance"), reverse("admin:contracts_fundingcalculation_add"))
    assert heading(html) == "筹资测算"
    assert DATE_PICKER in field_block(html, "snapshot_date")
    assert "<select" in field_block(html, "contract")
    assert BORDERED in field_block(html, "payroll")
    assert TEXTAREA in field_block(html, "declared")


@pytest.mark.django_db
def test_reveal_with_a_reason_in_unfold_widgets_and_error_beside_it(
    client, role_user, covered_city
):
    person = covered_city["people"][0]
    director = role_user("director")
    url = reverse("admin:insurance_person_reveal", args=[person.pk])
    html = get(client, director, url)
    assert TEXTAREA in field_block(html, "reason")
    html = client.post(url, {"reason": "x"}).content.decode()
    assert "errors" in field_block(html, "reason").split(">", 1)[0]
    assert person.certno not in html


@pytest.fixture
def evaluation(db):
    from claims.oversight.services.evaluation import evaluation_draft
    from contracts.choices import ContractStatus
    from tests.contracts.factories import ContractFactory

    contract = ContractFactory(
        status=ContractStatus.ACTIVE, starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2026, 12, 31)
    )
    return evaluation_draft(contract=contract, year=2025)[0]


@pytest.mark.django_db
def test_evaluation_scoring_in_unfold_widgets_with_the_range_error_beside_it(
    client, role_user, evaluation
):
    row = evaluation.scores.first()
    url = reverse("admin:claims_evaluation_score", args=[row.pk])
    html = get(client, role_user("reviewer"), url)
    assert heading(html) == f"评分：{row.name}"
    assert BORDERED in field_block(html, "manual_score")
    assert TEXTAREA in field_block(html, "comment")
    html = client.post(url, {"manual_score": "101", "comment": ""}).content.decode()
    assert "100" in field_block(html, "manual_score")  # "≤ 100" beside the score
    row.refresh_from_db()
    assert row.manual_score is None


@pytest.mark.django_db
def test_disclosure_draft_in_unfold_widgets(client, role_user, covered_city):
    html = get(client, role_user("reviewer"), reverse("admin:audit_disclosurereport_draft_report"))
    assert heading(html) == "起草信息公开报告"
    assert "<select" in field_block(html, "scheme") and BORDERED in field_block(html, "scheme")
    assert BORDERED in field_block(html, "year")


@pytest.mark.django_db
def test_a_refused_survey_file_is_explained_beside_the_file_field(client, role_user, covered_city):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("admin:claims_satisfactionsurvey_import")
    get(client, role_user("operator"), url)
    bad = SimpleUploadedFile("s.csv", "合同编号\nNOPE\n".encode())
    html = client.post(url, {"file": bad}).content.decode()
    block = field_block(html, "file")
    assert "文件有错误，未导入任何数据。" in block


def test_the_admins_own_widgets_are_kept():
    from django.contrib.admin.widgets import AdminDateWidget, AdminTextInputWidget

    class Given(forms.Form):
        typed = forms.CharField(widget=AdminTextInputWidget)
        day = forms.DateField(widget=AdminDateWidget)

    form = Given()
    before = {name: field.widget for name, field in form.fields.items()}
    unfold_widgets(form)
    assert all(form.fields[name].widget is widget for name, widget in before.items())


@pytest.mark.django_db
def test_the_add_forms_own_fields_are_unfolds_too(client, role_user, covered_city):
    def element(html, tag, name):  # the ModelAdmin's own page lays fields out itself
        return re.search(rf'<{tag}[^>]*name="{name}"[^>]*>', html).group(0)

    html = get(client, role_user("operator"), reverse("admin:insurance_person_add"))
    assert BORDERED in element(html, "input", "certno") and BORDERED in element(
        html, "input", "name"
    )
    html = get(client, role_user("operator"), reverse("admin:claims_settlementbatch_add"))
    assert BORDERED in element(html, "select", "encoding")
