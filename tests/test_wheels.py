"""Which Python minors an exact pin installs on from a wheel, and what follows from it: the Python
chosen when the project states none, and the compiler and headers when the stated one has no wheel.

No test reaches PyPI: a fake PEP 691 index runs on localhost, or the index is unreachable (the
autouse fixture in conftest.py) and the recorded table answers. One test asks the real index when
NETWORK=1 is set.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from generator.core import generate
from generator.options import Options
from generator.wheels import Index, summarise

MINORS = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]
PATCHES = {m: f"{m}.9" for m in MINORS}

SETTINGS = """\
SECRET_KEY = "x"
INSTALLED_APPS = ["django.contrib.staticfiles"]
ROOT_URLCONF = "site1.urls"
WSGI_APPLICATION = "site1.wsgi.application"
STATIC_URL = "/static/"
STATIC_ROOT = "staticfiles"
"""
PROJECT = {
    "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site1.settings")\n'
    "from django.core.management import execute_from_command_line\n",
    "site1/__init__.py": "",
    "site1/settings.py": SETTINGS,
    "site1/urls.py": "urlpatterns = []\n",
    "site1/wsgi.py": "from django.core.wsgi import get_wsgi_application\n"
    "application = get_wsgi_application()\n",
}


def wheel(name: str, version: str, tag: str) -> str:
    return f"{name.replace('-', '_')}-{version}-{tag}.whl"


def linux(minor: str) -> str:
    n = minor.replace(".", "")
    return f"cp{n}-cp{n}-manylinux_2_17_x86_64.manylinux2014_x86_64"


# --- judging a release's files ------------------------------------------------------------------


def test_platform_wheels_per_minor_and_sdist():
    files = [(wheel("psycopg2-binary", "2.9.1", linux(m)), ">=3.6") for m in ("3.8", "3.9", "3.10")]
    files += [("psycopg2-binary-2.9.1.tar.gz", ">=3.6")]
    summary = summarise(files, MINORS, PATCHES)
    assert summary.minors == ("3.8", "3.9", "3.10")
    assert summary.compiled and summary.sdist and summary.linux


def test_abi3_wheel_covers_every_newer_minor_and_requires_python_cuts():
    files = [(wheel("cryptography", "42.0.0", "cp39-abi3-manylinux_2_28_x86_64"), ">=3.10")]
    assert summarise(files, MINORS, PATCHES).minors == ("3.10", "3.11", "3.12", "3.13")


def test_wheel_needing_newer_glibc_or_other_platform_does_not_count():
    files = [
        (wheel("fast", "1.0", "cp312-cp312-manylinux_2_39_x86_64"), None),
        (wheel("fast", "1.0", "cp312-cp312-musllinux_1_2_x86_64"), None),
        (wheel("fast", "1.0", "cp312-cp312-win_amd64"), None),
    ]
    summary = summarise(files, MINORS, PATCHES)
    assert summary.minors == () and summary.compiled and not summary.linux


def test_pure_wheel_is_not_compiled():
    summary = summarise([(wheel("django", "4.2", "py3-none-any"), ">=3.8")], MINORS, PATCHES)
    assert summary.minors == tuple(MINORS) and not summary.compiled


# --- the index: fake PEP 691 server -------------------------------------------------------------


class FakeIndex:
    def __init__(self, pages: dict[str, list[tuple[str, str | None]]]) -> None:
        self.pages = pages
        self.requests: list[str] = []
        self.fail = False


@pytest.fixture
def fake_index(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeIndex]:
    state = FakeIndex({})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            name = self.path.strip("/").split("/")[-1]
            state.requests.append(name)
            if state.fail:
                self.send_response(503)
                self.end_headers()
                return
            if "application/vnd.pypi.simple.v1+json" not in self.headers.get("Accept", ""):
                self.send_response(406)
                self.end_headers()
                return
            if name not in state.pages:
                self.send_response(404)
                self.end_headers()
                return
            body = json.dumps(
                {
                    "meta": {"api-version": "1.1"},
                    "name": name,
                    "files": [
                        {"filename": f, "requires-python": r, "url": f"https://x/{f}"}
                        for f, r in state.pages[name]
                    ],
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv(
        "DJANGO_DOCKERFILE_INDEX_URL", f"http://127.0.0.1:{server.server_port}/simple/"
    )
    yield state
    server.shutdown()


PSYCOPG_291 = [
    *((wheel("psycopg2-binary", "2.9.1", linux(m)), ">=3.6") for m in ("3.8", "3.9", "3.10")),
    ("psycopg2-binary-2.9.1.tar.gz", ">=3.6"),
    *((wheel("psycopg2-binary", "2.9.5", linux(m)), ">=3.6") for m in ("3.10", "3.11")),
]


def test_index_is_cached_budgeted_and_stops_after_a_failure(fake_index, tmp_path):
    fake_index.pages = {"psycopg2-binary": PSYCOPG_291, "lxml": []}
    index = Index(cache_dir=tmp_path)
    got = index.files(["psycopg2-binary", "lxml", "private-pkg"])
    assert got["private-pkg"] == []  # not on the index (404): nothing to judge, not a failure
    assert index.unavailable is None
    again = Index(cache_dir=tmp_path)
    again.files(["psycopg2-binary", "lxml"])
    assert again.requests == 0  # both from the cache
    small = Index(cache_dir=tmp_path / "other", budget=1)
    small.files(["a", "b", "c"])
    assert small.requests == 1 and "budget" in (small.unavailable or "")
    fake_index.fail = True
    broken = Index(cache_dir=tmp_path / "broken")
    assert broken.files(["x", "y"]) == {}
    assert "HTTP 503" in (broken.unavailable or "")


def test_offline_index_makes_no_request(fake_index, tmp_path):
    fake_index.pages = {"psycopg2-binary": PSYCOPG_291}
    index = Index(offline=True, cache_dir=tmp_path)
    assert index.files(["psycopg2-binary"]) == {}
    assert fake_index.requests == [] and index.unavailable == "--offline"


# --- the Python chosen --------------------------------------------------------------------------


def _generate(make_tree, files: dict[str, str], **options: object):
    root = make_tree({**PROJECT, **files})
    return generate(root, Options(**options))


def _log(generated) -> str:
    return (
        "\n".join(f"{d.fact}: {d.why}" for d in generated.decisions)
        + "\n"
        + "\n".join(e.why for e in generated.facts.evidence)
    )


def test_old_psycopg2_binary_pin_without_stated_python_chooses_its_newest_wheel(make_tree):
    # Offline (the conftest index refuses connections): the recorded table answers.
    generated = _generate(
        make_tree,
        {"requirements.txt": "Django==3.2.25\npsycopg2-binary==2.8.6\ngunicorn==21.2.0\n"},
    )
    dockerfile = generated.files["Dockerfile"]
    assert "ARG PYTHON_VERSION=3.9." in dockerfile
    assert "3.9, not 3.10" in dockerfile  # the comment over the ARG names why
    log = _log(generated)
    assert "psycopg2-binary 2.8.6" in log and "generator/data/wheels.toml" in log
    # The table also records aarch64 wheels: 2.8.6 has none, so linux/arm64 builds compile it.
    assert "libpq-dev" in dockerfile.split("AS runtime", 1)[0]
    assert (
        "psycopg2-binary 2.8.6 has a wheel for Python 3.9 on linux/amd64 but none on linux/arm64 "
        "(no wheel there at all, from generator/data/wheels.toml" in log
    )


def test_recorded_table_pin_with_wheels_on_both_platforms_changes_nothing(make_tree):
    generated = _generate(
        make_tree,
        {
            "requirements.txt": "Django==4.2.16\npsycopg2-binary==2.9.9\n",
            ".python-version": "3.12\n",
        },
    )
    assert "libpq" not in generated.files["Dockerfile"]
    assert "wheels.toml" in _log(generated)


def test_range_and_index_choose_the_newest_minor_with_wheels(make_tree, fake_index):
    fake_index.pages = {"psycopg2-binary": PSYCOPG_291}
    generated = _generate(
        make_tree,
        {
            "requirements.txt": "Django==4.2.16\npsycopg2-binary==2.9.1\n",
            "pyproject.toml": '[project]\nname = "site1"\nrequires-python = ">=3.9"\n',
        },
    )
    assert "ARG PYTHON_VERSION=3.10." in generated.files["Dockerfile"]
    assert "the PyPI simple index" in _log(generated)
    assert fake_index.requests  # asked, not the table


def test_offline_option_uses_the_table_not_the_index(make_tree, fake_index):
    fake_index.pages = {"psycopg2-binary": PSYCOPG_291}
    generated = _generate(
        make_tree, {"requirements.txt": "Django==3.2.25\npsycopg2-binary==2.8.6\n"}, offline=True
    )
    assert fake_index.requests == []
    assert "ARG PYTHON_VERSION=3.9." in generated.files["Dockerfile"]
    assert "--offline" in _log(generated)


def test_stated_python_without_wheel_gets_headers_and_runtime_library(make_tree):
    generated = _generate(
        make_tree,
        {
            ".python-version": "3.12\n",
            "requirements.txt": "Django==4.2.16\npsycopg2-binary==2.8.6\n",
        },
    )
    dockerfile = generated.files["Dockerfile"]
    assert "ARG PYTHON_VERSION=3.12." in dockerfile
    build, runtime = dockerfile.split("AS runtime", 1)
    assert "libpq-dev" in build and "gcc" in build
    assert "libpq5" in runtime and "libpq-dev" not in runtime


POETRY_LOCK = """\
[[package]]
name = "django"
version = "4.2.16"
description = ""
optional = false
python-versions = ">=3.8"
groups = ["main"]
files = [{file = "Django-4.2.16-py3-none-any.whl", hash = "sha256:00"}]

