"""The seed data a deploy synchronises after `migrate` (docs/runbook.md): one list of the
idempotent commands, run by the demo command, the test database's setup and the browser tests'
demo. The migrations hold no data."""

from __future__ import annotations

import io

from django.core.management import call_command

SEED_COMMANDS = ("sync_roles", "sync_plans", "sync_release_bands")


def seeds_sync(stdout=None) -> None:
    """Roles, shipped plans and release bands as declared; what each changed goes to `stdout`
    (discarded when None)."""
    for command in SEED_COMMANDS:
        call_command(command, stdout=stdout if stdout is not None else io.StringIO())
