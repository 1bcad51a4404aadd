"""Management commands a project documents for its static build, read from its own scripts.

Projects write their build down where they run it: a Procfile `release:` line, a Makefile target,
a package.json script, a `build.sh`. A `manage.py <command>` that such a sequence runs before or
after `collectstatic` is a candidate static-build step. This module finds those commands, says
where each is written and on which side of collectstatic, and, for a command the repository
defines itself (`management/commands/<name>.py`), what its source shows: signs that it needs a
database or a network service, and signs that it writes static files. Nothing is executed; the
plan decides what runs (data/static_commands.toml).
"""

from __future__ import annotations

import ast
import posixpath
import re

from generator import data
from generator.detect._read import load_json, parent_dirs, parse_python
from generator.detect.frontend import SKIP_PARTS, script_commands, split_commands
from generator.facts import Diagnostics, DocumentedCommand
from generator.source import SourceTree

MAKEFILES = ("Makefile", "makefile", "GNUmakefile")
# Build scripts platforms run or their guides tell users to write: Render's Django guide
# (render.com/docs/deploy-django#create-a-build-script) and Heroku's post_compile hook.
SCRIPTS = ("build.sh", "bin/build.sh", "scripts/build.sh", "bin/post_compile")
MAX_MAKE_DEPTH = 8  # prerequisite chains deeper than this are loops or hostile
MAX_PACKAGES = 32
# A command name is a Python module name; an argument a plain word (no quotes, no $, no globs).
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}\Z", re.ASCII)
_ARG = re.compile(r"[A-Za-z0-9_=.,:/@+%-]{1,200}\Z", re.ASCII)
_REDIRECT = re.compile(r"^\d*[<>]")
_MAKE_VAR = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?::=|::=|\?=|\+=|=)\s*(.*)$")
_MAKE_REF = re.compile(r"\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]")
_MAKE_RULE = re.compile(r"^([^\s:#=][^:=]*?)\s*:(?![=:])\s*([^;]*)(?:;(.*))?$")

# (command, args, line) as found in one sequence
_Call = tuple[str, tuple[str, ...], int | None]


def detect_documented_commands(
    tree: SourceTree, project_dir: str, diags: Diagnostics
) -> tuple[DocumentedCommand, ...]:
    """Every management command a documented sequence runs beside collectstatic, first mention
    first; collectstatic itself is left out (the image runs it anyway)."""
    found: dict[str, DocumentedCommand] = {}
    definitions = _definitions(tree)
    for file, source, calls in _sequences(tree, project_dir, diags):
        names = [name for name, _, _ in calls]
        if "collectstatic" not in names:
            continue
        position = names.index("collectstatic")
        for index, (name, args, line) in enumerate(calls):
            if name == "collectstatic" or name in found:
                continue
            if not _safe(name, args, file, line, diags):
                continue
            defined_in = definitions.get(name)
            needs, writes = _read_command(tree, defined_in, diags) if defined_in else (None, None)
            found[name] = DocumentedCommand(
                name=name,
                args=args,
                when="before" if index < position else "after",
                file=file,
                line=line,
                source=source,
                defined_in=defined_in,
                needs=needs,
                writes=writes,
            )
    return tuple(found.values())


def _safe(
    name: str, args: tuple[str, ...], file: str, line: int | None, diags: Diagnostics
) -> bool:
    """Whether the command can go on a RUN line as written; a warning when it cannot."""
    odd = next((a for a in (name, *args) if not _ARG.match(a)), None)
    if _NAME.match(name) and odd is None:
        return True
    shown = (odd or name)[:40].encode("ascii", "backslashreplace").decode()
    diags.warn(
        f"manage.py {name[:40]!r} runs beside collectstatic here, but {shown!r} is not a plain "
        "word: not run at build",
        file,
        line,
    )
    return False


# ---------------------------------------------------------------- where sequences are written


def _sequences(
    tree: SourceTree, project_dir: str, diags: Diagnostics
) -> list[tuple[str, str, list[_Call]]]:
    """(file, what in it, the management commands in order) for each documented sequence."""
    out: list[tuple[str, str, list[_Call]]] = []
    for directory in parent_dirs(project_dir):
        prefix = "" if directory == "." else directory + "/"
        procfile = tree.read_text(prefix + "Procfile")
        if procfile:
            out.extend(_procfile(prefix + "Procfile", procfile))
        for name in MAKEFILES:
            text = tree.read_text(prefix + name)
            if text:
                out.extend(_makefile(prefix + name, text))
                break  # make reads the first of these it finds
        for name in SCRIPTS:
            text = tree.read_text(prefix + name)
            if text:
                calls = _calls_in_lines(text.splitlines(), 1)
                out.append((prefix + name, "build script", calls))
    out.extend(_package_scripts(tree, diags))
    return out