[package.dependencies]
python-magic-bin = {version = "0.4.14", markers = "sys_platform == \\"win32\\""}
netifaces = "0.11.0"

[[package]]
name = "netifaces"
version = "0.11.0"
description = ""
optional = false
python-versions = "*"
groups = ["main"]
files = [
    {file = "netifaces-0.11.0-cp39-cp39-manylinux_2_5_x86_64.manylinux1_x86_64.whl", hash = "sha256:01"},
    {file = "netifaces-0.11.0-cp39-cp39-win_amd64.whl", hash = "sha256:02"},
    {file = "netifaces-0.11.0.tar.gz", hash = "sha256:03"},
]

[[package]]
name = "python-magic-bin"
version = "0.4.14"
description = ""
optional = false
python-versions = "*"
groups = ["main"]
markers = "sys_platform == \\"win32\\""
files = [{file = "python_magic_bin-0.4.14-py2.py3-none-win_amd64.whl", hash = "sha256:04"}]

[[package]]
name = "lxml"
version = "4.6.2"
description = ""
optional = false
python-versions = "*"
groups = ["dev"]
files = [{file = "lxml-4.6.2.tar.gz", hash = "sha256:05"}]

[metadata]
lock-version = "2.1"
python-versions = "^3.9"
content-hash = "00"
"""
POETRY_PYPROJECT = """\
[tool.poetry]
name = "site1"
version = "0"
package-mode = false

