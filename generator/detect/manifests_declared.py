"""What each kind of manifest declares: pyproject.toml (PEP 621, PEP 735, Poetry, PDM, uv), Pipfile,
setup.cfg, setup.py (read with ast), and the exact versions lockfiles record.

Only reading here; choosing between manifests is manifests.py's job.
"""

from __future__ import annotations

import ast
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as PkgRequirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from generator.detect import constraints
from generator.detect._read import load_ini, load_json, load_toml, parse_python, subtable
from generator.detect.manifests_pip import from_packaging, read_requirements
from generator.facts import Diagnostics, Evidence, Requirement
from generator.source import SourceTree

# Pipfile keys that are environment markers (pipenv accepts `sys_platform = "== 'linux'"`).
_MARKER_KEYS = ("os_name", "sys_platform", "platform_machine", "platform_system", "python_version")


@dataclass(frozen=True)
class Declared:
    """The dependencies one manifest declares, by section."""

    main: tuple[Requirement, ...] = ()  # always installed
    groups: dict[str, tuple[Requirement, ...]] = field(default_factory=dict)  # optional groups
    extras: dict[str, tuple[Requirement, ...]] = field(default_factory=dict)  # project extras
    dev_groups: frozenset[str] = frozenset()  # groups the tool itself calls development-only
    inputs: tuple[str, ...] = ()  # other files the declaration reads (setuptools `file:`)
    installs_project: bool = False  # "-e ." in a `file:` requirements list, a path dependency "."
    # [project] dependencies that [tool.poetry.dependencies] does not repeat: Poetry 1 reads only
    # the latter, so a Poetry 1 install leaves these out.
    poetry1_unread: tuple[Requirement, ...] = ()

    def all(self) -> list[Requirement]:
        out = list(self.main)
        for reqs in (*self.groups.values(), *self.extras.values()):
            out.extend(reqs)
        return out


class _Lines:
    """Finds the line a value was written on (tomllib and configparser do not keep lines)."""

    def __init__(self, text: str | None) -> None:
        self.lines = (text or "").splitlines()

    def find(self, pattern: str, section: str | None = None) -> int | None:
        start = 0
        if section is not None:
            header = re.compile(rf"^\s*\[\s*{re.escape(section)}\s*\]")
            start = next((i + 1 for i, ln in enumerate(self.lines) if header.match(ln)), 0)
        regex = re.compile(pattern, re.IGNORECASE)
        for lines in (self.lines[start:], self.lines[:start]):
            offset = start if lines is not self.lines[:start] else 0
            for index, line in enumerate(lines):
                if regex.search(line):
                    return offset + index + 1
        return None

    def literal(self, value: str, section: str | None = None) -> int | None:
        return self.find(rf"[\"']{re.escape(value)}[\"']", section)

    def key(self, name: str, section: str | None = None) -> int | None:
        return self.find(rf"^\s*[\"']?{re.escape(name)}[\"']?\s*=", section)


def poetry_specifier(constraint: str) -> str | None:
    """A Poetry constraint (`^4.2`, `~4.2`, `4.2.*`, `>=4,<5 || ^6`) as a PEP 440 specifier.

    PEP 440 has no "or": alternatives keep the lowest lower bound, the loosest reading.
    None when the text is not a constraint at all.
    """
    try:
        converted = constraints.to_specifier(constraint)
    except (ValueError, TypeError, RecursionError):
        return None
    parts = [p.strip() for p in converted.split("||")]
    if len(parts) > 1:
        lows = [_lower_bound(p) for p in parts]
        if any(low is None for low in lows):
            return ""
        converted = f">={min(low for low in lows if low is not None)}"
    try:
        SpecifierSet(converted)
    except InvalidSpecifier:
        return None
    return converted


def _lower_bound(spec: str) -> Version | None:
    try:
        for item in SpecifierSet(spec):
            if item.operator in (">=", "==", "~=", "===", ">") and "*" not in item.version:
                return Version(item.version)
    except (InvalidSpecifier, InvalidVersion):
        return None
    return None


