import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse


def test_chinese_first_settings():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert ("en", "English") in settings.LANGUAGES


@pytest.mark.django_db
def test_healthz_reports_database(client):
    response = client.get("/healthz")
    body = json.loads(response.content)
    assert response.status_code == 200
    assert body["checks"]["database"] == "ok"
    expected_redis = "ok" if settings.REDIS_URL else "not configured"
    assert body["checks"]["redis"] == expected_redis


@pytest.mark.django_db
def test_healthz_fails_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["redis"].startswith("error")


@pytest.mark.django_db
def test_admin_login_page_is_chinese(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert "用户名" in response.content.decode()
    assert settings.BUREAU_NAME in response.content.decode()


@pytest.mark.django_db
def test_admin_switches_to_english(client):
    response = client.get("/en/admin/login/")
    assert response.status_code == 200
    assert "Username" in response.content.decode()


@pytest.mark.django_db
def test_openapi_schema_and_docs_answer(client):
    schema = client.get(reverse("api-schema"))
    assert schema.status_code == 200
    assert b"/api/v1/me/" in schema.content
    assert client.get(reverse("api-docs")).status_code == 200


@pytest.mark.django_db
def test_no_missing_migrations():
    # Raises SystemExit(1) when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