[tool.poetry.dependencies]
python = "^3.9"
django = "4.2.16"

[tool.poetry.group.dev.dependencies]
lxml = "4.6.2"
"""


def test_lock_file_lists_decide_and_other_platforms_are_skipped(make_tree, fake_index):
    generated = _generate(
        make_tree, {"pyproject.toml": POETRY_PYPROJECT, "poetry.lock": POETRY_LOCK}
    )
    # netifaces (a dependency of a dependency) has Linux wheels up to 3.9 only.
    assert "ARG PYTHON_VERSION=3.9." in generated.files["Dockerfile"]
    log = _log(generated)
    assert "netifaces 0.11.0" in log and "poetry.lock" in log
    assert "python-magic-bin 0.4.14 is marked for other platforms" in log
    assert "lxml" not in log  # a dev-group package does not constrain production
    assert fake_index.requests == []  # the lock listed every file


def test_lock_package_without_wheel_for_stated_python_gets_a_compiler(make_tree):
    generated = _generate(
        make_tree,
        {
            ".python-version": "3.12\n",
            "pyproject.toml": POETRY_PYPROJECT,
            "poetry.lock": POETRY_LOCK,
        },
    )
    dockerfile = generated.files["Dockerfile"]
    build, runtime = dockerfile.split("AS runtime", 1)
    assert "gcc" in build and "libc6-dev" in build and "gcc" not in runtime
    assert "netifaces 0.11.0 has no wheel for Python 3.12" in _log(generated)


UV_LOCK = """\
version = 1
requires-python = ">=3.9"

