"""Golden files: each detector fixture project -> the Dockerfile and .dockerignore we generate.

Regenerate after an intended change with `UPDATE_GOLDEN=1 pytest tests/test_golden.py` and review
the diff. Every golden Dockerfile must also pass hadolint and the official parser.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import dockerfile
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden" / "generate"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
NAMES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()) if FIXTURES.is_dir() else []


def _generate(name: str):
    try:
        from generator.core import generate
        from generator.plan import PlanError
    except ImportError as exc:  # detection modules still being written
        pytest.skip(f"detection is not importable yet: {exc}")
    try:
        generated = generate(FIXTURES / name)
    except ImportError as exc:
        pytest.skip(f"detection is not importable yet: {exc}")
    except PlanError as exc:
        return None, str(exc)
    if generated.plan is None:
        return None, generated.facts.reason
    return generated, None


@pytest.mark.parametrize("name", NAMES or [pytest.param("none", marks=pytest.mark.skip)])
def test_golden(name: str):
    generated, why_not = _generate(name)
    golden_dir = GOLDEN / name
    if generated is None:
        # Not a Django project (or not plannable): the golden record is the absence of files.
        assert not (golden_dir / "Dockerfile").exists() or UPDATE, why_not
        return
    for filename, content in (
        ("Dockerfile", generated.files["Dockerfile"]),
        (".dockerignore", generated.files[".dockerignore"]),
    ):
        path = golden_dir / filename
        if UPDATE:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
        assert path.exists(), f"no golden file {path}; run UPDATE_GOLDEN=1 pytest {__file__}"
        assert content == path.read_text(), f"{name}/{filename} differs from the golden file"


GOLDEN_FILES = sorted(GOLDEN.glob("*/Dockerfile")) if GOLDEN.is_dir() else []


@pytest.mark.parametrize(
    "path", GOLDEN_FILES or [pytest.param(None, marks=pytest.mark.skip)], ids=lambda p: str(p)
)
def test_golden_dockerfile_lints_and_parses(path: Path):
    text = path.read_text()
    assert dockerfile.parse_string(text)
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint not installed")
    result = subprocess.run(
        [hadolint, "--no-fail", "-f", "json", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    serious = [f for f in json.loads(result.stdout or "[]") if f["level"] in ("error", "warning")]
    assert serious == []


@pytest.mark.parametrize(
    "path", GOLDEN_FILES or [pytest.param(None, marks=pytest.mark.skip)], ids=lambda p: str(p)
)
def test_golden_dockerfile_production_rules(path: Path):
    """What a reviewer checks by eye: no secret persists, a real server in exec form, pinned base."""
    instructions = dockerfile.parse_string(path.read_text())
    for ins in instructions:
        if ins.cmd in ("ENV", "ARG"):
            for name in ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"):
                assert name not in ins.original, f"{ins.original} persists a build placeholder"
        if ins.cmd == "FROM" and ins.value[0].startswith("python:"):
            assert ins.value[0].startswith("python:${PYTHON_VERSION}-slim-"), ins.original
    cmds = [i for i in instructions if i.cmd == "CMD"]
    assert len(cmds) == 1 and cmds[0].json, "one exec-form CMD"
    assert "runserver" not in " ".join(cmds[0].value)
    users = [i.value[0] for i in instructions if i.cmd == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), "runs as a non-root user"
