"""A tiny static evaluator for the expressions settings files use (never executes anything).

It understands string and container literals, `+` on lists, paths built from `__file__`
(`Path(__file__).resolve().parent.parent / "static"`, `os.path.join(BASE_DIR, "static")`),
and reads of the environment (`os.environ[...]`, `os.getenv`, django-environ, python-decouple,
dj-database-url). Whatever it cannot follow becomes UNKNOWN, never a guess.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


@dataclass(frozen=True)
class FromEnv:
    """A value read from the environment at import time; `default` is what applies when unset."""

    names: tuple[str, ...]
    default: Any = None


@dataclass(frozen=True)
class PathVal:
    """A filesystem path relative to the project directory ("." for the directory itself).

    `exact` is False when the base could not be followed and only the written tail is known
    (`SOMETHING / "static"` -> "static").
    """

    rel: str
    exact: bool = True

    def join(self, *parts: str) -> PathVal:
        return PathVal(posixpath.normpath(posixpath.join(self.rel, *parts)), self.exact)

    def parent(self) -> PathVal:
        if self.rel in ("", "."):
            return PathVal("..", self.exact)
        if self.rel == ".." or self.rel.endswith("/.."):
            return PathVal(self.rel + "/..", self.exact)
        return PathVal(posixpath.dirname(self.rel) or ".", self.exact)


@dataclass(frozen=True)
class PathURL:
    """A URL whose path is a filesystem path known relative to the project directory:
    f"sqlite:///{BASE_DIR / 'db.sqlite3'}" or "sqlite:///" + os.path.join(BASE_DIR, "x.db").
    `prefix` is the text before the path ("sqlite:///"), `path` the path with any tail joined."""

    prefix: str
    path: PathVal


# The reader methods of django-environ's Env, environs' Env and python-decouple's Config (the
# first argument is the variable's name) -> the kind of value each returns. One table for the
# settings evaluator and for the build-time needs (_envneeds).
ENV_METHOD_KINDS = {
    "str": "str",
    "bool": "bool",
    "int": "int",
    "float": "float",
    "decimal": "float",
    "list": "list",
    "tuple": "list",
    "dict": "dict",
    "json": "json",
    "url": "url",
    "path": "path",
    "db": "db",
    "db_url": "db",
    "dj_db_url": "db",
    "cache": "cache",
    "cache_url": "cache",
    "dj_cache_url": "cache",
    "email": "email",
    "email_url": "email",
    "dj_email_url": "email",
    "search_url": "search",
    "get_value": "str",
    "log_level": "log_level",
}
# `get` (python-decouple's Config.get, or a mapping: env = os.environ) is a read the evaluator
# follows, but never a need: a mapping's get returns None when the variable is unset.
ENV_METHODS = frozenset(ENV_METHOD_KINDS) | {"get"}
# Variables django-environ / dj-database-url read when called without a name.
ENV_METHOD_DEFAULT_VAR = {
    "db": "DATABASE_URL",
    "db_url": "DATABASE_URL",
    "cache": "CACHE_URL",
    "cache_url": "CACHE_URL",
    "email": "EMAIL_URL",
    "email_url": "EMAIL_URL",
    "search_url": "SEARCH_URL",
}
_ENVIRON_GETTERS = frozenset({"os.environ.get", "environ.get", "os.getenv", "getenv"})
_PATH_FUNCS = frozenset({"Path", "pathlib.Path", "PurePath", "PosixPath", "environ.Path"})
_IDENTITY_FUNCS = frozenset(
    {
        "str",
        "os.fspath",
        "os.path.abspath",
        "os.path.realpath",
        "os.path.normpath",
        "os.path.expanduser",
        "abspath",
        "realpath",
        "normpath",
    }
)
_OS_CONSTANTS = {"os.pardir": "..", "os.curdir": ".", "os.sep": "/"}
_IDENTITY_METHODS = frozenset({"resolve", "absolute", "expanduser", "as_posix"})


def dotted(node: ast.AST) -> str | None:
    """`os.environ.get` for an attribute chain on a name; None for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def const_str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def kwarg(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def _is_environ(node: ast.AST) -> bool:
    name = dotted(node)
    return name is not None and (name == "environ" or name.endswith(".environ"))


@dataclass(frozen=True)
class EnvRead:
    """One read of an environment variable: its name (None when computed) and default node."""

    name: str | None
    default: ast.expr | None
    key: ast.expr | None = None  # the name's expression when it is not a literal


def env_read(node: ast.AST, env_readers: frozenset[str]) -> EnvRead | None:
    """The environment read `node` performs, if it is one (`os.environ["X"]`, `env.str("X")`...)."""
    if isinstance(node, ast.Subscript) and _is_environ(node.value):
        return EnvRead(const_str(node.slice), None, node.slice)
    if (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and isinstance(node.ops[0], ast.In | ast.NotIn)
        and _is_environ(node.comparators[0])
    ):  # "DATABASE_URL" in os.environ
        return EnvRead(const_str(node.left), None, node.left)
    if not isinstance(node, ast.Call):
        return None
    func = dotted(node.func)
    if func is None:
        return None
    first = node.args[0] if node.args else None
    if func in _ENVIRON_GETTERS:
        default = node.args[1] if len(node.args) > 1 else kwarg(node, "default")
        return EnvRead(const_str(first), default, first)
    if func in ("dj_database_url.config", "db_url.config", "dj_database_url.config_from_env"):
        var = const_str(kwarg(node, "env")) or "DATABASE_URL"
        return EnvRead(var, kwarg(node, "default"))
    if func in env_readers:
        return EnvRead(const_str(first), kwarg(node, "default"))
    head, _, method = func.rpartition(".")
    if head in env_readers and method in ENV_METHODS:
        name = const_str(first) or (ENV_METHOD_DEFAULT_VAR.get(method) if first is None else None)
        return EnvRead(name, kwarg(node, "default"))
    return None


def env_names(tree: ast.AST, env_readers: frozenset[str]) -> Iterator[tuple[str, int]]:
    """Every environment variable name read anywhere in `tree`, with its line."""
    for node in ast.walk(tree):
        read = env_read(node, env_readers)
        if read is not None and read.name:
            yield read.name, getattr(node, "lineno", 0)


def env_readers_of(module: ast.Module) -> frozenset[str]:
    """Names bound to an environment reader in this module (`env = environ.Env()`, decouple...)."""
    names = {"env"}
    for node in ast.walk(module):
        if isinstance(node, ast.ImportFrom) and node.module in ("decouple", "environs", "environ"):
            for alias in node.names:
                if alias.name in ("config", "env", "Env", "AutoConfig", "Config"):
                    names.add(alias.asname or alias.name)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = dotted(node.value.func) or ""
            if func.split(".")[-1] in ("Env", "AutoConfig", "Config", "RepositoryEnv"):
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return frozenset(names)


class Evaluator:
    """Evaluates expressions of one file against a namespace shared along a star-import chain."""

    def __init__(
        self,
        namespace: dict[str, Any],
        file_rel: str,
        env_readers: frozenset[str],
    ) -> None:
        self.ns = namespace
        self.file = PathVal(file_rel)  # __file__, relative to the project directory
        self.env_readers = env_readers

    def eval(self, node: ast.AST | None) -> Any:
        """The value of `node`, or UNKNOWN. Never raises on odd input."""
        if node is None:
            return None
        try:
            return self._eval(node)
        except (RecursionError, TypeError, ValueError, AttributeError, IndexError, KeyError):
            return UNKNOWN

    def _eval(self, node: ast.AST) -> Any:
        read = env_read(node, self.env_readers)
        if read is not None:
            default = self._eval(read.default) if read.default is not None else None
            name = read.name
            if name is None and read.key is not None:
                key = self._eval(read.key)
                name = key if isinstance(key, str) else None
            return FromEnv((name,) if name else (), default)
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id == "__file__":
                return self.file
            return self.ns.get(node.id, UNKNOWN)
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            out: list[Any] = []
            for elt in node.elts:
                if isinstance(elt, ast.Starred):
                    inner = self._eval(elt.value)
                    if isinstance(inner, list | tuple):
                        out.extend(inner)
                else:
                    out.append(self._eval(elt))
            return tuple(out) if isinstance(node, ast.Tuple) else out
        if isinstance(node, ast.Dict):
            result: dict[Any, Any] = {}
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:
                    inner = self._eval(value)
                    if isinstance(inner, dict):
                        result.update(inner)
                else:
                    k = self._eval(key)
                    if isinstance(k, str | int):
                        result[k] = self._eval(value)
            return result
        if isinstance(node, ast.BinOp):
            return self._binop(node)
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            values = [self._eval(v) for v in node.values]
            env = next((v for v in values if isinstance(v, FromEnv)), None)
            if env is not None:
                rest = [v for v in values if not isinstance(v, FromEnv) and v is not UNKNOWN]
                return FromEnv(env.names, rest[0] if rest else env.default)
            return UNKNOWN
        if isinstance(node, ast.IfExp):
            body, orelse = self._eval(node.body), self._eval(node.orelse)
            env = self.env_test(node.test)
            if env is not None and body != orelse:
                # Path(os.environ["X"]) if "X" in os.environ else BASE_DIR: decided at run time.
                return FromEnv(env, orelse)
            return body if body is not UNKNOWN else orelse
        if isinstance(node, ast.Attribute):
            if dotted(node) in _OS_CONSTANTS:
                return _OS_CONSTANTS[dotted(node) or ""]
            base = self._eval(node.value)
            if isinstance(base, PathVal) and node.attr == "parent":
                return base.parent()
            return UNKNOWN
        if isinstance(node, ast.Subscript):
            return self._subscript(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.JoinedStr):
            return self._fstring(node)
        return UNKNOWN

    def env_test(self, test: ast.expr) -> tuple[str, ...] | None:
        """The variables a condition reads from the environment, or None if it reads none."""
        names: list[str] = []
        found = False
        for sub in ast.walk(test):
            value = None
            if env_read(sub, self.env_readers) is not None:
                value = self._eval(sub)
            elif isinstance(sub, ast.Name):
                value = self.ns.get(sub.id)
            if isinstance(value, FromEnv):
                found = True
                names.extend(n for n in value.names if n not in names)
        return tuple(names) if found else None

    def _binop(self, node: ast.BinOp) -> Any:
        left, right = self._eval(node.left), self._eval(node.right)
        if isinstance(left, FromEnv) and isinstance(node.op, ast.Div | ast.Add):
            # A path under an environment-chosen directory is itself from the environment.
            return FromEnv(left.names, None)
        if isinstance(node.op, ast.Add):
            if isinstance(left, list | tuple) and isinstance(right, list | tuple):
                return type(left)(list(left) + list(right))
            # Keep what is known of a list when the other half is computed (`[...] + extra()`).
            if isinstance(left, list | tuple) and right is UNKNOWN:
                return left
            if isinstance(right, list | tuple) and left is UNKNOWN:
                return right
            if isinstance(left, str) and isinstance(right, str):
                return left + right
            if isinstance(left, PathVal) and isinstance(right, str):
                return left.join(right.lstrip("/"))
            if isinstance(left, str) and "://" in left and isinstance(right, PathVal):
                return PathURL(left, right)
            if isinstance(left, PathURL) and isinstance(right, str):
                return PathURL(left.prefix, left.path.join(right.lstrip("/")))
            return UNKNOWN
        if isinstance(node.op, ast.Div) and isinstance(right, str):
            if isinstance(left, PathVal):
                return left.join(right)
            if left is UNKNOWN:
                return PathVal(posixpath.normpath(right), exact=False)
            return UNKNOWN
        if isinstance(node.op, ast.Sub) and isinstance(left, PathVal) and isinstance(right, int):
            # django-environ: environ.Path(__file__) - 3 climbs three levels.
            for _ in range(min(right, 20)):
                left = left.parent()
            return left
        return UNKNOWN

    def _subscript(self, node: ast.Subscript) -> Any:
        if isinstance(node.value, ast.Attribute) and node.value.attr == "parents":
            base = self._eval(node.value.value)
            index = self._eval(node.slice)
            if isinstance(base, PathVal) and isinstance(index, int) and 0 <= index < 20:
                for _ in range(index + 1):
                    base = base.parent()
                return base
            return UNKNOWN
        container, key = self._eval(node.value), self._eval(node.slice)
        if isinstance(container, dict) and isinstance(key, str | int):
            return container.get(key, UNKNOWN)
        return UNKNOWN

    def _call(self, node: ast.Call) -> Any:
        func = dotted(node.func)
        args = [self._eval(a) for a in node.args if not isinstance(a, ast.Starred)]
        if func in _PATH_FUNCS or func in _IDENTITY_FUNCS:
            if len(args) == 1 and isinstance(args[0], PathVal | str | FromEnv):
                return args[0]
            if func in _PATH_FUNCS and args and isinstance(args[0], PathVal):
                return _join(args)
            return UNKNOWN
        if func in ("optional", "split_settings.tools.optional") and len(args) == 1:
            return args[0]  # django-split-settings: optional("local.py") names a file
        if func in ("os.path.join", "join", "posixpath.join"):
            return _join(args)
        if func in ("os.path.dirname", "dirname"):
            return args[0].parent() if len(args) == 1 and isinstance(args[0], PathVal) else UNKNOWN
        if func in ("list", "tuple"):
            return args[0] if len(args) == 1 and isinstance(args[0], list | tuple) else UNKNOWN
        if func in ("dj_database_url.parse", "db_url.parse") and args:
            return args[0] if isinstance(args[0], FromEnv) else _db_from_url(args[0])
        if isinstance(node.func, ast.Attribute):
            base = self._eval(node.func.value)
            if isinstance(base, PathVal):
                if node.func.attr in _IDENTITY_METHODS:
                    return base
                if node.func.attr in ("joinpath", "path"):
                    return _join([base, *args])
            return UNKNOWN
        if isinstance(node.func, ast.Name):
            # django-environ Path objects are callable: ROOT_DIR("staticfiles").
            base = self.ns.get(node.func.id, UNKNOWN)
            if isinstance(base, PathVal):
                return _join([base, *args])
        return UNKNOWN

    def _fstring(self, node: ast.JoinedStr) -> Any:
        parts: list[Any] = []
        for value in node.values:
            parts.append(
                self._eval(value.value)
                if isinstance(value, ast.FormattedValue)
                else self._eval(value)
            )
        if all(isinstance(p, str) for p in parts):
            return "".join(parts)
        if parts and isinstance(parts[0], PathVal) and all(isinstance(p, str) for p in parts[1:]):
            return parts[0].join("".join(parts[1:]).lstrip("/"))
        paths = [i for i, p in enumerate(parts) if isinstance(p, PathVal)]
        if len(paths) == 1 and all(isinstance(p, str) for p in parts if not isinstance(p, PathVal)):
            # f"sqlite:///{BASE_DIR / 'db.sqlite3'}": a URL around one known path.
            at = paths[0]
            prefix, tail = "".join(parts[:at]), "".join(parts[at + 1 :])
            if "://" in prefix:
                return PathURL(prefix, parts[at].join(tail.lstrip("/")) if tail else parts[at])
        return UNKNOWN


def _join(args: list[Any]) -> Any:
    if not args:
        return UNKNOWN
    head, rest = args[0], args[1:]
    if isinstance(head, FromEnv):
        return FromEnv(head.names, None)
    if not all(isinstance(p, str) for p in rest):
        return UNKNOWN
    if isinstance(head, PathVal):
        return head.join(*rest)
    if isinstance(head, str):
        return posixpath.join(head, *rest)
    return UNKNOWN


def _db_from_url(url: Any) -> Any:
    if not isinstance(url, str) or "://" not in url:
        return UNKNOWN
    return {"ENGINE": url.split("://", 1)[0], "URL": url}


@dataclass(frozen=True)
class SettingsDefault:
    """A DJANGO_SETTINGS_MODULE value a file sets; `conditional` when under an if/else."""

    module: str
    line: int
    conditional: bool
    in_else: bool


_KEY = "DJANGO_SETTINGS_MODULE"


def settings_defaults(module: ast.Module) -> tuple[list[SettingsDefault], bool]:
    """DJANGO_SETTINGS_MODULE defaults a manage.py/wsgi.py sets, and whether it mentions the key.

    Recognises `os.environ.setdefault(KEY, v)`, `environ.setdefault`, `os.environ[KEY] = v`,
    `os.environ.update({KEY: v})` and a dict of defaults (`{KEY: v, ...}`) looped over; `v` may be
    a name bound elsewhere in the file or a conditional expression (both branches are kept).
    """
    names = _bindings(module)
    found: list[SettingsDefault] = []
    mentions = False

    def add(value: ast.expr | None, line: int, conditional: bool, in_else: bool) -> None:
        for expr, cond, other in _alternatives(value, names, conditional, in_else):
            text = const_str(expr)
            if text is None and isinstance(expr, ast.Call):
                read = env_read(expr, frozenset())
                text = const_str(read.default) if read is not None else None
            if text and _looks_like_module(text):
                found.append(SettingsDefault(text, line, cond, other))

    for node, conditional, in_else in _walk_with_branches(module.body, False, False):
        if isinstance(node, ast.Constant) and node.value == _KEY:
            mentions = True
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "setdefault"
            and _is_environ(node.func.value)
            and len(node.args) >= 2
            and const_str(node.args[0]) == _KEY
        ):
            add(node.args[1], node.lineno, conditional, in_else)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and _is_environ(target.value)
                    and const_str(target.slice) == _KEY
                ):
                    add(node.value, node.lineno, conditional, in_else)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if const_str(key) == _KEY:
                    add(value, value.lineno, conditional, in_else)
    return found, mentions


