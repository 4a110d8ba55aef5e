"""`AuditedAdminMixin`: admin saves, deletes and inline rows are audited, personal data masked."""

from __future__ import annotations

import pytest
from django.forms import inlineformset_factory
from django.test import RequestFactory
from django.urls import reverse

from audit.admin.mixins import AuditedAdminMixin, audit_snapshot
from audit.models import AuditEntry
from audit.services import user_ensure
from contracts.models import Insurer, InsurerContact
from insurance.models import Region
from tests.contracts.factories import InsurerFactory
from tests.insurance.factories import PersonFactory, SchemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(verified_client):
    user, _pw = user_ensure(username="root", superuser=True, password="pw-for-tests-1")
    return verified_client(user)


def _entries(model_label: str):
    return AuditEntry.objects.filter(object_type=model_label).order_by("id")


def test_a_scheme_changed_in_the_admin_records_only_what_changed(admin_client):
    scheme = SchemeFactory(name="旧名称")
    url = reverse("admin:insurance_scheme_change", args=[scheme.pk])
    response = admin_client.post(
        url,
        {"code": scheme.code, "name": "新名称", "kind": scheme.kind, "region": scheme.region_id},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = _entries("insurance.scheme").get()
    assert entry.action == "update" and entry.actor_name == "root"
    assert entry.changes == {"before": {"name": "旧名称"}, "after": {"name": "新名称"}}


def test_a_region_added_and_deleted_in_the_admin_is_audited(admin_client):
    response = admin_client.post(
        reverse("admin:insurance_region_add"),
        {"code": "370899", "name": "测试新区", "level": "district", "parent": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    region = Region.objects.get(code="370899")
    created = _entries("insurance.region").get()
    assert created.action == "create" and created.changes["after"]["name"] == "测试新区"
    response = admin_client.post(
        reverse("admin:insurance_region_delete", args=[region.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    deleted = _entries("insurance.region").last()
    assert deleted.action == "delete" and deleted.object_id == str(region.pk)
    assert deleted.changes["before"]["code"] == "370899"


def test_personal_fields_are_masked_and_blind_indexes_left_out():
    person = PersonFactory(name="欧阳娜娜", phone="13812345678")
    snap = audit_snapshot(person)
    assert snap["name"] == "欧阳**" and snap["phone"] == "138****5678"
    assert snap["certno"] == person.certno[:3] + "*" * 11 + person.certno[-4:]
    assert "certno_bidx" not in snap


def test_deleting_a_person_in_the_admin_logs_masked_values(admin_client):
    person = PersonFactory(name="张三", phone="13812345678")
    response = admin_client.post(
        reverse("admin:insurance_person_delete", args=[person.pk]), {"post": "yes"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = _entries("insurance.person").last()
    assert entry.action == "delete"
    text = str(entry.changes)
    assert "张三" not in text and "13812345678" not in text and person.certno not in text


class _Base:
    def save_formset(self, request, form, formset, change):
        formset.save()


class _InlineAdmin(AuditedAdminMixin, _Base):
    pass


def test_inline_rows_added_changed_and_deleted_are_each_audited(role_user):
    insurer = InsurerFactory()
    kept = InsurerContact.objects.create(insurer=insurer, name="李四", phone="0531-1")
    gone = InsurerContact.objects.create(insurer=insurer, name="王五", phone="0531-2")
    FormSet = inlineformset_factory(Insurer, InsurerContact, fields=("name", "title", "phone"))
    data = {
        "contacts-TOTAL_FORMS": "3",
        "contacts-INITIAL_FORMS": "2",
        "contacts-0-id": str(kept.pk),
        "contacts-0-name": "李四",
        "contacts-0-phone": "0531-9",
        "contacts-1-id": str(gone.pk),
        "contacts-1-name": "王五",
        "contacts-1-phone": "0531-2",
        "contacts-1-DELETE": "on",
        "contacts-2-name": "赵六",
        "contacts-2-phone": "0531-3",
    }
    prefix = FormSet.get_default_prefix()
    data = {k.replace("contacts", prefix): v for k, v in data.items()}
    formset = FormSet(data, instance=insurer)
    assert formset.is_valid(), formset.errors
    request = RequestFactory().post("/")
    request.user = role_user("operator")
    _InlineAdmin().save_formset(request, None, formset, True)

    entries = list(_entries("contracts.insurercontact"))
    by_action = {e.action: e for e in entries}
    assert sorted(by_action) == ["create", "delete", "update"] and len(entries) == 3
    assert by_action["update"].changes == {
        "before": {"phone": "0531-1"},
        "after": {"phone": "0531-9"},
    }
    assert by_action["delete"].object_id == str(gone.pk)
    assert by_action["delete"].changes["before"]["name"] == "王五"
    assert by_action["create"].changes["after"]["name"] == "赵六"
    assert not InsurerContact.objects.filter(pk=gone.pk).exists()


def test_contracts_admins_no_longer_double_log_a_plain_save(admin_client):
    insurer = InsurerFactory(name="甲保险公司")
    url = reverse("admin:contracts_insurer_change", args=[insurer.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data["name"] = "乙保险公司"
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{formset.formset.prefix}-{name}"] = management.initial.get(name, 0)
    data = {k: v for k, v in data.items() if not isinstance(v, list)}
    for key, value in list(data.items()):
        if isinstance(value, bool):
            if value:
                data[key] = "on"
            else:
                del data[key]
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    entries = list(_entries("contracts.insurer"))
    assert len(entries) == 1
    assert entries[0].changes == {"before": {"name": "甲保险公司"}, "after": {"name": "乙保险公司"}}