def pep508(
    value: object, path: str, lines: _Lines, section: str | None, diags: Diagnostics
) -> Requirement | None:
    """A PEP 508 string from a TOML list as a Requirement; a bad one is a warning."""
    if not isinstance(value, str):
        return None
    line = lines.literal(value, section)
    try:
        req = PkgRequirement(value)
    except InvalidRequirement as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "invalid"
        diags.warn(f"'{value[:80]}' is not a valid requirement ({reason}); skipped", path, line)
        return None
    return from_packaging(req, path, line)


def _pep508_list(
    values: object, path: str, lines: _Lines, section: str | None, diags: Diagnostics
) -> tuple[Requirement, ...]:
    if not isinstance(values, list):
        return ()
    reqs = (pep508(v, path, lines, section, diags) for v in values)
    return tuple(r for r in reqs if r is not None)


# --- pyproject.toml ---------------------------------------------------------------------------


def pyproject_declared(
    tree: SourceTree, path: str, data: dict[str, Any], diags: Diagnostics
) -> Declared:
    """Everything a pyproject.toml declares: PEP 621, PEP 735 groups, Poetry, PDM and uv tables."""
    lines = _Lines(tree.read_text(path))
    project = subtable(data, "project")
    main = list(_pep508_list(project.get("dependencies"), path, lines, "project", diags))
    pep621_main = tuple(main)
    extras = {
        str(name): _pep508_list(values, path, lines, "project.optional-dependencies", diags)
        for name, values in subtable(project, "optional-dependencies").items()
    }
    groups = _dependency_groups(subtable(data, "dependency-groups"), path, lines, diags)
    dev_groups: set[str] = set()
    inputs: list[str] = []
    installs_project = False

    # setuptools reads `dependencies` from requirements files when it is dynamic.
    dynamic = subtable(data, "tool", "setuptools", "dynamic", "dependencies").get("file")
    if "dependencies" in (project.get("dynamic") or []) and dynamic:
        base = path.rsplit("/", 1)[0] if "/" in path else "."
        for name in [dynamic] if isinstance(dynamic, str) else list(dynamic):
            if isinstance(name, str):
                rset = read_requirements(tree, _join(base, name), diags)
                main.extend(rset.requirements)
                inputs.extend(rset.files)
                installs_project = installs_project or rset.installs_project

    poetry = subtable(data, "tool", "poetry")
    known = {r.name for r in main}
    poetry_names: set[str] = set()
    for req, optional in _poetrytable(
        subtable(poetry, "dependencies"), path, lines, "tool.poetry.dependencies", diags
    ):
        poetry_names.add(req.name)
        # Poetry 2 reads [tool.poetry.dependencies] only to refine [project] entries.
        if req.name in known:
            continue
        if optional:
            for extra, names in subtable(poetry, "extras").items():
                if isinstance(names, list) and req.name in {_canon(n) for n in names}:
                    extras[str(extra)] = (*extras.get(str(extra), ()), req)
        else:
            main.append(req)
    if subtable(poetry, "dev-dependencies"):
        groups["dev"] = tuple(
            req
            for req, _ in _poetrytable(
                subtable(poetry, "dev-dependencies"),
                path,
                lines,
                "tool.poetry.dev-dependencies",
                diags,
            )
        )
        dev_groups.add("dev")
    for name, group in subtable(poetry, "group").items():
        section = f"tool.poetry.group.{name}.dependencies"
        reqs = tuple(
            r for r, _ in _poetrytable(subtable(group, "dependencies"), path, lines, section, diags)
        )
        groups[str(name)] = (*groups.get(str(name), ()), *reqs)

    for name, values in subtable(data, "tool", "pdm", "dev-dependencies").items():
        section = "tool.pdm.dev-dependencies"
        groups[str(name)] = _pep508_list(values, path, lines, section, diags)
        dev_groups.add(str(name))
    uv_dev = subtable(data, "tool", "uv").get("dev-dependencies")
    if isinstance(uv_dev, list):
        groups["dev"] = (*groups.get("dev", ()), *_pep508_list(uv_dev, path, lines, None, diags))
        dev_groups.add("dev")
    return Declared(
        main=tuple(main),
        groups=groups,
        extras=extras,
        dev_groups=frozenset(dev_groups),
        inputs=tuple(inputs),
        installs_project=installs_project,
        poetry1_unread=tuple(r for r in pep621_main if r.name not in poetry_names),
    )


