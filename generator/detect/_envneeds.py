"""Which environment variables a module cannot import without: reads with no default, statically.

A read is *needed* when importing the module fails without the variable: `os.environ["X"]`,
django-environ `env("X")` / `env.bool("X")` ... with no default (in the call or in the
`environ.Env(X=(bool, False))` scheme), environs `env.str("X")`, python-decouple `config("X")`,
`dj_database_url.config()`, and an `os.environ.get("X")` (None when unset) handed to something that
cannot take None: `int()`, `.split()`, a URL parser, a regular expression. Each need carries the
*kind* of value the code expects (bool, int, list, db URL ...) and, where the code says it, the
*form* (a `postgres://` URL when the settings match it with their own PostgreSQL regex).

Only code that runs at import counts: module and class bodies, both sides of an `if`, and the
functions the module calls at its top level (manage.py's `main()`). A read guarded by its own
variable (`if "X" in os.environ:`) or inside `try:` with a handler for the missing case is not a
need. Nothing is executed, and regular expressions are read as text, never compiled.
"""

from __future__ import annotations

import ast
import fnmatch
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from generator.detect._pyvalues import (
    ENV_METHOD_DEFAULT_VAR,
    ENV_METHOD_KINDS,
    const_str,
    dotted,
    kwarg,
)

# What a variable name must look like to be written into a Dockerfile RUN line or `docker run -e`.
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")

# Methods whose second positional argument is a cast in django-environ (a default elsewhere).
_CAST_SECOND = frozenset({"list", "tuple", "dict", "get_value"})
_TYPE_KINDS = {"bool": "bool", "int": "int", "float": "float", "str": "str", "list": "list"}
_TYPE_KINDS.update({"tuple": "list", "dict": "dict", "Csv": "list", "json": "json"})
# Calls that fail on None (or on a value of the wrong form) -> the kind they expect.
_PARSERS = {
    "int": "int",
    "float": "float",
    "Decimal": "float",
    "decimal.Decimal": "float",
    "json.loads": "json",
    "strtobool": "bool",
    "distutils.util.strtobool": "bool",
    "util.strtobool": "bool",
    "dj_database_url.parse": "db",
    "db_url.parse": "db",
    "urlparse": "url",
    "urlsplit": "url",
    "urllib.parse.urlparse": "url",
    "urllib.parse.urlsplit": "url",
    "parse.urlparse": "url",
    "parse.urlsplit": "url",
    "Path": "path",
    "pathlib.Path": "path",
    "os.path.join": "path",
    "os.path.abspath": "path",
}
_STR_METHODS = {
    "split": "list",
    "rsplit": "list",
    "splitlines": "list",
    "lower": "str",
    "upper": "str",
    "strip": "str",
    "startswith": "str",
    "endswith": "str",
    "encode": "str",
    "replace": "str",
    "format": "str",
}
_REGEX_FUNCS = frozenset({"match", "search", "fullmatch", "findall", "finditer", "split"})
# Exceptions a `try:` catches when the variable is missing (KeyError, django's
# ImproperlyConfigured, decouple's UndefinedValueError, environs' EnvError ...).
_MISSING_HANDLERS = frozenset(
    {
        "KeyError",
        "LookupError",
        "Exception",
        "BaseException",
        "ImproperlyConfigured",
        "UndefinedValueError",
        "EnvError",
        "TypeError",
        "ValueError",
        "AttributeError",
    }
)
# URL forms the code expects, from the scheme written in its regular expression.
_REGEX_SCHEMES = (
    ("postgis", "postgis"),
    ("postgresql://", "postgresql"),
    ("postgres", "postgres"),
    ("mysql", "mysql"),
    ("redis", "redis"),
)


_N = TypeVar("_N", bound=Any)  # Need, or facts.EnvNeed: anything with name/kind/form/why


@dataclass(frozen=True)
class Need:
    """One variable the module needs: `kind` of value, `form` (URL scheme) when the code says."""

    name: str
    kind: str
    line: int
    why: str
    form: str | None = None


