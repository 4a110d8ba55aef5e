"""Issue 19, points 2 and 3: every API view checks the model permission and the row scope through
the same door as the admin (`audit.scoping.restrict`), and the API takes keys only, so a session
whose second factor was never given cannot call it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from audit.services import api_key_create
from claims.settlements.services.batches import batch_receive
from contracts.services.insurers import insurer_user_link
from tests.contracts.factories import ContractFactory

ALL_SCOPES = ["settlements:read", "settlements:write", "persons:read"]


@pytest.fixture
def batch(db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    contract = ContractFactory()
    upload = SimpleUploadedFile("other.csv", b"setl_id\nnot a settlement file\n")
    return batch_receive(contract=contract, fileobj=upload, filename="other.csv", queue=False).batch


def _key_client(user) -> APIClient:
    _key, plain = api_key_create(user=user, name="probe", scopes=ALL_SCOPES)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    return api


def _no_role_accounts(django_user_model, role_user):
    yield "administrator", role_user("administrator", username="sysadmin")
    yield (
        "staff without groups",
        django_user_model.objects.create_user(
            "bare_staff", password="pw-for-tests-1", is_staff=True
        ),
    )
    yield (
        "non-staff user",
        django_user_model.objects.create_user("bare_user", password="pw-for-tests-1"),
    )


@pytest.mark.django_db
def test_accounts_without_a_role_read_no_batch(batch, django_user_model, role_user):
    for who, user in _no_role_accounts(django_user_model, role_user):
        api = _key_client(user)
        listing = api.get("/api/v1/settlement-batches/")
        assert listing.status_code == 403, (who, listing.status_code)
        for url in (
            f"/api/v1/settlement-batches/{batch.pk}/",
            f"/api/v1/settlement-batches/{batch.pk}/errors/",
        ):
            assert api.get(url).status_code == 403, (who, url)
        upload = SimpleUploadedFile("x.csv", b"setl_id\n1\n")
        posted = api.post(
            "/api/v1/settlement-batches/",
            {"contract": batch.contract_id, "file": upload},
            format="multipart",
        )
        assert posted.status_code == 403, (who, posted.status_code)
        # Who am I answers any valid key, about its own holder only.
        assert api.get("/api/v1/me/").json()["username"] == user.username


@pytest.mark.django_db
def test_an_insurer_key_reads_its_own_batches_only(batch, role_user):
    own = role_user("insurer", username="own_clerk")
    insurer_user_link(user=own, insurer=batch.insurer, actor=None)
    other = role_user("insurer", username="other_clerk")
    insurer_user_link(user=other, insurer=ContractFactory().lead_insurer, actor=None)
    assert _key_client(own).get(f"/api/v1/settlement-batches/{batch.pk}/").status_code == 200
    other_api = _key_client(other)
    assert other_api.get(f"/api/v1/settlement-batches/{batch.pk}/").status_code == 404
    listing = other_api.get("/api/v1/settlement-batches/")
    assert listing.status_code == 200 and listing.json()["results"] == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["finance", "director", "auditor"])
def test_a_session_without_its_second_factor_cannot_call_the_api(batch, client, role_user, role):
    user = role_user(role)
    client.force_login(user)  # password only: the second factor was never given
    assert client.get("/api/v1/settlement-batches/").status_code == 401
    assert client.get(f"/api/v1/settlement-batches/{batch.pk}/").status_code == 401
    upload = SimpleUploadedFile("x.csv", b"setl_id\n1\n")
    posted = client.post(
        "/api/v1/settlement-batches/", {"contract": batch.contract_id, "file": upload}
    )
    assert posted.status_code == 401


@pytest.mark.django_db
def test_even_a_verified_session_is_no_key(batch, verified_client, django_user_model):
    root = django_user_model.objects.create_superuser("root", "r@example.cn", "pw-for-tests-1")
    client = verified_client(root)
    assert client.get("/admin/").status_code == 200  # the session itself is good
    assert client.get("/api/v1/settlement-batches/").status_code == 401
    assert client.get("/api/v1/me/").status_code == 401
