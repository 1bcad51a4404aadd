"""The user's choices: CLI flags > `[tool.django-dockerfile]` in pyproject.toml > defaults.

Every value that ends up in a Dockerfile is validated here, so nothing a user (or a hostile
pyproject.toml) writes can inject an instruction: package names, env keys, versions and digests
must match strict patterns. A bad value in the config file is a warning naming file and line and is
ignored; a bad CLI flag is an `OptionsError` whose message says what to pass instead.
"""

from __future__ import annotations

import argparse
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path, PurePosixPath
from typing import Any

from generator.facts import Diagnostics
from generator.guard import PATTERNS, printable, valid
from generator.source import LocalTree, SourceTree

CONFIG_FILE = "pyproject.toml"
CONFIG_TABLE = "django-dockerfile"
PROFILES = ("production", "minimal")
SERVERS = ("gunicorn", "uvicorn", "daphne", "hypercorn", "granian", "uwsgi", "waitress")

# ASCII-only and anchored with \Z (generator.guard): `$` would let "3.12\n" through, `\d` fullwidth digits.
_PYTHON = re.compile(r"3\.[0-9]{1,2}(\.[0-9]{1,2})?\Z", re.ASCII)
_DEBIAN_PACKAGE = PATTERNS["debian_package"]
_ENV_KEY = PATTERNS["env_key"]
_MODULE = PATTERNS["module"]
_VARIANT = re.compile(r"[a-z0-9][a-z0-9.-]*\Z", re.ASCII)
_DIGEST = re.compile(r"(sha256:)?[0-9a-f]{64}\Z", re.ASCII)
_FILENAME = PATTERNS["path"]
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,127}\Z", re.ASCII)  # the image title: label-safe


class OptionsError(ValueError):
    """A command-line value that cannot be used; the message says which flag and what to pass."""


@dataclass(frozen=True)
class Options:
    """Every field None/empty means "use what detection found"."""

    python_version: str | None = None
    profile: str = "production"  # production | minimal
    server: str | None = None
    settings_module: str | None = None
    port: int = 8000
    base_variant: str | None = None  # e.g. "slim-bookworm"; default slim-<newest codename>
    apt_build: tuple[str, ...] = ()
    apt_runtime: tuple[str, ...] = ()
    # Dependency groups / extras of the project installed too (an app that imports a dev-only
    # package at start, such as a plugin importing pytest).
    install_groups: tuple[str, ...] = ()
    install_extras: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    digest: str | None = None  # pin FROM to @sha256:...
    dockerfile: str = "Dockerfile"
    dockerignore: str = ".dockerignore"
    name: str | None = None  # the image title; core.generate defaults it from the repository
    project_dir: str | None = None  # which Django project, when the repository has several
    # Never ask PyPI's index which Pythons the pinned packages have wheels for: the lockfile's
    # file lists and the recorded table (generator/data/wheels.toml) answer.
    offline: bool = False


# Config-file key (kebab-case, as TOML users write it) -> Options field.
_KEYS = {
    "python-version": "python_version",
    "profile": "profile",
    "server": "server",
    "settings-module": "settings_module",
    "port": "port",
    "base-variant": "base_variant",
    "apt-build": "apt_build",
    "apt-runtime": "apt_runtime",
    "install-groups": "install_groups",
    "install-extras": "install_extras",
    "env": "env",
    "digest": "digest",
    "dockerfile": "dockerfile",
    "dockerignore": "dockerignore",
    "name": "name",
    "project-dir": "project_dir",
    "offline": "offline",
}
_FLAGS = {
    "python_version": "--python-version",
    "profile": "--profile",
    "server": "--server",
    "settings_module": "--settings-module",
    "port": "--port",
    "base_variant": "--base-variant",
    "apt_build": "--apt-build",
    "apt_runtime": "--apt-runtime",
    "install_groups": "--install-group",
    "install_extras": "--install-extra",
    "env": "--env",
    "digest": "--pin-digest",
    "dockerfile": "--dockerfile",
    "dockerignore": "--dockerignore",
    "name": "--name",
    "project_dir": "--project-dir",
    "offline": "--offline",
}


def load_options(root: Path | SourceTree, cli: Mapping[str, object], diags: Diagnostics) -> Options:
    """Merge `[tool.django-dockerfile]` from ROOT/pyproject.toml with CLI values (CLI wins).

    ROOT is a directory, or a SourceTree when the repository is read through the API.

    `cli` maps Options field names to values; None (or an empty sequence) means "not given".
    Config-file problems become warnings in `diags`; bad CLI values raise OptionsError.
    """
    values: dict[str, Any] = {}
    for name, value in _read_config(root, diags).items():
        values[name] = value
    known = {f.name for f in fields(Options)}
    for name, raw in cli.items():
        if name not in known:
            raise OptionsError(f"unknown option {name!r}")
        if raw is None or (isinstance(raw, list | tuple) and not raw):
            continue
        try:
            values[name] = _validate(name, raw)
        except ValueError as exc:
            raise OptionsError(f"{_FLAGS.get(name, name)}: {exc}") from None
    return replace(Options(), **values)


