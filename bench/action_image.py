"""Measure the action's own image: build time and size (podman), or what can be measured without it.

    python bench/action_image.py [--base IMAGE] [--no-venv]

With podman: builds the root Dockerfile (`--base` replaces python:3.12-slim, e.g. a local
stand-in when the registry cannot be reached) and reports build seconds and image bytes.
Always: the bytes of the build context the Dockerfile copies, and the time and size of
`pip install .` into a fresh virtualenv (the image's one expensive layer).
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
    args = parser.parse_args()
    result: dict[str, object] = {"context_bytes": sum(tree_bytes(ROOT / p) for p in COPIED)}
    if not args.no_venv:
        result.update(venv_install())
    image = podman_build(args.base)
    if image is None:
        print("podman not available: image build time and size not measured", file=sys.stderr)
    else:
        result.update(image)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
