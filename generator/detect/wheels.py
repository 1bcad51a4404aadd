"""Exact pins judged by their wheels: on which Python minors each installs without compiling.

The pins are the lockfile's production set (followed from the declared requirements through the
lock's own dependency edges, as the installer would, skipping what is marked for other
platforms) or the == pins of requirement files. Their files come from the lockfile when it lists
them, else from PyPI's simple index, else from the recorded table (generator/wheels.py).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as Pep508
from packaging.utils import canonicalize_name

from generator import wheels
from generator.detect._read import load_json, load_toml
from generator.detect.python_version import newest_patch, supported_minors
from generator.facts import Dependencies, Diagnostics, Evidence, Requirement, WheelSupport
from generator.source import SourceTree

INDEX_LABEL = "the PyPI simple index"


@dataclass
class _Pin:
    name: str
    version: str
    files: list[tuple[str, str | None]] | None  # None: the lock does not list them
    file: str | None
    line: int | None
    applies: frozenset[str] | None = None  # Python minors its markers install it on; None: all


@dataclass
class _Entry:
    """One package of a lockfile."""

    name: str
    version: str
    files: list[tuple[str, str | None]] | None
    marker: str | None  # the entry's own environment marker
    edges: list[tuple[str, str | None, tuple[str, ...]]]  # (name, marker, extras)
    extras: dict[str, list[tuple[str, str | None, tuple[str, ...]]]]


def judge_wheels(
    tree: SourceTree, deps: Dependencies, index: wheels.Index, diags: Diagnostics
) -> tuple[tuple[WheelSupport, ...], tuple[Requirement, ...], tuple[Evidence, ...]]:
    """WheelSupport for every exact pin with compiled code or without a wheel; the lockfile's
    production set as requirements (a marker limits those installed on some Pythons only); and
    evidence for the lock entries skipped as other platforms' and for the source that answered."""
    evidence: list[Evidence] = []
    pins = _lock_pins(tree, deps, diags, evidence) if deps.lockfile else None
    locked = tuple(
        Requirement(
            name=p.name,
            specifier=f"=={p.version}",
            marker=_marker(p.applies),
            file=p.file,
            line=p.line,
            resolved=p.version,
        )
        for p in pins or ()
    )
    declared = deps.requirements if pins is None else ()
    pins = pins or []
    known = {p.name for p in pins}
    pins += [
        _Pin(r.name, r.resolved, None, r.file, r.line, minors_for(r.marker))
        for r in (*declared, *deps.added)
        if r.resolved and not r.url and for_linux(r.marker) and r.name not in known
    ]
    minors = supported_minors()
    patches = {m: newest_patch(m) for m in minors}
    # Known compiled projects first: when the request budget runs out, those matter most.
    asking = sorted(
        (p for p in pins if p.files is None), key=lambda p: wheels.recorded(p.name) is None
    )
    pages = index.files([p.name for p in asking]) if asking else {}
    out: list[WheelSupport] = []
    from_table: list[str] = []
    for pin in pins:
        if pin.files is not None:
            summary, source = wheels.summarise(pin.files, minors, patches), pin.file or "lockfile"
        else:
            page = pages.get(pin.name)
            files = (
                wheels.release_files((f for f, _ in page), pin.name, pin.version) if page else []
            )
            if files:
                requires = dict(page or [])
                summary = wheels.summarise([(f, requires.get(f)) for f in files], minors, patches)
                source = INDEX_LABEL
            else:
                recorded = wheels.recorded_summary(pin.name, pin.version, minors)
                if recorded is None:
                    continue
                summary = recorded
                source = f"{wheels.TABLE} (recorded {wheels.table_date()})"
                from_table.append(f"{pin.name}=={pin.version}")
        if not summary.minors and not summary.compiled:
            # Only a source distribution: most such packages are pure Python; count it as
            # compiled only when the project is known to be (the recorded table, or platform
            # wheels for other releases on the index page).
            page = pages.get(pin.name) or []
            elsewhere = wheels.recorded(pin.name) is not None or any(
                f.endswith(".whl") and not f.endswith("-any.whl") for f, _ in page
            )
            summary = replace(summary, compiled=elsewhere)
        if not summary.compiled:
            continue  # pure Python: a wheel for every Python it supports, or an sdist to build
        applies = pin.applies if pin.applies is not None else frozenset(minors)
        out.append(
            WheelSupport(
                name=pin.name,
                version=pin.version,
                minors=summary.minors,
                compiled=summary.compiled,
                sdist=summary.sdist,
                linux=summary.linux,
                other_platforms_only=summary.other_platforms_only,
                minors_arm64=summary.minors_arm64,
                source=source,
                file=pin.file,
                line=pin.line,
                only_for=() if applies >= set(minors) else tuple(m for m in minors if m in applies),
            )
        )
    if from_table and index.unavailable:
        evidence.append(
            Evidence(
                "wheels",
                None,
                None,
                f"{', '.join(from_table[:5])}{' …' if len(from_table) > 5 else ''} judged from "
                f"{wheels.TABLE} (recorded {wheels.table_date()}): the index was not used "
                f"({index.unavailable})",
            )
        )
    return tuple(out), locked, tuple(evidence)


