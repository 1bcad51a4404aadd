"""Which environment variables the default database is assembled from, statically.

Settings often build the default database from separate variables instead of one URL: the
entries of `DATABASES["default"]` (`"HOST": os.environ.get("DB_HOST")`), or a helper's keyword
arguments under an `if` that is the only place the database is set (`if POSTGRES_DB and
POSTGRES_HOST: DATABASES["default"] = PostgresConfig(dbname=POSTGRES_DB, ...)`). The settings
import without them, so the build needs none of them; the running container answers 500 on
every page ("settings.DATABASES is improperly configured") until they are given. This module
says which variable is which part of the connection (name, user, password, host, port, url),
from the key or keyword it is handed to, else from its own name (data/database_parts.toml).
"""

from __future__ import annotations

import ast
import fnmatch
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from generator import data
from generator.detect._pyvalues import Evaluator, FromEnv, dotted, env_read


@dataclass(frozen=True)
class PartRead:
    """A variable the database is built from: `part` of the connection, handed over `via`
    (`'HOST'`, `host=`) at `line`; `via` is empty when only the variable's name tells."""

    name: str
    part: str
    line: int
    via: str = ""


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    return data.load("database_parts.toml")


def part_label(part: str) -> str:
    """A part in the contract's words ("host" -> "database host")."""
    return _table()["labels"].get(part, "database setting")


def part_of_key(key: str) -> str | None:
    """The part a DATABASES entry key names ("HOST" -> "host")."""
    return _table()["keys"].get(key.upper())


def part_of_name(name: str) -> str | None:
    """The part a variable's own name says it is (POSTGRES_HOST -> "host")."""
    upper = name.upper()
    for row in _table()["names"]:
        if fnmatch.fnmatchcase(upper, row["pattern"]):
            return row["part"]
    return None


def unset_is_empty(value: Any) -> bool:
    """Whether a value read from the environment is None or "" when nothing is set (through
    nested reads: `os.environ.get("A") or os.environ.get("B")`)."""
    for _ in range(20):  # a chain of nested reads is short; a deeper one is hostile
        if not isinstance(value, FromEnv):
            return value is None or value == ""
        value = value.default
    return False


def _env_names(node: ast.AST, ev: Evaluator) -> list[tuple[str, int]]:
    """Variables read from the environment anywhere in `node` that are empty when unset (a read
    itself, or a name bound to one earlier), with their lines."""
    out: list[tuple[str, int]] = []
    for sub in ast.walk(node):
        if not (isinstance(sub, ast.Name) or env_read(sub, ev.env_readers) is not None):
            continue
        value = ev.eval(sub)
        if isinstance(value, FromEnv) and unset_is_empty(value):
            line = getattr(sub, "lineno", 0)
            out += [(n, line) for n in value.names if all(n != o for o, _ in out)]
    return out


def part_reads(nodes: list[ast.stmt], ev: Evaluator) -> list[PartRead]:
    """The variables `nodes` hand to a database: DATABASES-style dict entries, the keyword
    arguments of a call, the URL given to dj_database_url.parse(); one read per variable."""
    table = _table()
    found: dict[str, PartRead] = {}

    def add(value: ast.AST, part: str | None, via: str) -> None:
        for name, line in _env_names(value, ev):
            part_here = part or part_of_name(name)
            if part_here and name not in found:
                found[name] = PartRead(name, part_here, line, via)

    for stmt in nodes:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        part = part_of_key(key.value)
                        if part:
                            add(value, part, repr(key.value))
            elif isinstance(node, ast.Call):
                for kw in node.keywords:
                    part = table["keywords"].get(kw.arg or "")
                    if part:
                        add(kw.value, part, f"{kw.arg}=")
                if node.args and (dotted(node.func) or "") in table["url_calls"]:
                    add(node.args[0], "url", f"{dotted(node.func)}()")
    return list(found.values())


def required_names(test: ast.expr, ev: Evaluator) -> list[str]:
    """Variables an `if` test needs set (non-empty) for its body to run: `A and B`, `A or B`,
    `"A" in os.environ`, `A is not None`, `A != ""`; a negated test requires nothing."""
    if isinstance(test, ast.BoolOp):
        out: list[str] = []
        for value in test.values:
            out += [n for n in required_names(value, ev) if n not in out]
        return out
    if isinstance(test, ast.UnaryOp):
        return []
    if isinstance(test, ast.Compare):
        if len(test.ops) != 1:
            return []
        op, right = test.ops[0], test.comparators[0]
        if isinstance(op, ast.In):
            read = env_read(test, ev.env_readers)
            return [read.name] if read is not None and read.name else []
        empty = isinstance(right, ast.Constant) and right.value in (None, "")
        if not (empty and isinstance(op, ast.IsNot | ast.NotEq)):
            return []
        test = test.left
    if isinstance(test, ast.Call) and dotted(test.func) == "bool" and len(test.args) == 1:
        test = test.args[0]
    value = ev.eval(test)
    if isinstance(value, FromEnv) and unset_is_empty(value):
        return list(value.names)
    return []