def readers_scheme(
    module: ast.Module,
    readers: frozenset[str],
    spread: Callable[[str], ast.expr | None] | None = None,
) -> dict[str, tuple[str, bool]]:
    """django-environ's `env = environ.Env(DEBUG=(bool, False), HOSTS=(list,))`: for each
    variable, (kind, has a default).

    A scheme spread into the call (`environ.Env(**OTHER_SCHEME)`) is read from a dict literal
    bound in this module, or one `spread(name)` finds where the name is imported from.
    """
    scheme: dict[str, tuple[str, bool]] = {}
    for node in ast.walk(module):
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
            continue
        if not any(isinstance(t, ast.Name) and t.id in readers for t in node.targets):
            continue
        for kw in node.value.keywords:
            if kw.arg is not None:
                scheme[kw.arg] = _scheme_entry(kw.value)
                continue
            spread_dict = _spread_dict(module, kw.value, spread)
            pairs = zip(spread_dict.keys, spread_dict.values, strict=True) if spread_dict else ()
            for key, value in pairs:
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    scheme[key.value] = _scheme_entry(value)
    return scheme


def _scheme_entry(value: ast.expr) -> tuple[str, bool]:
    """`(bool, False)` -> ("bool", True); `(list,)` or `bool` -> (kind, False)."""
    if isinstance(value, ast.Tuple) and value.elts:
        return _type_kind(value.elts[0]) or "str", len(value.elts) > 1
    return _type_kind(value) or "str", False


def _spread_dict(
    module: ast.Module, value: ast.expr, spread: Callable[[str], ast.expr | None] | None
) -> ast.Dict | None:
    """The dict literal behind `**value`: inline, bound at this module's top level, or imported."""
    if isinstance(value, ast.Name):
        found = top_level_value(module, value.id)
        if found is None and spread is not None:
            found = spread(value.id)
        value = found if found is not None else value
    if isinstance(value, ast.Call) and dotted(value.func) == "dict" and not value.args:
        keys: list[ast.expr | None] = [ast.Constant(kw.arg) for kw in value.keywords if kw.arg]
        return ast.Dict(keys=keys, values=[kw.value for kw in value.keywords if kw.arg])
    return value if isinstance(value, ast.Dict) else None


def top_level_value(module: ast.Module, name: str) -> ast.expr | None:
    """The expression last bound to `name` by a plain top-level assignment, if any."""
    found = None
    for stmt in module.body:
        if (
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)
        ) or (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == name
            and stmt.value is not None
        ):
            found = stmt.value
    return found


def needs(
    module: ast.Module,
    readers: frozenset[str],
    scheme: dict[str, tuple[str, bool]] | None = None,
    strings: dict[str, str] | None = None,
) -> list[Need]:
    """The variables importing `module` fails without, in file order, one entry per name.

    `scheme` is the django-environ scheme in force (from this file or one star-imported before);
    `strings` are string constants bound earlier (regex patterns defined in another file).
    """
    finder = _Finder(module, readers, scheme or {}, dict(strings or {}))
    finder.run()
    return merge(finder.found)


def merge(found: list[_N]) -> list[_N]:
    """One need per name: the first read, told what later uses say of its kind and form
    (`URL = os.environ["DATABASE_URL"]` first, `PG_RE.match(URL)` further down)."""
    seen: dict[str, _N] = {}
    for need in found:
        first = seen.get(need.name)
        if first is None:
            seen[need.name] = need
        elif (first.kind == "str" and need.kind != "str") or (first.form is None and need.form):
            kind = first.kind if first.kind != "str" else need.kind
            why = first.why if first.form or not need.form else f"{first.why}; {need.why}"
            seen[need.name] = replace(first, kind=kind, why=why, form=first.form or need.form)
    return list(seen.values())


def string_constants(module: ast.Module) -> dict[str, str]:
    """Module-level `NAME = "text"` / `NAME = re.compile("text")` bindings (regex patterns)."""
    out: dict[str, str] = {}
    for stmt in module.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            text = _pattern_text(stmt.value, {})
            if isinstance(target, ast.Name) and text is not None:
                out[target.id] = text
    return out