def _marker(applies: frozenset[str] | None) -> str | None:
    """A PEP 508 marker naming the Python minors `applies` holds (None: all of them)."""
    if applies is None or applies >= set(supported_minors()):
        return None
    return " or ".join(f'python_version == "{m}"' for m in supported_minors() if m in applies)


def for_linux(marker: str | None) -> bool:
    """False when `marker` excludes Linux CPython under every Python the image may have."""
    return bool(minors_for(marker))


def minors_for(marker: str | None) -> frozenset[str]:
    """The Python minors on which `marker` holds for Linux CPython (all when it cannot say)."""
    return _minors_for(marker or "")


@cache
def _minors_for(marker: str) -> frozenset[str]:
    everything = frozenset(supported_minors())
    if not marker:
        return everything
    try:
        parsed = Marker(marker)
    except InvalidMarker:
        return everything
    out = set()
    for minor in supported_minors():
        try:
            if parsed.evaluate(wheels.linux_marker_env(minor)):
                out.add(minor)
        except (UndefinedComparison, UndefinedEnvironmentName):
            return everything
    return frozenset(out)


# --- lockfiles ----------------------------------------------------------------------------------

# poetry.lock [package.source] types that are not an index: the package comes from a direct
# reference, which an exported requirements file writes without hashes.
_DIRECT_SOURCES = ("git", "directory", "file", "url")


def direct_references(
    tree: SourceTree, deps: Dependencies, diags: Diagnostics
) -> tuple[Requirement, ...]:
    """Every package of a poetry.lock installed from a direct reference (a git repository, a
    local directory or file, a URL), in any group, with the lock's line; () for other locks."""
    path = deps.lockfile or ""
    if posixpath.basename(path) != "poetry.lock":
        return ()
    data = load_toml(tree, path, diags)
    if not isinstance(data, dict):
        return ()
    text = tree.read_text(path) or ""
    out = []
    for package in _packages(data):
        named, source = _named(package), package.get("source")
        if named is None or not isinstance(source, dict):
            continue
        kind, url = source.get("type"), source.get("url")
        if kind not in _DIRECT_SOURCES or not isinstance(url, str):
            continue
        if kind == "git":
            ref = source.get("resolved_reference") or source.get("reference")
            url = f"git+{url}" + (f"@{ref}" if isinstance(ref, str) and ref else "")
        name, version = named
        line = _line(text, _Entry(name, version, None, None, [], {}))
        out.append(Requirement(name=name, url=url, file=path, line=line, resolved=version))
    return tuple(out)


