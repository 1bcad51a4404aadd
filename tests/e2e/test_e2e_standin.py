"""The python stand-ins behave like the official slim images where a generated Dockerfile relies on it."""

from __future__ import annotations

import subprocess
import textwrap

import harness
import pytest
import standin

pytestmark = pytest.mark.e2e

CHECK = (
    "set -e; "
    "for t in python python3 pip; do test -x /usr/local/bin/$t; done; "
    "python -m venv /tmp/v && /tmp/v/bin/pip --version >/dev/null; "
    # `set -e` ignores `! cmd`, so negative checks exit explicitly.
    "if ls /usr/lib/python3*/EXTERNALLY-MANAGED /usr/local/lib/python3*/EXTERNALLY-MANAGED"
    " 2>/dev/null; then exit 3; fi; "
    "if command -v gcc || command -v cc; then exit 4; fi; "
    "python -c 'import sysconfig, os; "
    'assert os.path.exists(sysconfig.get_paths()["include"] + "/Python.h")\''
)
# The pyenv look-alikes also keep the official image's prefix (sdist builds read it from
# sysconfig), its PYTHON_VERSION and the stdlib modules that link Debian's libraries.
LOOKALIKE_CHECK = (
    CHECK + "; python -c 'import sysconfig, os, sys; "
    'assert sysconfig.get_config_var("prefix") == "/usr/local", sysconfig.get_config_var("prefix"); '
    'assert sys.executable.startswith("/usr/local/bin/"), sys.executable; '
    'assert os.environ["PYTHON_VERSION"] == "%d.%d.%d" % sys.version_info[:3]; '
    "import ssl, sqlite3, ctypes, lzma, bz2, readline, uuid, zlib, decimal, curses, dbm'"
)
# A C extension in an sdist, installed with pip once a compiler is added: what a generated build
# stage does for a package without a wheel (psycopg2, uwsgi).
SETUP_PY = textwrap.dedent(
    """
    from setuptools import Extension, setup
    setup(name="hello-ext", version="1.0", ext_modules=[Extension("hello_ext", ["hello.c"])])
    """
)
HELLO_C = textwrap.dedent(
    """
    #include <Python.h>
    static struct PyModuleDef mod = {PyModuleDef_HEAD_INIT, "hello_ext", NULL, -1, NULL};
    PyMODINIT_FUNC PyInit_hello_ext(void) { return PyModule_Create(&mod); }
    """
)


def _run_in(ref: str, script: str, *volumes: str, timeout: int = 120) -> None:
    mounts = [arg for volume in volumes for arg in ("-v", volume)]
    proc = subprocess.run(
        ["podman", "run", "--rm", *harness.RUN_FLAGS, *mounts, ref, "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert proc.returncode == 0, f"{ref} differs from python:*-slim:\n{proc.stdout}{proc.stderr}"


@pytest.mark.parametrize("codename", ["trixie"])
def test_debian_python_standin_looks_like_the_official_slim_image(
    codename: str, podman_ready: None
) -> None:
    _run_in(standin.python_base(codename), CHECK)


@pytest.mark.parametrize("minor", standin.PYENV_MINORS)
def test_pyenv_lookalike_looks_like_the_official_slim_bookworm_image(
    minor: str, podman_ready: None
) -> None:
    if minor not in standin.pyenv_versions():
        pytest.skip(f"no pyenv CPython {minor} on this machine")
    check = LOOKALIKE_CHECK
    if minor in standin.ENSUREPIP_SETUPTOOLS:
        # A venv gets the setuptools the newest patch release bundles, as in the official image.
        wanted = standin.ENSUREPIP_SETUPTOOLS[minor]
        check += (
            "; python -m venv /tmp/s && /tmp/s/bin/python -c 'import setuptools; "
            f'assert setuptools.__version__ == "{wanted}", setuptools.__version__\''
        )
    _run_in(standin.pyenv_base(minor), check)


@pytest.mark.parametrize("minor", ["3.8", "3.10", "3.13"])
def test_pyenv_lookalike_compiles_an_sdist_once_a_compiler_is_added(
    minor: str, podman_ready: None, tmp_path
) -> None:
    # Three minors, not six: oldest, the patched-ensurepip one and newest (CI time); the prefix
    # rewrite that makes or breaks this is checked on all six above.
    if minor not in standin.pyenv_versions():
        pytest.skip(f"no pyenv CPython {minor} on this machine")
    (tmp_path / "setup.py").write_text(SETUP_PY)
    (tmp_path / "hello.c").write_text(HELLO_C)
    debs = standin.CACHE / "debs" / "compiler"  # the compiler's .debs, downloaded once per cache
    debs.mkdir(parents=True, exist_ok=True)
    script = (
        "set -e; rm -f /etc/apt/apt.conf.d/docker-clean; apt-get update -qq; "
        "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcc libc6-dev"
        " >/dev/null; python -m venv /v; /v/bin/pip install -q /src; "
        "/v/bin/python -c 'import hello_ext'"
    )
    _run_in(standin.pyenv_base(minor), script, f"{tmp_path}:/src", f"{debs}:/var/cache/apt/archives",
            timeout=400)  # fmt: skip


def test_generated_from_lines_get_the_pyenv_lookalike_of_their_minor(podman_ready: None) -> None:
    minors = list(standin.pyenv_versions())
    if not minors:
        pytest.skip("no pyenv CPython builds on this machine")
    ref = standin.standin_for(f"python:{minors[0]}.99-slim-bookworm")
    assert ref == standin.pyenv_base(minors[0])