def _dependency_groups(
    table: dict[str, Any], path: str, lines: _Lines, diags: Diagnostics
) -> dict[str, tuple[Requirement, ...]]:
    """PEP 735 groups with `{include-group = "..."}` expanded (cycles are warnings)."""
    out: dict[str, tuple[Requirement, ...]] = {}

    def expand(name: str, seen: tuple[str, ...]) -> tuple[Requirement, ...]:
        if name in seen:
            diags.warn(f"dependency group '{name}' includes itself (through {seen[-1]})", path)
            return ()
        reqs: list[Requirement] = []
        values = table.get(name)
        for value in values if isinstance(values, list) else []:
            if isinstance(value, dict):
                include = value.get("include-group")
                if isinstance(include, str):
                    if include not in table:
                        diags.warn(f"dependency group '{name}' includes unknown '{include}'", path)
                    reqs.extend(expand(include, (*seen, name)))
            else:
                req = pep508(value, path, lines, "dependency-groups", diags)
                if req is not None:
                    reqs.append(req)
        return tuple(reqs)

    for group in table:
        out[str(group)] = expand(group, ())
    return out


def _poetrytable(
    table: dict[str, Any], path: str, lines: _Lines, section: str, diags: Diagnostics
) -> list[tuple[Requirement, bool]]:
    """(requirement, optional) per Poetry dependency entry, `python` itself left out."""
    out: list[tuple[Requirement, bool]] = []
    for raw_name, value in table.items():
        name = str(raw_name)
        if name.lower() == "python":
            continue
        line = lines.key(name, section)
        for entry in value if isinstance(value, list) else [value]:
            req = _poetry_entry(name, entry, path, line, diags)
            if req is not None:
                optional = isinstance(entry, dict) and entry.get("optional") is True
                out.append((req, optional))
    return out


def _poetry_entry(
    name: str, value: object, path: str, line: int | None, diags: Diagnostics
) -> Requirement | None:
    if not _valid_name(name):
        diags.warn(f"'{name[:80]}' is not a valid package name; skipped", path, line)
        return None
    table = value if isinstance(value, dict) else {"version": value}
    spec = ""
    version = table.get("version")
    if isinstance(version, str):
        converted = poetry_specifier(version)
        if converted is None:
            diags.warn(
                f"{name} = '{version[:60]}' is not a version constraint Poetry accepts; "
                "treated as any version",
                path,
                line,
            )
        spec = converted or ""
    markers = [m for m in (table.get("markers"), _python_marker(table.get("python"))) if m]
    return Requirement(
        name=canonicalize_name(name),
        specifier=spec,
        extras=tuple(sorted(str(e) for e in table.get("extras") or [] if isinstance(e, str))),
        marker=" and ".join(f"({m})" if len(markers) > 1 else m for m in markers) or None,
        url=_direct_url(table),
        file=path,
        line=line,
        resolved=_pin(spec),
    )


def _python_marker(python: object) -> str | None:
    """Poetry's per-dependency `python = "^3.10"` as an environment marker."""
    if not isinstance(python, str):
        return None
    spec = poetry_specifier(python)
    if not spec:
        return None
    parts = []
    for item in SpecifierSet(spec):
        variable = "python_full_version" if item.version.count(".") >= 2 else "python_version"
        parts.append(f'{variable} {item.operator} "{item.version}"')
    return " and ".join(sorted(parts)) or None


def _direct_url(table: dict[str, Any]) -> str | None:
    """Pipfile/Poetry `git = ...`, `url = ...`, `path = ...` entries as a direct reference."""
    git = table.get("git")
    if isinstance(git, str):
        ref = next((table[k] for k in ("rev", "ref", "tag", "branch") if k in table), None)
        url = git if git.startswith("git+") else f"git+{git}"
        return f"{url}@{ref}" if isinstance(ref, str) else url
    for key in ("url", "file", "path"):
        if isinstance(table.get(key), str):
            return table[key]
    return None


def _pin(spec: str) -> str | None:
    if spec.startswith("==") and "," not in spec and "*" not in spec:
        return spec[2:].lstrip("=")
    return None


# --- Pipfile ----------------------------------------------------------------------------------


