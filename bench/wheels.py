"""What asking PyPI's simple index about the pinned packages' wheels costs per run.

    python bench/wheels.py TREE...     # e.g. the checkouts of real projects

For each tree: generation with a cold cache (every pin without a lockfile file list is asked
for), again with the cache warm, and with --offline (the recorded table); the number of index
pages fetched, the Python chosen, and the source that judged the wheels. Target: a cold run
stays within a few seconds (the index has a 12 s deadline and 60 requests per run).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run(tree: Path, cache: Path, *flags: str) -> tuple[float, str]:
    env = {**os.environ, "DJANGO_DOCKERFILE_CACHE": str(cache), "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "generator", str(tree), "--stdout", *flags],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    seconds = time.perf_counter() - start
    python = next(
        (
            line.split("=", 1)[1]
            for line in proc.stdout.splitlines()
            if line.startswith("ARG PYTHON_VERSION=")
        ),
        "-",
    )
    return seconds, python


def main(trees: list[str]) -> int:
    if not trees:
        print(__doc__)
        return 2
    print(f"{'tree':30} {'cold s':>7} {'warm s':>7} {'offline s':>9} {'pages':>5}  python")
    for tree in map(Path, trees):
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp)
            cold, python = run(tree, cache)
            pages = len(list((cache / "simple").glob("*.json")))
            warm, _ = run(tree, cache)
            offline, offline_python = run(tree, cache / "none", "--offline")
        note = "" if offline_python == python else f" (offline: {offline_python})"
        print(
            f"{tree.name[:30]:30} {cold:7.2f} {warm:7.2f} {offline:9.2f} {pages:5}  {python}{note}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