def _looks_like_module(text: str) -> bool:
    return all(part.isidentifier() for part in text.split("."))


def _bindings(module: ast.Module) -> dict[str, list[ast.expr]]:
    names: dict[str, list[ast.expr]] = {}
    for node in ast.walk(module):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names.setdefault(target.id, []).append(node.value)
    return names


def _alternatives(
    value: ast.expr | None,
    names: dict[str, list[ast.expr]],
    conditional: bool,
    in_else: bool,
    depth: int = 0,
) -> Iterator[tuple[ast.expr, bool, bool]]:
    if value is None or depth > 5:
        return
    if isinstance(value, ast.IfExp):
        yield from _alternatives(value.body, names, True, False, depth + 1)
        yield from _alternatives(value.orelse, names, True, True, depth + 1)
    elif isinstance(value, ast.Name) and value.id in names:
        bound = names[value.id]
        for expr in bound:
            yield from _alternatives(expr, names, conditional or len(bound) > 1, in_else, depth + 1)
    else:
        yield value, conditional, in_else


def _walk_with_branches(
    body: list[ast.stmt], conditional: bool, in_else: bool
) -> Iterator[tuple[ast.AST, bool, bool]]:
    """Every node below `body`, with whether it sits in an if/else branch (and the else side)."""
    for stmt in body:
        if isinstance(stmt, ast.If) and _is_main_guard(stmt.test):
            # `if __name__ == "__main__":` always runs for manage.py: not a real condition.
            yield from _walk_with_branches(stmt.body, conditional, in_else)
        elif isinstance(stmt, ast.If):
            for node in ast.walk(stmt.test):
                yield node, conditional, in_else
            yield from _walk_with_branches(stmt.body, True, False)
            yield from _walk_with_branches(stmt.orelse, True, True)
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.With | ast.Try):
            inner: list[ast.stmt] = list(stmt.body)
            if isinstance(stmt, ast.Try):
                inner += [s for h in stmt.handlers for s in h.body] + stmt.orelse + stmt.finalbody
            yield from _walk_with_branches(inner, conditional, in_else)
        elif isinstance(stmt, ast.For | ast.While):
            yield from _walk_with_branches(stmt.body + stmt.orelse, conditional, in_else)
            for node in ast.walk(stmt.iter if isinstance(stmt, ast.For) else stmt.test):
                yield node, conditional, in_else
        else:
            for node in ast.walk(stmt):
                yield node, conditional, in_else


def _is_main_guard(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.comparators) == 1
        and const_str(test.comparators[0]) == "__main__"
    )