def _lock_pins(
    tree: SourceTree, deps: Dependencies, diags: Diagnostics, evidence: list[Evidence]
) -> list[_Pin] | None:
    """The lock's production packages with their files, or None when the lock cannot be read."""
    path = deps.lockfile or ""
    kind = posixpath.basename(path)
    if kind == "Pipfile.lock":
        entries = _pipfile_entries(load_json(tree, path, diags))
    else:
        data = load_toml(tree, path, diags)
        if not isinstance(data, dict):
            return None
        reader = {"poetry.lock": _poetry_entries, "uv.lock": _uv_entries, "pdm.lock": _pdm_entries}
        if kind not in reader:
            return None
        entries = reader[kind](data)
    if not entries:
        return None
    by_name: dict[str, _Entry] = {}
    for entry in entries:
        first = by_name.setdefault(entry.name, entry)  # forked resolutions: the first stands
        if first is not entry and first.version == entry.version:
            # PDM writes `psycopg` and `psycopg[binary]` as two entries: both sets of edges count.
            first.edges += entry.edges
    text = tree.read_text(path) or ""
    wanted, elsewhere = _production(
        by_name, [(r.name, r.marker, r.extras) for r in deps.requirements]
    )
    pins = []
    for entry in by_name.values():
        marker = entry.marker if not for_linux(entry.marker) else elsewhere.get(entry.name)
        if entry.name in wanted:
            pins.append(
                _Pin(
                    entry.name,
                    entry.version,
                    entry.files,
                    path,
                    _line(text, entry),
                    wanted[entry.name],
                )
            )
        elif marker:
            evidence.append(
                Evidence(
                    "wheels",
                    path,
                    _line(text, entry),
                    f"{entry.name} {entry.version} is marked for other platforms ({marker}): "
                    "the installer skips it on Linux, and so does this judgement",
                )
            )
    return pins


def _production(
    entries: dict[str, _Entry], roots: Iterable[tuple[str, str | None, tuple[str, ...]]]
) -> tuple[dict[str, frozenset[str]], dict[str, str]]:
    """Names reachable from the production requirements through the lock's dependency edges
    that apply on Linux, each with the Python minors its edges' markers install it on (every
    entry, on every minor, when the lock records no edges); and the names left out because
    their edge is marked for other platforms (with that marker)."""
    everything = frozenset(supported_minors())
    if not any(e.edges or e.extras for e in entries.values()):
        return {name: everything for name in entries}, {}
    applies: dict[str, frozenset[str]] = {}
    other: dict[str, str] = {}
    todo: list[tuple[str, tuple[str, ...], frozenset[str]]] = []

    def follow(
        name: str, marker: str | None, extras: tuple[str, ...], upon: frozenset[str]
    ) -> None:
        minors = upon & minors_for(marker)
        if minors:
            todo.append((name, extras, minors))
        elif marker and not for_linux(marker):
            other.setdefault(name, marker)

    for name, marker, extras in roots:
        follow(name, marker, extras, everything)
    done: set[tuple[str, str]] = set()
    while todo:
        name, extras, minors = todo.pop()
        entry = entries.get(name)
        if entry is None:
            continue
        minors &= minors_for(entry.marker)
        before = applies.get(name, frozenset())
        grown = not minors <= before
        applies[name] = before | minors
        # Follow the edges again only when this name now applies on more Pythons.
        edges = list(entry.edges) if grown else []
        for extra in extras:
            if (name, extra) not in done or grown:
                done.add((name, extra))
                edges += entry.extras.get(canonicalize_name(extra), [])
        for dep, marker, dep_extras in edges:
            follow(dep, marker, dep_extras, applies[name])
    return {n: m for n, m in applies.items() if m}, other


def _line(text: str, entry: _Entry) -> int | None:
    """The line of `name = "NAME"` in a TOML lock (for the decision log), when found."""
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.replace(" ", "")
        if stripped.lower() in (f'name="{entry.name}"', f'"{entry.name}":{{'):
            return number
    return None


def _edge_list(raw: Any) -> list[tuple[str, str | None, tuple[str, ...]]]:
    """Dependency edges written as PEP 508 strings (pdm) or {name, marker, extra} tables (uv)."""
    out = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, str):
            try:
                req = Pep508(item)
            except InvalidRequirement:
                continue
            out.append(
                (
                    canonicalize_name(req.name),
                    str(req.marker) if req.marker else None,
                    tuple(req.extras),
                )
            )
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            extras = item.get("extra") or ()
            out.append(
                (
                    canonicalize_name(item["name"]),
                    item.get("marker") if isinstance(item.get("marker"), str) else None,
                    tuple(e for e in extras if isinstance(e, str)),
                )
            )
    return out


