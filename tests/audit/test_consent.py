"""Consent for insurers' look-ups (R-SUP-5): the model and services, the API door, the admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.choices import AuditAction, ConsentChannel, ConsentScope
from audit.models import AuditEntry, Consent
from audit.selectors import consent_valid
from audit.services import api_key_create, consent_record, consent_revoke
from contracts.models import InsurerUser
from insurance.models import Enrollment
from tests.contracts.factories import ContractFactory, InsurerFactory
from tests.insurance.factories import PersonFactory, SchemeYearFactory

pytestmark = pytest.mark.django_db

ON = "2025-06-01"


def _record(psn_no, insurer_id, *, scope=ConsentScope.IDENTITY, days=30, **kw):
    now = timezone.now()
    kw.setdefault("channel", ConsentChannel.APP)
    return consent_record(
        psn_no=psn_no,
        insurer_id=insurer_id,
        scope=scope,
        given_at=kw.pop("given_at", now - dt.timedelta(days=1)),
        expires_at=kw.pop("expires_at", now + dt.timedelta(days=days)),
        **kw,
    )


@pytest.fixture
def world(role_user):
    year = SchemeYearFactory(year=2025)
    insurer_a, insurer_b = InsurerFactory(), InsurerFactory()
    contract = ContractFactory(
        scheme=year.scheme,
        lead_insurer=insurer_a,
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2027, 12, 31),
    )
    person = PersonFactory(name="张三丰", phone="13812345678")
    Enrollment.objects.create(
        person=person,
        scheme_year=year,
        kind="renewal",
        start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2025, 12, 31),
        benefits_from=dt.date(2025, 1, 1),
    )
    user_a, user_b = role_user("insurer", "ins_a"), role_user("insurer", "ins_b")
    InsurerUser.objects.create(user=user_a, insurer=insurer_a)
    InsurerUser.objects.create(user=user_b, insurer=insurer_b)
    return {
        "contract": contract,
        "person": person,
        "a": insurer_a,
        "b": insurer_b,
        "user_a": user_a,
        "user_b": user_b,
    }


def _api(user, scopes=("persons:read",)) -> APIClient:
    _key, plain = api_key_create(user=user, name="core", scopes=list(scopes))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    return client


def _url(psn_no, scope="identity", on=ON):
    return f"/api/v1/persons/{psn_no}/?scope={scope}&date={on}"


def _last_read():
    return AuditEntry.objects.filter(action=AuditAction.API_READ).latest("id")


# --- services and the selector ----------------------------------------------------------------


def test_record_is_audited_and_valid_only_in_its_window(world):
    consent = _record("P1", 7)
    entry = AuditEntry.objects.filter(object_type="audit.consent").latest("id")
    assert entry.object_id == str(consent.pk) and entry.action == AuditAction.CREATE
    assert entry.changes["after"]["psn_no"] == "P1"
    now = timezone.now()
    assert consent_valid(psn_no="P1", insurer_id=7, scope="identity") == consent
    assert (
        consent_valid(psn_no="P1", insurer_id=7, scope="identity", on=now - dt.timedelta(2)) is None
    )
    assert (
        consent_valid(psn_no="P1", insurer_id=7, scope="identity", on=now + dt.timedelta(31))
        is None
    )
    assert consent_valid(psn_no="P1", insurer_id=8, scope="identity") is None
    assert consent_valid(psn_no="P1", insurer_id=7, scope="settlements") is None
    assert consent_valid(psn_no="P2", insurer_id=7, scope="identity") is None


def test_revoked_consent_stops_counting_from_the_revocation(world, role_user):
    consent = _record("P1", 7)
    before = timezone.now()
    consent_revoke(consent=consent, reason="本人撤回", actor=role_user("operator"))
    assert consent_valid(psn_no="P1", insurer_id=7, scope="identity") is None
    assert consent_valid(psn_no="P1", insurer_id=7, scope="identity", on=before) == consent
    entry = AuditEntry.objects.filter(object_type="audit.consent").latest("id")
    assert entry.reason == "本人撤回" and entry.changes["before"]["revoked_at"] is None
    with pytest.raises(ValidationError):
        consent_revoke(consent=consent, reason=" ")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"days": -2}, "expires_at"),
        ({"days": 3 * 366 + 5}, "expires_at"),
        ({"scope": ConsentScope.SETTLEMENTS}, "period_from"),
        ({"channel": ConsentChannel.WRITTEN}, "evidence"),
        ({"given_at": timezone.now() + dt.timedelta(days=1)}, "given_at"),
    ],
)
def test_incomplete_consents_are_refused_per_field(world, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        _record("P1", 7, **kwargs)
    assert field in exc.value.message_dict
    assert not Consent.objects.exists()


def test_a_written_consent_with_its_scan_and_period_is_accepted(world):
    scan = SimpleUploadedFile("auth.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    consent = _record(
        "P1",
        7,
        scope=ConsentScope.SETTLEMENTS,
        channel=ConsentChannel.WRITTEN,
        evidence=scan,
        period_from=dt.date(2025, 1, 1),
        period_to=dt.date(2025, 12, 31),
    )
    assert consent.evidence.name.startswith("consents/")


# --- the API --------------------------------------------------------------------------------------


def test_without_consent_the_lookup_is_refused_and_audited(world):
    psn_no = world["person"].psn_no
    response = _api(world["user_a"]).get(_url(psn_no))
    assert response.status_code == 403
    assert "授权" in response.json()["detail"] and response.json()["code"] == "no_consent"
    entry = _last_read()
    assert entry.object_id == psn_no and entry.actor_name == "ins_a"
    assert entry.extra["allowed"] is False and entry.extra["insurer_id"] == world["a"].pk


def test_with_consent_the_answer_is_minimal_masked_and_audited(world):
    person = world["person"]
    consent = _record(person.psn_no, world["a"].pk)
    response = _api(world["user_a"]).get(_url(person.psn_no))
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {
        "psn_no", "name_masked", "insutype", "insutype_display", "on", "enrolled", "contracts",
        "scope", "consent_expires_at",
    }  # fmt: skip
    assert body["name_masked"] == "张**" and body["enrolled"] is True
    assert body["contracts"] == [world["contract"].number]
    text = response.content.decode()
    assert person.certno not in text and "13812345678" not in text and "张三丰" not in text
    entry = _last_read()
    assert entry.extra["allowed"] is True and entry.extra["consent_id"] == consent.pk
    assert entry.extra["api_key"]


def test_enrolled_is_false_outside_the_coverage(world):
    _record(world["person"].psn_no, world["a"].pk)
    body = _api(world["user_a"]).get(_url(world["person"].psn_no, on="2026-06-01")).json()
    assert body["enrolled"] is False and body["contracts"] == []


def test_consent_for_one_insurer_does_not_open_the_door_to_another(world):
    _record(world["person"].psn_no, world["a"].pk)
    response = _api(world["user_b"]).get(_url(world["person"].psn_no))
    assert response.status_code == 403
    assert _last_read().extra["insurer_id"] == world["b"].pk


def test_consent_is_per_scope(world):
    _record(world["person"].psn_no, world["a"].pk, scope=ConsentScope.IDENTITY)
    response = _api(world["user_a"]).get(_url(world["person"].psn_no, scope="settlements"))
    assert response.status_code == 403


def test_revoked_and_expired_consents_are_refused(world):
    psn_no = world["person"].psn_no
    consent = _record(psn_no, world["a"].pk)
    client = _api(world["user_a"])
    assert client.get(_url(psn_no)).status_code == 200
    consent_revoke(consent=consent, reason="撤回")
    assert client.get(_url(psn_no)).status_code == 403
    old = _record(psn_no, world["a"].pk)
    Consent.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(_url(psn_no)).status_code == 403


def test_a_key_without_the_scope_anonymous_and_bureau_staff_are_refused(world, role_user):
    psn_no = world["person"].psn_no
    _record(psn_no, world["a"].pk)
    assert _api(world["user_a"], scopes=["settlements:read"]).get(_url(psn_no)).status_code == 403
    assert APIClient().get(_url(psn_no)).status_code == 401
    operator = role_user("operator")
    response = _api(operator).get(_url(psn_no))
    assert response.status_code == 403 and response.json()["code"] == "not_insurer"


def test_bad_scope_and_unknown_person(world):
    client = _api(world["user_a"])
    response = client.get(_url(world["person"].psn_no, scope="underwriting"))
    assert response.status_code == 400 and "scope" in response.json()["detail"]
    _record("NOBODY", world["a"].pk)
    assert client.get(_url("NOBODY")).status_code == 404
    results = AuditEntry.objects.filter(action=AuditAction.API_READ).values_list(
        "extra__result", flat=True
    )
    assert sorted(results) == ["bad_scope", "not_found"]


# --- the admin ------------------------------------------------------------------------------------


def test_bureau_operator_records_a_consent_in_the_admin(world, role_user, client):
    client.force_login(role_user("operator"))
    now = timezone.localtime()
    response = client.post(
        reverse("admin:audit_consent_add"),
        {
            "psn_no": world["person"].psn_no,
            "insurer": world["a"].pk,
            "scope": "identity",
            "channel": "app",
            "given_at_0": (now - dt.timedelta(days=1)).strftime("%Y-%m-%d"),
            "given_at_1": "09:00:00",
            "expires_at_0": (now + dt.timedelta(days=90)).strftime("%Y-%m-%d"),
            "expires_at_1": "09:00:00",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    consent = Consent.objects.get()
    assert consent.insurer_id == world["a"].pk and consent.recorded_by.username == "t_operator"
    assert AuditEntry.objects.filter(object_type="audit.consent", action="create").exists()


def test_the_admin_refuses_an_unknown_person(world, role_user, client):
    client.force_login(role_user("operator"))
    response = client.post(
        reverse("admin:audit_consent_add"), {"psn_no": "NOPE", "insurer": world["a"].pk}
    )
    assert response.status_code == 200 and "没有这个人员编号" in response.content.decode()
    assert not Consent.objects.exists()


def test_insurer_users_see_only_their_own_insurers_consents(world, client):
    mine = _record(world["person"].psn_no, world["b"].pk)
    theirs = _record(world["person"].psn_no, world["a"].pk)
    client.force_login(world["user_b"])
    response = client.get(reverse("admin:audit_consent_changelist"))
    assert response.status_code == 200
    shown = set(response.context["cl"].queryset.values_list("pk", flat=True))
    assert shown == {mine.pk}
    change = client.get(reverse("admin:audit_consent_change", args=[theirs.pk]))
    assert change.status_code in (302, 404)
    assert client.get(reverse("admin:audit_consent_change", args=[mine.pk])).status_code == 200


def test_revoke_action_in_the_admin(world, role_user, client):
    consent = _record(world["person"].psn_no, world["a"].pk)
    client.force_login(role_user("operator"))
    response = client.post(
        reverse("admin:audit_consent_changelist"),
        {"action": "revoke_consents", "_selected_action": [consent.pk]},
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_at is not None and consent.revoked_by.username == "t_operator"