def _read_config(root: Path | SourceTree, diags: Diagnostics) -> dict[str, Any]:
    # Through a tree: a pyproject.toml linking outside the repository is not read. ROOT is a
    # SourceTree already when the repository is read through the API (the sweep).
    tree = LocalTree(root) if isinstance(root, Path) else root
    text = tree.read_text(CONFIG_FILE)
    if text is None:
        return {}
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError, MemoryError):
        return {}  # detection already warns about invalid TOML, naming the line
    table = data.get("tool", {}).get(CONFIG_TABLE)
    if table is None:
        return {}
    if not isinstance(table, dict):
        diags.warn(f"[tool.{CONFIG_TABLE}] must be a table; ignored", CONFIG_FILE)
        return {}
    out: dict[str, Any] = {}
    for key, raw in table.items():
        line = _line_of(text, key)
        name = _KEYS.get(key)
        if name is None:
            diags.warn(
                f"[tool.{CONFIG_TABLE}] has an unknown key {key!r} (known: "
                f"{', '.join(sorted(_KEYS))}); ignored",
                CONFIG_FILE,
                line,
            )
            continue
        try:
            out[name] = _validate(name, raw)
        except ValueError as exc:
            diags.warn(f"[tool.{CONFIG_TABLE}] {key}: {exc}; ignored", CONFIG_FILE, line)
    return out


def _validate(name: str, raw: object) -> Any:
    """The value for field `name`, or ValueError with advice."""
    if name == "port":
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise ValueError("must be a number such as 8000")
        try:
            port = int(raw)
        except ValueError:
            raise ValueError(f"{raw!r} is not a port number; use e.g. 8000") from None
        if not 1 <= port <= 65535:
            raise ValueError(f"{port} is outside 1-65535")
        return port
    if name in ("apt_build", "apt_runtime"):
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple):
            raise ValueError("must be a list of Debian package names")
        names: list[str] = []
        for item in items:
            for pkg in str(item).replace(",", " ").split():
                if not _DEBIAN_PACKAGE.match(pkg):
                    raise ValueError(f"{printable(pkg)} is not a Debian package name")
                names.append(pkg)
        return tuple(dict.fromkeys(names))
    if name in ("install_groups", "install_extras"):
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple):
            raise ValueError("must be a list of dependency group or extra names")
        names = []
        for item in items:
            for word in str(item).replace(",", " ").split():
                if not valid("python_package", word):
                    raise ValueError(f"{printable(word)} is not a dependency group or extra name")
                names.append(word)
        return tuple(dict.fromkeys(names))
    if name == "env":
        return _validate_env(raw)
    if name == "offline":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in ("true", "false", "1", "0", ""):
            return raw.strip().lower() in ("true", "1")
        raise ValueError("must be true or false")
    if not isinstance(raw, str):
        raise ValueError("must be a string")
    value = raw.strip()
    checks: dict[str, tuple[re.Pattern[str] | tuple[str, ...], str]] = {
        "python_version": (_PYTHON, "use a version such as 3.12 or 3.12.7"),
        "profile": (PROFILES, f"use one of: {', '.join(PROFILES)}"),
        "server": (SERVERS, f"use one of: {', '.join(SERVERS)}"),
        "settings_module": (_MODULE, "use a dotted module path such as mysite.settings.production"),
        "base_variant": (_VARIANT, "use an image tag suffix such as slim-bookworm"),
        "digest": (_DIGEST, "use the image digest, sha256: followed by 64 hex digits"),
        "dockerfile": (_FILENAME, "use a relative file name such as Dockerfile"),
        "dockerignore": (_FILENAME, "use a relative file name such as .dockerignore"),
        "name": (_NAME, "use lower-case letters, digits, '.', '_' or '-', such as my-site"),
        "project_dir": (_FILENAME, "use the directory holding manage.py, such as backend"),
    }
    allowed, advice = checks[name]
    ok = value in allowed if isinstance(allowed, tuple) else bool(allowed.match(value))
    if name in ("dockerfile", "dockerignore", "project_dir") and ".." in value.split("/"):
        ok = False
    if name in ("dockerfile", "dockerignore") and PurePosixPath(value).name in ("", "."):
        ok = False  # the directory itself, not a file in it
    if not ok:
        raise ValueError(f"{printable(value)} is not valid; {advice}")
    if name == "digest" and not value.startswith("sha256:"):
        value = f"sha256:{value}"
    return value


def _validate_env(raw: object) -> tuple[tuple[str, str], ...]:
    if isinstance(raw, Mapping):
        pairs = [(str(k), v) for k, v in raw.items()]
    elif isinstance(raw, list | tuple):
        pairs = []
        for item in raw:
            if isinstance(item, tuple | list) and len(item) == 2:
                pairs.append((str(item[0]), item[1]))
            elif isinstance(item, str) and "=" in item:
                key, _, value = item.partition("=")
                pairs.append((key.strip(), value))
            else:
                raise ValueError(f"{item!r} is not KEY=VALUE")
    else:
        raise ValueError('must be a table of KEY = "value" pairs')
    out: list[tuple[str, str]] = []
    for key, value in pairs:
        if not _ENV_KEY.match(key):
            raise ValueError(f"{printable(key)} is not a valid environment variable name")
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValueError(f"the value of {key} must be a string")
        text = str(value)
        if not valid("env_value", text):
            # Any line break str.splitlines() knows (U+2028, VT, FF, ...) or control character.
            raise ValueError(f"the value of {key} must be one line of printable text")
        out.append((key, text))
    return tuple(out)


def _line_of(text: str, key: str) -> int | None:
    """Line of `key = ...` inside the [tool.django-dockerfile] table, for warnings."""
    in_table = False
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_table = stripped.strip("[] ").startswith(f"tool.{CONFIG_TABLE}")
            continue
        if in_table and re.match(rf"^[\"']?{re.escape(key)}[\"']?\s*=", stripped):
            return number
    return None


def add_offline_flag(parser: argparse.ArgumentParser) -> None:
    """`--offline`: judge the pinned packages' wheels without asking PyPI's index."""
    parser.add_argument(
        "--offline",
        action="store_true",
        default=None,
        help="do not ask PyPI's simple index which Pythons the pinned packages have wheels for "
        "(the lockfile's file lists and a recorded table answer)",
    )
