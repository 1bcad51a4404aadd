"""The runtime contract: what the container needs from whoever runs it, and the build placeholders.

Both come from one list, the settings' environment reads with no default (facts.settings.env_needs)
and the modules the repository ships only as examples (facts.settings.example_modules): the build
gives each variable a placeholder of the kind and form the code expects on the management-command
RUN lines only (never ENV/ARG); the running container needs the real values. The decision log, the
Dockerfile, the job summary, the pull request and the CLI all print this same list.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from generator import data
from generator.facts import ProjectFacts
from generator.plan.model import APP

# What may be written into a RUN line or `docker run -e` as a variable name.
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")


@dataclass(frozen=True)
class RuntimeVar:
    """One variable the container needs at start."""

    name: str
    kind: str
    example: str  # shown in the `docker run` line
    placeholder: str  # given to the build-time commands only
    why: str
    file: str | None
    line: int | None
    form: str | None = None
    build: bool = True  # False: the settings import without it, the build gets nothing

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.file and self.line else (self.file or "")

    @property
    def label(self) -> str:
        """The kind as the contract prints it ("database host" for a database part)."""
        return kind_label(self.kind, self.form)


def kind_label(kind: str, form: str | None) -> str:
    """What a need's kind and form say, in words: a database part is named by its part."""
    if kind in ("db_part", "db_runtime"):
        labels = data.load("database_parts.toml")["labels"]
        return labels.get(form or "switch", "database setting")
    return kind


@dataclass(frozen=True)
class RuntimeFile:
    """A module the settings import that the repository ships only as an example."""

    path: str  # in the image, absolute (/app/netbox/netbox/configuration.py)
    example: str  # in the image, absolute: what the build copies there for its commands
    repo_path: str  # relative to the repository
    repo_example: str
    file: str
    line: int | None
    # Python assignments appended to the build's copy of the example: placeholders for the names
    # it leaves empty that the settings cannot import with (NAME = "value"), build-only.
    overlay: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuntimeHost:
    """A server the settings reach by a bare host name (a Compose service such as `db`)."""

    host: str
    what: str  # "a postgresql server"
    port: str | None
    file: str | None
    line: int | None


@dataclass(frozen=True)
class Contract:
    variables: tuple[RuntimeVar, ...]
    files: tuple[RuntimeFile, ...]
    build_env: tuple[tuple[str, str], ...]  # (name, placeholder) for the build-time commands
    hosts: tuple[RuntimeHost, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.variables or self.files or self.hosts)

    @property
    def image_env(self) -> tuple[tuple[str, str], ...]:
        """Selectors the image sets with ENV: which settings branch it runs is the image's
        choice (its build ran against that branch), a constant and no secret, so the container
        must not depend on `-e` to get it; `docker run -e` still overrides."""
        return tuple((v.name, v.placeholder) for v in self.variables if v.kind == "choice")


@lru_cache(maxsize=1)
def _rules() -> tuple[dict[str, Any], ...]:
    return tuple(data.load("build_env.toml")["var"])


def _rule(name: str, kind: str | None, form: str | None) -> dict[str, Any] | None:
    """The first placeholder row for a variable; kind None: a read with a default (names only)."""
    upper = name.upper()
    for rule in _rules():
        if kind is None and ("kind" in rule or "form" in rule or rule.get("needed")):
            continue
        if kind is None and rule.get("pattern", "*") == "*":
            continue
        if "kind" in rule and rule["kind"] != kind:
            continue
        if "form" in rule and rule["form"] != form:
            continue
        if fnmatch.fnmatchcase(upper, rule.get("pattern", "*")):
            return rule
    return None


def _value(rule: dict[str, Any], key: str, form: str | None) -> str:
    return str(rule.get(key, rule["value"])).replace("{form}", form or "")


def contract(facts: ProjectFacts) -> Contract:
    """The runtime contract of `facts` and the placeholders its build-time commands get."""
    s = facts.settings
    variables: list[RuntimeVar] = []
    for need in s.env_needs:
        if not _ENV_NAME.match(need.name):
            continue  # detection warned already; never let it near a RUN line
        rule = _rule(need.name, need.kind, need.form)
        if rule is None:
            continue
        variables.append(
            RuntimeVar(
                need.name,
                need.kind,
                _value(rule, "example", need.form),
                _value(rule, "value", need.form),
                need.why,
                need.file or None,
                need.line,
                need.form,
                not rule.get("runtime_only", False),
            )
        )
    build: dict[str, str] = {}
    needed = {v.name: v.placeholder for v in variables if v.build}
    runtime_only = {v.name for v in variables if not v.build}
    for rule in _rules():
        if rule.get("always") and rule["pattern"] not in runtime_only:
            build[rule["pattern"]] = needed.get(rule["pattern"], rule["value"])
    build.update((k, v) for k, v in needed.items() if k not in build)
    for name in s.env_vars:
        if name in build or name in runtime_only or not _ENV_NAME.match(name):
            continue
        rule = _rule(name, None, None)
        if rule is not None:
            build[name] = _value(rule, "value", None)
    files = tuple(
        RuntimeFile(
            f"{APP}/{m.path}",
            f"{APP}/{m.example}",
            m.path,
            m.example,
            m.file,
            m.line,
            tuple(_overlay_line(name, kind) for name, kind in m.blanks if _ENV_NAME.match(name)),
        )
        for m in s.example_modules
        if _safe_path(m.path) and _safe_path(m.example)
    )
    return Contract(tuple(variables), files, tuple(build.items()), _hosts(facts))


