import ast
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

BASE = Path(settings.BASE_DIR)
PO_FILE = BASE / "locale" / "en" / "LC_MESSAGES" / "django.po"
# Where our own translatable strings live (tests and the virtualenv are not the product).
SOURCE_DIRS = ("audit", "claims", "config", "contracts", "insurance", "templates")
SOURCE_SUFFIXES = (".py", ".html", ".txt")

_STRING = r'"((?:[^"\\]|\\.)*)"'
_ESCAPES = {"n": "\n", "t": "\t"}


def _joined(block: str, keyword: str) -> str | None:
    """A keyword's value in one PO entry, its continuation lines joined."""
    match = re.search(rf"^{keyword} {_STRING}\n((?:{_STRING}\n)*)", block, re.M)
    if match is None:
        return None
    raw = match.group(1) + "".join(re.findall(_STRING, match.group(2)))
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), raw)


def po_entries(text: str) -> dict[tuple[str, str], tuple[list[str], bool]]:
    """(msgctxt, msgid) -> (its msgstr or msgstr[n] values, fuzzy?) of a PO or POT file."""
    entries = {}
    for block in text.split("\n\n"):
        block += "\n"
        msgid = _joined(block, "msgid")
        if not msgid:
            continue  # the header, or obsolete (#~) entries
        plural = [_joined(block, rf"msgstr\[{n}\]") for n in range(2)]
        msgstrs = [s for s in plural if s is not None] or [_joined(block, "msgstr") or ""]
        fuzzy = bool(re.search(r"^#,.*\bfuzzy\b", block, re.M))
        entries[(_joined(block, "msgctxt") or "", msgid)] = (msgstrs, fuzzy)
    return entries


def _untranslated(po_text: str) -> list[str]:
    return [
        msgid for (_ctx, msgid), (msgstrs, _f) in po_entries(po_text).items() if not all(msgstrs)
    ]


def test_every_chinese_string_has_an_english_translation():
    text = PO_FILE.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text.split("msgid", 2)[2], "fuzzy entries are not used by gettext"
    assert _untranslated(text) == []


def test_po_parser_reads_continuations_plurals_and_fuzzy():
    entries = po_entries(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#, fuzzy\nmsgid "甲"\nmsgstr "A"\n\n'
        'msgid ""\n"乙"\n"\\"丙\\"\\n"\nmsgstr ""\n"B"\n"C"\n\n'
        'msgctxt "月份"\nmsgid "五"\nmsgid_plural "五个"\nmsgstr[0] "May"\nmsgstr[1] ""\n'
    )
    assert entries == {
        ("", "甲"): (["A"], True),
        ("", '乙"丙"\n'): (["BC"], False),
        ("月份", "五"): (["May", ""], False),
    }


GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy"}
PGETTEXT_NAMES = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}


def python_msgids(root: Path) -> set[tuple[str, str]]:
    """(msgctxt, msgid) of every gettext call with literal arguments in the Python files under
    `root`, read with the parser: xgettext misses calls inside f-strings (`f"{x or _('全市')}"`)."""
    found = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
            if node.func.id in GETTEXT_NAMES and args and isinstance(args[0], str):
                found.add(("", args[0]))
            elif (
                node.func.id in PGETTEXT_NAMES
                and len(args) > 1
                and all(isinstance(a, str) for a in args[:2])
            ):
                found.add((args[0], args[1]))
    return found


def missing_translations(tmp_path: Path, extra: dict[str, str] | None = None) -> list[str]:
    """Every msgid makemessages extracts from our code (plus `extra` files, path -> text) that
    has no English msgstr in locale/en (missing, empty or fuzzy). The extraction reads a copy of
    the sources, so the repository's catalogues are not touched."""
    copy = tmp_path / "src"
    keep = shutil.ignore_patterns("__pycache__", "migrations", "locale")
    for name in SOURCE_DIRS:
        shutil.copytree(BASE / name, copy / name, ignore=keep)
    for name, text in (extra or {}).items():
        (copy / name).write_text(text, encoding="utf-8")
    (copy / "locale").mkdir()
    with override_settings(LOCALE_PATHS=[copy / "locale"]), _inside(copy):
        call_command("makemessages", locale=["en"], keep_pot=True, verbosity=0)
    extracted = set(po_entries((copy / "locale" / "django.pot").read_text(encoding="utf-8")))
    extracted |= python_msgids(copy)
    catalogue = po_entries(PO_FILE.read_text(encoding="utf-8"))
    return sorted(
        msgid
        for key in extracted
        for msgid in [key[1]]
        if key not in catalogue or catalogue[key][1] or not all(catalogue[key][0])
    )


@contextmanager
def _inside(directory: Path):
    before = Path.cwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(before)


@pytest.mark.django_db
def test_every_string_in_the_code_is_in_the_english_catalogue(tmp_path):
    """A `_("...")` in the code without an English msgstr fails here, even when nobody ran
    makemessages (then the catalogue simply lacks it)."""
    missing = missing_translations(tmp_path)
    assert missing == [], "makemessages, then translate: " + " | ".join(missing[:30])


@pytest.mark.django_db
def test_a_string_missing_from_the_catalogue_is_caught(tmp_path):
    probe = 'from django.utils.translation import gettext as _\n\nPROBE = _("尚未翻译的探针")\n'
    in_fstring = "from django.utils.translation import gettext as _\n\nf\"{0 or _('探针二')}\"\n"
    missing = missing_translations(
        tmp_path, {"config/probe.py": probe, "config/probe_fstring.py": in_fstring}
    )
    assert {"尚未翻译的探针", "探针二"} <= set(missing)


def test_the_parser_sees_gettext_inside_fstrings(tmp_path):
    (tmp_path / "m.py").write_text(
        "from django.utils.translation import gettext_lazy as _, pgettext\n"
        "A = f\"{None or _('全市')}\"\n"
        "B = pgettext('月份', '五')\n"
        "C = _(name)\n",
        encoding="utf-8",
    )
    assert python_msgids(tmp_path) == {("", "全市"), ("月份", "五")}


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
