"""Parsing helpers shared by the detectors: every failure becomes a warning naming the file."""

from __future__ import annotations

import ast
import configparser
import json
import tomllib
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


def parse_python(tree: SourceTree, path: str, diags: Diagnostics) -> ast.Module | None:
    """The module's syntax tree (never executed), or None with a warning on a syntax error."""
    text = tree.read_text(path)
    if text is None:
        return None
    try:
        return ast.parse(text, filename=path)
    except SyntaxError as exc:
        diags.warn(f"has a Python syntax error ({exc.msg}); not read", path, exc.lineno)
        return None
    except (ValueError, RecursionError, MemoryError):
        diags.warn("could not be parsed as Python; not read", path)
        return None


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
