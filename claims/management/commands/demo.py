"""`python manage.py demo`: demo accounts (and, as features land, demo data). Idempotent.

Passwords are random, printed on the first run and kept in `.demo-credentials.txt` (ignored by
git) so that later runs can print them again.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from audit.roles import ROLES
from audit.services import user_ensure
from config.seeds import seeds_sync

CREDENTIALS_FILE = Path(settings.BASE_DIR) / ".demo-credentials.txt"


class Command(BaseCommand):
    help = "创建演示账号和演示数据（可重复运行） / create demo accounts and data (idempotent)"

    def handle(self, *args, **options):
        # The seeds a deploy syncs after migrate (roles, shipped plans, release bands): the demo
        # needs them, and they are idempotent.
        seeds_sync(stdout=self.stdout)
        created: list[tuple[str, str, str]] = []
        user, password = user_ensure(username="admin", superuser=True)
        if password:
            created.append(("admin", "超级用户 superuser", password))
        for code, role in ROLES.items():
            user, password = user_ensure(username=f"demo_{code}", role_code=code)
            if password:
                created.append((user.username, f"{role.name} {code}", password))
        from insurance.services.demo import demo_city_ensure

        demo_city_ensure(people=300, seed=1)  # a small synthetic city (idempotent)
        from claims.demo import demo_claims_ensure

        demo_claims_ensure()  # plans, an insurer's contract, settlements through the pipeline
        if created:
            self._remember(created)
        self._print_credentials()

    def _remember(self, created: list[tuple[str, str, str]]) -> None:
        # One line per account: a fresh database must not leave stale passwords behind.
        known: dict[str, str] = {}
        if CREDENTIALS_FILE.exists():
            for line in CREDENTIALS_FILE.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    known[line.split("\t", 1)[0]] = line
        for username, role, password in created:
            known[username] = f"{username}\t{password}\t{role}"
        CREDENTIALS_FILE.write_text("\n".join(known.values()) + "\n", encoding="utf-8")

    def _print_credentials(self) -> None:
        if not CREDENTIALS_FILE.exists():
            return
        self.stdout.write(
            self.style.SUCCESS("演示账号 / demo accounts (username, password, role):")
        )
        self.stdout.write(CREDENTIALS_FILE.read_text(encoding="utf-8"))
