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

from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_passes_with_the_production_settings():
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "MEDSUPP_", "DATABASE_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="example.cn",
        MEDSUPP_DATA_KEYS="1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        MEDSUPP_BLIND_INDEX_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output, output


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