[[package]]
name = "site1"
version = "0"
source = { virtual = "." }
dependencies = [{ name = "django" }, { name = "psycopg2-binary" }]

[[package]]
name = "django"
version = "3.2.25"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "https://files.pythonhosted.org/x/Django-3.2.25-py3-none-any.whl", hash = "sha256:00" }]

[[package]]
name = "psycopg2-binary"
version = "2.9.1"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://files.pythonhosted.org/x/psycopg2-binary-2.9.1.tar.gz", hash = "sha256:01" }
wheels = [
    { url = "https://files.pythonhosted.org/x/psycopg2_binary-2.9.1-cp39-cp39-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", hash = "sha256:02" },
    { url = "https://files.pythonhosted.org/x/psycopg2_binary-2.9.1-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", hash = "sha256:03" },
]
"""


def test_uv_lock_wheels_decide(make_tree):
    generated = _generate(
        make_tree,
        {
            "pyproject.toml": '[project]\nname = "site1"\nversion = "0"\nrequires-python = ">=3.9"\n'
            'dependencies = ["django==3.2.25", "psycopg2-binary==2.9.1"]\n',
            "uv.lock": UV_LOCK,
        },
    )
    assert "ARG PYTHON_VERSION=3.10." in generated.files["Dockerfile"]
    assert "from uv.lock" in _log(generated)


MAGIC_BIN = {"python-magic-bin": [("python_magic_bin-0.4.14-py2.py3-none-win_amd64.whl", None)]}


def test_requirements_pin_with_no_linux_file_at_all_is_an_error_naming_line_and_fix(
    make_tree, fake_index, capsys
):
    from generator.cli import main

    fake_index.pages = MAGIC_BIN
    root = make_tree({**PROJECT, "requirements.txt": "Django==4.2.16\npython-magic-bin==0.4.14\n"})
    assert main([str(root), "--stdout"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert (
        "django-dockerfile: error: requirements.txt:2: python-magic-bin==0.4.14 publishes no "
        "file that installs on Linux (judged from the PyPI simple index" in err
    )
    assert '`python-magic-bin==0.4.14; sys_platform != "linux"`' in err


def test_a_pin_marked_for_other_platforms_is_no_error(make_tree, fake_index):
    fake_index.pages = MAGIC_BIN
    reqs = 'Django==4.2.16\npython-magic-bin==0.4.14; sys_platform != "linux"\n'
    generated = _generate(make_tree, {"requirements.txt": reqs})
    assert "python-magic-bin" not in _log(generated)


def test_pin_with_linux_wheels_only_for_a_newer_glibc_stays_a_warning(make_tree, fake_index):
    # Judged for bookworm's glibc 2.36: a newer base may take the manylinux_2_39 wheel.
    fake_index.pages = {"fast": [(wheel("fast", "1.0", "cp312-cp312-manylinux_2_39_x86_64"), None)]}
    generated = _generate(make_tree, {"requirements.txt": "Django==4.2.16\nfast==1.0\n"})
    assert "fast 1.0 publishes no file that installs on Linux" in _log(generated)


def test_summary_tells_a_release_published_only_for_other_platforms():
    windows = [(wheel("magic", "1.0", "py3-none-win_amd64"), None)]
    assert summarise(windows, MINORS, PATCHES).other_platforms_only
    for more in (
        (wheel("magic", "1.0", "cp312-cp312-manylinux_2_39_aarch64"), None),
        (wheel("magic", "1.0", "py3-none-any"), None),
        ("magic-1.0.tar.gz", None),
    ):
        assert not summarise([*windows, more], MINORS, PATCHES).other_platforms_only


def test_cli_offline_flag(make_tree, fake_index, capsys):
    from generator.cli import main

    fake_index.pages = {"psycopg2-binary": PSYCOPG_291}
    root = make_tree({**PROJECT, "requirements.txt": "Django==3.2.25\npsycopg2-binary==2.8.6\n"})
    assert main([str(root), "--offline", "--stdout"]) == 0
    assert "ARG PYTHON_VERSION=3.9." in capsys.readouterr().out
    assert fake_index.requests == []


@pytest.mark.skipif(os.environ.get("NETWORK") != "1", reason="set NETWORK=1 to ask the real index")
def test_real_index_knows_psycopg2_binary_2_9_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("DJANGO_DOCKERFILE_INDEX_URL")
    index = Index(cache_dir=tmp_path)
    files = index.files(["psycopg2-binary"])["psycopg2-binary"]
    assert index.unavailable is None
    from generator.wheels import release_files

    mine = release_files((f for f, _ in files), "psycopg2-binary", "2.9.1")
    assert summarise([(f, None) for f in mine], MINORS, PATCHES).minors[-1] == "3.10"


UV_LOCK_MARKERS = """\
version = 1
requires-python = ">=3.8"

