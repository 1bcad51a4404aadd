"""Application code that refuses empty settings when it is imported.

`QTicketsInfo = QTickets()` at the bottom of an app module whose `__init__` says
`if not (settings.QTICKETS_TOKEN or settings.QTICKETS_ENDPOINT): raise ImproperlyConfigured(...)`
runs whenever Django imports the app (models.py imports it): collectstatic fails at build time,
and the container fails at start. When the settings read such a value from the environment with an
empty default, the variable is a need like a read with no default. Read statically: module-level
`if`s, and the bodies of the functions and classes (`__init__`) the module calls at its top level.
Only tests that reject an empty value count (`not settings.X`, `settings.X == ""`,
`settings.X is None`): a raise on `if settings.DEBUG:` is a switch, not a missing value.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from generator.detect._pyvalues import const_str, dotted


@dataclass(frozen=True)
class EmptyCheck:
    """Settings an import-time `if` raises on when they are empty."""

    names: tuple[str, ...]  # setting names (QTICKETS_TOKEN, ...)
    line: int
    test: str


def empty_checks(module_ast: ast.Module) -> list[EmptyCheck]:
    """The import-time checks of `module_ast` that raise when settings are empty."""
    aliases = _settings_aliases(module_ast)
    if not aliases:
        return []
    defs = {
        s.name: s
        for s in module_ast.body
        if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }
    bodies: list[list[ast.stmt]] = [module_ast.body]
    for stmt in module_ast.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                called = defs.get(node.func.id)
                if isinstance(called, ast.ClassDef):
                    bodies += [
                        f.body
                        for f in called.body
                        if isinstance(f, ast.FunctionDef) and f.name == "__init__"
                    ]
                elif called is not None:
                    bodies.append(called.body)  # type: ignore[union-attr]
    out: list[EmptyCheck] = []
    seen: set[int] = set()
    for body in bodies:
        for node in _statements(body):
            if not isinstance(node, ast.If) or id(node) in seen:
                continue
            seen.add(id(node))
            if not any(isinstance(s, ast.Raise) for s in node.body):
                continue
            names = _rejects_empty(node.test, aliases)
            if names:
                out.append(EmptyCheck(names, node.lineno, _source(node.test)))
    return out


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of a body that run when it runs (not nested function or class bodies)."""
    stack = list(reversed(body))
    while stack:
        stmt = stack.pop()
        yield stmt
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for field in ("body", "orelse", "finalbody"):
            stack.extend(reversed(getattr(stmt, field, []) or []))
        for handler in getattr(stmt, "handlers", []) or []:
            stack.extend(reversed(handler.body))


def _settings_aliases(module_ast: ast.Module) -> frozenset[str]:
    """Names bound to django.conf.settings in this module."""
    names: set[str] = set()
    for node in ast.walk(module_ast):
        if isinstance(node, ast.ImportFrom) and node.module == "django.conf":
            names.update(a.asname or a.name for a in node.names if a.name == "settings")
        elif isinstance(node, ast.Import):
            names.update("django.conf.settings" for a in node.names if a.name == "django.conf")
    return frozenset(names)


def _setting(node: ast.AST, aliases: frozenset[str]) -> str | None:
    """X for `settings.X` or `getattr(settings, "X", ...)`."""
    if isinstance(node, ast.Attribute) and dotted(node.value) in aliases:
        return node.attr if node.attr.isupper() else None
    if (
        isinstance(node, ast.Call)
        and dotted(node.func) == "getattr"
        and len(node.args) >= 2
        and dotted(node.args[0]) in aliases
    ):
        name = const_str(node.args[1])
        return name if name and name.isupper() else None
    return None


def _rejects_empty(test: ast.expr, aliases: frozenset[str]) -> tuple[str, ...]:
    """The settings a test raises on when empty: `not X`, `not (X or Y)`, `not X or not Y`,
    `X == ""`, `X is None`, `len(X) == 0`."""
    if isinstance(test, ast.BoolOp):
        out: list[str] = []
        for value in test.values:
            out += [n for n in _rejects_empty(value, aliases) if n not in out]
        return tuple(out)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        operand = test.operand
        parts = operand.values if isinstance(operand, ast.BoolOp) else [operand]
        names = [_setting(p, aliases) for p in parts]
        return tuple(n for n in names if n)
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, right, op = test.left, test.comparators[0], test.ops[0]
        name = _setting(left, aliases)
        if name is None and isinstance(left, ast.Call) and dotted(left.func) == "len":
            name = _setting(left.args[0], aliases) if left.args else None
        empty = isinstance(right, ast.Constant) and right.value in ("", None, 0)
        if name and empty and isinstance(op, ast.Eq | ast.Is):
            return (name,)
    return ()


def _source(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except (ValueError, RecursionError, AttributeError):
        return ""
