"""Security checks that belong in CI: Django's deployment check on the production settings, and
the roles table of docs/security.md kept equal to the code."""

import base64
import os
import re
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def _own_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _production_env(**overrides) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "MEDSUPP_", "DATABASE_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="example.cn",
        MEDSUPP_DATA_KEYS="1:" + _own_key(),
        MEDSUPP_BLIND_INDEX_KEY=_own_key(),
        MEDSUPP_AUDIT_KEY=_own_key(),
        MEDSUPP_AUDIT_CHECKPOINT_DIR=str(ROOT / "var" / "test-checkpoints"),
        MEDSUPP_TRUSTED_PROXIES="127.0.0.1",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def _check_deploy(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_with_the_production_settings():
    result = _check_deploy(_production_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output, output


DEV = {
    "data_keys": "1:bG9jYWwtb25seS1kYXRhLWtleS0wMDAwMDAwMDAwMDA=",
    "blind": "bG9jYWwtb25seS1ibGluZC1pbmRleC1rZXktMDAwMDA=",
    "audit": "bG9jYWwtb25seS1hdWRpdC1jaGFpbi1rZXktMDAwMDA=",
}


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"MEDSUPP_DATA_KEYS": None}, "MEDSUPP_DATA_KEYS"),
        ({"MEDSUPP_DATA_KEYS": ""}, "MEDSUPP_DATA_KEYS"),
        ({"MEDSUPP_DATA_KEYS": DEV["data_keys"]}, "MEDSUPP_DATA_KEYS"),
        # the development key under another version number is still the development key
        ({"MEDSUPP_DATA_KEYS": "7:" + DEV["data_keys"][2:]}, "MEDSUPP_DATA_KEYS"),
        ({"MEDSUPP_BLIND_INDEX_KEY": None}, "MEDSUPP_BLIND_INDEX_KEY"),
        ({"MEDSUPP_BLIND_INDEX_KEY": DEV["blind"]}, "MEDSUPP_BLIND_INDEX_KEY"),
        ({"MEDSUPP_AUDIT_KEY": None}, "MEDSUPP_AUDIT_KEY"),
        ({"MEDSUPP_AUDIT_KEY": DEV["audit"]}, "MEDSUPP_AUDIT_KEY"),
        ({"MEDSUPP_AUDIT_KEY": "c2hvcnQ="}, "MEDSUPP_AUDIT_KEY"),
        ({"DJANGO_SECRET_KEY": None}, "DJANGO_SECRET_KEY"),
        (
            {"DJANGO_SECRET_KEY": "insecure-local-only-key-change-me-0123456789abcdef"},
            "DJANGO_SECRET_KEY",
        ),
    ],
    ids=lambda value: (
        "-".join(f"{k}={'unset' if v is None else 'dev'}" for k, v in value.items())
        if isinstance(value, dict)
        else value
    ),
)
def test_production_refuses_to_start_without_its_own_keys(overrides, named):
    """Issue 19, point 12: the development keys of base.py never serve production."""
    result = _check_deploy(_production_env(**overrides))
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "ImproperlyConfigured" in output and named in output, output


def test_the_roles_table_in_the_doc_is_the_commands_output():
    doc = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- roles-table:start -->\n(.*?)<!-- roles-table:end -->", doc, re.S)
    assert match, "docs/security.md lost its roles-table markers"
    out = StringIO()
    call_command("security_roles_table", stdout=out)
    assert match.group(1).strip() == out.getvalue().strip(), (
        "docs/security.md is out of date: paste `python manage.py security_roles_table` between "
        "the markers"
    )
    assert "`insurer`" in out.getvalue() and "`audit.consent`: view" in out.getvalue()


_SHARED = _own_key()


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        (
            {"MEDSUPP_DATA_KEYS": "1:" + _SHARED, "MEDSUPP_AUDIT_KEY": _SHARED},
            "MEDSUPP_AUDIT_KEY",
        ),
        (
            {
                "MEDSUPP_DATA_KEYS": f"2:{_own_key()},1:{_SHARED}",
                "MEDSUPP_BLIND_INDEX_KEY": _SHARED,
            },
            "MEDSUPP_BLIND_INDEX_KEY",
        ),
        ({"MEDSUPP_AUDIT_KEY": _SHARED, "MEDSUPP_BLIND_INDEX_KEY": _SHARED}, "MEDSUPP_AUDIT_KEY"),
    ],
    ids=["data-and-audit", "older-data-key-and-blind-index", "audit-and-blind-index"],
)
def test_production_refuses_one_key_for_two_purposes(overrides, named):
    """Review of issue 19, point 10: the key that encrypts personal data never keys the audit
    chain or the blind index too."""
    result = _check_deploy(_production_env(**overrides))
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "must be different keys" in output and named in output, output
