"""Settings that choose what to load by an environment variable, and a default that is missing.

django-split-settings packages and `if/elif/else` settings pick a module by a variable:
`if os.environ.get("IN_DOCKER"): parts.append("docker.py") ... else: parts.append("local.py")`.
When the branch taken with nothing set (the final `else`) loads a module the repository does not
have (each deployment writes its own `local.py`, or only `local.example` exists) while another
branch loads one it does have, the image must take that branch, at build time and at run time.
This module finds such a chain and the values that select the branch, statically: nothing is
imported, no test is evaluated beyond reading which variable it compares with which constant.
"""

from __future__ import annotations

import ast
import fnmatch
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from generator import data
from generator.detect._pyvalues import const_str, dotted, env_read

# A value we would write into ENV and RUN lines: short, no quoting needed.
_VALUE = re.compile(r"^[\w.-]{1,64}$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
# Calls that take the variable's text and succeed on "1": bool(int(X)), strtobool(X), X.lower().
_TRUTHY_WRAPPERS = frozenset({"bool", "int", "strtobool", "distutils.util.strtobool"})
_TEXT_METHODS = frozenset({"lower", "upper", "strip", "casefold"})
_LIST_METHODS = frozenset({"append", "extend", "insert"})
_INCLUDES = frozenset({"include", "tools.include", "split_settings.tools.include"})


@dataclass(frozen=True)
class BranchChoice:
    """The branch the image takes: variables to set, what it loads, what the default lacks."""

    assign: tuple[tuple[str, str], ...]  # (variable, value) that make the branch's test true
    loads: tuple[str, ...]  # split-settings file names or dotted modules the branch loads
    missing: tuple[str, ...]  # what the default branch loads that the repository lacks
    others: tuple[str, ...]  # what the other branches load: never loaded by the image
    test: str  # the chosen branch's condition, as written
    line: int


@dataclass(frozen=True)
class _Target:
    name: str  # "docker.py" (split-settings, relative to the file) or a dotted module
    split: bool


def choose(
    module_ast: ast.Module,
    readers: frozenset[str],
    exists: Callable[[str, bool], bool],
    absolute: Callable[[ast.ImportFrom], str | None],
) -> list[BranchChoice]:
    """For each top-level `if/elif/else` chain whose default loads something missing, the branch
    the image should take instead (best-ranked by what it loads), if one can be selected by
    setting variables to constants. `exists(name, split)` says whether a target is in the
    repository; `absolute` resolves a relative star-import."""
    aliases: dict[str, str] = {}  # NAME = os.environ.get("X") bound before the chain
    out: list[BranchChoice] = []
    for stmt in module_ast.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            read = _text_of(stmt.value, readers, aliases)
            if isinstance(target, ast.Name) and read is not None:
                aliases[target.id] = read
            continue
        if not isinstance(stmt, ast.If):
            continue
        branches, default = _flatten(stmt)
        if not default:
            continue
        missing = [t.name for t in _targets(default, absolute) if not exists(t.name, t.split)]
        if not missing:
            continue
        choice = _best(branches, readers, aliases, exists, absolute, tuple(missing))
        if choice is not None:
            every = [t.name for b in branches for t in _targets(b.body, absolute)]
            every += [t.name for t in _targets(default, absolute)]
            others = tuple(dict.fromkeys(n for n in every if n not in choice.loads))
            out.append(replace(choice, others=others))
    return out


def _flatten(stmt: ast.If) -> tuple[list[ast.If], list[ast.stmt]]:
    """if/elif/elif/else -> ([each If node], the final else body)."""
    branches = [stmt]
    while len(stmt.orelse) == 1 and isinstance(stmt.orelse[0], ast.If):
        stmt = stmt.orelse[0]
        branches.append(stmt)
    return branches, stmt.orelse


def _targets(
    body: list[ast.stmt], absolute: Callable[[ast.ImportFrom], str | None]
) -> list[_Target]:
    """What one branch loads, from its own statements (not nested conditions): split-settings
    file names appended to a list or included, and star-imported modules."""
    out: list[_Target] = []
    for stmt in body:
        if isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names):
            module = absolute(stmt)
            if module:
                out.append(_Target(module, False))
            continue
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        values: list[ast.expr] = []
        if isinstance(call, ast.Call):
            func = dotted(call.func) or ""
            if func in _INCLUDES or func.rsplit(".", 1)[-1] in _LIST_METHODS:
                values = list(call.args)
        elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.op, ast.Add):
            values = [stmt.value]
        for value in values:
            items = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
            for item in items:
                text = const_str(item)  # optional("x.py") is a call: never required
                if text and text.endswith(".py") and not any(c in text for c in "*?["):
                    out.append(_Target(posixpath.normpath(text), True))
    return out


