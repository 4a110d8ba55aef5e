import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _untranslated(po_text: str) -> list[str]:
    entries = re.findall(r'\nmsgid "((?:[^"\\]|\\.)*)"\nmsgstr "((?:[^"\\]|\\.)*)"\n(?!")', po_text)
    return [msgid for msgid, msgstr in entries if msgid and not msgstr]


def test_every_chinese_string_has_an_english_translation():
    text = PO_FILE.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text.split("msgid", 2)[2], "fuzzy entries are not used by gettext"
    assert _untranslated(text) == []


@pytest.mark.django_db
def test_compiled_catalogue_is_used():
    with translation.override("en"):
        assert translation.gettext("工作台") == "Dashboard"
    with translation.override("zh-hans"):
        assert translation.gettext("工作台") == "工作台"


def test_third_party_admin_strings_are_chinese():
    # django-unfold, django-axes and django-otp ship no zh_Hans: locale/zh_Hans supplies it.
    with translation.override("zh-hans"):
        assert translation.gettext("Welcome back to") == "欢迎回到"
        assert translation.gettext("Return to site") == "返回网站"
