from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import ApiKey, AuditEntry
from audit.services import api_key_create, api_key_revoke


def _client(plain: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    return client


@pytest.mark.django_db
def test_a_valid_key_authenticates_and_only_its_hash_is_stored(role_user):
    user = role_user("insurer")
    key, plain = api_key_create(user=user, name="core system", scopes=["settlements:write"])
    assert plain.split(".")[1] not in key.secret_hash
    assert ApiKey.objects.get(pk=key.pk).secret_hash == ApiKey.hash_secret(plain.split(".")[1])
    response = _client(plain).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json() == {
        "username": user.username, "roles": ["insurer"], "insurer": None, "insurer_name": None,
        "scopes": ["settlements:write"], "contracts": [],
    }  # fmt: skip
    key.refresh_from_db()
    assert key.last_used_at is not None


@pytest.mark.django_db
def test_an_expired_key_is_refused(role_user):
    key, plain = api_key_create(user=role_user("insurer"), name="old", scopes=[])
    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _client(plain).get("/api/v1/me/")
    assert response.status_code == 401
    assert "过期" in response.json()["detail"]


@pytest.mark.django_db
def test_a_revoked_key_is_refused_and_the_revocation_audited(role_user):
    director = role_user("director")
    key, plain = api_key_create(user=role_user("insurer"), name="x", scopes=[])
    api_key_revoke(key=key, actor=director, reason="leaked")
    assert _client(plain).get("/api/v1/me/").status_code == 401
    entry = AuditEntry.objects.filter(object_type="audit.apikey", object_id=str(key.pk)).latest(
        "id"
    )
    assert entry.reason == "leaked" and entry.actor_name == director.username


@pytest.mark.django_db
def test_a_wrong_secret_is_refused(role_user):
    _key, plain = api_key_create(user=role_user("insurer"), name="x", scopes=[])
    prefix = plain.split(".")[0]
    assert _client(f"{prefix}.not-the-secret").get("/api/v1/me/").status_code == 401
    assert APIClient().get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_unknown_scopes_are_refused(role_user):
    with pytest.raises(ValueError, match="unknown scopes"):
        api_key_create(user=role_user("insurer"), name="x", scopes=["everything"])


@pytest.mark.django_db
def test_admin_creates_a_key_and_shows_it_once(
    client, verified_client, django_user_model, role_user
):
    admin_user = django_user_model.objects.create_superuser("root", "r@example.cn", "pw-long-1234")
    verified_client(admin_user)
    insurer = role_user("insurer")
    response = client.post(
        "/admin/audit/apikey/add/",
        {"user": insurer.pk, "name": "upload", "scopes": ["settlements:write"], "days_valid": 30},
        follow=True,
    )
    assert response.status_code == 200
    key = ApiKey.objects.get(name="upload")
    shown = [str(m) for m in response.context["messages"] if key.prefix in str(m)]
    assert len(shown) == 1
    plain = shown[0].split("：", 1)[1]
    assert _client(plain).get("/api/v1/me/").status_code == 200