def _hosts(facts: ProjectFacts) -> tuple[RuntimeHost, ...]:
    """The database server the settings name by a bare host name: the container must resolve it
    (a Compose service, or `--add-host`). Management commands at build time never connect."""
    server = facts.settings.database_server or {}
    host = server.get("host", "")
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]{0,62}", host):
        return ()
    port = server.get("port") if re.fullmatch(r"\d{1,5}", server.get("port", "")) else None
    what = f"a {facts.settings.database or 'database'} server"
    return (RuntimeHost(host, what, port, *facts.settings.cited("database_server")),)


def _overlay_line(name: str, kind: str) -> str:
    """`NAME = "placeholder"` (or a one-item list) for a name an example leaves empty: the value
    a name-pattern row of build_env.toml gives it (SECRET_KEY: 58 characters), else a marker.
    Values come from our own table; json.dumps writes them as valid Python string literals."""
    rule = _rule(name, None, None)
    value = _value(rule, "value", None) if rule is not None else "build-only-placeholder"
    literal = json.dumps(value)
    return f"{name} = [{literal}]" if kind == "list" else f"{name} = {literal}"


def _safe_path(path: str) -> bool:
    return bool(re.fullmatch(r"[\w.-]+(/[\w.-]+)*", path)) and ".." not in path.split("/")


def env_prefix(pairs: tuple[tuple[str, str], ...]) -> str:
    """`NAME=value ` assignments for the start of a shell command, each value quoted."""
    return "".join(f"{k}={shlex.quote(v)} " for k, v in pairs)


def run_command(facts: ProjectFacts, image: str = "IMAGE", port: int = 8000) -> str:
    """A one-line `docker run` that starts the image with its runtime contract filled in."""
    c = contract(facts)
    parts = ["docker", "run", "--rm", "-p", f"{port}:{port}"]
    for var in c.variables:
        if var.kind != "choice":  # set by ENV in the image
            parts += ["-e", shlex.quote(f"{var.name}={var.example}")]
    for h in c.hosts:
        # host-gateway: the Docker host's address, where a server started outside runs.
        parts += ["--add-host", f"{h.host}:host-gateway"]
    for f in c.files:
        name = f.repo_path.rsplit("/", 1)[-1]
        # Paths are checked to [\w.-/]: double quotes keep $PWD expanding.
        parts += ["-v", f'"$PWD/{name}:{f.path}:ro"']
    parts.append(shlex.quote(image))
    return " ".join(parts)


def comment_lines(c: Contract) -> tuple[str, ...]:
    """The Dockerfile comment block: what `docker run` must give this image."""
    if not c:
        return ()
    if all(var.build for var in c.variables):
        lines = [
            "Runtime contract: the settings cannot start without these (give them at run time;"
        ]
        lines.append("the build used placeholders on its RUN lines only):")
    else:  # database parts the settings import without: the container's only
        lines = ["Runtime contract: the container cannot start or reach its database without these"]
        lines.append(
            "(give them at run time; the build used placeholders on its RUN lines only, and"
        )
        lines.append("none for the database parts its commands import the settings without):")
    for var in c.variables:
        kind = f"set by ENV to {var.placeholder}" if var.kind == "choice" else var.label
        lines.append(f"  {var.name} ({kind}): {_one_line(var.why)} [{_one_line(var.where)}]")
    for h in c.hosts:
        where = f"{_one_line(h.file or '')}:{h.line or '?'}"
        at = f"{h.host}:{h.port}" if h.port else h.host
        lines.append(
            f"  host {h.host}: the settings connect to {h.what} at {at} ({where}); run the "
            f"container where {h.host} resolves (a Compose service) or with --add-host {h.host}:IP"
        )
    for f in c.files:
        lines.append(
            f"  {f.path}: the settings import it ({_one_line(f.file)}:{f.line or '?'}); the "
            f"repository ships only {f.repo_example}: mount your own"
        )
    return tuple(lines)


def _one_line(text: str) -> str:
    """Repository text inside a comment: printable characters only, so no line can be added."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)
