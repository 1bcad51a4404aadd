"""The one rule for repository-derived strings and paths: what may pass, and how it is quoted.

The tool runs on strangers' repositories (the PR bot has a write token), so every value and path
it reads is hostile until proven otherwise. This module holds, in one place:

- allowlists per kind of value (module path, file path, version, package name, env key, env
  value), ASCII-only and anchored with ``\\Z`` (``$`` also matches before a trailing newline);
- quoting per Dockerfile context (exec-form JSON, shell word, ENV value, comment);
- containment of paths: the final path, with every parent symlink resolved, inside the root.

Every character `str.splitlines()` splits on counts as a line break (U+2028, U+0085, VT, FF, the
FS/GS/RS separators, ...), not just ``\\n``: readers of the generated files split on all of them.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

# Every character str.splitlines() treats as a line boundary.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
# Line breaks plus the other C0/C1 controls and DEL: never meaningful in a Dockerfile value.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NON_PRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\ufeff]")

# Allowlists per kind of value. ASCII only (re.ASCII: `\d` would accept fullwidth digits), \Z anchored.
PATTERNS: dict[str, re.Pattern[str]] = {
    # mysite.settings.production
    "module": re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\Z", re.ASCII),
    # mysite.wsgi:application
    "app": re.compile(
        r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?::[A-Za-z_][A-Za-z0-9_]*)?\Z",
        re.ASCII,
    ),
    # A relative POSIX path inside the repository: no leading '/', no '..', no odd characters.
    "path": re.compile(
        r"(?!/)(?!.*(?:^|/)\.\.(?:/|\Z))[A-Za-z0-9_.@+-][A-Za-z0-9_./@+-]*\Z", re.ASCII
    ),
    # An absolute path inside the image.
    "image_path": re.compile(r"/(?!.*(?:^|/)\.\.(?:/|\Z))[A-Za-z0-9_./@+-]*\Z", re.ASCII),
    # 3, 3.12, 3.12.7, 20.11.1 (Python, Node, tool versions)
    "version": re.compile(r"[0-9]{1,4}(?:\.[0-9]{1,4}){0,3}\Z", re.ASCII),
    # Debian policy 5.6.1
    "debian_package": re.compile(r"[a-z0-9][a-z0-9+.-]+\Z", re.ASCII),
    # PEP 508 names
    "python_package": re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\Z", re.ASCII),
    "env_key": re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z", re.ASCII),
    # Any one-line printable text (it is quoted for its context; see env_value()).
    "env_value": re.compile(r"[^\x00-\x1f\x7f-\x9f\u2028\u2029]{0,4096}\Z"),
    # Image tag suffixes and tags: slim-bookworm, 3.12.7-slim
    "tag": re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\Z", re.ASCII),
    # A FROM reference: registry/name:tag@sha256:...
    "image": re.compile(
        r"[a-z0-9][a-z0-9._/:-]*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?\Z",
        re.ASCII,
    ),
    "stage": re.compile(r"[a-z][a-z0-9_.-]{0,63}\Z", re.ASCII),
}


class UnsafeValue(ValueError):
    """A value that may not reach a generated file; the message says which and why."""


class UnsafePath(ValueError):
    """A path that leaves the repository, or is not a regular file; the message names the option."""


def has_line_break(text: str) -> bool:
    """True when `text` holds any character str.splitlines() splits on."""
    return any(ch in text for ch in LINE_BREAKS)


def valid(kind: str, value: str) -> bool:
    """True when `value` is allowed as a `kind` (see PATTERNS)."""
    return isinstance(value, str) and PATTERNS[kind].match(value) is not None


def check(kind: str, value: str, what: str = "value") -> str:
    """`value` if it is a valid `kind`, else UnsafeValue naming `what`."""
    if not valid(kind, value):
        raise UnsafeValue(f"{what} {printable(value)} is not a valid {kind.replace('_', ' ')}")
    return value


def printable(value: object, limit: int = 80) -> str:
    """A short repr for messages: control and invisible characters escaped, long text cut."""
    text = str(value)
    cut = text[:limit] + ("…" if len(text) > limit else "")
    return repr(cut) if not _NON_PRINTABLE.search(cut) else ascii(cut)


# --- quoting per context ----------------------------------------------------------------------


def exec_form(argv: Iterable[str]) -> str:
    """A JSON array for CMD/HEALTHCHECK/ENTRYPOINT: every non-ASCII character \\u-escaped."""
    args = list(argv)
    for arg in args:
        if _CONTROL.search(arg):
            raise UnsafeValue(f"command argument {printable(arg)} holds control characters")
    return json.dumps(args, ensure_ascii=True)


def shell_word(value: str) -> str:
    """`value` as one POSIX shell word (RUN lines); control characters refused."""
    if _CONTROL.search(value):
        raise UnsafeValue(f"shell word {printable(value)} holds control characters")
    return shlex.quote(value)


def env_value(value: str) -> str:
    """`value` for the right-hand side of ENV KEY=value: bare when plain, else double-quoted.

    Docker's ENV reads backslash escapes and $VAR inside double quotes; both are escaped, except
    a literal `$PATH` the plan itself puts there to extend PATH.
    """
    if not valid("env_value", value):
        raise UnsafeValue(f"ENV value {printable(value)} must be one line of printable text")
    if value and re.fullmatch(r"[A-Za-z0-9_./:,@+-]*(\$PATH)?[A-Za-z0-9_./:,@+-]*", value, re.A):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{escaped}"'


def comment(text: str) -> str:
    """`text` safe after `# `: every line break and control character becomes a space."""
    return _NON_PRINTABLE.sub(" ", str(text))


def ascii_digits(text: str) -> bool:
    """True when every digit in `text` is 0-9 (str.isdigit and \\d also accept fullwidth or Arabic-Indic digits)."""
    return all(ch in "0123456789" for ch in text if ch.isdigit())


# --- paths -----------------------------------------------------------------------------------


def inside(root: str | os.PathLike[str], rel: str, option: str) -> Path:
    """ROOT/REL for reading or writing, with every parent symlink resolved, or UnsafePath.

    The parent directories must resolve inside the resolved ROOT; the file itself must not be a
    symlink (writing through one would change the file it points at, wherever that is). `option`
    names where REL came from (e.g. "dockerfile"), so the error tells the user what to change.
    """
    where = f"the {option} option ({printable(rel)})"
    if not isinstance(rel, str) or not rel or _CONTROL.search(rel):
        raise UnsafePath(f"{where} is not a usable relative path")
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts or pure.name in ("", ".", ".."):
        raise UnsafePath(f"{where} must be a file path inside the repository, without '..'")
    base = Path(root).resolve()
    parent = base.joinpath(*pure.parts[:-1]).resolve()
    if parent != base and not parent.is_relative_to(base):
        raise UnsafePath(
            f"{where} leads outside the repository through a symlink ({parent}); use a path "
            "whose directories are inside the repository"
        )
    target = parent / pure.name
    if target.is_symlink():
        raise UnsafePath(f"{where} is a symlink; refusing to read or write through it")
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise UnsafePath(f"{where} cannot be used: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
        raise UnsafePath(f"{where} is {kind}; nothing was written")
    return target


# --- the plan -> render boundary -------------------------------------------------------------

# Plan fields with a kind of their own (by field name, so values added later pass the same gate;
# any other string field gets the generic rule: one line of printable text).
_FIELD_KINDS = {
    "python_version": "version",
    "settings_module": "module",
    "apt_build": "debian_package",
    "apt_runtime": "debian_package",
    "base": "from_image",
    "base_image": "from_image",
    "keyword": "keyword",
    "user": "user",
}
PATTERNS.update(
    {
        # FROM python:${PYTHON_VERSION}-slim-trixie, node:20-slim, ...@sha256:<hex>
        "from_image": re.compile(r"(?:[a-z0-9._/:@-]|\$\{[A-Za-z_][A-Za-z0-9_]*\})+\Z", re.ASCII),
        "keyword": re.compile(r"(?:ADD|ARG|COPY|ENV|LABEL|RUN|USER|VOLUME|WORKDIR)?\Z", re.ASCII),
        "user": re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?::[A-Za-z0-9_][A-Za-z0-9_.-]*)?\Z", re.A),
        # KEY=value pairs of ENV, ARG and LABEL: a bare word or one double-quoted string.
        "assignment": re.compile(
            r"[A-Za-z_][A-Za-z0-9_.-]*(?:=(?:[A-Za-z0-9_./:,@+=${}-]*|\"(?:[^\"\\]|\\.)*\"))?\Z",
            re.ASCII,
        ),
    }
)
# Fields the templates never render (they go to the decision log and the summary).
_NOT_RENDERED = frozenset({"decisions"})


def safe_plan(plan: object) -> object:
    """`plan` with every comment neutralised, after checking every other string it holds.

    Walks any frozen dataclass (BuildPlan, its stages and instructions, and whatever fields are
    added later): comment fields (named "*comment*", and the section titles of `dockerignore`)
    have line breaks and control characters replaced; fields listed in _FIELD_KINDS must match
    their allowlist; ENV/ARG/LABEL arguments must be KEY=value with one quoted value; every other
    string must be one line of printable text. Raises UnsafeValue naming the field.
    """
    return _walk(plan, "plan", None)


def _walk(value: object, name: str, keyword: str | None) -> object:
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes: dict[str, object] = {}
        own_keyword = getattr(value, "keyword", None)
        for f in dataclasses.fields(value):
            if f.name in _NOT_RENDERED:
                continue
            old = getattr(value, f.name)
            new = _walk(old, f.name, own_keyword if f.name == "args" else None)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    if name == "dockerignore" and isinstance(value, tuple):
        return tuple(
            (comment(title), tuple(_one(p, "dockerignore pattern", None) for p in patterns))
            for title, patterns in value
        )
    if isinstance(value, tuple):
        items = tuple(_walk(item, name, keyword) for item in value)
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, str):
        if "comment" in name:
            cleaned = comment(value)
            return value if cleaned == value else cleaned
        return _one(value, name, keyword)
    return value


def _one(value: str, name: str, keyword: str | None) -> str:
    kind = _FIELD_KINDS.get(name)
    if keyword in ("ENV", "ARG", "LABEL"):
        kind = "assignment"
    if _CONTROL.search(value):
        raise UnsafeValue(f"{name} {printable(value)} holds a line break or control character")
    if kind and not valid(kind, value):
        raise UnsafeValue(f"{name} {printable(value)} is not a valid {kind.replace('_', ' ')}")
    return value
