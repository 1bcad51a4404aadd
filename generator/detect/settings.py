"""Read a Django settings module statically: follow its star-imports and report what it declares.

Nothing is imported or executed. Assignments are collected in file order along the chain of
`from .base import *` (and django-split-settings `include(...)`), so later files override earlier
ones just as they would at import time. Values read from the environment are reported as
"from environment", never guessed.
"""

from __future__ import annotations

import ast
import fnmatch
import functools
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from generator import data
from generator.detect._appchecks import empty_checks
from generator.detect._branches import BranchChoice, choose, valid
from generator.detect._dbparts import (
    PartRead,
    part_label,
    part_of_key,
    part_of_name,
    part_reads,
    required_names,
    unset_is_empty,
)
from generator.detect._envneeds import (
    ENV_NAME,
    merge,
    needs,
    readers_scheme,
    string_constants,
    top_level_value,
)
from generator.detect._pyvalues import (
    UNKNOWN,
    Evaluator,
    FromEnv,
    PathURL,
    PathVal,
    dotted,
    env_names,
    env_read,
    env_readers_of,
    settings_defaults,
)
from generator.detect._read import join, parse_python
from generator.facts import Diagnostics, EnvNeed, Evidence, ExampleModule, SettingsFacts
from generator.source import SourceTree

FROM_ENV = "from environment"
# Calls that ask whether a file or a module is there (os.path, pathlib, importlib.util).
PRESENCE_CHECKS = frozenset({"exists", "isfile", "is_file", "find_spec"})
# Module names that mean "the settings production runs with" (settings/production.py, prod.py...).
PRODUCTION_NAMES = ("production", "prod", "live", "deploy", "deployment")
# A chain longer than this is generated or hostile; stop following it.
MAX_CHAIN_FILES = 64
MAX_CHAIN_DEPTH = 12
_WSGI_CALLS = frozenset({"get_wsgi_application", "WSGIHandler"})
_ASGI_CALLS = frozenset({"get_asgi_application", "ProtocolTypeRouter", "ASGIHandler"})
_CONSUMER_BASES = frozenset(
    {
        "WebsocketConsumer",
        "AsyncWebsocketConsumer",
        "JsonWebsocketConsumer",
        "AsyncJsonWebsocketConsumer",
    }
)
_ENGINE_SCHEMES = {
    "postgres": "postgresql",
    "postgresql": "postgresql",
    "pgsql": "postgresql",
    "psql": "postgresql",
    "postgis": "postgis",
    "sqlite": "sqlite3",
    "spatialite": "spatialite",
    "mysql": "mysql",
    "mysql2": "mysql",
    "mysqlgis": "mysqlgis",
    "mariadb": "mysql",
    "oracle": "oracle",
    "mssql": "mssql",
}


def module_path(tree: SourceTree, roots: Sequence[str], module: str) -> str | None:
    """The file defining dotted `module` under one of `roots`: a/b.py or a/b/__init__.py."""
    if not module or not all(part.isidentifier() for part in module.split(".")):
        return None
    rel = module.replace(".", "/")
    for root in roots:
        for path in (join(root, rel + ".py"), join(root, rel + "/__init__.py")):
            if tree.is_file(path):
                return path
    return None


def module_name(project_dir: str, path: str) -> str | None:
    """The dotted module of a file under `project_dir` ("a/b/__init__.py" -> "a.b")."""
    prefix = "" if project_dir in ("", ".") else project_dir + "/"
    if not path.startswith(prefix) or not path.endswith(".py"):
        return None
    parts = path[len(prefix) : -3].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts)


def find_settings_module(tree: SourceTree, project_dir: str) -> tuple[str, str] | None:
    """A settings module near `project_dir` when nothing names one: (dotted module, file).

    Looks at `settings.py` / `settings/` in the directory and in its immediate packages. For a
    package whose `__init__.py` declares nothing, the conventional `base.py` is reported.
    """
    dirs = [project_dir] + [
        join(project_dir, name)
        for name in tree.list_dir(project_dir)
        if name.isidentifier() and tree.is_dir(join(project_dir, name))
    ]
    for directory in dirs:
        package = "" if directory == project_dir else directory.rsplit("/", 1)[-1]
        prefix = f"{package}." if package else ""
        plain = join(directory, "settings.py")
        if tree.is_file(plain):
            return prefix + "settings", plain
        init = join(directory, "settings/__init__.py")
        if tree.is_file(init):
            text = tree.read_text(init) or ""
            if "INSTALLED_APPS" not in text and "import" not in text:
                for name in ("base", "common", "settings", "defaults"):
                    sub = join(directory, f"settings/{name}.py")
                    if tree.is_file(sub):
                        return f"{prefix}settings.{name}", sub
            return prefix + "settings", init
    return None


