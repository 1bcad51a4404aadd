"""Measure the action's own image: build time, size and cold start (podman), or what can be
measured without it.

    python bench/action_image.py [--base IMAGE] [--no-venv] [--runs N]

With podman: builds the root Dockerfile (`--base` replaces python:3.12-slim, e.g. a local
stand-in when the registry cannot be reached), reports build seconds and image bytes, then starts
the image as a runner starts a container action (workspace mounted, INPUT_* variables) on a copy
of examples/mysite: the first start after the build and the median of `--runs` more, from
`podman run` to exit. Always: the bytes of the build context the Dockerfile copies, and the time
and size of `pip install .` into a fresh virtualenv (the image's one expensive layer).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("pyproject.toml", "README.md", "entrypoint.py", "generator")
TAG = "localhost/django-dockerfile-action:bench"


def tree_bytes(path: Path) -> int:
    """Bytes of a file, or of every file under a directory (caches excluded)."""
    if path.is_file():
        return path.stat().st_size
    return sum(
        p.stat().st_size for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    )


def venv_install() -> dict[str, float]:
    """Seconds for `pip install .` into a new virtualenv, and the virtualenv's size."""
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        start = time.monotonic()
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", "--no-compile", str(ROOT)],
            check=True,
        )
        seconds = round(time.monotonic() - start, 1)
        return {"pip_install_seconds": seconds, "venv_bytes": tree_bytes(venv)}


def podman_build(base: str | None) -> dict[str, float] | None:
    """Build the action image with podman; None when podman is not installed."""
    podman = shutil.which("podman")
    if podman is None:
        return None
    cmd = [podman, "build", "--isolation=chroot", "--network=host", "-t", TAG]
    if base:
        cmd += ["--build-arg", f"PYTHON_IMAGE={base}"]
    start = time.monotonic()
    build = subprocess.run([*cmd, str(ROOT)], capture_output=True, text=True)
    seconds = time.monotonic() - start
    if build.returncode != 0:
        print(build.stderr[-2000:], file=sys.stderr)
        advice = "pass --base with a local python image where Docker Hub is unreachable"
        print(f"podman build failed; {advice}", file=sys.stderr)
        return {}
    size = _image_size(podman, TAG)
    base_size = _image_size(podman, base or "python:3.12-slim")
    # A stand-in base is bigger than the official slim image: what we add is the fair number.
    return {
        "build_seconds": round(seconds, 1),
        "image_bytes": size,
        "base_image_bytes": base_size,
        "added_bytes": size - base_size,
    }


def cold_start(runs: int) -> dict[str, float]:
    """Seconds from `podman run` to exit of the built image on examples/mysite (generate mode)."""
    podman = shutil.which("podman")
    assert podman is not None
    times: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs + 1):
            workspace = Path(tmp) / f"w{i}"
            shutil.copytree(ROOT / "examples" / "mysite", workspace)
            cmd = [
                podman, "run", "--rm", "--runtime", "runc", "--network=none",
                "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=4096:4096",
                "-v", f"{workspace}:/github/workspace",
                "-e", "GITHUB_WORKSPACE=/github/workspace", "-e", "INPUT_PYTHON-VERSION=3.12",
                TAG,
            ]  # fmt: skip
            start = time.monotonic()
            proc = subprocess.run(cmd, capture_output=True, text=True)
            times.append(time.monotonic() - start)
            if proc.returncode != 0 or not (workspace / "Dockerfile").exists():
                print(proc.stdout[-2000:], proc.stderr[-2000:], file=sys.stderr)
                return {}
    rest = sorted(times[1:])
    return {
        "first_start_seconds": round(times[0], 2),
        "start_seconds_median": round(rest[len(rest) // 2], 2) if rest else times[0],
    }


def _image_size(podman: str, image: str) -> int:
    out = subprocess.run(
        [podman, "image", "inspect", "--format", "{{.Size}}", image],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="base image instead of python:3.12-slim")
    parser.add_argument("--no-venv", action="store_true", help="skip the pip install timing")
    parser.add_argument("--runs", type=int, default=5, help="starts after the first (default 5)")
    args = parser.parse_args()
    result: dict[str, object] = {"context_bytes": sum(tree_bytes(ROOT / p) for p in COPIED)}
    if not args.no_venv:
        result.update(venv_install())
    image = podman_build(args.base)
    if image is None:
        print("podman not available: image build time and size not measured", file=sys.stderr)
    else:
        result.update(image)
        if image:
            result.update(cold_start(args.runs))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