def _procfile(path: str, text: str) -> list[tuple[str, str, list[_Call]]]:
    out = []
    for number, raw in enumerate(text.splitlines()[:200], 1):
        process, sep, command = raw.partition(":")
        if not sep or not process.strip() or raw.lstrip().startswith("#"):
            continue
        calls = [(n, a, number) for n, a in _calls(command)]
        out.append((path, f"Procfile process {process.strip()[:40]!r}", calls))
    return out


def _makefile(path: str, text: str) -> list[tuple[str, str, list[_Call]]]:
    """One sequence per target: its prerequisites' recipes, then its own, variables expanded."""
    variables: dict[str, str] = {}
    rules: dict[str, tuple[list[str], list[tuple[str, int]]]] = {}
    current: list[str] = []
    lines = _joined(text.splitlines()[:5000])
    for line, number in lines:
        if line.startswith("\t"):
            for target in current:
                rules[target][1].append((line[1:], number))
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        assignment = _MAKE_VAR.match(line)
        if assignment:
            variables[assignment.group(1)] = assignment.group(2).strip()
            current = []
            continue
        rule = _MAKE_RULE.match(line)
        if rule is None:
            current = []
            continue
        current = [t for t in rule.group(1).split() if not t.startswith(".")][:20]
        prerequisites = rule.group(2).split()[:20]
        for target in current:
            rules.setdefault(target, ([], []))[0].extend(prerequisites)
            if rule.group(3):
                rules[target][1].append((rule.group(3), number))
    out = []
    for target in list(rules)[:200]:
        recipe = _recipe(rules, target)
        calls: list[_Call] = []
        for command, number in recipe:
            expanded = _expand(command, variables).lstrip("@-+ ")
            calls.extend((n, a, number) for n, a in _calls(expanded))
        out.append((path, f"Makefile target {target[:40]!r}", calls))
    return out


def _joined(lines: list[str]) -> list[tuple[str, int]]:
    """Lines with backslash continuations joined, each with its first line's number."""
    out: list[tuple[str, int]] = []
    pending, start = "", 0
    for number, line in enumerate(lines, 1):
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        out.append((pending + line, start))
        pending = ""
    if pending:
        out.append((pending, start))
    return out


def _recipe(
    rules: dict[str, tuple[list[str], list[tuple[str, int]]]], target: str
) -> list[tuple[str, int]]:
    """The recipe lines `make TARGET` runs: each prerequisite's first, each target once (as make
    does, which also bounds a hostile Makefile whose targets all depend on each other)."""
    out: list[tuple[str, int]] = []
    seen: set[str] = set()

    def visit(name: str, depth: int) -> None:
        if depth > MAX_MAKE_DEPTH or name in seen or name not in rules:
            return
        seen.add(name)
        prerequisites, own = rules[name]
        for prerequisite in prerequisites:
            visit(prerequisite, depth + 1)
        out.extend(own)

    visit(target, 0)
    return out


def _expand(text: str, variables: dict[str, str]) -> str:
    text = text[:4000]  # as much as split_commands reads; each pass keeps within it
    for _ in range(3):  # $(MANAGE) -> $(PYTHON) manage.py -> python manage.py
        new = _MAKE_REF.sub(lambda m: variables.get(m.group(1), m.group(0))[:4000], text)[:4000]
        if new == text:
            break
        text = new
    return text


def _calls_in_lines(lines: list[str], first: int) -> list[_Call]:
    calls: list[_Call] = []
    for line, number in _joined(lines[:2000]):
        if not line.lstrip().startswith("#"):
            calls.extend((n, a, number + first - 1) for n, a in _calls(line))
    return calls


def _package_scripts(tree: SourceTree, diags: Diagnostics) -> list[tuple[str, str, list[_Call]]]:
    out = []
    seen = 0
    for path in tree.walk_files():
        parts = path.split("/")
        if parts[-1] != "package.json" or any(p in SKIP_PARTS for p in parts[:-1]):
            continue
        seen += 1
        if seen > MAX_PACKAGES:
            break
        package = load_json(tree, path, diags)
        scripts = package.get("scripts") if isinstance(package, dict) else None
        if not isinstance(scripts, dict):
            continue
        scripts = {k: v for k, v in scripts.items() if isinstance(k, str) and isinstance(v, str)}
        text = tree.read_text(path) or ""
        for name in list(scripts)[:100]:
            index = text.find(f'"{name}"')
            line = text.count("\n", 0, index) + 1 if index >= 0 else None
            calls = [
                (n, a, line)
                for words in script_commands(scripts, name)
                for n, a in _calls_in(words)
            ]
            out.append((path, f"package.json script {name[:40]!r}", calls))
    return out