@dataclass
class _Chain:
    """Everything collected while following one settings module and its star-imports."""

    ns: dict[str, Any] = field(default_factory=dict)
    where: dict[str, tuple[str, int]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    env_vars: dict[str, tuple[str, int]] = field(default_factory=dict)
    # (module imported under an `if`, the test's source, file, line)
    conditional: list[tuple[str, str, str, int]] = field(default_factory=list)
    # (module, variable, value): `if ENV == "production": from .production import *`
    selectors: list[tuple[str, str, str]] = field(default_factory=list)
    needs: list[EnvNeed] = field(default_factory=list)  # reads with no default, in order
    scheme: dict[str, tuple[str, bool]] = field(default_factory=dict)  # environ.Env(X=(bool, 1))
    strings: dict[str, str] = field(default_factory=dict)  # string constants (regex patterns)
    examples: list[ExampleModule] = field(default_factory=list)
    # Branches taken because the default one loads a module the repository lacks (tabbycat's
    # local.py): (the choice, the file whose `if` it is).
    branch_choices: list[tuple[BranchChoice, str]] = field(default_factory=list)
    imported_stems: set[str] = field(default_factory=set)  # modules imported by name, found or not
    # `if POSTGRES_HOST: DATABASES["default"] = ...` with nothing else setting one: the value the
    # merge gave DATABASES["default"] (compared by identity at the end: a later assignment
    # replaces it), the file, the line, the test, and the variables the database is built from.
    db_ifs: list[tuple[FromEnv, str, int, str, list[PartRead]]] = field(default_factory=list)
    # Variables read in statements that assign DATABASES, with where: the lines of its entries.
    db_reads: dict[str, tuple[str, int]] = field(default_factory=dict)


class _ChainReader:
    def __init__(
        self, tree: SourceTree, project_dir: str, roots: Sequence[str], diags: Diagnostics
    ) -> None:
        self.tree = tree
        self.project_dir = project_dir
        self.roots = roots
        self.diags = diags
        self.chain = _Chain()
        self.imported: dict[str, dict[str, Any]] = {}  # path -> namespace of a module read
        self.follow_named = True
        self.optional = 0  # inside `try:` whose handler tolerates a missing module
        # Reading a file imported only under a condition (`if ON_HEROKU: include("heroku.py")`):
        # what it reads from the environment is no need of the image.
        self.conditional = 0
        self.conditional_values: set[str] = set()  # list items appended under an `if`
        self.chosen: set[str] = set()  # what a chosen branch loads: not conditional for the image
        self.unchosen: set[str] = set()  # what the branches not taken load: not read at all

    def read_module(self, module: str) -> bool:
        path = module_path(self.tree, self.roots, module)
        if path is None:
            return False
        self._read_file(path, module, depth=0, stack=())
        return True

    def _read_file(self, path: str, module: str | None, depth: int, stack: tuple[str, ...]) -> None:
        if path in stack:
            self.diags.warn(
                "star-imports itself through "
                + " -> ".join((*stack[stack.index(path) :], path))
                + "; the cycle was read once",
                path,
            )
            return
        if depth > MAX_CHAIN_DEPTH or len(self.chain.files) >= MAX_CHAIN_FILES:
            self.diags.warn("settings import chain is too long; the rest was not read", path)
            return
        module_ast = parse_python(self.tree, path, self.diags)
        if module_ast is None:
            return
        if path not in self.chain.files:
            self.chain.files.append(path)
        readers = env_readers_of(module_ast)
        for name, line in env_names(module_ast, readers):
            self.chain.env_vars.setdefault(name, (path, line))
        spread = functools.partial(self._imported_value, module_ast, path, module)
        self.chain.scheme.update(readers_scheme(module_ast, readers, spread))
        for need in needs(module_ast, readers, self.chain.scheme, self.chain.strings):
            if not self.conditional:
                self.chain.needs.append(
                    EnvNeed(need.name, need.kind, path, need.line, need.why, need.form)
                )
        self.chain.strings.update(string_constants(module_ast))
        rel = posixpath.relpath(path, self.project_dir or ".")
        ev = Evaluator(self.chain.ns, rel, readers)
        ctx = _FileCtx(path, module, ev, depth, (*stack, path))
        self._choose_branches(module_ast, readers, ctx)
        self._body(module_ast.body, ctx, None)

    def _choose_branches(
        self, module_ast: ast.Module, readers: frozenset[str], ctx: _FileCtx
    ) -> None:
        """`if X: load docker.py ... else: load local.py` with no local.py in the repository:
        the image sets X, so what docker.py needs is needed (see _branches)."""
        base = posixpath.dirname(ctx.path)

        def exists(name: str, split: bool) -> bool:
            if split:
                return self.tree.is_file(join(base, name))
            return module_path(self.tree, self.roots, name) is not None

        for choice in choose(
            module_ast, readers, exists, lambda stmt: _absolute(stmt, ctx.path, ctx.module)
        ):
            if valid(choice):
                self.chain.branch_choices.append((choice, ctx.path))
                self.chosen.update(choice.loads)
                # The image runs the chosen branch only: the settings facts (database, static,
                # apps) are those of the branch, not a merge with the ones it never loads.
                self.unchosen.update(n for n in choice.others if n not in self.chosen)

    def _body(self, body: Iterable[ast.stmt], ctx: _FileCtx, test: ast.expr | None) -> None:
        for stmt in body:
            try:
                self._stmt(stmt, ctx, test)
            except (RecursionError, TypeError, ValueError):
                continue  # an expression too deep or odd to follow: skip the statement

    def _stmt(self, stmt: ast.stmt, ctx: _FileCtx, test: ast.expr | None) -> None:
        ns = self.chain.ns
        if isinstance(stmt, ast.Assign):
            value = ctx.ev.eval(stmt.value)
            if isinstance(stmt.value, ast.Call):
                self._import_module_call(stmt.value, ctx)
            if not self.conditional and any(_root_name(t) == "DATABASES" for t in stmt.targets):
                for read in part_reads([stmt], ctx.ev):
                    self.chain.db_reads.setdefault(read.name, (ctx.path, read.line))
            for target in stmt.targets:
                self._assign(target, value, ctx, stmt.lineno)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self._assign(stmt.target, ctx.ev.eval(stmt.value), ctx, stmt.lineno)
        elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            name = stmt.target.id
            old, extra = ns.get(name, UNKNOWN), ctx.ev.eval(stmt.value)
            if isinstance(stmt.op, ast.Add) and isinstance(extra, list | tuple):
                base = list(old) if isinstance(old, list | tuple) else []
                ns[name] = (
                    type(old)(base + list(extra)) if isinstance(old, tuple) else base + list(extra)
                )
            else:
                ns[name] = UNKNOWN
            self.chain.where.setdefault(name, (ctx.path, stmt.lineno))
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            self._call(stmt.value, ctx, test)
            self._import_module_call(stmt.value, ctx)
        elif isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names):
            target = _absolute(stmt, ctx.path, ctx.module)
            if target is None:
                return
            if target in self.unchosen:
                return
            if test is not None:
                self.chain.conditional.append((target, _source(test), ctx.path, stmt.lineno))
                selector = _selector(test, ctx.ev)
                if selector is not None:
                    self.chain.selectors.append((target, *selector))
            path = module_path(self.tree, self.roots, target)
            if path is None:
                path = self._example(target, ctx, stmt.lineno)
            if path is not None:
                conditional = test is not None and target not in self.chosen
                self.conditional += conditional
                self._read_file(path, target, ctx.depth + 1, ctx.stack)
                self.conditional -= conditional
        elif isinstance(stmt, ast.If):
            self._if(stmt, ctx)
        elif isinstance(stmt, ast.ImportFrom) and stmt.module:
            self._example_import(stmt, ctx)
            self._import_names(stmt, ctx)
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if module_path(self.tree, self.roots, alias.name) is None:
                    self._example(alias.name, ctx, stmt.lineno)
        elif isinstance(stmt, ast.Try):
            tolerant = any(_tolerates_missing_module(h) for h in stmt.handlers)
            self.optional += tolerant
            self._body(stmt.body, ctx, test)
            self.optional -= tolerant
            for handler in stmt.handlers:
                self._body(handler.body, ctx, test)
            self._body(stmt.orelse + stmt.finalbody, ctx, test)
        elif isinstance(stmt, ast.With):
            self._body(stmt.body, ctx, test)

    def _if(self, stmt: ast.If, ctx: _FileCtx) -> None:
        """Read both branches, then merge what they bound (settings rarely run just one)."""
        ns = self.chain.ns  # shared by every file of the chain: update in place
        before = dict(ns)
        # `if (BASE_DIR / "local_settings.py").exists(): from .local_settings import *`: the
        # import runs only when the file is there, so a missing one is no need of the image.
        presence = _checks_presence(stmt.test)
        self.optional += presence
        self._body(stmt.body, ctx, stmt.test)
        self.optional -= presence
        after_body = dict(ns)
        ns.clear()
        ns.update(before)
        self._body(stmt.orelse, ctx, stmt.test)
        after_else = dict(ns)
        env = ctx.ev.env_test(stmt.test)
        prefer = _preferred_branch(stmt.test)
        for name in after_body.keys() | after_else.keys():
            a, b = after_body.get(name, UNKNOWN), after_else.get(name, UNKNOWN)
            if a is not UNKNOWN and a != b:
                ns[name] = _merge(a, b, env, prefer, bool(stmt.orelse))
        if env is not None and prefer is None:
            self._database_only_if(stmt, ctx, before, after_body, after_else)

    def _database_only_if(
        self,
        stmt: ast.If,
        ctx: _FileCtx,
        before: dict[str, Any],
        after_body: dict[str, Any],
        after_else: dict[str, Any],
    ) -> None:
        """`if POSTGRES_DB and POSTGRES_HOST: DATABASES["default"] = ...` where neither what came
        before nor an else sets a default database: unset, the settings import with none and every
        request fails. DATABASES["default"] becomes a value from the environment whose default is
        nothing, and the variables the test requires and the body hands to the database are kept."""

        def has_default(ns: dict[str, Any]) -> bool:
            databases = ns.get("DATABASES")
            return isinstance(databases, dict) and "default" in databases

        if has_default(before) or has_default(after_else) or not has_default(after_body):
            return
        merged = self.chain.ns.get("DATABASES")
        if not isinstance(merged, dict) or self.conditional:
            return
        body_ev = Evaluator(after_body, ctx.ev.file.rel, ctx.ev.env_readers)
        reads = part_reads(stmt.body, body_ev)
        required = required_names(stmt.test, ctx.ev)
        if not required:
            return  # nothing the test asks for can be named: no contract to write
        parts = {r.name: r for r in reads}
        tested = [
            parts.get(n) or PartRead(n, part_of_name(n) or "switch", stmt.lineno) for n in required
        ]
        rest = [r for r in reads if r.name not in required]
        marker = FromEnv(tuple(required), None)
        self.chain.ns["DATABASES"] = {**merged, "default": marker}
        self.chain.where["DATABASES"] = (ctx.path, stmt.lineno)
        self.chain.db_ifs.append((marker, ctx.path, stmt.lineno, _source(stmt.test), tested + rest))

    def _example(self, module: str, ctx: _FileCtx, line: int) -> str | None:
        """The example file standing in for `module`, absent from the repository, recorded as a
        module the container needs; None when there is none or the import is optional."""
        self.chain.imported_stems.add(module.rsplit(".", 1)[-1])
        if self.optional:
            return None
        found = _example_for(self.tree, self.roots, module)
        if found is None:
            return None
        path, example = found
        if not any(e.path == path for e in self.chain.examples):
            self.chain.examples.append(ExampleModule(path, example, ctx.path, line))
        return example

    def _example_import(self, stmt: ast.ImportFrom, ctx: _FileCtx) -> None:
        """`from .configuration import X` / `from netbox import configuration`, module absent."""
        target = _absolute(stmt, ctx.path, ctx.module)
        if not target:
            return
        if module_path(self.tree, self.roots, target) is not None:
            for alias in stmt.names:  # a submodule of an existing package
                sub = f"{target}.{alias.name}"
                if module_path(self.tree, self.roots, sub) is None:
                    self._example(sub, ctx, stmt.lineno)
            return
        self._example(target, ctx, stmt.lineno)

    def _imported_value(
        self, module_ast: ast.Module, path: str, module: str | None, name: str
    ) -> ast.expr | None:
        """The top-level value `name` is bound to in the project module this file imports it from
        (`from dojo.auditlog.settings import ENV_SCHEMA as AUDITLOG_ENV_SCHEMA`), read statically."""
        for stmt in module_ast.body:
            if not isinstance(stmt, ast.ImportFrom):
                continue
            for alias in stmt.names:
                if (alias.asname or alias.name) != name:
                    continue
                target = _absolute(stmt, path, module)
                source = module_path(self.tree, self.roots, target or "")
                parsed = parse_python(self.tree, source, self.diags) if source else None
                return top_level_value(parsed, alias.name) if parsed else None
        return None

    def _import_module_call(self, call: ast.Call, ctx: _FileCtx) -> None:
        """`importlib.import_module(os.environ.get("APP_CONFIG", "netbox.configuration"))`."""
        if (dotted(call.func) or "") not in ("importlib.import_module", "import_module"):
            return
        if not call.args:
            return
        value = ctx.ev.eval(call.args[0])
        if isinstance(value, FromEnv):
            value = value.default
        if isinstance(value, str) and module_path(self.tree, self.roots, value) is None:
            self._example(value, ctx, call.lineno)

    def _import_names(self, stmt: ast.ImportFrom, ctx: _FileCtx) -> None:
        """`from config.env import BASE_DIR, env`: evaluate that project module on its own."""
        target = _absolute(stmt, ctx.path, ctx.module)
        # Only helpers of the settings' own package (config/env.py), one level deep: following
        # every import would read half the project for nothing.
        if not self.follow_named or not target or not ctx.module:
            return
        if target.split(".")[0] != ctx.module.split(".")[0]:
            return
        path = module_path(self.tree, self.roots, target)
        if path is None or path in ctx.stack:
            return
        if path not in self.imported:
            sub = _ChainReader(self.tree, self.project_dir, self.roots, self.diags)
            sub.follow_named = False
            sub.imported = self.imported
            sub.chain.files = self.chain.files
            sub.chain.env_vars = self.chain.env_vars
            sub.chain.needs = self.chain.needs
            sub.chain.scheme = self.chain.scheme
            sub.chain.strings = self.chain.strings
            sub.chain.examples = self.chain.examples
            self.imported[path] = {}
            sub._read_file(path, target, ctx.depth + 1, ctx.stack)
            self.imported[path] = sub.chain.ns
        names = self.imported[path]
        for alias in stmt.names:
            if alias.name in names:
                self.chain.ns[alias.asname or alias.name] = names[alias.name]

    def _assign(self, target: ast.expr, value: Any, ctx: _FileCtx, line: int) -> None:
        ns = self.chain.ns
        if isinstance(target, ast.Name):
            ns[target.id] = value
            self.chain.where[target.id] = (ctx.path, line)
            return
        # DATABASES["default"]["ENGINE"] = ...: update the nested dict in place of a copy.
        keys: list[Any] = []
        node: ast.expr = target
        while isinstance(node, ast.Subscript):
            keys.append(ctx.ev.eval(node.slice))
            node = node.value
        if not isinstance(node, ast.Name) or not keys or not all(isinstance(k, str) for k in keys):
            return
        keys.reverse()
        root = ns.get(node.id)
        if not isinstance(root, dict):
            return
        root = dict(root)
        current = root
        for key in keys[:-1]:
            inner = current.get(key)
            if not isinstance(inner, dict):
                return  # e.g. DATABASES["default"] from env.db(): a key set on it changes nothing
            inner = dict(inner)
            current[key] = inner
            current = inner
        current[keys[-1]] = value
        self.chain.ns[node.id] = root
        self.chain.where[node.id] = (ctx.path, line)

    def _call(self, call: ast.Call, ctx: _FileCtx, test: ast.expr | None) -> None:
        func = call.func
        name = dotted(func) or ""
        if name in ("include", "tools.include", "split_settings.tools.include"):
            self._include(call, ctx, test)
            return
        if not isinstance(func, ast.Attribute) or not isinstance(func.value, ast.Name):
            return
        var, method = func.value.id, func.attr
        old = self.chain.ns.get(var)
        if not isinstance(old, list | tuple):
            return
        items = list(old)
        args = [ctx.ev.eval(a) for a in call.args]
        if test is not None:
            for arg in args:
                values = arg if isinstance(arg, list | tuple) else [arg]
                self.conditional_values.update(v for v in values if isinstance(v, str))
        if method == "append" and len(args) == 1:
            items.append(args[0])
        elif method == "extend" and len(args) == 1 and isinstance(args[0], list | tuple):
            items.extend(args[0])
        elif method == "insert" and len(args) == 2 and isinstance(args[0], int):
            items.insert(args[0], args[1])
        elif method == "remove" and len(args) == 1 and args[0] in items:
            items.remove(args[0])
        else:
            return
        self.chain.ns[var] = items

    def _include(self, call: ast.Call, ctx: _FileCtx, test: ast.expr | None) -> None:
        patterns: list[str] = []
        for arg in call.args:
            value = ctx.ev.eval(arg.value if isinstance(arg, ast.Starred) else arg)
            values = value if isinstance(value, list | tuple) else [value]
            patterns.extend(v for v in values if isinstance(v, str))
        base = posixpath.dirname(ctx.path)
        for pattern in patterns:
            if posixpath.normpath(pattern) in self.unchosen:
                continue
            full = posixpath.normpath(join(base, pattern))
            directory, glob = posixpath.split(full)
            names = fnmatch.filter(self.tree.list_dir(directory or "."), glob)
            for name in sorted(names):
                path = join(directory, name)
                if not name.endswith(".py") or not self.tree.is_file(path):
                    continue
                module = module_name(self.project_dir, path)
                if test is not None and module:
                    self.chain.conditional.append((module, _source(test), ctx.path, call.lineno))
                conditional = (
                    test is not None or pattern in self.conditional_values
                ) and posixpath.normpath(pattern) not in self.chosen
                self.conditional += conditional
                self._read_file(path, module, ctx.depth + 1, ctx.stack)
                self.conditional -= conditional


