"""`python manage.py security_roles_table`: the roles table of docs/security.md, from the code.

Reads `audit.roles.ROLES` and the two-factor roles of the settings and prints a Markdown table; a
test checks that the table in docs/security.md equals this output, so the doc cannot drift.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from audit.roles import ROLES


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def roles_table() -> str:
    two_factor = set(settings.MEDSUPP_2FA_ROLES)
    lines = [
        "| 角色（组） | 代码 | 职责 | 两步验证 | 模型权限 | 特别权限 |",
        "|---|---|---|---|---|---|",
    ]
    with translation.override("zh-hans"):
        for role in ROLES.values():
            grants = "<br>".join(
                f"`{g.app_label}.{g.model}`: {', '.join(g.actions)}" for g in role.grants
            )
            codenames = "<br>".join(f"`{c}`" for c in role.codenames) or "—"
            cells = [
                role.name,
                f"`{role.code}`",
                _cell(role.description),
                "是" if role.code in two_factor else "否",
                grants or "—",
                codenames,
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Print the roles table (Markdown) for docs/security.md."

    def handle(self, *args, **options):
        self.stdout.write(roles_table(), ending="")
