"""Fixtures for the end-to-end suite: podman checks, stand-in bases, the project tools, cleanup.

The suite is slow (it builds images), so it runs only when asked: `E2E=1` or `-m e2e`. With E2E=1
(as in CI) a missing podman fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import harness
import pytest
import standin

REPO = Path(__file__).resolve().parents[2]
TOOLS = standin.CACHE / "tools"
# tool command -> (its own venv, what it needs from PyPI). Separate venvs: poetry, pdm and pipenv
# pin different versions of shared libraries (hishel, httpx). Django stays below 6 so the projects
# run on the Python 3.11 stand-in.
TOOL_PACKAGES = {
    "django-admin": ("django", ["django>=5.2,<6", "wagtail"]),
    "wagtail": ("django", ["django>=5.2,<6", "wagtail"]),
    "uv": ("uv", ["uv"]),
    "poetry": ("poetry", ["poetry"]),
    "pipenv": ("pipenv", ["pipenv"]),
    # pdm 2.29 calls hishel.SyncSqliteStorage, which hishel 2.0 removed.
    "pdm": ("pdm", ["pdm", "hishel<2"]),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip e2e tests unless E2E=1 or the run selects them with -m e2e."""
    if os.environ.get("E2E") == "1" or "e2e" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="builds container images (slow); run with E2E=1 or -m e2e")
    for item in items:
        if item.get_closest_marker("e2e") is not None:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def podman_ready() -> None:
    """Skip (or, with E2E=1, fail) when podman cannot build and run containers here."""
    reason = harness.podman_available()
    if reason is None:
        return
    if os.environ.get("E2E") == "1":
        pytest.fail(f"E2E=1 but {reason}")
    pytest.skip(reason)


def _pip_install(venv: Path, packages: list[str]) -> None:
    if not (venv / "bin/python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    for _attempt in range(3):
        proc = subprocess.run(
            [str(venv / "bin/pip"), "install", "-q", *packages],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode == 0:
            return
    raise RuntimeError(f"pip install {packages} failed 3 times:\n{proc.stderr[-2000:]}")


def tool(name: str) -> str:
    """Path of a project tool (django-admin, wagtail, uv, ...) installed in a cached venv."""
    venv_name, packages = TOOL_PACKAGES[name]
    venv = TOOLS / venv_name
    path = venv / "bin" / name
    if not path.exists():
        _pip_install(venv, packages)
    return str(path)


def run_tool(*cmd: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a project tool; raise with its output when it fails (tried 3 times: lockers fetch)."""
    bin_dir = str(Path(cmd[0]).parent) if "/" in cmd[0] else ""
    full_env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", **(env or {})}
    for _attempt in range(3):
        proc = subprocess.run(
            list(cmd), cwd=cwd, env=full_env, capture_output=True, text=True, check=False
        )
        if proc.returncode == 0:
            return proc.stdout
    raise RuntimeError(
        f"{' '.join(cmd)} failed 3 times:\n{proc.stdout[-1500:]}{proc.stderr[-3000:]}"
    )


def generate(project: Path, *flags: str) -> Path:
    """Run the real CLI on PROJECT (FLAGS choose a Python a stand-in provides); the Dockerfile."""
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "generate", str(project), *flags],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, f"generate failed ({proc.returncode}):\n{proc.stderr}"
    return project / "Dockerfile"


@pytest.fixture
def images(podman_ready: None) -> Iterator[list[str]]:
    """A list the test appends image tags to; they are removed afterwards."""
    tags: list[str] = []
    yield tags
    for tag in tags:
        harness.remove_image(tag)


@pytest.fixture
def containers(podman_ready: None) -> Iterator[list[harness.Container]]:
    """A list the test appends containers to; they are removed afterwards."""
    started: list[harness.Container] = []
    yield started
    for container in started:
        harness.remove_container(container)


@pytest.fixture
def unique_tag() -> str:
    """An image name no other test or run uses."""
    return f"localhost/django-dockerfile-e2e/app:{uuid.uuid4().hex[:10]}"
