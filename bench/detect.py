"""Detection time on generated trees, process start included.

    python bench/detect.py            # prints figures; targets: 200,000 files < 1 s, 2,000 files < 100 ms

The large tree has most of its files under node_modules/ and .venv/, as real checkouts do.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = {
    "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_.settings")\n',
    "requirements.txt": "Django>=5.2,<6\ngunicorn\npsycopg[binary]\n",
    ".python-version": "3.12\n",
    "site_/__init__.py": "",
    "site_/settings.py": 'INSTALLED_APPS = ["django.contrib.staticfiles"]\nSTATIC_ROOT = "staticfiles"\n'
    'WSGI_APPLICATION = "site_.wsgi.application"\n',
    "site_/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
}


def make_tree(root: Path, total: int, project_files: int) -> None:
    for rel, text in PROJECT.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    # The project's own code: apps with modules and templates.
    for i in range(project_files - len(PROJECT)):
        d = root / f"app{i // 50}"
        d.mkdir(exist_ok=True)
        (d / f"m{i}.py").write_text("x = 1\n")
    # Dependencies: node_modules and a virtualenv, 10 files a folder.
    rest = total - project_files
    (root / ".venv").mkdir(exist_ok=True)
    (root / ".venv" / "pyvenv.cfg").write_text("home = /usr\n")
    for i in range(rest):
        base = "node_modules" if i % 2 else ".venv/lib/python3.12/site-packages"
        d = root / base / f"pkg{i // 10}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"f{i}.js").write_text("")


def time_detect(root: Path, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "generator", "detect", str(root), "--json"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    # Measure the tool as installed: pip compiles bytecode at install time, so do the same here
    # (PYTHONDONTWRITEBYTECODE in some environments would otherwise recompile on every start).
    package = Path(__file__).resolve().parent.parent / "generator"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    python_start = time_detect_bare()
    for total, project, target in ((2_000, 2_000, 0.100), (200_000, 2_000, 1.0)):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            make_tree(root, total, project)
            seconds = time_detect(root)
            verdict = "ok" if seconds < target else "OVER TARGET"
            print(
                f"{total:>8,} files: detect {seconds * 1000:7.1f} ms (median of 5, process start "
                f"included; target < {target * 1000:.0f} ms) {verdict}; "
                f"{(seconds - python_start) * 1000:.1f} ms above a bare interpreter start"
            )
    print(f"bare `python -c pass` start for reference: {python_start * 1000:.1f} ms")


def time_detect_bare() -> float:
    times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


if __name__ == "__main__":
    main()