def pipfile_declared(tree: SourceTree, path: str, data: dict[str, Any]) -> Declared:
    """[packages] as the production set, [dev-packages] as the dev group."""
    lines = _Lines(tree.read_text(path))
    sections = {}
    project = False
    for section in ("packages", "dev-packages"):
        reqs = []
        for raw_name, value in subtable(data, section).items():
            name = str(raw_name)
            table = value if isinstance(value, dict) else {"version": value}
            url = _direct_url(table)
            if url in (".", "./") or (table.get("path") in (".", "./")):
                project = project or section == "packages"
                continue
            if not _valid_name(name):
                continue
            version = table.get("version")
            spec = "" if not isinstance(version, str) or version.strip() == "*" else version
            try:
                spec = str(SpecifierSet(spec)) if spec else ""
            except InvalidSpecifier:
                spec = ""
            markers = [table["markers"]] if isinstance(table.get("markers"), str) else []
            markers += [
                f"{key} {table[key]}" for key in _MARKER_KEYS if isinstance(table.get(key), str)
            ]
            extras = table.get("extras") if isinstance(table.get("extras"), list) else []
            reqs.append(
                Requirement(
                    name=canonicalize_name(name),
                    specifier=spec,
                    extras=tuple(sorted(str(e) for e in extras)),
                    marker=" and ".join(markers) or None,
                    url=url,
                    file=path,
                    line=lines.key(name, section),
                    resolved=_pin(spec),
                )
            )
        sections[section] = tuple(reqs)
    return Declared(
        main=sections["packages"],
        groups={"dev-packages": sections["dev-packages"]},
        dev_groups=frozenset({"dev-packages"}),
        installs_project=project,
    )


# --- setuptools -------------------------------------------------------------------------------


def setup_cfg_declared(tree: SourceTree, path: str, diags: Diagnostics) -> Declared | None:
    """[options] install_requires and [options.extras_require] of a setup.cfg; None if unreadable."""
    parser = load_ini(tree, path, diags)
    if parser is None:
        return None
    lines = _Lines(tree.read_text(path))
    raw = parser.get("options", "install_requires", fallback="")
    main: list[Requirement] = []
    inputs: list[str] = []
    project = False
    if raw.strip().startswith("file:"):
        base = path.rsplit("/", 1)[0] if "/" in path else "."
        for name in raw.strip()[5:].split(","):
            if name.strip():
                rset = read_requirements(tree, _join(base, name.strip()), diags)
                main.extend(rset.requirements)
                inputs.extend(rset.files)
                project = project or rset.installs_project
    else:
        main.extend(_cfg_list(raw, path, lines, diags))
    extras = {}
    if parser.has_section("options.extras_require"):
        for extra, value in parser.items("options.extras_require"):
            extras[extra] = tuple(_cfg_list(value, path, lines, diags))
    return Declared(main=tuple(main), extras=extras, inputs=tuple(inputs), installs_project=project)


def _cfg_list(raw: str, path: str, lines: _Lines, diags: Diagnostics) -> list[Requirement]:
    out = []
    for item in raw.splitlines():
        value = item.split(" #", 1)[0].strip()
        if not value or value.startswith("#"):
            continue
        line = lines.find(re.escape(value))
        try:
            out.append(from_packaging(PkgRequirement(value), path, line))
        except InvalidRequirement:
            diags.warn(f"'{value[:80]}' is not a valid requirement; skipped", path, line)
    return out


def setup_py_declared(tree: SourceTree, path: str, diags: Diagnostics) -> Declared | None:
    """`install_requires` of the setup() call, when it is a literal list (or a name bound to one).

    The file is parsed with ast, never run: a list built by code (read from a file, computed)
    cannot be known and gives an empty declaration.
    """
    module = parse_python(tree, path, diags)
    if module is None:
        return None
    bound: dict[str, ast.expr] = {}
    for node in module.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    bound[target.id] = node.value
    main: list[Requirement] = []
    extras: dict[str, tuple[Requirement, ...]] = {}
    for node in ast.walk(module):
        if not (isinstance(node, ast.Call) and _call_name(node.func) == "setup"):
            continue
        for keyword in node.keywords:
            value = keyword.value
            if isinstance(value, ast.Name):
                value = bound.get(value.id, value)
            if keyword.arg == "install_requires":
                main.extend(_literal_reqs(value, path, diags))
            elif keyword.arg == "extras_require" and isinstance(value, ast.Dict):
                for key, item in zip(value.keys, value.values, strict=False):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        if isinstance(item, ast.Name):
                            item = bound.get(item.id, item)
                        extras[key.value] = tuple(_literal_reqs(item, path, diags))
    return Declared(main=tuple(main), extras=extras, installs_project=True)


