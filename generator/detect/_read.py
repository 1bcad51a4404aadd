"""Parsing helpers shared by the detectors: every failure becomes a warning naming the file."""

from __future__ import annotations

import ast
import configparser
import json
import tomllib
import weakref
from dataclasses import dataclass, field
from typing import Any

from generator.facts import Diagnostics
from generator.source import SourceTree


def load_toml(tree: SourceTree, path: str, diags: Diagnostics) -> dict[str, Any] | None:
    """Parsed TOML, or None (with a warning naming file and line) when missing or invalid."""
    text = tree.read_text(path)
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_from_message(str(exc))
        diags.warn(f"is not valid TOML ({exc}); ignored", path, line)
        return None
    except (RecursionError, MemoryError):
        # tomllib recurses per nesting level: thousands of nested arrays end it.
        diags.warn("is nested too deeply to read as TOML; ignored", path)
        return None


def load_json(tree: SourceTree, path: str, diags: Diagnostics) -> Any | None:
    text = tree.read_text(path)
    if text is None:
        return None
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        line = exc.lineno if isinstance(exc, json.JSONDecodeError) else None
        diags.warn(f"is not valid JSON ({exc}); ignored", path, line)
        return None


def load_ini(tree: SourceTree, path: str, diags: Diagnostics) -> configparser.ConfigParser | None:
    """A parsed INI file (setup.cfg), or None (with a warning naming file and line) when invalid."""
    text = tree.read_text(path)
    if text is None:
        return None
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text, source=path)
    except configparser.Error as exc:
        first = str(exc).splitlines()[0]
        # Hostile files may hold megabytes on one line: keep the warning readable.
        first = first if len(first) <= 60 else first[:60] + "..."
        diags.warn(
            f"is not a valid setup.cfg ({first}); ignored", path, getattr(exc, "lineno", None)
        )
        return None
    return parser


# Python's syntax trees cost about 0.5-1 kB of memory per node and 1 s per MB of source to
# build: a settings module is a few kB, so these bound what a hostile repository can make a run
# spend (measured in bench/hostile.py) without touching real projects.
MAX_PYTHON_BYTES = 256 * 1024  # one file
PYTHON_BYTES_PER_RUN = 768 * 1024  # every parse of a run together (re-parses count again)
AST_NODES_PER_RUN = 200_000


@dataclass
class _Budget:
    # Read when a run starts (not when this module loads), so tests can lower them.
    bytes_left: int = field(default_factory=lambda: PYTHON_BYTES_PER_RUN)
    nodes_left: int = field(default_factory=lambda: AST_NODES_PER_RUN)


# One budget per source tree, i.e. per run (a tree is made for each run and dropped after it).
_BUDGETS: weakref.WeakKeyDictionary[Any, _Budget] = weakref.WeakKeyDictionary()


def parse_python(tree: SourceTree, path: str, diags: Diagnostics) -> ast.Module | None:
    """The module's syntax tree (never executed), or None with a warning when it has a syntax
    error, nests too deeply, or is past the run's budget of Python bytes and syntax-tree nodes."""
    text = tree.read_text(path)
    if text is None:
        return None
    try:
        budget = _BUDGETS.setdefault(tree, _Budget())
    except TypeError:  # a tree that cannot be weakly referenced: a budget of its own per call
        budget = _Budget()
    size = len(text)
    if size > MAX_PYTHON_BYTES:
        diags.warn(
            f"is {size // 1024} kB of Python, more than the {MAX_PYTHON_BYTES // 1024} kB read "
            "from one module; not read",
            path,
        )
        return None
    if size > budget.bytes_left:
        diags.warn(
            f"not read: this run already parsed {PYTHON_BYTES_PER_RUN // 1024} kB of Python",
            path,
        )
        return None
    budget.bytes_left -= size
    try:
        module = ast.parse(text, filename=path)
    except SyntaxError as exc:
        diags.warn(f"has a Python syntax error ({exc.msg}); not read", path, exc.lineno)
        return None
    except (ValueError, RecursionError, MemoryError):
        diags.warn("could not be parsed as Python (nested too deeply); not read", path)
        return None
    nodes = sum(1 for _ in ast.walk(module))
    if nodes > budget.nodes_left:
        budget.nodes_left = 0
        diags.warn(
            f"not read: this run already built {AST_NODES_PER_RUN} Python syntax-tree nodes",
            path,
        )
        return None
    budget.nodes_left -= nodes
    return module


def subtable(data: Any, *keys: str) -> dict[str, Any]:
    """data[k1][k2]... when every level is a table, else {} (hostile files have odd types)."""
    for key in keys:
        if not isinstance(data, dict):
            return {}
        data = data.get(key)
    return data if isinstance(data, dict) else {}


def _line_from_message(message: str) -> int | None:
    # tomllib reports "... (at line 3, column 5)".
    marker = "at line "
    if marker in message:
        digits = message.split(marker, 1)[1].split(",", 1)[0].split(")", 1)[0]
        if digits.isascii() and digits.isdigit():
            return int(digits)
    return None


def join(directory: str, name: str) -> str:
    """Join a relative directory ("." for the root) and a name into a tree path."""
    return name if directory in ("", ".") else f"{directory}/{name}"


def parent_dirs(directory: str) -> list[str]:
    """`directory` and each parent up to the root, nearest first: ["a/b", "a", "."]."""
    out: list[str] = []
    parts = [] if directory in ("", ".") else directory.split("/")
    while parts:
        out.append("/".join(parts))
        parts.pop()
    out.append(".")
    return out