def _packages(data: dict[str, Any]) -> list[dict[str, Any]]:
    raw = data.get("package")
    return [p for p in raw if isinstance(p, dict)] if isinstance(raw, list) else []


def _named(package: dict[str, Any]) -> tuple[str, str] | None:
    name, version = package.get("name"), package.get("version")
    if isinstance(name, str) and isinstance(version, str):
        return canonicalize_name(name), version
    return None


def _file_list(raw: Any, key: str = "file") -> list[tuple[str, str | None]] | None:
    if not isinstance(raw, list):
        return None
    files = []
    for item in raw:
        value = item.get(key) if isinstance(item, dict) else None
        if isinstance(value, str):
            files.append((value.rsplit("/", 1)[-1].split("#", 1)[0], None))
    return files or None


def _poetry_entries(data: dict[str, Any]) -> list[_Entry]:
    # Lock format 1.x keeps the files apart, in [metadata.files].
    metadata = data.get("metadata")
    old_files = metadata.get("files") if isinstance(metadata, dict) else None
    out = []
    for package in _packages(data):
        named = _named(package)
        if named is None:
            continue
        files = _file_list(package.get("files"))
        if files is None and isinstance(old_files, dict):
            files = _file_list(old_files.get(package.get("name")))
        edges = []
        raw_deps = package.get("dependencies")
        for dep, spec in raw_deps.items() if isinstance(raw_deps, dict) else ():
            specs = spec if isinstance(spec, list) else [spec]
            markers = [s.get("markers") for s in specs if isinstance(s, dict)]
            marker = None
            if markers and all(isinstance(m, str) for m in markers) and len(markers) == len(specs):
                marker = " or ".join(f"({m})" for m in markers)
            extras = tuple(
                e for s in specs if isinstance(s, dict) for e in s.get("extras", []) or ()
            )
            edges.append((canonicalize_name(dep), marker, extras))
        extras_table = package.get("extras")
        extras_map = {}
        for extra, reqs in extras_table.items() if isinstance(extras_table, dict) else ():
            extras_map[canonicalize_name(extra)] = _edge_list(reqs)
        marker = package.get("markers")
        out.append(
            _Entry(*named, files, marker if isinstance(marker, str) else None, edges, extras_map)
        )
    return out


def _uv_entries(data: dict[str, Any]) -> list[_Entry]:
    out = []
    for package in _packages(data):
        named = _named(package) or (
            (canonicalize_name(package["name"]), "")
            if isinstance(package.get("name"), str)
            else None
        )
        if named is None:
            continue
        files = None
        source = package.get("source")
        if isinstance(source, dict) and "registry" in source:
            files = _file_list(package.get("wheels"), "url") or []
            sdist = package.get("sdist")
            if isinstance(sdist, dict) and isinstance(sdist.get("url"), str):
                files.append((sdist["url"].rsplit("/", 1)[-1], None))
            files = files or None
        optional = package.get("optional-dependencies")
        extras_map = {
            canonicalize_name(k): _edge_list(v)
            for k, v in (optional.items() if isinstance(optional, dict) else ())
        }
        out.append(_Entry(*named, files, None, _edge_list(package.get("dependencies")), extras_map))
    return out


def _pdm_entries(data: dict[str, Any]) -> list[_Entry]:
    out = []
    for package in _packages(data):
        named = _named(package)
        if named is None:
            continue
        marker = package.get("marker")
        out.append(
            _Entry(
                *named,
                _file_list(package.get("files")),
                marker if isinstance(marker, str) else None,
                _edge_list(package.get("dependencies")),
                {},
            )
        )
    return out


def _pipfile_entries(data: Any) -> list[_Entry]:
    default = data.get("default") if isinstance(data, dict) else None
    out = []
    for name, entry in default.items() if isinstance(default, dict) else ():
        version = entry.get("version") if isinstance(entry, dict) else None
        if not (isinstance(version, str) and version.startswith("==")):
            continue
        marker = entry.get("markers")
        out.append(
            _Entry(
                canonicalize_name(name),
                version.lstrip("="),
                None,  # Pipfile.lock records hashes only, not file names
                marker if isinstance(marker, str) else None,
                [],
                {},
            )
        )
    return out
