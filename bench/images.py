"""Benchmark: our generated Dockerfile against the seed Dockerfile (facts.md §1), built with podman.

For the example project (examples/mysite), a `django-admin startproject` project and a
`wagtail start` project, on the same stand-in `python:*-slim-*` base, it prints image size added over the base, cold build time (no layer
cache) and rebuild time after a one-line code change, side by side with ratios (seed / ours).

    python bench/images.py [example] [startproject] [wagtail]

Figures, not a timed test: they vary with the network and the machine. Targets from issue 6:
rebuild at least 5x faster than the seed, added size at least 3x smaller.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests/e2e"))

import harness  # noqa: E402
import projects  # noqa: E402
import standin  # noqa: E402

# The seed's first form (facts.md §1) with only FROM changed: `python:latest` cannot be pulled
# here, so it uses the base our Dockerfile uses, which makes the comparison like for like.
SEED = """\
FROM {base}
WORKDIR /app
RUN apt-get update -qq && apt-get install -y git python3-pip build-essential
COPY . /app
RUN python3 -m pip install -r requirements.txt
"""


@dataclass(frozen=True)
class Figures:
    added_mb: float
    cold_s: float
    rebuild_s: float


def _generate(project: projects.Project) -> Path:
    python, variant = project.python
    cmd = [sys.executable, "-m", "generator", "generate", str(project.root)]
    cmd += ["--python-version", python, "--base-variant", variant]
    subprocess.run(cmd, cwd=REPO, check=True, capture_output=True)
    return project.root / "Dockerfile"


def _measure(root: Path, dockerfile: Path, touch: Path, base_size: int) -> Figures:
    tag = f"localhost/django-dockerfile-bench:{uuid.uuid4().hex[:10]}"
    try:
        cold = harness.build(root, tag, dockerfile=dockerfile, no_cache=True)
        added = harness.image_size(tag) - base_size
        # The one-line code change a developer makes between two builds.
        touch.write_text(touch.read_text() + "\n# a one-line change\n")
        rebuild = harness.build(root, tag, dockerfile=dockerfile)
    finally:
        harness.remove_image(tag)
    return Figures(added / 1e6, cold.seconds, rebuild.seconds)


def bench(name: str, make: Callable[[Path], projects.Project], touch: str) -> tuple[Figures, ...]:
    """Build one project with both Dockerfiles; return (ours, seed)."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
        root = Path(tmp) / name
        project = make(root)
        ours = _generate(project)
        base_ref = standin.provide_bases(ours)[0]
        base_size = harness.image_size(base_ref)
        seed = Path(tmp) / "Dockerfile.seed"
        seed.write_text(SEED.format(base=base_ref))
        # The seed has no .dockerignore; ours would hide nothing it needs, but keep it fair.
        ignore = project.root / ".dockerignore"
        ignore_text = ignore.read_text()
        ours_figures = _measure(project.root, ours, project.root / touch, base_size)
        ignore.unlink()
        seed_figures = _measure(project.root, seed, project.root / touch, base_size)
        ignore.write_text(ignore_text)
    return ours_figures, seed_figures


def _ratio(seed: float, ours: float) -> str:
    return f"{seed / ours:.1f}x" if ours > 0 else "n/a"


def main(argv: list[str]) -> int:
    """Run the benchmark for the named projects and print the table."""
    cases = {
        "example": (projects.example_project, "mysite/urls.py"),
        "startproject": (projects.pip_startproject, "mysite/urls.py"),
        "wagtail": (projects.wagtail_project, "home/models.py"),
    }
    wanted = argv or list(cases)
    reason = harness.podman_available()
    if reason:
        print(f"cannot benchmark: {reason}", file=sys.stderr)
        return 1
    rows = []
    for name in wanted:
        make, touch = cases[name]
        print(f"building {name} (ours, then the seed) ...", file=sys.stderr, flush=True)
        ours, seed = bench(name, make, touch)
        rows.append((name, ours, seed))
    header = f"{'project':<14}{'metric':<16}{'ours':>10}{'seed':>10}{'seed/ours':>11}"
    print(header)
    print("-" * len(header))
    for name, ours, seed in rows:
        for label, a, b, unit in (
            ("added size", ours.added_mb, seed.added_mb, "MB"),
            ("cold build", ours.cold_s, seed.cold_s, "s"),
            ("rebuild", ours.rebuild_s, seed.rebuild_s, "s"),
        ):
            print(f"{name:<14}{label:<16}{a:>8.1f}{unit:<2}{b:>8.1f}{unit:<2}{_ratio(b, a):>11}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