def _best(
    branches: list[ast.If],
    readers: frozenset[str],
    aliases: dict[str, str],
    exists: Callable[[str, bool], bool],
    absolute: Callable[[ast.ImportFrom], str | None],
    missing: tuple[str, ...],
) -> BranchChoice | None:
    ranked: list[tuple[int, int, BranchChoice]] = []
    tested: set[str] = set()
    for index, branch in enumerate(branches):
        loads = _targets(branch.body, absolute)
        assign = _satisfy(branch.test, readers, aliases)
        earlier = set(tested)
        tested |= _variables(branch.test, readers, aliases)
        if not loads or not all(exists(t.name, t.split) for t in loads) or not assign:
            continue
        if any(name in earlier for name in assign):
            continue  # setting it would also steer an earlier branch
        rank = _rank([t.name for t in loads])
        if rank is None:
            continue
        choice = BranchChoice(
            tuple(sorted(assign.items())),
            tuple(t.name for t in loads),
            missing,
            (),
            _source(branch.test),
            branch.lineno,
        )
        ranked.append((rank, index, choice))
    return min(ranked, key=lambda r: (r[0], r[1]))[2] if ranked else None


def _rank(names: list[str]) -> int | None:
    """Lower is better: the row of data/settings_branches.toml the branch's modules match first;
    None for a branch the image must not take (tests, CI, development)."""
    table = data.load("settings_branches.toml")
    stems = [re.split(r"[./]", n.removesuffix(".py"))[-1].lower() for n in names]
    for stem in stems:
        if any(fnmatch.fnmatchcase(stem, p) for p in table["avoid"]):
            return None
    for rank, pattern in enumerate(table["prefer"]):
        if any(fnmatch.fnmatchcase(stem, pattern) for stem in stems):
            return rank
    return len(table["prefer"])


def _satisfy(test: ast.expr, readers: frozenset[str], aliases: dict[str, str]) -> dict[str, str]:
    """Variables and constants that make `test` true, or {} when it cannot be read that way."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        out: dict[str, str] = {}
        for value in test.values:
            part = _satisfy(value, readers, aliases)
            if not part or any(out.get(k, v) != v for k, v in part.items()):
                return {}
            out.update(part)
        return out
    if isinstance(test, ast.BoolOp):  # or: the first side that can be made true
        return next((p for v in test.values if (p := _satisfy(v, readers, aliases))), {})
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        op, right = test.ops[0], test.comparators[0]
        if isinstance(op, ast.In | ast.NotIn) and (dotted(right) or "").endswith("environ"):
            name = const_str(test.left)
            return {name: "1"} if name and isinstance(op, ast.In) else {}
        name = _text_of(test.left, readers, aliases)
        values = right.elts if isinstance(right, ast.Tuple | ast.List | ast.Set) else [right]
        wanted = next((const_str(v) for v in values if const_str(v)), None)
        if name and wanted and isinstance(op, ast.Eq | ast.In):
            return {name: wanted}
        return {}
    if isinstance(test, ast.Call) and (dotted(test.func) or "") in _TRUTHY_WRAPPERS:
        return _satisfy(test.args[0], readers, aliases) if len(test.args) == 1 else {}
    name = _read_name(test, readers, aliases)
    return {name: "1"} if name else {}


def _text_of(node: ast.expr, readers: frozenset[str], aliases: dict[str, str]) -> str | None:
    """The variable whose text `node` is: a read, an alias, or either with .lower()/.strip()."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _TEXT_METHODS
    ):
        return _text_of(node.func.value, readers, aliases)
    return _read_name(node, readers, aliases)


def _read_name(node: ast.AST, readers: frozenset[str], aliases: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return aliases.get(node.id)
    read = env_read(node, readers)
    if read is None or not read.name or not _NAME.match(read.name):
        return None
    if isinstance(node, ast.Compare):
        return None  # "X" in os.environ is handled as a test, not as the variable's text
    return read.name


def _variables(test: ast.expr, readers: frozenset[str], aliases: dict[str, str]) -> set[str]:
    out: set[str] = set()
    for sub in ast.walk(test):
        if isinstance(sub, ast.Compare) and (dotted(sub.comparators[0]) or "").endswith("environ"):
            name = const_str(sub.left)
            if name:
                out.add(name)
            continue
        name = _read_name(sub, readers, aliases)
        if name:
            out.add(name)
    return out


def valid(choice: BranchChoice) -> bool:
    """Names and values safe to write into ENV and RUN lines unquoted."""
    return all(_NAME.match(k) and _VALUE.match(v) for k, v in choice.assign)


def _source(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except (ValueError, RecursionError, AttributeError):
        return ""