@dataclass(frozen=True)
class _FileCtx:
    path: str
    module: str | None
    ev: Evaluator
    depth: int
    stack: tuple[str, ...]


def _merge(a: Any, b: Any, env: tuple[str, ...] | None, prefer: str | None, has_else: bool) -> Any:
    """One value for a name bound differently by the two sides of an `if` (a: body, b: else)."""
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        # INSTALLED_APPS += [...] under a condition: report every app it may hold.
        return type(a)(_union(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        # STORAGES["default"] changed under a condition leaves STORAGES["staticfiles"] known.
        out = dict(b)
        for key, value in a.items():
            if key not in b or b[key] != value:
                out[key] = _merge(value, b.get(key, UNKNOWN), env, prefer, has_else)
        return out
    if prefer == "else" and b is not UNKNOWN:
        return b
    if prefer == "body" or b is UNKNOWN:
        return a
    if env is not None:
        return FromEnv(env, b)  # decided when the container starts
    return b if has_else else a


def _root_name(target: ast.expr) -> str | None:
    """The name an assignment target binds or subscripts (`DATABASES["default"]["HOST"]`)."""
    while isinstance(target, ast.Subscript):
        target = target.value
    return target.id if isinstance(target, ast.Name) else None


def _union(a: Sequence[Any], b: Sequence[Any]) -> list[Any]:
    out = list(a)
    out.extend(item for item in b if item not in out)
    return out


def _preferred_branch(test: ast.expr) -> str | None:
    """Which side of `if` production takes: not the DEBUG one, not the test-run one."""
    source = _source(test)
    if "DEBUG" in source:
        return "body" if source.startswith("not ") or "False" in source else "else"
    if any(word in source.lower() for word in ("test", "argv")):
        return "else"
    return None


def _checks_presence(test: ast.expr) -> bool:
    """Whether an `if` test asks if a file or module exists (`path.exists()`,
    `os.path.isfile(...)`, `importlib.util.find_spec(...)`)."""
    for node in ast.walk(test):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in PRESENCE_CHECKS:
            return True
    return False


def _absolute(stmt: ast.ImportFrom, path: str, module: str | None) -> str | None:
    """The absolute module `from ... import` names in the file `path` (module `module`)."""
    if stmt.level == 0:
        return stmt.module
    if module is None:
        return None
    package = module.split(".")
    if not path.endswith("__init__.py"):
        package = package[:-1]
    if stmt.level - 1 > len(package):
        return None
    package = package[: len(package) - (stmt.level - 1)]
    parts = [*package, *(stmt.module.split(".") if stmt.module else [])]
    return ".".join(parts) or None


def _selector(test: ast.expr, ev: Evaluator) -> tuple[str, str] | None:
    """(variable, value) when `test` picks a branch by an environment variable's value:
    `ENV == "production"`, `os.environ["DJANGO_ENV"] in ("prod", "production")`."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return None
    if not isinstance(test.ops[0], ast.Eq | ast.In):
        return None
    for side, other in ((test.left, test.comparators[0]), (test.comparators[0], test.left)):
        names = ev.env_test(side)
        if not names:
            continue
        values = other.elts if isinstance(other, ast.Tuple | ast.List | ast.Set) else [other]
        for value in values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value:
                return names[0], value.value
    return None


def _tolerates_missing_module(handler: ast.ExceptHandler) -> bool:
    """An `except ImportError:` (or broader) that carries on: the import inside is optional.
    A handler that raises (NetBox: ImproperlyConfigured "Configuration file is not present")
    makes the module required."""
    if any(isinstance(node, ast.Raise) for node in ast.walk(handler)):
        return False
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    names = {(dotted(t) or "").rsplit(".", 1)[-1] for t in types}
    return bool(names & {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


def _example_for(tree: SourceTree, roots: Sequence[str], module: str) -> tuple[str, str] | None:
    """(where `module` belongs, the example file the repository ships for it), if any."""
    if not module or not all(part.isidentifier() for part in module.split(".")):
        return None
    rel = module.replace(".", "/")
    for root in roots:
        path = join(root, rel + ".py")
        directory, stem = posixpath.split(path)
        if directory and not tree.is_dir(directory):
            continue
        for pattern in data.load("example_modules.toml")["names"]:
            example = join(directory, pattern.format(stem=stem[:-3]))
            if tree.is_file(example):
                return path, example
    return None


def _source(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except (ValueError, RecursionError, AttributeError):
        return ""


def read_chain(
    tree: SourceTree, project_dir: str, module: str, diags: Diagnostics
) -> _Chain | None:
    """Follow `module` and its star-imports; None when the module file does not exist."""
    reader = _ChainReader(tree, project_dir, _roots(tree, project_dir), diags)
    if not reader.read_module(module):
        return None
    _loaded_examples(tree, reader.chain)
    reader.chain.examples = [
        replace(e, blanks=_example_blanks(tree, e)) for e in reader.chain.examples
    ]
    return reader.chain


# A name the example leaves empty that no settings module can import with: Django refuses an empty
# SECRET_KEY (docs.djangoproject.com/en/stable/ref/settings/#secret-key) and settings that
# validate it (NetBox: 50+ characters) raise at import.
_SECRET_NAMES = ("SECRET_KEY", "*_SECRET_KEY", "*SECRET")


def _example_blanks(tree: SourceTree, example: ExampleModule) -> tuple[tuple[str, str], ...]:
    """Top-level names `example` assigns an empty literal ('' or []) that the build must fill
    for the settings to import: a secret key, or a name the importing settings file tests in an
    `if` that raises (NetBox: `if len(SECRET_KEY) < 50: raise ImproperlyConfigured`)."""
    module_ast = parse_python(tree, example.example, Diagnostics())
    importer = parse_python(tree, example.file, Diagnostics())
    if module_ast is None:
        return ()
    validated = _raised_on(importer) if importer is not None else set()
    out: list[tuple[str, str]] = []
    for stmt in module_ast.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
            continue
        target, value = stmt.targets[0], stmt.value
        if not isinstance(target, ast.Name) or not ENV_NAME.match(target.id):
            continue
        if isinstance(value, ast.Constant) and value.value == "":
            kind = "str"
        elif isinstance(value, ast.List | ast.Tuple) and not value.elts:
            kind = "list"
        else:
            continue
        secret = kind == "str" and any(fnmatch.fnmatchcase(target.id, p) for p in _SECRET_NAMES)
        if (secret or target.id in validated) and all(n != target.id for n, _ in out):
            out.append((target.id, kind))
    return tuple(out)


def _raised_on(module_ast: ast.Module) -> set[str]:
    """Names (and quoted names) an `if` test mentions whose body raises, outside functions."""
    out: set[str] = set()
    stack: list[ast.AST] = list(module_ast.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        if isinstance(node, ast.If) and any(isinstance(n, ast.Raise) for n in node.body):
            for sub in ast.walk(node.test):
                if isinstance(sub, ast.Name):
                    out.add(sub.id)
                elif isinstance(sub, ast.Attribute):
                    out.add(sub.attr)
                elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                    out.add(sub.value)
        stack.extend(ast.iter_child_nodes(node))
    return out


def _loaded_examples(tree: SourceTree, chain: _Chain) -> None:
    """Examples of modules the settings load by other means than an import statement (NetBox's
    `configuration = load_configuration(...)` helper): an example beside a settings file whose
    module is absent, named in that file's code (not its comments) and imported nowhere."""
    patterns = [
        re.compile(re.escape(p).replace(re.escape("{stem}"), r"(?P<stem>[A-Za-z_]\w*)") + "$")
        for p in data.load("example_modules.toml")["names"]
    ]
    for file in list(chain.files):
        directory = posixpath.dirname(file)
        module_ast = None
        for name in sorted(tree.list_dir(directory or ".")):
            stem = next((m["stem"] for p in patterns if (m := p.match(name))), None)
            target = join(directory, f"{stem}.py") if stem else None
            if not stem or target is None or stem in chain.imported_stems:
                continue
            if tree.is_file(target) or any(e.path == target for e in chain.examples):
                continue
            module_ast = module_ast or parse_python(tree, file, Diagnostics())
            line = _mentions(module_ast, stem) if module_ast else None
            if line is not None:
                chain.examples.append(ExampleModule(target, join(directory, name), file, line))


def _mentions(module_ast: ast.Module, stem: str) -> int | None:
    """The first line whose code names `stem`: a name, an attribute or a module-path string."""
    lines: list[int] = []
    for node in ast.walk(module_ast):
        text = None
        if isinstance(node, ast.Name):
            text = node.id
        elif isinstance(node, ast.Attribute):
            text = node.attr
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value.rsplit(".", 1)[-1] if "." in node.value else node.value
        if text == stem and getattr(node, "lineno", None):
            lines.append(node.lineno)
    return min(lines) if lines else None


def _roots(tree: SourceTree, project_dir: str) -> list[str]:
    # A src/ layout next to manage.py is on sys.path in practice (manage.py inserts it).
    roots = [project_dir]
    src = join(project_dir, "src")
    if tree.is_dir(src):
        roots.append(src)
    return roots


class _Facts:
    """Accumulates field values and evidence for a SettingsFacts."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.evidence: list[Evidence] = []

    def set(self, name: str, value: Any, file: str | None, line: int | None, why: str) -> None:
        if value is None or value == () or name in self.values:
            return
        self.values[name] = value
        self.evidence.append(Evidence(name, file, line, why))


def read_settings_module(
    tree: SourceTree,
    project_dir: str,
    settings_module: str | None,
    diags: Diagnostics,
    *,
    read_module: str | None = None,
    settings_from_env: bool = False,
) -> SettingsFacts:
    """What the settings of the project in `project_dir` declare.

    `settings_module` is the default module (as manage.py names it); `read_module` is the module
    actually read when it differs (a settings package found nearby when manage.py names none).
    When a production module exists, facts are taken from it first (that is what the image
    runs), then from the default module.
    """
    facts = _Facts()
    module = settings_module or read_module
    files_read: list[str] = []
    default_chain = read_chain(tree, project_dir, module, diags) if module else None
    if module and default_chain is None:
        diags.warn(
            f"settings module {module!r} was not found under {project_dir!r}; "
            "settings facts are missing",
            join(project_dir, "manage.py") if project_dir else None,
        )
    all_files = list(_project_files(tree, project_dir))
    wsgi_defaults = _app_files(tree, project_dir, module, all_files)
    production = _production_module(tree, project_dir, module, default_chain, wsgi_defaults, facts)
    chains: list[_Chain] = []
    if production and production != module:
        prod_chain = read_chain(tree, project_dir, production, diags)
        if prod_chain is not None:
            chains.append(prod_chain)
    if default_chain is not None:
        chains.append(default_chain)
    for chain in chains:
        files_read.extend(f for f in chain.files if f not in files_read)
        _facts_from_chain(tree, project_dir, chain, facts)
    if chains:
        _required_settings(chains[0], diags)
    _app_facts(project_dir, wsgi_defaults, facts)
    _celery(tree, project_dir, all_files, facts)
    _channels(tree, project_dir, all_files, facts)
    _gis_import(tree, all_files, facts)
    _locale(tree, project_dir, all_files, chains, facts)
    env_vars: dict[str, None] = {}
    for chain in chains:
        env_vars.update(dict.fromkeys(chain.env_vars))
    v = facts.values
    served = _served_file(tree, project_dir, v, facts.evidence)
    run_module = production or module
    env_needs = _env_needs(tree, project_dir, chains, run_module, served, v, diags)
    if chains:
        env_needs += _app_needs(tree, all_files, chains[0], env_needs)
    return SettingsFacts(
        settings_module=settings_module,
        production_settings_module=production,
        settings_files=tuple(files_read),
        settings_from_env=settings_from_env,
        settings_guess=None if settings_module else read_module,
        wsgi_application=v.get("wsgi_application"),
        asgi_application=v.get("asgi_application"),
        installed_apps=tuple(v.get("installed_apps", ())),
        static_root=v.get("static_root"),
        static_url=v.get("static_url"),
        storage=v.get("storage"),
        media_root=v.get("media_root"),
        database=v.get("database"),
        database_default=v.get("database_default"),
        database_server=v.get("database_server"),
        sqlite=bool(v.get("sqlite")),
        sqlite_path=v.get("sqlite_path") if v.get("sqlite") else None,
        locale_dirs=tuple(v.get("locale_dirs", ())),
        celery_app=v.get("celery_app"),
        channels_consumers=bool(v.get("channels_consumers")),
        gis_import=v.get("gis_import"),
        env_vars=tuple(env_vars),
        staticfiles_dirs=tuple(v.get("staticfiles_dirs", ())),
        staticfiles_dirs_unread=bool(v.get("staticfiles_dirs_unread")),
        bundle_files=tuple(v.get("bundle_files", ())),
        npm_finder_root=v.get("npm_finder_root"),
        compress_offline=bool(v.get("compress_offline")),
        env_needs=env_needs,
        example_modules=tuple(chains[0].examples) if chains else (),
        evidence=tuple(facts.evidence),
    )


def _module_choosers(module_ast: ast.Module, path: str, run_module: str | None) -> list[EnvNeed]:
    """A settings module named by a variable in manage.py/wsgi.py:
    `f"proj.settings.{os.environ['DJANGO_ENV']}"` or `"proj.settings." + os.environ[...]`. The
    variable needs the value that names the settings the image runs."""
    if not run_module:
        return []
    out: list[EnvNeed] = []
    for node in ast.walk(module_ast):
        parts: list[ast.AST] = []
        if isinstance(node, ast.JoinedStr):
            parts = [v.value if isinstance(v, ast.FormattedValue) else v for v in node.values]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            parts = [node.left, node.right]
        if len(parts) != 2 or not isinstance(parts[0], ast.Constant):
            continue
        prefix = parts[0].value
        read = env_read(parts[1], frozenset())
        if not isinstance(prefix, str) or read is None or not read.name:
            continue
        rest = run_module[len(prefix) :] if run_module.startswith(prefix) else ""
        if rest.isidentifier():
            why = f"{prefix}{{{read.name}}} names the settings module: {run_module} is run"
            out.append(EnvNeed(read.name, "choice", path, node.lineno, why, rest))
    return out


def _parent_inits(tree: SourceTree, project_dir: str, module: str | None) -> list[str]:
    """The __init__.py files Python runs before `module` (a.b.c: a/__init__.py, a/b/__init__.py)."""
    if not module:
        return []
    parts = module.split(".")
    out = []
    for i in range(1, len(parts)):
        path = module_path(tree, _roots(tree, project_dir), ".".join(parts[:i]))
        if path is not None and path.endswith("__init__.py"):
            out.append(path)
    return out


def _served_file(
    tree: SourceTree, project_dir: str, values: dict[str, Any], evidence: list[Evidence]
) -> str | None:
    """The wsgi.py/asgi.py file the image serves (it runs at start, like the settings)."""
    target = values.get("wsgi_application") or values.get("asgi_application")
    if not isinstance(target, str):
        return None
    return module_path(tree, _roots(tree, project_dir), target.split(":", 1)[0])


def _env_needs(
    tree: SourceTree,
    project_dir: str,
    chains: list[_Chain],
    run_module: str | None,
    served: str | None,
    values: dict[str, Any],
    diags: Diagnostics,
) -> tuple[EnvNeed, ...]:
    """The runtime contract: variables the settings the image runs (with the packages above
    them, whose __init__.py runs first), manage.py and the served WSGI/ASGI module cannot import
    without, each with its kind, form and file:line."""
    chain = chains[0] if chains else None
    found: list[EnvNeed] = []
    # Parent packages of the settings module run first: proj/settings/__init__.py may choose the
    # settings by a variable (`if ENV == "production": from .production import *`).
    parents = _parent_inits(tree, project_dir, run_module)
    for other in chains:
        found += [n for n in other.needs if n.file in parents and other is not chain]
        for module, name, value in other.selectors:
            if module == run_module:
                file, line = next(
                    ((f, ln) for m, _, f, ln in other.conditional if m == module), ("", None)
                )
                why = f"{name} == {value!r} selects the settings the image runs, {module}"
                found.insert(0, EnvNeed(name, "choice", file, line, why, value))
        for choice, path in other.branch_choices:
            loads, missing = ", ".join(choice.loads), ", ".join(choice.missing)
            for name, value in choice.assign:
                why = (
                    f"`{choice.test}` loads {loads}; unset, the settings load {missing}, which "
                    "the repository does not have"
                )
                found.insert(0, EnvNeed(name, "choice", path, choice.line, why, value))
    if chain is not None:
        found += chain.needs
    read = set(chain.files if chain else ()) | {n.file for n in found}
    for path in (*parents, join(project_dir, "manage.py"), served):
        if path is None or path in read or not tree.is_file(path):
            continue
        module_ast = parse_python(tree, path, Diagnostics())
        if module_ast is None:
            continue
        readers = env_readers_of(module_ast)
        found += _module_choosers(module_ast, path, run_module)
        for need in needs(module_ast, readers):
            found.append(EnvNeed(need.name, need.kind, path, need.line, need.why, need.form))
    # A database URL with no scheme of its own takes the engine the settings name.
    engine = values.get("database")
    if engine not in ("postgresql", "postgis"):
        engine = values.get("database_default")  # the engine when the environment says nothing
    out: list[EnvNeed] = []
    for need in merge(found):
        if not ENV_NAME.match(need.name):
            diags.warn(
                f"environment variable name {need.name[:60]!r} is not a valid name; ignored",
                need.file or None,
                need.line,
            )
            continue
        if need.kind == "choice" and not re.fullmatch(r"[\w.-]{1,64}", need.form or ""):
            continue  # a selector value we would not write into a RUN line
        if (
            need.form is None
            and need.kind in ("db", "str", "url")
            and engine in ("postgresql", "postgis")
            and fnmatch.fnmatchcase(need.name.upper(), "*DATABASE_URL")
        ):
            need = replace(need, form="postgres" if engine == "postgresql" else "postgis")
        out.append(need)
    if chain is not None:
        out = _with_database_parts(out, _database_parts(chain))
        out += _empty_secret_key(chain, {n.name for n in out})
    return tuple(out)


def _empty_secret_key(chain: _Chain, known: set[str]) -> list[EnvNeed]:
    """SECRET_KEY taken from a variable that leaves it empty when unset (`os.environ.get(
    "SECRET_KEY")`): Django refuses an empty key, and a key the settings make at start instead
    (written under the source tree, or random) is not kept by a read-only image, nor shared by
    its server's workers. The build has its placeholder already (build_env.toml, `always`)."""
    value = chain.ns.get("SECRET_KEY")
    if not isinstance(value, FromEnv) or not unset_is_empty(value):
        return []
    file, line = chain.where.get("SECRET_KEY", ("", None))
    why = (
        "SECRET_KEY is read from it, empty when unset: Django refuses an empty SECRET_KEY, and a "
        "key the settings make at start is neither kept by the read-only image nor shared by the "
        "server's workers"
    )
    return [
        EnvNeed(name, "str", file, line, why)
        for name in value.names[:1]
        if name not in known and ENV_NAME.match(name)
    ]


def _database_parts(chain: _Chain) -> list[tuple[EnvNeed, str]]:
    """The variables the default database the image runs is assembled from, read with no
    default or an empty one (see _dbparts), each with what it is ("the database host
    (DATABASES['default']['HOST'])"): the settings import without them, so they are the
    container's, not the build's (kind "db_runtime"; form: which part)."""
    databases = chain.ns.get("DATABASES")
    default = databases.get("default") if isinstance(databases, dict) else None
    # `if "DATABASE_URL" in os.environ: DATABASES["default"] = {...from the URL}` around the
    # dict a container started with nothing uses: that dict's parts, with the URL as the other way.
    instead = ()
    if isinstance(default, FromEnv) and isinstance(_unset(default), dict):
        instead = default.names
    out: list[tuple[EnvNeed, str]] = []
    for marker, file, line, test, reads in chain.db_ifs:
        if default is not marker:
            continue  # a later assignment set the database: this `if` no longer decides it
        for read in reads:
            what = f"the {part_label(read.part)}" + (f" ({read.via})" if read.via else "")
            how = f"handed to {read.via} under" if read.via else "tested by"
            why = (
                f"{how} `if {test}:`, the only place DATABASES['default'] is set (no else, "
                "nothing before): unset, there is no database and every page answers 500 "
                "(settings.DATABASES is improperly configured)"
            )
            out.append((EnvNeed(read.name, "db_runtime", file, line, why, read.part), what))
    if instead:
        default = _unset(default)
    if not isinstance(default, dict) or "ENGINE" not in default:
        return out
    engine = _unset(default.get("ENGINE"))  # the engine a container started with nothing uses
    if isinstance(engine, str) and _engine(engine) in ("sqlite3", "spatialite"):
        return out  # a file: nothing to reach, nothing to name
    file, line = chain.where.get("DATABASES", ("", None))
    for key, value in default.items():
        part = part_of_key(key) if isinstance(key, str) else None
        if part is None or not isinstance(value, FromEnv) or not unset_is_empty(value):
            continue
        what = f"the {part_label(part)} (DATABASES['default'][{key!r}])"
        read, switches = _innermost(value)
        alternatives = [n for n in (*instead, *switches) if ENV_NAME.match(n)]
        for name in read.names:
            at_file, at_line = chain.db_reads.get(name, (file, line))
            why = (
                f"DATABASES['default'][{key!r}] is read from it, empty when unset: the container "
                "needs it to reach its database"
            )
            if alternatives:
                why += f" (unless the database is chosen another way: {', '.join(dict.fromkeys(alternatives))})"
            out.append((EnvNeed(name, "db_runtime", at_file, at_line, why, part), what))
    return out


def _innermost(value: FromEnv) -> tuple[FromEnv, tuple[str, ...]]:
    """The read a value comes from when nothing is set, and the variables of the reads around
    it (the if-tests that choose another value): `if os.getenv("SQLITE") ...: NAME = ... else:
    NAME = os.environ.get("DB_NAME")` is DB_NAME's read, under the SQLITE switch."""
    switches: list[str] = []
    for _ in range(20):  # a chain of nested reads is short; a deeper one is hostile
        if not isinstance(value.default, FromEnv):
            break
        switches += value.names
        value = value.default
    return value, tuple(switches)


def _with_database_parts(found: list[EnvNeed], parts: list[tuple[EnvNeed, str]]) -> list[EnvNeed]:
    """The contract with the database's parts: a part the settings already cannot import
    without (`os.environ["DB_HOST"]`) keeps its build placeholder and says which part it is
    (kind "db_part"); the others are added, for the container only."""
    out = list(found)
    for part, what in parts:
        if not ENV_NAME.match(part.name):
            continue
        index = next((i for i, n in enumerate(out) if n.name == part.name), None)
        if index is None:
            out.append(part)
            continue
        known = out[index]
        if known.kind in ("str", "int") and part.form != "url":
            why = f"{known.why}; it is {what}"
            out[index] = replace(known, kind="db_part", form=part.form, why=why)
    return out


# Files whose import-time checks are no concern of the image: tests, migrations, scripts.
_NOT_APP_CODE = ("*/tests/*", "tests/*", "*/test_*.py", "test_*.py", "*_tests.py", "*/migrations/*")
# Files read for import-time checks stop here: a big repository is not parsed whole for this.
_MAX_APP_FILES = 2000


def _app_needs(
    tree: SourceTree, files: list[str], chain: _Chain, found: tuple[EnvNeed, ...]
) -> tuple[EnvNeed, ...]:
    """Variables app code refuses empty at import (see _appchecks) that the settings read from
    the environment with an empty default: the settings import, then the app raises."""
    known = {n.name for n in found}
    out: list[EnvNeed] = []
    candidates = [
        f
        for f in files
        if f.endswith(".py")
        and f not in chain.files
        and not any(fnmatch.fnmatchcase(f, p) for p in _NOT_APP_CODE)
    ]
    for path in candidates[:_MAX_APP_FILES]:
        text = tree.read_text(path) or ""
        if "settings" not in text or "raise" not in text:
            continue
        module_ast = parse_python(tree, path, Diagnostics())
        if module_ast is None:
            continue
        for check in empty_checks(module_ast):
            for setting in check.names:
                value = chain.ns.get(setting)
                if not isinstance(value, FromEnv) or value.default not in ("", None):
                    continue
                file, line = chain.where.get(setting, ("", 0))
                for name in value.names:
                    if name in known or not ENV_NAME.match(name):
                        continue
                    known.add(name)
                    why = (
                        f"{path}:{check.line} raises at import when `{check.test}` "
                        f"({setting} is read from {name} with an empty default at {file}:{line})"
                    )
                    out.append(EnvNeed(name, "str", path, check.line, why))
    return tuple(out)


def _required_settings(chain: _Chain, diags: Diagnostics) -> None:
    """Warn when the settings the image runs lack what Django needs to serve a request."""
    # Only for a chain read whole: INSTALLED_APPS found means the star-imports were followed.
    if "INSTALLED_APPS" not in chain.ns or not chain.files:
        return
    top = chain.files[0]
    if "SECRET_KEY" not in chain.ns:
        diags.warn(
            "the settings the image runs never set SECRET_KEY, so Django will refuse to start; "
            "read it from the environment, e.g. SECRET_KEY = os.environ['SECRET_KEY']",
            top,
        )
    if "ALLOWED_HOSTS" not in chain.ns and chain.ns.get("DEBUG") is not True:
        diags.warn(
            "the settings the image runs never set ALLOWED_HOSTS, so with DEBUG off every request "
            "gets 400 Bad Request; read it from the environment, e.g. "
            "ALLOWED_HOSTS = os.environ['ALLOWED_HOSTS'].split(',')",
            top,
        )


def _project_files(tree: SourceTree, project_dir: str) -> Iterable[str]:
    prefix = "" if project_dir in ("", ".") else project_dir + "/"
    for path in tree.walk_files():
        if path.startswith(prefix):
            yield path


# ---------------------------------------------------------------- facts from the settings chain


def _describe(value: Any) -> str | None:
    """A setting's value as reported: text, a path relative to the project, or from environment."""
    if isinstance(value, FromEnv):
        return FROM_ENV
    if isinstance(value, PathVal):
        return value.rel
    if isinstance(value, str):
        return value
    return None


def _facts_from_chain(tree: SourceTree, project_dir: str, chain: _Chain, facts: _Facts) -> None:
    ns, where = chain.ns, chain.where

    def at(name: str) -> tuple[str | None, int | None]:
        return where.get(name, (None, None))

    apps = ns.get("INSTALLED_APPS")
    if isinstance(apps, list | tuple):
        names = tuple(dict.fromkeys(a for a in apps if isinstance(a, str)))
        facts.set("installed_apps", names, *at("INSTALLED_APPS"), "INSTALLED_APPS entries")
    for setting, fact in (
        ("STATIC_ROOT", "static_root"),
        ("STATIC_URL", "static_url"),
        ("MEDIA_ROOT", "media_root"),
    ):
        value = ns.get(setting)
        text = _describe(value)
        if text is None and setting == "STATIC_ROOT" and setting in ns:
            # Set, from a value only known at run time (a helper's result): it is set, which
            # is what collectstatic needs; where it points is not known here.
            text = "computed in settings"
        if text is not None:
            why = (
                f"{setting} is read from the environment"
                if text == FROM_ENV
                else (f"{setting} = {text!r}")
            )
            facts.set(fact, text, *at(setting), why)
    storages = ns.get("STORAGES")
    backend = None
    if isinstance(storages, dict) and isinstance(storages.get("staticfiles"), dict):
        backend = _describe(storages["staticfiles"].get("BACKEND"))
        if backend:
            facts.set("storage", backend, *at("STORAGES"), 'STORAGES["staticfiles"]["BACKEND"]')
    if backend is None:
        backend = _describe(ns.get("STATICFILES_STORAGE"))
        if backend:
            facts.set("storage", backend, *at("STATICFILES_STORAGE"), "STATICFILES_STORAGE")
    _database(ns.get("DATABASES"), at("DATABASES"), facts)
    _static_sources(project_dir, ns, at, facts)
    for setting, fact in (
        ("WSGI_APPLICATION", "wsgi_application"),
        ("ASGI_APPLICATION", "asgi_application"),
    ):
        value = ns.get(setting)
        if isinstance(value, str) and "." in value:
            mod, _, attr = value.rpartition(".")
            why = f"{setting} = {value!r}: the settings name the module served"
            facts.set(fact, f"{mod}:{attr}", *at(setting), why)


def _repo_path(project_dir: str, value: Any) -> str | None:
    """A settings path (relative to the project directory) relative to the repository root."""
    rel = _describe(value)
    if not rel or rel == FROM_ENV or rel.startswith("/") or not isinstance(value, PathVal | str):
        return None
    path = posixpath.normpath(join(project_dir, rel))
    return None if path == ".." or path.startswith("../") else path


def _static_sources(project_dir: str, ns: dict[str, Any], at: Any, facts: _Facts) -> None:
    """STATICFILES_DIRS, the bundle files template tags read, and django-compressor offline."""
    dirs = ns.get("STATICFILES_DIRS")
    if isinstance(dirs, list | tuple):
        found: list[str] = []
        unread = False
        for entry in dirs:
            # ("prefix", path) entries serve `path` under a URL prefix.
            value = entry[1] if isinstance(entry, tuple | list) and len(entry) == 2 else entry
            path = _repo_path(project_dir, value)
            if path is None:
                unread = True
            elif path not in found:
                found.append(path)
        facts.set(
            "staticfiles_dirs",
            tuple(found),
            *at("STATICFILES_DIRS"),
            f"STATICFILES_DIRS lists {', '.join(found)}",
        )
        if unread:
            facts.set(
                "staticfiles_dirs_unread",
                True,
                *at("STATICFILES_DIRS"),
                "a STATICFILES_DIRS entry could not be read statically",
            )
    elif "STATICFILES_DIRS" in ns:
        facts.set(
            "staticfiles_dirs_unread",
            True,
            *at("STATICFILES_DIRS"),
            "STATICFILES_DIRS could not be read statically",
        )
    finders = ns.get("STATICFILES_FINDERS")
    if isinstance(finders, list | tuple) and any(
        isinstance(f, str) and f.startswith("npm.finders.") for f in finders
    ):
        # django-npm serves files from NPM_ROOT_PATH/node_modules; NPM_ROOT_PATH defaults to the
        # working directory (the project directory, where manage.py collectstatic runs) and a
        # relative value is read from there too.
        root = _repo_path(project_dir, ns.get("NPM_ROOT_PATH", "."))
        if root is not None:
            written = _describe(ns.get("NPM_ROOT_PATH"))
            where = (
                f"NPM_ROOT_PATH {written!r}"
                if "NPM_ROOT_PATH" in ns
                else "NPM_ROOT_PATH unset: the working directory"
            )
            facts.set(
                "npm_finder_root",
                root,
                *at("STATICFILES_FINDERS"),
                f"STATICFILES_FINDERS has django-npm's NpmFinder, which serves "
                f"{join(root, 'node_modules')} ({where})",
            )
    bundles: list[tuple[str, str]] = []
    vite = ns.get("DJANGO_VITE")
    if isinstance(vite, dict):
        for config in vite.values():
            if isinstance(config, dict) and "manifest_path" in config:
                bundles.append(("DJANGO_VITE", config["manifest_path"]))
    for setting in ("DJANGO_VITE_MANIFEST_PATH",):
        if setting in ns:
            bundles.append((setting, ns[setting]))
    loader = ns.get("WEBPACK_LOADER")
    if isinstance(loader, dict):
        for config in loader.values():
            if isinstance(config, dict) and "STATS_FILE" in config:
                bundles.append(("WEBPACK_LOADER", config["STATS_FILE"]))
    paths = [p for p in (_repo_path(project_dir, value) for _, value in bundles) if p]
    if paths:
        setting = bundles[0][0]
        facts.set("bundle_files", tuple(paths), *at(setting), f"{setting} reads {paths[0]}")
    if ns.get("COMPRESS_OFFLINE") is True:
        facts.set("compress_offline", True, *at("COMPRESS_OFFLINE"), "COMPRESS_OFFLINE = True")


# A bare host name (no dots): a Compose service ("db", "postgres"), not a DNS name or address.
_SERVICE_HOST = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,62}")


def _database(databases: Any, where: tuple[str | None, int | None], facts: _Facts) -> None:
    if isinstance(databases, FromEnv):
        facts.set("database", FROM_ENV, *where, "DATABASES is read from the environment")
        unset = databases.default
        _sqlite_when_unset(unset.get("default") if isinstance(unset, dict) else None, where, facts)
        return
    if not isinstance(databases, dict):
        return
    default = databases.get("default")
    if isinstance(default, FromEnv):
        facts.set("database", FROM_ENV, *where, f"DATABASES['default'] from {_names(default)}")
        _sqlite_when_unset(default.default, where, facts)
        return
    if not isinstance(default, dict):
        return
    engine = default.get("ENGINE")
    if isinstance(engine, FromEnv):
        facts.set("database", FROM_ENV, *where, "DATABASES ENGINE is read from the environment")
        # `os.getenv("DB_ENGINE") or "...sqlite3"`: what a container started with no variables
        # uses is the default, so the image must be ready for it (issue 10 class 6).
        _sqlite_when_unset(default, where, facts)
    elif isinstance(engine, str) and engine:
        short = _engine(engine)
        facts.set("database", short, *where, f"DATABASES['default']['ENGINE'] = {engine!r}")
        facts.set("database_default", short, *where, f"DATABASES['default']['ENGINE'] = {engine!r}")
        facts.set("sqlite", short in ("sqlite3", "spatialite"), *where, f"engine {engine!r}")
        host = default.get("HOST")
        if isinstance(host, str) and _SERVICE_HOST.fullmatch(host) and host != "localhost":
            server = {
                k.lower(): str(default[k])
                for k in ("HOST", "PORT", "NAME", "USER", "PASSWORD")
                if isinstance(default.get(k), str | int) and not isinstance(default[k], bool)
            }
            facts.set("database_server", server, *where, f"DATABASES HOST = {host!r}")
        url = default.get("URL")  # dj_database_url.parse("sqlite:///...") read statically
        if short in ("sqlite3", "spatialite") and "NAME" not in default and isinstance(url, str):
            _sqlite_name(_sqlite_url_path(url), where, facts)
        elif short in ("sqlite3", "spatialite"):
            _sqlite_name(default.get("NAME"), where, facts)


def _unset(value: Any) -> Any:
    """What a value read from the environment is when nothing is set: its default, unwrapped
    through nested reads (`if os.environ.get(...)` around an `env.db(default=...)`)."""
    for _ in range(20):  # a chain of nested reads is short; a deeper one is hostile
        if not isinstance(value, FromEnv):
            return value
        value = value.default
    return None


def _sqlite_name(name: Any, where: tuple[str | None, int | None], facts: _Facts) -> None:
    """The SQLite NAME used when nothing is set (a path relative to the project directory, or
    absolute), so the image can make its directory writable."""
    text = _describe(_unset(name))
    if text and text != FROM_ENV:
        facts.set("sqlite_path", text, *where, f"the SQLite database is {text!r}")


def _sqlite_url_path(url: str) -> str | None:
    """The file a `sqlite:///...` URL names, as dj-database-url and django-environ read it:
    `sqlite:///db.sqlite3` is relative to the working directory, `sqlite:////data/db` absolute."""
    path = url.split("://", 1)[1].split("?", 1)[0]
    if not path.startswith("/") or path.strip("/") in ("", ":memory:"):
        return None
    return path[1:]


def _url_prefix(url: PathURL | str) -> str:
    """The literal text of a URL up to its computed path (all of it for a plain string)."""
    return url.prefix if isinstance(url, PathURL) else url


def _sqlite_when_unset(fallback: Any, where: tuple[str | None, int | None], facts: _Facts) -> None:
    """Whether a database read from the environment falls back to SQLite: the fallback is a
    DATABASES entry ({"ENGINE": ...}) or a URL ("sqlite:///db.sqlite3"), when it can be read."""
    fallback = _unset(fallback)
    engine = _unset(fallback.get("ENGINE")) if isinstance(fallback, dict) else None
    if isinstance(engine, str) and engine:
        sqlite = _engine(engine) in ("sqlite3", "spatialite")
        facts.set("sqlite", sqlite, *where, f"when unset, the engine is {engine!r}")
        facts.set("database_default", _engine(engine), *where, f"when unset: {engine!r}")
        if sqlite:
            _sqlite_name(fallback.get("NAME"), where, facts)
    elif isinstance(fallback, PathURL | str) and "://" in _url_prefix(fallback):
        scheme = _url_prefix(fallback).split("://", 1)[0].split("+", 1)[0].lower()
        sqlite = scheme in ("sqlite", "spatialite")
        shown = (
            f"{fallback.prefix}<{fallback.path.rel}>" if isinstance(fallback, PathURL) else fallback
        )
        facts.set("sqlite", sqlite, *where, f"default database URL when unset: {shown!r}")
        if sqlite and isinstance(fallback, PathURL):
            # sqlite:/// + an absolute path (BASE_DIR is absolute at run time): that file.
            if fallback.prefix.lower().endswith(":///"):
                _sqlite_name(fallback.path, where, facts)
        elif sqlite:
            _sqlite_name(_sqlite_url_path(fallback), where, facts)
        if scheme in _ENGINE_SCHEMES:
            # Only the scheme: the rest of the URL may hold a password.
            facts.set(
                "database_default",
                _ENGINE_SCHEMES[scheme],
                *where,
                f"the default database URL (when unset) has the scheme {scheme}://",
            )
    # Production settings that take the database from the environment override a SQLite
    # default in base settings: the image must not plan for a local database file.
    facts.set("sqlite", False, *where, "the database is configured from the environment")


def _engine(engine: str) -> str:
    if "://" not in engine and engine in _ENGINE_SCHEMES:  # from a URL scheme
        return _ENGINE_SCHEMES[engine]
    lowered = engine.lower()
    if "contrib.gis" in lowered and "mysql" in lowered:
        return "mysqlgis"  # django.contrib.gis.db.backends.mysql: GeoDjango on MySQL
    if "contrib.gis" in lowered and "oracle" in lowered:
        return "oraclegis"
    for needle, short in (
        ("postgis", "postgis"),
        ("spatialite", "spatialite"),
        ("postgres", "postgresql"),
        ("sqlite", "sqlite3"),
        ("mysql", "mysql"),
        ("oracle", "oracle"),
    ):
        if needle in lowered:
            return short
    return engine.rsplit(".", 1)[-1]


def _names(value: FromEnv) -> str:
    return ", ".join(value.names) or "the environment"


# ---------------------------------------------------------------- production settings module


def _production_module(
    tree: SourceTree,
    project_dir: str,
    module: str | None,
    chain: _Chain | None,
    app_files: list[_AppFile],
    facts: _Facts,
) -> str | None:
    if not module:
        return None
    if _is_production_name(module):
        facts.set("production_settings_module", module, None, None, "the default is production")
        return module
    roots = _roots(tree, project_dir)
    path = module_path(tree, roots, module)
    if path is not None:
        for candidate in _production_siblings(module, path.endswith("__init__.py")):
            found = module_path(tree, roots, candidate)
            if found is not None:
                facts.set(
                    "production_settings_module",
                    candidate,
                    found,
                    1,
                    f"a production settings module next to {module}",
                )
                return candidate
    if chain is not None:
        for target, test, file, line in chain.conditional:
            if _is_production_name(target) or any(f"'{word}'" in test for word in PRODUCTION_NAMES):
                facts.set("production_settings_module", target, file, line, f"imported when {test}")
                return target
    # wsgi.py is what production servers load: a default there that differs is the production one.
    # Only the wsgi.py the image serves (not one in a Celery or second-site package).
    for app in app_files:
        last = (app.settings or "").rsplit(".", 1)[-1]
        if (
            app.kind == "wsgi"
            and app.place != _ELSEWHERE
            and app.settings
            and app.settings != module
            and not any(w in last for w in ("test", "dev", "local"))
        ):
            facts.set(
                "production_settings_module",
                app.settings,
                app.path,
                app.settings_line,
                f"{app.path} defaults DJANGO_SETTINGS_MODULE to it",
            )
            return app.settings
    return None


def _is_production_name(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    parts = last.split("_")
    return any(p in PRODUCTION_NAMES for p in parts)


def _production_siblings(module: str, is_package: bool) -> list[str]:
    if is_package:  # settings/__init__.py: look inside the package
        return [f"{module}.{name}" for name in PRODUCTION_NAMES]
    head, _, last = module.rpartition(".")
    prefix = f"{head}." if head else ""
    out = [f"{prefix}{name}" for name in PRODUCTION_NAMES]
    # settings.py next to settings_prod.py / settings_production.py / production_settings.py
    for name in PRODUCTION_NAMES:
        out += [f"{prefix}{last}_{name}", f"{prefix}{name}_{last}"]
    return out


# ---------------------------------------------------------------- wsgi.py / asgi.py, celery, ...


@dataclass(frozen=True)
class _AppFile:
    kind: str  # wsgi | asgi
    path: str
    target: str  # "proj.wsgi:application"
    line: int
    settings: str | None  # DJANGO_SETTINGS_MODULE default set there
    settings_line: int | None
    # Where it sits relative to the settings: next to them (what the project serves, by the
    # startproject convention), in the project directory, or in another package (a Celery app
    # package, a second site) that only serves when a setting names it.
    place: str = "beside the settings"


_ELSEWHERE = "in another package"


def _app_files(
    tree: SourceTree, project_dir: str, module: str | None, files: list[str]
) -> list[_AppFile]:
    """wsgi.py / asgi.py files next to the settings (nearest first) and what they define."""
    dirs: list[str] = []
    path = module_path(tree, _roots(tree, project_dir), module) if module else None
    if path is not None:
        directory = posixpath.dirname(path)
        while directory and directory not in dirs:
            dirs.append(directory)
            if directory == project_dir or "/" not in directory:
                break
            directory = posixpath.dirname(directory)
    places = {d: "beside the settings" for d in dirs}
    if project_dir not in dirs:
        dirs.append(project_dir)
        places[project_dir] = "in the project directory"
    # Then any package one level below the project (settings unknown or somewhere else): those
    # holding settings first, a Celery app package last (its wsgi.py is rarely the web site's).
    prefix = "" if project_dir in ("", ".") else project_dir + "/"
    others: list[str] = []
    for f in files:
        rest = f[len(prefix) :]
        if rest.count("/") == 1 and rest.endswith(("/wsgi.py", "/asgi.py")):
            directory = posixpath.dirname(f)
            if directory not in dirs and directory not in others:
                others.append(directory)
    others.sort(key=lambda d: (not _holds_settings(tree, d), _holds_celery(tree, d)))
    dirs += others
    out: list[_AppFile] = []
    for directory in dirs:
        for kind in ("wsgi", "asgi"):
            # A module, or a package (saleor keeps its ASGI stack in asgi/__init__.py).
            for file in (join(directory, f"{kind}.py"), join(directory, f"{kind}/__init__.py")):
                if tree.is_file(file):
                    app = _read_app_file(tree, project_dir, file, kind)
                    if app is not None:
                        out.append(replace(app, place=places.get(directory, _ELSEWHERE)))
                        break
    return out


def _holds_settings(tree: SourceTree, directory: str) -> bool:
    return tree.is_file(join(directory, "settings.py")) or tree.is_dir(join(directory, "settings"))


def _holds_celery(tree: SourceTree, directory: str) -> bool:
    return any(tree.is_file(join(directory, n)) for n in ("celery.py", "celery_app.py", "tasks.py"))


def _read_app_file(tree: SourceTree, project_dir: str, path: str, kind: str) -> _AppFile | None:
    mod = module_name(project_dir, path)
    module_ast = parse_python(tree, path, Diagnostics()) if mod else None
    if module_ast is None or mod is None:
        return None
    calls = _WSGI_CALLS if kind == "wsgi" else _ASGI_CALLS
    bound: list[tuple[str, int]] = []
    for stmt in module_ast.body:
        if isinstance(stmt, ast.Assign) and _calls_any(stmt.value, calls):
            bound += [(t.id, stmt.lineno) for t in stmt.targets if isinstance(t, ast.Name)]
    if not bound:
        return None
    name, line = next(((n, ln) for n, ln in bound if n == "application"), bound[-1])
    defaults, _ = settings_defaults(module_ast)
    settings = defaults[0] if defaults else None
    return _AppFile(
        kind,
        path,
        f"{mod}:{name}",
        line,
        settings.module if settings else None,
        settings.line if settings else None,
    )


def _calls_any(node: ast.AST, names: frozenset[str]) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = dotted(sub.func)
            if func and func.rsplit(".", 1)[-1] in names:
                return True
    return False


def _app_facts(project_dir: str, apps: list[_AppFile], facts: _Facts) -> None:
    """The WSGI/ASGI application served when no *_APPLICATION setting named one (those were set
    from the settings already and win): the module nearest the settings, others named as such."""
    for app in apps:
        others = [a.path for a in apps if a.kind == app.kind and a is not app]
        also = f"; also found, not served: {', '.join(others)}" if others else ""
        facts.set(
            f"{app.kind}_application",
            app.target,
            app.path,
            app.line,
            f"{app.path} binds the {app.kind.upper()} application and sits {app.place}{also}",
        )


def _celery(tree: SourceTree, project_dir: str, files: list[str], facts: _Facts) -> None:
    for path in files:
        name = path.rsplit("/", 1)[-1]
        if name not in ("celery.py", "celery_app.py", "celeryapp.py") or _in_tests(path):
            continue
        text = tree.read_text(path) or ""
        if "Celery(" not in text:
            continue
        module_ast = parse_python(tree, path, Diagnostics())
        if module_ast is None:
            continue
        for node in ast.walk(module_ast):
            if isinstance(node, ast.Call) and (dotted(node.func) or "").endswith("Celery"):
                module = module_name(project_dir, path)
                facts.set("celery_app", module, path, node.lineno, "Celery(...) app defined here")
                return


def _gis_import(tree: SourceTree, files: list[str], facts: _Facts) -> None:
    """App code that imports GeoDjango (`from django.contrib.gis.geos import Point`) loads GDAL
    and GEOS through ctypes at import, although django.contrib.gis may be absent from
    INSTALLED_APPS and the engine plain PostgreSQL; tests and migrations do not count."""
    candidates = [
        f
        for f in files
        if f.endswith(".py") and not any(fnmatch.fnmatchcase(f, p) for p in _NOT_APP_CODE)
    ]
    for path in candidates[:_MAX_APP_FILES]:
        if "django.contrib.gis" not in (tree.read_text(path) or ""):
            continue
        module_ast = parse_python(tree, path, Diagnostics())
        for node in ast.walk(module_ast) if module_ast is not None else ():
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            module = next((n for n in names if n.startswith("django.contrib.gis")), None)
            if module:
                why = f"{path}:{node.lineno} imports {module}: GeoDjango loads GDAL and GEOS"
                facts.set("gis_import", f"{path}:{node.lineno}", path, node.lineno, why)
                return


def _channels(tree: SourceTree, project_dir: str, files: list[str], facts: _Facts) -> None:
    for path in files:
        name = path.rsplit("/", 1)[-1]
        if not name.endswith(".py") or _in_tests(path):
            continue
        if not (
            name == "asgi.py"
            or any(w in name for w in ("consumer", "routing", "socket"))
            or "/consumers/" in path
        ):
            continue
        text = tree.read_text(path) or ""
        if not any(w in text for w in ("WebsocketConsumer", "URLRouter", "websocket_urlpatterns")):
            continue
        module_ast = parse_python(tree, path, Diagnostics())
        if module_ast is None:
            continue
        for node in ast.walk(module_ast):
            hit = None
            if isinstance(node, ast.ClassDef):
                bases = {(dotted(b) or "").rsplit(".", 1)[-1] for b in node.bases}
                if bases & _CONSUMER_BASES:
                    hit = f"class {node.name} is a websocket consumer"
            elif isinstance(node, ast.Call) and (dotted(node.func) or "").endswith("URLRouter"):
                hit = "URLRouter(...) routes websockets"
            elif isinstance(node, ast.Name) and node.id == "websocket_urlpatterns":
                hit = "websocket_urlpatterns defined"
            if hit:
                facts.set("channels_consumers", True, path, getattr(node, "lineno", None), hit)
                return


def _in_tests(path: str) -> bool:
    return any(part in ("tests", "test", "testing") for part in path.split("/")[:-1])


def _locale(
    tree: SourceTree, project_dir: str, files: list[str], chains: list[_Chain], facts: _Facts
) -> None:
    found: dict[str, tuple[str | None, int | None, str]] = {}
    for chain in chains:
        paths = chain.ns.get("LOCALE_PATHS")
        if not isinstance(paths, list | tuple):
            continue
        file, line = chain.where.get("LOCALE_PATHS", (None, None))
        for entry in paths:
            rel = _describe(entry)
            if rel and rel != FROM_ENV and not rel.startswith("/"):
                directory = posixpath.normpath(join(project_dir, rel))
                # An empty locale directory has nothing to compile: gettext would be dead weight.
                has_po = any(f.startswith(directory + "/") and f.endswith(".po") for f in files)
                if has_po and tree.is_dir(directory):
                    found.setdefault(directory, (file, line, "listed in LOCALE_PATHS"))
    for path in files:
        parts = path.split("/")
        if len(parts) >= 4 and parts[-2] == "LC_MESSAGES" and parts[-1].endswith(".po"):
            directory = "/".join(parts[:-3]) or "."
            found.setdefault(directory, (path, None, "holds translation catalogues (.po)"))
    if found:
        dirs = tuple(sorted(found))
        first = found[dirs[0]]
        facts.set("locale_dirs", dirs, first[0], first[1], first[2])