def _type_kind(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        node = node.func  # Csv(), json_loads()
    name = dotted(node)
    if name is None:
        return None
    last = name.rsplit(".", 1)[-1]
    if last in _TYPE_KINDS:
        return _TYPE_KINDS[last]
    if (last in ("parse", "db_url", "config") and "database" in name.lower()) or last == "db_url":
        return "db"
    if last == "loads":
        return "json"
    return None


def _pattern_text(node: ast.AST, strings: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return strings.get(node.id)
    if (
        isinstance(node, ast.Call)
        and dotted(node.func) in ("re.compile", "compile")
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    return None


def _regex_form(pattern: str) -> str:
    lowered = pattern.lower()
    for needle, form in _REGEX_SCHEMES:
        if needle in lowered:
            return form
    return "regex"


@dataclass(frozen=True)
class _Read:
    name: str
    has_default: bool  # a default that is usable (not None, not "")
    kind: str  # what the reader itself parses
    line: int
    text: str  # the read as written, for the reason
    none_when_unset: bool = False  # os.environ.get / getenv: None (or "") when unset
    default_text: str | None = None  # a literal string default


class _Finder:
    def __init__(
        self,
        module: ast.Module,
        readers: frozenset[str],
        scheme: dict[str, tuple[str, bool]],
        strings: dict[str, str],
    ) -> None:
        self.module = module
        self.readers = readers
        self.scheme = scheme
        self.strings = strings
        self.found: list[Need] = []
        self.aliases: dict[str, _Read] = {}  # NAME = os.environ.get("X") bound at import
        self.functions = {
            s.name: s for s in module.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        self.called: set[str] = set()
        self.set_names = _names_set(module)

    def run(self) -> None:
        self.strings.update(string_constants(self.module))
        self._body(self.module.body, frozenset(), False)

    # ---------------------------------------------------------------- statements

    def _body(self, body: list[ast.stmt], guarded: frozenset[str], caught: bool) -> None:
        for stmt in body:
            try:
                self._stmt(stmt, guarded, caught)
            except RecursionError:
                continue

    def _stmt(self, stmt: ast.stmt, guarded: frozenset[str], caught: bool) -> None:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            return  # runs only when called: see _call
        if isinstance(stmt, ast.ClassDef):
            self._body(stmt.body, guarded, caught)
            return
        if isinstance(stmt, ast.If):
            inner = guarded | self._tested(stmt.test)
            self._exprs(stmt.test, guarded, caught)
            body, orelse = _branches_run(stmt.test)
            # A branch production may not take (`if USE_S3:`) needs nothing: reading it as a
            # need would hand a placeholder to an optional switch and list it in the contract.
            self._body(stmt.body, inner, caught or not body)
            self._body(stmt.orelse, inner, caught or not orelse)
            return
        if isinstance(stmt, ast.Try):
            handles = any(_catches_missing(h) for h in stmt.handlers)
            self._body(stmt.body, guarded, caught or handles)
            for handler in stmt.handlers:
                self._body(handler.body, guarded, caught)
            self._body(stmt.orelse + stmt.finalbody, guarded, caught)
            return
        if isinstance(stmt, ast.With | ast.For | ast.While):
            for item in getattr(stmt, "items", ()):
                self._exprs(item.context_expr, guarded, caught)
            if isinstance(stmt, ast.For):
                self._exprs(stmt.iter, guarded, caught)
            self._body(stmt.body + getattr(stmt, "orelse", []), guarded, caught)
            return
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            read = self._read(stmt.value)
            if isinstance(target, ast.Name) and read is not None:
                self.aliases[target.id] = read
        self._exprs(stmt, guarded, caught)

    # ---------------------------------------------------------------- expressions

    def _exprs(self, node: ast.AST, guarded: frozenset[str], caught: bool) -> None:
        for sub, parent, guard in self._walk(node, guarded):
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name):
                self._call(sub.func.id, guard, caught)
            read = self._read(sub) if not isinstance(sub, ast.Name) else None
            if read is None and isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
                read = self.aliases.get(sub.id)
            if read is None or read.name in guard or caught:
                continue
            self._judge(read, sub, parent)

    def _walk(
        self, node: ast.AST, guarded: frozenset[str]
    ) -> Iterator[tuple[ast.AST, ast.AST | None, frozenset[str]]]:
        """Every node under `node` with its parent and the variables guarding it, not entering
        lambdas or nested functions: `os.environ.get("X") and int(os.environ["X"])` and
        `int(os.environ["X"]) if "X" in os.environ else 0` only read X when it is set."""
        stack: list[tuple[ast.AST, ast.AST | None, frozenset[str]]] = [(node, None, guarded)]
        while stack:
            current, parent, guard = stack.pop()
            yield current, parent, guard
            if isinstance(current, ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if isinstance(current, ast.BoolOp):
                children = []
                seen = guard
                for value in current.values:
                    children.append((value, current, seen))
                    seen = seen | self._tested(value)
            elif isinstance(current, ast.IfExp):
                inner = guard | self._tested(current.test)
                children = [
                    (current.test, current, guard),
                    (current.body, current, inner),
                    (current.orelse, current, inner),
                ]
            else:
                children = [(child, current, guard) for child in ast.iter_child_nodes(current)]
            stack.extend(reversed(children))

    def _call(self, name: str, guarded: frozenset[str], caught: bool) -> None:
        func = self.functions.get(name)
        if func is None or name in self.called:
            return
        self.called.add(name)  # manage.py's main(): its body runs at import of the script
        self._body(func.body, guarded, caught)

    def _judge(self, read: _Read, node: ast.AST, parent: ast.AST | None) -> None:
        use = _use(node, parent, self.strings)
        if read.name in self.set_names:
            return  # os.environ.setdefault("X", ...) / os.environ["X"] = ... in this module
        server = _server_default(read)
        if server is not None:
            # It starts, but every query goes to a server the container does not run.
            why = f"{read.text} defaults to a {server}:// server URL: give the server's real one"
            self.found.append(Need(read.name, "db_server", read.line, why, server))
            return
        if read.has_default and not _default_fails(read, use):
            return
        if read.none_when_unset and use is None:
            return  # None is a fine value here
        kind, form = read.kind, None
        why = f"{read.text} has no default"
        if use is not None and use[0] == "regex":
            form = use[1]
            expects = f", which expects a {form}:// URL" if form != "regex" else ""
            why = f"{read.text} must match {use[2]}{expects}"
        elif use is not None:
            kind = use[0]
            if read.none_when_unset:
                why = f"{read.text} is None when unset, and {use[2]} cannot take None"
            else:
                why += f", and {use[2]} parses it"
        self.found.append(Need(read.name, kind, read.line, why, form))

    def _tested(self, test: ast.expr) -> frozenset[str]:
        """Variables an `if` condition checks (its branches may rely on them being set)."""
        names: set[str] = set()
        for sub in ast.walk(test):
            if (
                isinstance(sub, ast.Compare)
                and len(sub.ops) == 1
                and isinstance(sub.ops[0], ast.In | ast.NotIn)
                and (dotted(sub.comparators[0]) or "").endswith("environ")
            ):
                name = const_str(sub.left)
                if name:
                    names.add(name)
                continue
            read = self._read(sub) if not isinstance(sub, ast.Name) else None
            if read is None and isinstance(sub, ast.Name):
                read = self.aliases.get(sub.id)
            if read is not None:
                names.add(read.name)
        return frozenset(names)

    def _read(self, node: ast.AST) -> _Read | None:
        """The environment read `node` performs, with whether it has a usable default."""
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            base = dotted(node.value) or ""
            name = const_str(node.slice)
            if (base == "environ" or base.endswith(".environ")) and name:
                return _Read(name, False, "str", line, f"{base}[{name!r}]")
            return None
        if not isinstance(node, ast.Call):
            return None
        func = dotted(node.func)
        if func is None:
            return None
        first = node.args[0] if node.args else None
        name = const_str(first)
        if func in ("os.environ.get", "environ.get", "os.getenv", "getenv"):
            default = node.args[1] if len(node.args) > 1 else kwarg(node, "default")
            if not name:
                return None
            # "" is a value .split() or int() handle (or fail on, for int: rare); a regex that
            # cannot match the default is judged by _default_fails.
            usable = default is not None and not _none(default)
            text = f"{func}({name!r})"
            return _Read(name, usable, "str", line, text, True, const_str(default))
        if func in ("dj_database_url.config", "db_url.config"):
            var = const_str(kwarg(node, "env")) or "DATABASE_URL"
            default = kwarg(node, "default")
            usable = default is not None and not _none(default)
            return _Read(var, usable, "db", line, f"{func}()", False, const_str(default))
        if func in self.readers:
            # env("X") / config("X"): the second argument is a cast (django-environ) when it
            # names a type, else the default (python-decouple).
            if not name:
                return None
            cast = kwarg(node, "cast")
            second = node.args[1] if len(node.args) > 1 else None
            if second is not None and _type_kind(second) is not None:
                cast, second = second, None
            default = kwarg(node, "default") or second
            kind, scheme_default = self.scheme.get(name, ("str", False))
            if cast is not None:
                kind = _type_kind(cast) or "str"
            # An explicit default, even None, is returned when unset: no error.
            has = default is not None or scheme_default
            return _Read(name, has, kind, line, f"{func}({name!r})", False, const_str(default))
        head, _, method = func.rpartition(".")
        if head in self.readers and method in ENV_METHOD_KINDS:
            if first is None:
                name = ENV_METHOD_DEFAULT_VAR.get(method)
            if not name:
                return None
            second = node.args[1] if len(node.args) > 1 else None
            if method in _CAST_SECOND and second is not None and _type_kind(second) is not None:
                second = None
            default = kwarg(node, "default") or second
            scheme_default = self.scheme.get(name, ("str", False))[1]
            has = default is not None or scheme_default
            kind = ENV_METHOD_KINDS[method]
            text = f"{func}({name!r})" if first is not None else f"{func}()"
            return _Read(name, has, kind, line, text, False, const_str(default))
        return None


def _use(node: ast.AST, parent: ast.AST | None, strings: dict[str, str]) -> tuple | None:
    """What the value is handed to: (kind, form, description), or None when None would do."""
    if isinstance(parent, ast.Attribute) and parent.value is node and parent.attr in _STR_METHODS:
        return (_STR_METHODS[parent.attr], None, f".{parent.attr}()")
    if not isinstance(parent, ast.Call) or node not in parent.args:
        return None
    func = dotted(parent.func) or ""
    if func in _PARSERS or func.rsplit(".", 1)[-1] in ("strtobool", "urlparse", "urlsplit"):
        kind = _PARSERS.get(func) or _PARSERS.get(func.rsplit(".", 1)[-1], "str")
        return (kind, None, f"{func}()")
    head, _, last = func.rpartition(".")
    if last in _REGEX_FUNCS:
        if head in ("re", "regex") and parent.args and parent.args[0] is not node:
            pattern = _pattern_text(parent.args[0], strings)
        elif isinstance(parent.func, ast.Attribute):
            pattern = _pattern_text(parent.func.value, strings)
        else:
            pattern = None
        if pattern is not None:
            return (
                "regex",
                _regex_form(pattern),
                f"the regular expression at line {parent.lineno}",
            )
    return None


def _branches_run(test: ast.expr) -> tuple[bool, bool]:
    """Which sides of an `if` production runs: both of `if __name__ == "__main__"` (a script),
    the DEBUG-off side of a DEBUG test, neither of any other condition (it may not hold)."""
    if (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
    ):
        return True, False
    try:
        source = ast.unparse(test)
    except (ValueError, RecursionError, AttributeError):
        return False, False
    if "DEBUG" in source:
        body = source.startswith("not ") or "False" in source
        return body, not body
    # Any other condition (`if USE_S3:`, `if "CI" in os.environ:`, `elif ON_HEROKU:`) is taken
    # to be false when nothing is configured: the `else` side runs, or the body of `if not X`.
    negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
    return negated, not negated


_LOCAL_SERVER_SCHEMES = frozenset({"postgres", "postgresql", "postgis", "pgsql", "mysql", "mysql2"})


def _server_default(read: _Read) -> str | None:
    """The scheme of a database URL default that names a server (`postgres:///app`, as
    cookiecutter-style settings ship): the container needs the real URL. SQLite needs nothing."""
    text = read.default_text or ""
    is_db = read.kind == "db" or fnmatch.fnmatchcase(read.name.upper(), "*DATABASE_URL")
    if not (read.has_default and is_db and "://" in text):
        return None
    scheme = text.split("://", 1)[0].split("+", 1)[0].lower()
    if scheme not in _LOCAL_SERVER_SCHEMES:
        return None
    return "postgres" if scheme in ("postgresql", "pgsql") else scheme


def _default_fails(read: _Read, use: tuple | None) -> bool:
    """A default the code's own regular expression rejects: `re.match(r"postgres://...",
    os.environ.get("DATABASE_URL", "sqlite://"))` fails at import when the variable is unset."""
    if use is None or use[0] != "regex" or use[1] in (None, "regex"):
        return False
    return read.default_text is None or not read.default_text.lower().startswith(use[1])


def _names_set(module: ast.Module) -> set[str]:
    """Variables the module itself puts in the environment (so later reads find them)."""
    out: set[str] = set()
    for node in ast.walk(module):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "setdefault"
            and (dotted(node.func.value) or "").endswith("environ")
            and node.args
        ):
            name = const_str(node.args[0])
            if name:
                out.add(name)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Store)
            and (dotted(node.value) or "").endswith("environ")
        ):
            name = const_str(node.slice)
            if name:
                out.add(name)
    return out


def _catches_missing(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any((dotted(t) or "").rsplit(".", 1)[-1] in _MISSING_HANDLERS for t in types)


def _none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None
