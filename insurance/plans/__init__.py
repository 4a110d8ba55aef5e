"""The shipped plan documents (JSON), one per scheme; loaded as plain dicts, no Django."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["PLANS_DIR", "load_shipped_plans"]

PLANS_DIR = Path(__file__).resolve().parent


def load_shipped_plans() -> dict[str, dict]:
    """Every shipped plan document keyed by its `code` (validate with parse_plan)."""
    plans: dict[str, dict] = {}
    for path in sorted(PLANS_DIR.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        plans[document["code"]] = document
    return plans
