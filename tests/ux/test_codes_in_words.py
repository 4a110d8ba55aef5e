"""Issue 23, point 1: what the admin says is Chinese words, not codes and English leftovers."""

import datetime as dt
import json
import re
from pathlib import Path
from unittest import mock

import django
import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from tests.conftest import login_verified

ADMIN_JS_PO = (
    Path(django.__file__).parent
    / "contrib"
    / "admin"
    / "locale"
    / "en"
    / "LC_MESSAGES"
    / "djangojs.po"
)


def test_third_party_apps_and_models_have_chinese_names():
    with translation.override("zh-hans"):
        assert str(apps.get_app_config("axes").verbose_name) == "登录保护"
        assert str(apps.get_app_config("otp_totp").verbose_name) == "双因素认证"
        device = apps.get_model("otp_totp", "TOTPDevice")._meta
        assert (str(device.verbose_name), str(device.verbose_name_plural)) == ("动态口令设备",) * 2


@pytest.mark.django_db
def test_the_sidebar_shows_no_english_app_names(client, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="pw-for-tests-1")
    page = login_verified(client, root).get(reverse("admin:index")).content.decode()
    for leftover in ("Otp_Totp", "Axes", "TOTP device"):
        assert leftover not in page
    assert "双因素认证" in page and "登录保护" in page


def _admin_js_msgids() -> list[str]:
    """The admin's JavaScript msgids as the catalogue keys them ("context\x04msgid")."""
    keys = []
    for block in ADMIN_JS_PO.read_text(encoding="utf-8").split("\n\n"):
        msgid = re.search(r'^msgid "((?:[^"\\]|\\.)+)"', block, re.M)
        if msgid is None:
            continue
        context = re.search(r'^msgctxt "((?:[^"\\]|\\.)+)"', block, re.M)
        key = json.loads(f'"{msgid.group(1)}"')
        keys.append(
            f"{json.loads(chr(34) + context.group(1) + chr(34))}\x04{key}" if context else key
        )
    return keys


@pytest.mark.django_db
def test_every_admin_widget_string_is_chinese_in_the_javascript_catalogue(
    client, django_user_model
):
    root = django_user_model.objects.create_superuser("root", password="pw-for-tests-1")
    script = login_verified(client, root).get(reverse("admin:jsi18n")).content.decode()
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\});\n", script, re.S).group(1))
    untranslated = [m for m in _admin_js_msgids() if m not in catalog]
    assert untranslated == []
    chosen = catalog['Choose %s by selecting them and then select the "Choose" arrow button.']
    assert chosen == "选中左侧的%s，再点击“选择”箭头按钮。"


@pytest.mark.django_db
def test_export_file_is_dated_in_the_bureau_time_zone(client, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="pw-for-tests-1")
    # 3 December 17:00 UTC is already 4 December 01:00 in Shanghai
    utc = dt.datetime(2026, 12, 3, 17, 0, tzinfo=dt.UTC)
    with mock.patch("django.utils.timezone.now", return_value=utc):
        response = login_verified(client, root).post(
            reverse("admin:insurance_person_export"),
            {"format": 1, "resource": 0, "personresource_psn_no": "on"},
        )
    assert response.status_code == 200
    assert 'filename="Person-2026-12-04.xlsx"' in response["Content-Disposition"]