[[package]]
name = "site1"
version = "0"
source = { virtual = "." }
dependencies = [
    { name = "django" },
    { name = "backports-zoneinfo", marker = "python_full_version < '3.9'" },
]

[[package]]
name = "django"
version = "4.1.13"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "https://files.pythonhosted.org/x/Django-4.1.13-py3-none-any.whl", hash = "sha256:00" }]

[[package]]
name = "backports-zoneinfo"
version = "0.2.1"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://files.pythonhosted.org/x/backports.zoneinfo-0.2.1.tar.gz", hash = "sha256:01" }
wheels = [
    { url = "https://files.pythonhosted.org/x/backports.zoneinfo-0.2.1-cp38-cp38-manylinux1_x86_64.whl", hash = "sha256:02" },
]
"""


def test_pin_its_markers_leave_out_on_newer_pythons_does_not_hold_them_back(make_tree):
    generated = _generate(
        make_tree,
        {
            "pyproject.toml": '[project]\nname = "site1"\nversion = "0"\nrequires-python = ">=3.8"\n'
            'dependencies = ["django==4.1.13", "backports.zoneinfo==0.2.1; python_version < \'3.9\'"]\n',
            "uv.lock": UV_LOCK_MARKERS,
        },
    )
    # Django 4.1.13 supports up to 3.11; backports.zoneinfo (wheels for 3.8 only) is not
    # installed there at all, so it does not pull the choice down to 3.8.
    assert "ARG PYTHON_VERSION=3.11." in generated.files["Dockerfile"]
    assert "gcc" not in generated.files["Dockerfile"]


def test_decision_log_names_the_source_of_a_compiling_pin(make_tree):
    generated = _generate(
        make_tree,
        {
            ".python-version": "3.12\n",
            "requirements.txt": "Django==4.2.16\npsycopg2-binary==2.8.6\n",
        },
    )
    why = [d.why for d in generated.decisions if d.fact == "system packages"]
    assert any(
        "psycopg2-binary 2.8.6 has no wheel for Python 3.12" in w and "wheels.toml" in w
        for w in why
    ), why


def test_runtime_library_of_a_locked_dependency_of_a_dependency(make_tree):
    lock = POETRY_LOCK.replace(
        'netifaces = "0.11.0"\n', 'netifaces = "0.11.0"\npython-magic = "*"\n'
    ) + (
        '\n[[package]]\nname = "python-magic"\nversion = "0.4.27"\ndescription = ""\n'
        'optional = false\npython-versions = "*"\ngroups = ["main"]\n'
        'files = [{file = "python_magic-0.4.27-py2.py3-none-any.whl", hash = "sha256:06"}]\n'
    )
    generated = _generate(make_tree, {"pyproject.toml": POETRY_PYPROJECT, "poetry.lock": lock})
    runtime = generated.files["Dockerfile"].split("AS runtime", 1)[1]
    # Nobody declares python-magic: Django's (made-up) dependency on it is in the lock.
    assert "libmagic1" in runtime


# --- linux/amd64 and linux/arm64: the Dockerfile is built for either ----------------------------


def arm(minor: str) -> str:
    n = minor.replace(".", "")
    return f"cp{n}-cp{n}-manylinux_2_17_aarch64.manylinux2014_aarch64"


def test_summary_judges_aarch64_wheels_apart():
    files = [(wheel("lxml", "5.0.0", linux(m)), None) for m in ("3.11", "3.12")]
    files += [(wheel("lxml", "5.0.0", arm("3.11")), None)]
    files += [(wheel("lxml", "5.0.0", "cp312-cp312-musllinux_1_2_aarch64"), None)]  # not glibc
    files += [(wheel("lxml", "5.0.0", "cp312-cp312-manylinux_2_39_aarch64"), None)]  # too new
    summary = summarise(files, MINORS, PATCHES)
    assert summary.minors == ("3.11", "3.12")
    assert summary.minors_arm64 == ("3.11",)
    both = [*files, (wheel("lxml", "5.0.0", "cp39-abi3-manylinux_2_28_aarch64"), ">=3.10")]
    assert summarise(both, MINORS, PATCHES).minors_arm64 == ("3.10", "3.11", "3.12", "3.13")


PSYCOPG_2910 = [
    (wheel("psycopg2-binary", "2.9.10", linux("3.12")), ">=3.8"),
    ("psycopg2-binary-2.9.10.tar.gz", ">=3.8"),
]
PINNED_312 = {
    ".python-version": "3.12\n",
    "requirements.txt": "Django==4.2.16\npsycopg2-binary==2.9.10\n",
}


def test_pin_with_an_amd64_wheel_but_none_for_arm64_gets_headers_and_library(make_tree, fake_index):
    fake_index.pages = {"psycopg2-binary": PSYCOPG_2910}
    generated = _generate(make_tree, PINNED_312)
    build, runtime = generated.files["Dockerfile"].split("AS runtime", 1)
    assert "libpq-dev" in build and "gcc" in build
    assert "libpq5" in runtime and "libpq-dev" not in runtime
    why = [d.why for d in generated.decisions if d.fact == "system packages"]
    assert any(
        "psycopg2-binary 2.9.10 has a wheel for Python 3.12 on linux/amd64 but none on "
        "linux/arm64 (no wheel there at all, from the PyPI simple index): pip compiles it when "
        "the image is built for linux/arm64" in w
        for w in why
    ), why


def test_pin_with_wheels_on_both_platforms_changes_nothing(make_tree, fake_index):
    fake_index.pages = {
        "psycopg2-binary": [*PSYCOPG_2910, (wheel("psycopg2-binary", "2.9.10", arm("3.12")), None)]
    }
    generated = _generate(make_tree, PINNED_312)
    assert "libpq" not in generated.files["Dockerfile"]
    assert "gcc" not in generated.files["Dockerfile"]
    assert "linux/arm64" not in _log(generated)


def test_pin_with_an_arm64_wheel_only_and_no_rule_gets_a_compiler(make_tree, fake_index):
    # The reverse, for a package no table row knows: a compiler in the build stage only.
    fake_index.pages = {
        "fastthing": [
            (wheel("fastthing", "1.0", arm("3.12")), None),
            ("fastthing-1.0.tar.gz", None),
        ]
    }
    files = {".python-version": "3.12\n", "requirements.txt": "Django==4.2.16\nfastthing==1.0\n"}
    generated = _generate(make_tree, files)
    build, runtime = generated.files["Dockerfile"].split("AS runtime", 1)
    assert "gcc" in build and "gcc" not in runtime
    assert (
        "fastthing 1.0 has a wheel for Python 3.12 on linux/arm64 but none on linux/amd64"
        in _log(generated)
    )


def test_lock_without_arm64_wheel_names_the_platform_and_missing_sdist(make_tree):
    lock = UV_LOCK.replace(
        'sdist = { url = "https://files.pythonhosted.org/x/psycopg2-binary-2.9.1.tar.gz", '
        'hash = "sha256:01" }\n',
        "",
    )
    generated = _generate(
        make_tree,
        {
            "pyproject.toml": '[project]\nname = "site1"\nversion = "0"\nrequires-python = ">=3.9"\n'
            'dependencies = ["django==3.2.25", "psycopg2-binary==2.9.1"]\n',
            "uv.lock": lock,
        },
    )
    # The Python stays the newest with an amd64 wheel: arm64 is served by the build stage.
    dockerfile = generated.files["Dockerfile"]
    assert "ARG PYTHON_VERSION=3.10." in dockerfile
    assert "libpq-dev" in dockerfile.split("AS runtime", 1)[0]
    assert (
        "none on linux/arm64 (no wheel there at all, from uv.lock): pip compiles it when the "
        "image is built for linux/arm64, and fails there: no source distribution either"
        in _log(generated)
    )


def test_range_excluding_the_first_arm64_wheel_gets_headers_from_the_table(make_tree):
    # psycopg2-binary has cp39 x86_64 wheels from 2.8.6, aarch64 ones from 2.9 (wheels.toml).
    files = {
        ".python-version": "3.9\n",
        "requirements.txt": "Django==3.2.25\npsycopg2-binary<2.9\n",
    }
    generated = _generate(make_tree, files)
    build, runtime = generated.files["Dockerfile"].split("AS runtime", 1)
    assert "libpq-dev" in build and "libpq5" in runtime
    why = [d.why for d in generated.decisions if d.fact == "system packages"]
    assert any(
        "psycopg2-binary<2.9 excludes 2.9, the first release with a wheel for Python 3.9 on "
        "linux/arm64"
        in w
        and "pip compiles it when the image is built for linux/arm64" in w
        for w in why
    ), why
    files["requirements.txt"] = "Django==3.2.25\npsycopg2-binary>=2.8,<2.10\n"
    assert "libpq" not in _generate(make_tree, files).files["Dockerfile"]


def test_pin_with_arm64_wheels_only_and_no_sdist_warns_for_amd64(make_tree, fake_index):
    fake_index.pages = {"armonly": [(wheel("armonly", "1.0", arm("3.12")), None)]}
    files = {".python-version": "3.12\n", "requirements.txt": "Django==4.2.16\narmonly==1.0\n"}
    generated = _generate(make_tree, files)
    warnings = [d.why for d in generated.decisions if d.fact == "warning"]
    assert any("armonly 1.0 publishes wheels for linux/arm64 only" in w for w in warnings)
    log = _log(generated)
    assert "building the image for linux/amd64 fails" in log
    assert "publishes no file that installs on Linux" not in log
