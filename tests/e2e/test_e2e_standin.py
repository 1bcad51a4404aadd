"""The python stand-in behaves like the official slim image where a generated Dockerfile relies on it."""

from __future__ import annotations

import subprocess

import harness
import pytest
import standin

pytestmark = pytest.mark.e2e

CHECK = (
    "set -e; "
    "for t in python python3 pip; do test -x /usr/local/bin/$t; done; "
    "python -m venv /tmp/v && /tmp/v/bin/pip --version >/dev/null; "
    # `set -e` ignores `! cmd`, so negative checks exit explicitly.
    "if ls /usr/lib/python3*/EXTERNALLY-MANAGED 2>/dev/null; then exit 3; fi; "
    "if command -v gcc || command -v cc; then exit 4; fi; "
    "python -c 'import sysconfig, os; "
    'assert os.path.exists(sysconfig.get_paths()["include"] + "/Python.h")\''
)


@pytest.mark.parametrize("codename", ["bookworm", "trixie"])
def test_python_standin_looks_like_the_official_slim_image(
    codename: str, podman_ready: None
) -> None:
    ref = standin.python_base(codename)
    proc = subprocess.run(
        ["podman", "run", "--rm", *harness.RUN_FLAGS, ref, "sh", "-c", CHECK],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, f"{ref} differs from python:*-slim:\n{proc.stdout}{proc.stderr}"
