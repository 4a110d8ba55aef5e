"""Copy the screenshots the guides use from the browser tests' build/screenshots/ into
docs/guides/img/, as small palette PNGs (each at most 150 KB).

    .venv/bin/pytest tests/browser && .venv/bin/python docs/guides/update_images.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from PIL import Image

GUIDES = Path(__file__).resolve().parent
SHOTS = GUIDES.parents[1] / "build" / "screenshots"
LIMIT = 150 * 1024


def used() -> set[str]:
    names = set()
    for guide in GUIDES.glob("*.md"):
        names |= set(re.findall(r"\(img/([\w-]+\.png)\)", guide.read_text(encoding="utf-8")))
    return names


def main() -> int:
    missing = []
    for name in sorted(used()):
        source = SHOTS / name
        if not source.exists():
            missing.append(name)
            continue
        image = Image.open(source).convert("RGB")
        target = GUIDES / "img" / name
        for width in (image.width, 1100, 900):
            small = image.resize((width, image.height * width // image.width))
            small.quantize(colors=128).save(target, optimize=True)
            if target.stat().st_size <= LIMIT:
                break
        print(f"{name}: {target.stat().st_size // 1024} KB")
    for stale in set(p.name for p in (GUIDES / "img").glob("*.png")) - used():
        (GUIDES / "img" / stale).unlink()
    if missing:
        print("run the browser tests first; missing:", ", ".join(missing), file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