def _call_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literal_reqs(node: ast.expr, path: str, diags: Diagnostics) -> list[Requirement]:
    if not isinstance(node, ast.List | ast.Tuple):
        return []
    out = []
    for element in node.elts:
        if isinstance(element, ast.Constant) and isinstance(element.value, str):
            try:
                out.append(from_packaging(PkgRequirement(element.value), path, element.lineno))
            except InvalidRequirement:
                diags.warn(
                    f"'{element.value[:80]}' is not a valid requirement; skipped",
                    path,
                    element.lineno,
                )
    return out


# --- lockfiles --------------------------------------------------------------------------------


def lock_versions(tree: SourceTree, path: str, diags: Diagnostics) -> dict[str, str]:
    """Canonical name -> exact version recorded in a lockfile (uv, Poetry, PDM or Pipenv)."""
    out: dict[str, str] = {}
    if path.endswith("Pipfile.lock"):
        data = load_json(tree, path, diags)
        default = data.get("default") if isinstance(data, dict) else None
        for name, entry in (default or {}).items() if isinstance(default, dict) else ():
            version = entry.get("version") if isinstance(entry, dict) else None
            if isinstance(version, str) and version.startswith("==") and _valid_name(name):
                out.setdefault(canonicalize_name(name), version[2:].lstrip("="))
        return out
    data = load_toml(tree, path, diags)
    packages = data.get("package") if isinstance(data, dict) else None
    for entry in packages if isinstance(packages, list) else []:
        if not isinstance(entry, dict):
            continue
        name, version = entry.get("name"), entry.get("version")
        if isinstance(name, str) and isinstance(version, str) and _valid_name(name):
            # uv and Poetry may list one name twice (forked resolution): the first one stands.
            out.setdefault(canonicalize_name(name), version)
    return out


# The lines of each lockfile that say which format (and which release) wrote it. Read from the
# text: the header comes first, and a lockfile can be megabytes that lock_versions already parsed.
_LOCK_FORMATS = {
    "poetry.lock": (r'^lock-version\s*=\s*"([^"]+)"', r"@generated by Poetry (\d[\w.+-]*)"),
    "pdm.lock": (r'^lock_version\s*=\s*"([^"]+)"', None),
    "uv.lock": (r"^version\s*=\s*(\d+)", None),
}


def lock_format(tree: SourceTree, path: str) -> tuple[str | None, str | None, Evidence | None]:
    """(format version, writer, evidence) of a uv, Poetry or PDM lockfile, from its own header.

    uv.lock's format is "version.revision" ("1.3"); a lock that states nothing gives Nones.
    """
    patterns = _LOCK_FORMATS.get(posixpath.basename(path))
    text = tree.read_text(path) if patterns else None
    if not patterns or text is None:
        return None, None, None
    head = text.split("[[package]]", 1)[0] if "uv.lock" in path else text
    match = re.search(patterns[0], head, re.MULTILINE)
    if match is None:
        return None, None, None
    version = match.group(1)
    if path.endswith("uv.lock"):
        revision = re.search(r"^revision\s*=\s*(\d+)", head, re.MULTILINE)
        version += f".{revision.group(1) if revision else 0}"
    writer = re.search(patterns[1], text[:500]) if patterns[1] else None
    line = text.count("\n", 0, match.start()) + 1
    why = f"lock format {version}"
    if writer:
        why += f", written by Poetry {writer.group(1)}"
    return (
        version,
        f"Poetry {writer.group(1)}" if writer else None,
        Evidence("lockfile format", path, line, why),
    )


def _valid_name(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?", name))


def _canon(name: object) -> str:
    return canonicalize_name(str(name).split("[", 1)[0].strip())


def _join(base: str, name: str) -> str:
    return posixpath.normpath(posixpath.join(base, name)) if base not in ("", ".") else name
