"""Project tools for the end-to-end suite (django-admin, wagtail, uv, poetry, pipenv, pdm) in cached
venvs, and the generator's CLI. A plain module, not conftest: the unit tests' conftest would
shadow it under that name when the whole suite runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
    # An older pipenv, to write a Pipfile.lock as projects locked in 2023 carry (issue 10, 11).
    "pipenv@2023.12.1": ("pipenv-2023", ["pipenv==2023.12.1"]),
    # Poetry 1, to write a poetry.lock Poetry 2 refuses for a pyproject.toml with [project].
    "poetry@1.8.5": ("poetry-1", ["poetry==1.8.5"]),
}


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
    path = venv / "bin" / name.split("@")[0]  # "pipenv@2023.12.1" runs that release's pipenv
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


def runtime_contract(project: Path) -> dict[str, str]:
    """The variables `detect --run-command` prints for PROJECT, as the env of a container."""
    import shlex

    proc = subprocess.run(
        [sys.executable, "-m", "generator", "detect", "--run-command", str(project)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, f"detect --run-command failed:\n{proc.stderr}"
    argv = shlex.split(proc.stdout)
    return dict(argv[i + 1].split("=", 1) for i, arg in enumerate(argv) if arg == "-e")
