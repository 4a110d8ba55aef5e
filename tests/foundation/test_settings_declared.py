"""Declared configuration: every setting the code reads is declared in `config/settings/base.py`
with its default and read as `settings.NAME`; every environment variable the settings read is
documented in `.env.example`."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ("config", "insurance", "contracts", "claims", "audit")
READ = re.compile(r"\bsettings\.([A-Z][A-Z0-9_]*)\b")
GETATTR = re.compile(r"getattr\(\s*settings\s*,\s*([^,)]+)")
ENV = re.compile(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"")
# Ingest modules that still read a switch with getattr: the ingest work (issue 20) owns them. The
# switches are declared all the same; this list may only shrink.
GETATTR_LEFT: set[str] = set()


def _code() -> dict[str, str]:
    files = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative.startswith("config/settings/"):
                continue
            files[relative] = path.read_text(encoding="utf-8")
    return files


def test_every_setting_read_is_declared_in_base():
    base = importlib.import_module("config.settings.base")
    undeclared = {
        f"{path}: {name}"
        for path, text in _code().items()
        for name in READ.findall(text)
        if not hasattr(base, name)
    }
    assert not undeclared, (
        f"settings read but not declared in config/settings/base.py: {undeclared}"
    )


def test_settings_are_read_directly_not_with_getattr():
    with_getattr = {path for path, text in _code().items() if GETATTR.search(text)}
    assert with_getattr <= GETATTR_LEFT, (
        f"read settings.NAME instead: {with_getattr - GETATTR_LEFT}"
    )
    fixed = GETATTR_LEFT - with_getattr
    assert not fixed, f"no getattr left in {fixed}: remove them from GETATTR_LEFT"


def test_every_environment_variable_is_documented():
    read = set()
    for profile in ("base", "local", "production", "test"):
        read |= set(ENV.findall((ROOT / "config" / "settings" / f"{profile}.py").read_text()))
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, re.MULTILINE))
    assert read - documented == set(), f"not in .env.example: {sorted(read - documented)}"
