"""The package as users get it: `pip install .` into an empty virtualenv, no test extras.

A dependency that only this machine (or the `test` extra) happens to provide hides here until a user
or the action image meets an ImportError. So: build a fresh venv from a copy of the source, import
every module of the package in it, and run the two front doors (the CLI and the action's entry
point) as the README and action.yml run them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What `pip install .` needs; tests, docs and caches stay behind so the copy is the package alone.
_SKIP = shutil.ignore_patterns(
    ".git", "tests", "bench", "docs", ".github", "build", "dist", "*.egg-info", "__pycache__",
    ".venv", "venv", ".pytest_cache", ".ruff_cache", ".hypothesis", ".e2e-cache",
)  # fmt: skip

_IMPORT_ALL = """
import importlib, pkgutil, generator
names = [m.name for m in pkgutil.walk_packages(generator.__path__, "generator.")
         if not m.name.endswith("__main__")]  # runs the CLI when imported
for name in names:
    importlib.import_module(name)
print(len(names), "modules imported")
"""


def _clean_env(**extra: str) -> dict[str, str]:
    """The venv's PATH only, none of this run's PYTHONPATH or GitHub variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "PYTHON"))}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv holding `pip install .` of a copy of this checkout and nothing else; its bin dir."""
    base = tmp_path_factory.mktemp("install")
    source = base / "src"
    shutil.copytree(ROOT, source, ignore=_SKIP, symlinks=True)
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    bindir = env_dir / "bin"
    proc = subprocess.run(
        [bindir / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "."],
        cwd=source,
        env=_clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, f"pip install . failed:\n{proc.stdout}\n{proc.stderr}"
    return bindir


def _run(bindir: Path, *args: str | Path, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=_clean_env(PATH=f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}", **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_module_imports_with_only_the_declared_dependencies(
    installed: Path, tmp_path: Path
) -> None:
    proc = _run(installed, installed / "python", "-c", _IMPORT_ALL, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "modules imported" in proc.stdout


def test_cli_help_and_the_readme_example_run_from_the_installed_package(
    installed: Path, tmp_path: Path
) -> None:
    help_ = _run(installed, installed / "django-dockerfile", "--help", cwd=tmp_path)
    assert help_.returncode == 0, help_.stderr
    assert "usage: django-dockerfile" in help_.stdout

    example = shutil.copytree(ROOT / "examples" / "mysite", tmp_path / "mysite")
    proc = _run(installed, installed / "django-dockerfile", example, "--stdout", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# syntax=") or "FROM python:" in proc.stdout
    assert "CMD [" in proc.stdout


def test_action_entry_point_without_a_workspace_is_a_clear_error(
    installed: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "no-checkout-here"
    # A copy, as the action image holds it: run in place, the script's own directory (this
    # checkout) would come first on sys.path and hide the installed package.
    entrypoint = shutil.copy(ROOT / "entrypoint.py", tmp_path / "entrypoint.py")
    proc = _run(
        installed,
        installed / "python",
        entrypoint,
        cwd=tmp_path,
        GITHUB_WORKSPACE=str(missing),
        GITHUB_OUTPUT=str(tmp_path / "out"),
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "::error" in out and "actions/checkout" in out and str(missing) in out
    assert "Traceback" not in out and "ImportError" not in out and "ModuleNotFound" not in out


def test_the_installed_package_is_the_one_under_test(installed: Path, tmp_path: Path) -> None:
    # Guards the fixture itself: the import above must not come from this repository's checkout.
    proc = _run(
        installed, installed / "python", "-c", "import generator; print(generator.__file__)",
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert str(installed.parent) in proc.stdout
    assert sys.prefix not in proc.stdout or sys.prefix == str(installed.parent)