def _calls(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """The management commands one shell line runs."""
    return [call for words in split_commands(text) for call in _calls_in(words)]


def _calls_in(words: list[str]) -> list[tuple[str, tuple[str, ...]]]:
    """The management command of one command's words: `python manage.py X args`,
    `./manage.py X`, `django-admin X`, `python -m django X`, behind `poetry run`, `uv run`..."""
    for index, word in enumerate(words):
        if posixpath.basename(word) == "manage.py" or word in ("django-admin", "django-admin.py"):
            after = words[index + 1 :]
        elif word == "-m" and words[index + 1 : index + 2] == ["django"]:
            after = words[index + 2 :]
        else:
            continue
        if not after or after[0].startswith("-"):
            return []
        args: list[str] = []
        for arg in after[1:]:
            if _REDIRECT.match(arg):
                break  # `> log 2>&1`: the shell's, not the command's
            args.append(arg)
        return [(after[0], tuple(args))]
    return []


# ---------------------------------------------------------------- the repository's own commands


def _definitions(tree: SourceTree) -> dict[str, str]:
    """command name -> the repository file defining it (the shallowest, outside test trees)."""
    found: dict[str, str] = {}
    for path in tree.walk_files():
        parts = path.split("/")
        if (
            len(parts) >= 3
            and parts[-3:-1] == ["management", "commands"]
            and parts[-1].endswith(".py")
            and not parts[-1].startswith("_")
            and not any(p in SKIP_PARTS for p in parts[:-3])
        ):
            found.setdefault(parts[-1][:-3], path)
    return found


def _read_command(tree: SourceTree, path: str, diags: Diagnostics) -> tuple[str | None, str | None]:
    """(why it needs a database or a service, why it builds static files), from its source."""
    module = parse_python(tree, path, diags)
    if module is None:
        return f"{path} could not be read", None
    table = data.load("static_commands.toml")["custom"]
    needs: list[tuple[int, str]] = []
    writes: list[tuple[int, str]] = []
    never = {row["command"] for row in data.load("static_commands.toml")["never"]}

    def under(name: str, prefixes: list[str]) -> str | None:
        return next((p for p in prefixes if name == p or name.startswith(p + ".")), None)

    for node in ast.walk(module):
        line = getattr(node, "lineno", 0)
        where = f"{path}:{line}"
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [("." * node.level) + (node.module or "")]
        for name in names:
            if under(name, table["database_modules"]) or name.split(".")[-1] == "models":
                needs.append(
                    (line, f"it imports {name} ({where}): it reads or writes the database")
                )
            elif under(name, table["service_modules"]):
                needs.append((line, f"it imports {name} ({where}): it talks to a service"))
            elif under(name, ["django.contrib.staticfiles"]):
                writes.append((line, f"it imports {name} ({where})"))
        if isinstance(node, ast.Attribute) and node.attr in ("objects", "get_model"):
            needs.append((line, f"it uses .{node.attr} ({where}): it reads or writes the database"))
        if (
            isinstance(node, ast.Assign)
            and any(
                isinstance(t, ast.Name) and t.id == "requires_migrations_checks"
                for t in node.targets
            )
            and isinstance(node.value, ast.Constant)
            and node.value.value is True
        ):
            needs.append(
                (line, f"requires_migrations_checks = True ({where}): it checks the database")
            )
        called = _called_command(node)
        if called in never:
            needs.append((line, f"it calls `{called}` ({where})"))
        if isinstance(node, ast.Name | ast.Attribute):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name in table["static_names"]:
                writes.append((line, f"it uses {name} ({where})"))
        elif isinstance(node, ast.Call) and _writes_file(node):
            writes.append((line, f"it writes files ({where})"))
    # The first sign in the file, not in the syntax tree's breadth-first order.
    return (min(needs)[1] if needs else None), (min(writes)[1] if writes else None)


def _called_command(node: ast.AST) -> str | None:
    """The command a `call_command("name", ...)` runs."""
    if not isinstance(node, ast.Call) or not node.args:
        return None
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    first = node.args[0]
    if name == "call_command" and isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    return None


def _writes_file(node: ast.Call) -> bool:
    """`path.write_text(...)`, `path.write_bytes(...)`, `open(path, "w")` and the like."""
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in ("write_text", "write_bytes"):
        return True
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    if name != "open":
        return False
    mode = node.args[1] if len(node.args) > 1 else None
    mode = mode or next((k.value for k in node.keywords if k.arg == "mode"), None)
    return (
        isinstance(mode, ast.Constant)
        and isinstance(mode.value, str)
        and any(c in mode.value for c in "wax")
    )
