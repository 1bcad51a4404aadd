"""Which package manager the project uses, and what it installs in production.

Every manifest from the project directory up to the repository root is a candidate; the one that
declares Django wins, a lockfile beating a pinned requirements file beating an unpinned one
(uv.lock > poetry.lock > pdm.lock > Pipfile.lock > pinned requirements), then the nearest.
The choice and its reasons are kept as evidence.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from generator import data
from generator.detect._read import join, load_toml, parent_dirs, subtable
from generator.detect.build_tools import build_tools
from generator.detect.manifests_declared import (
    Declared,
    lock_format,
    lock_versions,
    pipfile_declared,
    pyproject_declared,
    setup_cfg_declared,
    setup_py_declared,
)
from generator.detect.manifests_pip import RequirementSet, parse_file, read_requirements
from generator.facts import Dependencies, Diagnostics, Evidence, Requirement
from generator.guard import valid
from generator.source import SourceTree

# Lockfiles in order of preference; a pinned requirements file comes next, then anything else.
_LOCK_RANK = {"uv.lock": 0, "poetry.lock": 1, "pdm.lock": 2, "Pipfile.lock": 3}
_PINNED, _UNPINNED = 4, 5
# Tie-break between managers of equal rank in the same directory.
_ORDER = {"uv": 0, "poetry": 1, "pdm": 2, "pipenv": 3, "pip": 4, "hatch": 5, "setuptools": 6}
# Folders that hold requirement files (requirements/base.txt, requirements/production.txt).
_REQ_DIRS = ("requirements", "requirements.d", "reqs")


@dataclass(frozen=True)
class _Names:
    production: frozenset[str]
    production_extras: frozenset[str]
    development: frozenset[str]
    not_installable: frozenset[str]
    base: frozenset[str]


@cache
def _names() -> _Names:
    raw = data.load("manifest_names.toml")
    return _Names(**{key: frozenset(raw[key]) for key in _Names.__dataclass_fields__})


@dataclass(frozen=True)
class _Candidate:
    deps: Dependencies  # complete, as it would be returned if chosen
    main_file: str  # the manifest that names the dependencies
    django: Requirement | None  # Django in the production set
    rank: int  # _LOCK_RANK value, _PINNED or _UNPINNED
    distance: int  # 0 in the project directory, 1 in its parent, ...

    def key(self) -> tuple[int, int, int, int]:
        return (self.django is None, self.rank, self.distance, _ORDER[self.deps.manager])


def detect_dependencies(tree: SourceTree, project_dir: str, diags: Diagnostics) -> Dependencies:
    """The package manager and production dependency set for the project in `project_dir`.

    Manifests are looked for in `project_dir` and each parent up to the root, nearest first.
    """
    dirs = parent_dirs(project_dir)
    candidates: list[_Candidate] = []
    for distance, directory in enumerate(dirs):
        for build in (_pyproject, _pipfile, _setuptools):
            candidate = build(tree, directory, distance, diags)
            if candidate is not None:
                candidates.append(candidate)
    pip_files, pip = _pip(tree, dirs, diags)
    if pip is not None:
        candidates.append(pip)
    all_files = _unique(f for c in candidates for f in c.deps.files)
    all_files = _unique([*all_files, *pip_files])
    if not candidates:
        where = ", ".join(f"{d}/" for d in dirs)
        return Dependencies(
            manager="none",
            files=tuple(all_files),
            evidence=(
                Evidence(
                    "package manager",
                    None,
                    None,
                    "no requirements file, Pipfile, pyproject.toml, setup.cfg or setup.py "
                    f"declares dependencies in {where}",
                ),
            ),
        )
    chosen = min(candidates, key=_Candidate.key)
    others = [c for c in candidates if c is not chosen]
    files = _unique([*chosen.deps.files, *all_files])
    inputs, link_evidence = _link_targets(tree, chosen.deps.install_inputs)
    tools, tool_evidence = (), ()
    if chosen.deps.installs_project:
        tools, tool_evidence = build_tools(tree, chosen.deps.directory, diags)
    return replace(
        chosen.deps,
        files=tuple(files),
        install_inputs=inputs,
        build_tools=tools,
        evidence=(
            _choice_evidence(chosen, others),
            *chosen.deps.evidence,
            *link_evidence,
            *tool_evidence,
        ),
    )


def _link_targets(
    tree: SourceTree, inputs: tuple[str, ...]
) -> tuple[tuple[str, ...], list[Evidence]]:
    """The install inputs plus the file each symlinked one points to inside the repository.

    COPY may keep a symlink as a link: its target must be in the image too, at its own path, or
    the installer finds a dangling manifest. Links that leave the repository are never followed.
    """
    out: list[str] = []
    evidence: list[Evidence] = []
    for path in inputs:
        out.append(path)
        real = tree.symlink_target(path)
        if real and real != path:
            out.append(real)
            evidence.append(
                Evidence(
                    "symlink",
                    path,
                    None,
                    f"{path} is a symlink to {real}: both are copied before the install",
                )
            )
    return tuple(_unique(out)), evidence


def declares_django(tree: SourceTree, diags: Diagnostics) -> list[Evidence]:
    """One Evidence per manifest anywhere in the tree that declares Django (any section)."""
    out: list[Evidence] = []
    for path in tree.walk_files():
        reqs = _declared_anywhere(tree, path, diags)
        django = next((r for r in reqs if r.name == "django"), None)
        if django is None:
            continue
        written = f"Django{django.specifier}" if django.specifier else "Django"
        if django.url:
            written = f"Django from {django.url}"
        where = f"{path} line {django.line}" if django.line else path
        out.append(Evidence("django dependency", path, django.line, f"{where} declares {written}"))
    return out


def declared_anywhere(tree: SourceTree, diags: Diagnostics) -> list[Requirement]:
    """Every requirement any manifest in the tree declares, in any section (extras, groups,
    per-database or per-environment requirement files), with its file and line."""
    out: list[Requirement] = []
    for path in tree.walk_files():
        out.extend(_declared_anywhere(tree, path, diags))
    return out


def _declared_anywhere(tree: SourceTree, path: str, diags: Diagnostics) -> list[Requirement]:
    name = posixpath.basename(path)
    if name == "pyproject.toml":
        data = load_toml(tree, path, diags)
        return pyproject_declared(tree, path, data, diags).all() if data else []
    if name == "Pipfile":
        data = load_toml(tree, path, diags)
        return pipfile_declared(tree, path, data).all() if data else []
    if name == "setup.cfg":
        declared = setup_cfg_declared(tree, path, diags)
        return declared.all() if declared else []
    if name == "setup.py":
        declared = setup_py_declared(tree, path, diags)
        return declared.all() if declared else []
    if _is_requirements_file(path):
        return list(parse_file(tree, path, diags).requirements)
    return []


def _is_requirements_file(path: str) -> bool:
    name = posixpath.basename(path).lower()
    if not name.endswith((".txt", ".in")):
        return False
    parent = posixpath.basename(posixpath.dirname(path)).lower()
    return "requirements" in name or parent in _REQ_DIRS


# --- pyproject.toml managers (uv, Poetry, PDM, Hatch) ------------------------------------------


def _pyproject(
    tree: SourceTree, directory: str, distance: int, diags: Diagnostics
) -> _Candidate | None:
    path = join(directory, "pyproject.toml")
    if not tree.is_file(path):
        return None
    data = load_toml(tree, path, diags)
    if data is None:
        return None
    manager, lockfile, why = _classify(tree, directory, data)
    if manager in (None, "setuptools"):
        return None  # tool configuration only, or left to _setuptools with setup.py/setup.cfg
    declared = pyproject_declared(tree, path, data, diags)
    names = _names()
    groups = tuple(
        g for g in declared.groups if g.lower() in names.production and g not in declared.dev_groups
    )
    extras = tuple(e for e in declared.extras if _production_extra(e))
    reqs = [*declared.main]
    for group in groups:
        reqs.extend(declared.groups[group])
    for extra in extras:
        reqs.extend(declared.extras[extra])
    evidence = [Evidence("package manager", path, None, why)]
    versions = lock_versions(tree, lockfile, diags) if lockfile else {}
    lock_fmt, lock_writer = None, None
    if lockfile:
        reqs = _with_lock(reqs, versions)
        lock_fmt, lock_writer, lock_why = lock_format(tree, lockfile)
        if lock_why:
            evidence.append(lock_why)
    if groups:
        evidence.append(
            Evidence(
                "dependency groups",
                path,
                None,
                f"group(s) {', '.join(groups)} hold production dependencies: installed too",
            )
        )
    django_group = _django_group(declared, reqs)
    if django_group:
        groups = (*groups, django_group)
        reqs.extend(_with_lock(declared.groups[django_group], versions))
        evidence.append(
            Evidence(
                "dependency groups",
                path,
                None,
                f"group {django_group} declares Django (the project's own dependencies do not): "
                "it is the production set",
            )
        )
    installs, installs_why = _installs_project(tree, directory, data, manager)
    evidence.append(Evidence("installs project", path, None, installs_why))
    version = None
    if manager == "poetry":
        version = "2" if isinstance(data.get("project"), dict) else "1"
        evidence.append(
            Evidence(
                "poetry version",
                path,
                None,
                "PEP 621 [project] table: Poetry 2 layout"
                if version == "2"
                else "dependencies in [tool.poetry.dependencies] only: legacy Poetry 1 layout",
            )
        )
    files = [path, *([lockfile] if lockfile else []), *declared.inputs]
    return _candidate(
        Dependencies(
            manager=manager,
            files=tuple(files),
            lockfile=lockfile,
            requirements=tuple(reqs),
            # pip installs the groups of this pyproject.toml (`pip install --group`).
            install_file=path if manager == "pip" else None,
            install_inputs=tuple(_unique(files)),
            groups=groups,
            extras=extras,
            installs_project=installs,
            manager_version=version,
            poetry1_unread=declared.poetry1_unread if manager == "poetry" else (),
            directory=directory,
            declared_groups=tuple(declared.groups),
            declared_extras=tuple(declared.extras),
            lock_format=lock_fmt,
            lock_writer=lock_writer,
            evidence=tuple(evidence),
        ),
        path,
        distance,
    )


def _django_group(declared: Declared, chosen: list[Requirement]) -> str | None:
    """The first dependency group that declares Django when the chosen set does not: with only
    [dependency-groups] (PEP 735) or an empty [project] list, that group is what runs the site.
    Groups named or marked for development are never taken."""
    if any(r.name == "django" for r in chosen):
        return None
    development = _names().development
    for name, reqs in declared.groups.items():
        if name.lower() in development or name in declared.dev_groups:
            continue
        if not valid("python_package", name):
            continue  # not a PEP 735 group name: never put on an install command line
        if any(r.name == "django" for r in reqs):
            return name
    return None


def _classify(
    tree: SourceTree, directory: str, data: dict[str, Any]
) -> tuple[str | None, str | None, str]:
    """(manager, lockfile, why) for a pyproject.toml; manager None when it only configures tools."""
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    backend = subtable(data, "build-system").get("build-backend")
    backend = backend if isinstance(backend, str) else ""
    for lock, manager in (("uv.lock", "uv"), ("poetry.lock", "poetry"), ("pdm.lock", "pdm")):
        if tree.is_file(join(directory, lock)):
            lock_path = join(directory, lock)
            return manager, lock_path, f"{lock_path} is the lockfile of {manager}"
    poetry = subtable(tool, "poetry")
    if backend.startswith("poetry") or poetry.keys() & {
        "dependencies",
        "group",
        "dev-dependencies",
        "package-mode",
        "name",
    }:
        return "poetry", None, "pyproject.toml configures Poetry ([tool.poetry] or its backend)"
    if "uv" in tool:
        return "uv", None, "pyproject.toml has a [tool.uv] table"
    if "pdm" in tool or backend.startswith("pdm"):
        return "pdm", None, "pyproject.toml configures PDM ([tool.pdm] or pdm-backend)"
    if backend.startswith("hatchling") or "hatch" in tool:
        return "hatch", None, "pyproject.toml is built with Hatch (hatchling backend)"
    if subtable(data, "dependency-groups") and not isinstance(data.get("project"), dict):
        return (
            "pip",
            None,
            "pyproject.toml declares only PEP 735 [dependency-groups]: pip installs them",
        )
    if isinstance(data.get("project"), dict) or backend.startswith("setuptools"):
        return "setuptools", None, "pyproject.toml declares a [project] built with setuptools"
    return None, None, "pyproject.toml only configures tools"


def _installs_project(
    tree: SourceTree, directory: str, data: dict[str, Any], manager: str
) -> tuple[bool, str]:
    """Whether installing dependencies also installs the project as a package, and why."""
    tool = subtable(data, "tool")
    if manager == "uv" and subtable(tool, "uv").get("package") is False:
        return False, "[tool.uv] package = false: the project is not installed as a package"
    if manager == "poetry" and subtable(tool, "poetry").get("package-mode") is False:
        return False, "[tool.poetry] package-mode = false: the project is not a package"
    if manager == "pdm" and subtable(tool, "pdm").get("distribution") is False:
        return False, "[tool.pdm] distribution = false: the project is not a package"
    if manager == "uv" and subtable(tool, "uv").get("package") is True:
        return True, "[tool.uv] package = true: the project is installed as a package"
    if not subtable(data, "build-system") and manager != "poetry":
        return False, "no [build-system]: the project is not built as a package"
    package = _package_config(tree, directory, data)
    if package:
        return True, f"the project is a package ({package})"
    return False, "no package configured or found next to pyproject.toml: dependencies only"


def _package_config(tree: SourceTree, directory: str, data: dict[str, Any]) -> str | None:
    tool = subtable(data, "tool")
    explicit = {
        "[tool.setuptools] packages": subtable(tool, "setuptools").keys()
        & {"packages", "py-modules"},
        "[tool.poetry] packages": subtable(tool, "poetry").get("packages"),
        "[tool.hatch.build.targets.wheel] packages": subtable(
            tool, "hatch", "build", "targets", "wheel"
        ).keys()
        & {"packages", "only-include"},
        "[tool.pdm.build] includes": subtable(tool, "pdm", "build").get("includes"),
        "[tool.flit.module]": subtable(tool, "flit", "module"),
    }
    for label, value in explicit.items():
        if value:
            return label
    name = subtable(data, "project").get("name") or subtable(tool, "poetry").get("name")
    if isinstance(name, str) and name:
        module = re.sub(r"[-_.]+", "_", name).lower()
        for base in (directory, join(directory, "src")):
            if tree.is_file(join(join(base, module), "__init__.py")):
                return f"package {join(base, module)}/ matches the project name"
    return None


# --- Pipenv -----------------------------------------------------------------------------------


def _pipfile(
    tree: SourceTree, directory: str, distance: int, diags: Diagnostics
) -> _Candidate | None:
    path = join(directory, "Pipfile")
    if not tree.is_file(path):
        return None
    data = load_toml(tree, path, diags)
    if data is None:
        return None
    declared = pipfile_declared(tree, path, data)
    reqs = list(declared.main)
    lock = join(directory, "Pipfile.lock")
    lockfile = lock if tree.is_file(lock) else None
    files = [path]
    install_file = None
    evidence = [Evidence("package manager", path, None, "Pipfile: Pipenv declares the packages")]
    inputs = [path]
    if lockfile:
        reqs = _with_lock(reqs, lock_versions(tree, lockfile, diags))
        files.append(lockfile)
        inputs.append(lockfile)
    else:
        pins = _pinned_requirements(tree, join(directory, "requirements.txt"), diags)
        if pins is not None:
            reqs = _with_lock(reqs, {r.name: r.resolved for r in pins.requirements if r.resolved})
            declared_names = {r.name for r in reqs}
            # The pin list also holds what the Pipfile's packages depend on: install those too.
            reqs += [r for r in pins.requirements if r.name not in declared_names]
            install_file = pins.path
            files.extend(pins.files)
            inputs.extend(pins.files)
            evidence.append(
                Evidence(
                    "install file",
                    pins.path,
                    None,
                    f"there is no Pipfile.lock; {pins.path} pins every package (as "
                    "`pipenv requirements` writes it): its versions are installed",
                )
            )
    deps = Dependencies(
        manager="pipenv",
        files=tuple(files),
        lockfile=lockfile,
        requirements=tuple(reqs),
        install_file=install_file,
        install_inputs=tuple(_unique(inputs)),
        installs_project=declared.installs_project,
        directory=directory,
        evidence=tuple(evidence),
    )
    return _candidate(deps, path, distance)


def _pinned_requirements(tree: SourceTree, path: str, diags: Diagnostics) -> RequirementSet | None:
    if not tree.is_file(path):
        return None
    rset = read_requirements(tree, path, diags)
    if rset.requirements and all(r.resolved or r.url for r in rset.requirements):
        return rset
    return None


# --- setuptools -------------------------------------------------------------------------------


def _setuptools(
    tree: SourceTree, directory: str, distance: int, diags: Diagnostics
) -> _Candidate | None:
    parts: list[tuple[str, Declared]] = []
    installs = False
    pyproject = join(directory, "pyproject.toml")
    why = []
    if tree.is_file(pyproject):
        data = load_toml(tree, pyproject, diags)
        if data is not None and _classify(tree, directory, data)[0] == "setuptools":
            parts.append((pyproject, pyproject_declared(tree, pyproject, data, diags)))
            installs, installs_why = _installs_project(tree, directory, data, "setuptools")
            why.append(installs_why)
    for name, reader in (("setup.cfg", setup_cfg_declared), ("setup.py", setup_py_declared)):
        path = join(directory, name)
        if tree.is_file(path):
            declared = reader(tree, path, diags)
            if declared is not None and (declared.all() or name == "setup.py"):
                parts.append((path, declared))
                installs = True
                why.append(f"{path} makes the project an installable package")
    if not parts:
        return None
    reqs: list[Requirement] = []
    extras: list[str] = []
    files: list[str] = []
    for path, declared in parts:
        files.extend([path, *declared.inputs])
        known = {r.name for r in reqs}
        reqs.extend(r for r in declared.main if r.name not in known)
        for extra, extra_reqs in declared.extras.items():
            if _production_extra(extra):
                extras.append(extra)
                reqs.extend(extra_reqs)
    main_file = next((p for p, d in parts if any(r.name == "django" for r in d.all())), parts[0][0])
    deps = Dependencies(
        manager="setuptools",
        files=tuple(_unique(files)),
        requirements=tuple(reqs),
        install_inputs=tuple(_unique(files)),
        extras=tuple(_unique(extras)),
        installs_project=installs,
        directory=directory,
        declared_groups=tuple(_unique(g for _, d in parts for g in d.groups)),
        declared_extras=tuple(_unique(e for _, d in parts for e in d.extras)),
        evidence=(
            Evidence("package manager", main_file, None, f"{main_file} declares the dependencies"),
            *(Evidence("installs project", main_file, None, w) for w in why[:1]),
        ),
    )
    return _candidate(deps, main_file, distance)


# --- pip requirements files -------------------------------------------------------------------


def _pip(
    tree: SourceTree, dirs: list[str], diags: Diagnostics
) -> tuple[list[str], _Candidate | None]:
    """(every requirements file found, the candidate for the production one)."""
    names = _names()
    found: list[tuple[str, int]] = []
    for distance, directory in enumerate(dirs):
        for path in _requirement_files(tree, directory):
            found.append((path, distance))
    options: list[tuple[tuple[int, int, int, str], RequirementSet, int, str]] = []
    for path, distance in found:
        words = set(re.split(r"[-_./]+", path.lower().rsplit(".", 1)[0]))
        if words & (names.development | names.not_installable):
            continue
        rset = read_requirements(tree, path, diags)
        django = any(r.name == "django" for r in rset.requirements)
        if words & names.production:
            priority, why = 0, "its name marks it as the production set"
        elif posixpath.basename(path) == "requirements.txt":
            priority, why = 1, "requirements.txt is the conventional install file"
        elif words & names.base:
            priority, why = 2, "it is the base set the others build on"
        else:
            priority, why = 3, "no production, requirements.txt or base file declares Django"
        options.append(((not django, priority, distance, path), rset, distance, why))
    if not options:
        return [p for p, _ in found], None
    _, rset, distance, why = min(options, key=lambda o: o[0])
    evidence: list[Evidence] = []
    install = rset
    if rset.only_include:
        install = read_requirements(tree, rset.only_include, diags)
        evidence.append(
            Evidence(
                "install file",
                rset.path,
                1,
                f"{rset.path} only includes {install.path}: the image installs {install.path}",
            )
        )
    evidence.insert(0, Evidence("install file", rset.path, None, f"{rset.path}: {why}"))
    if install.hashes:
        evidence.append(
            Evidence("hashes", install.path, None, "requirements carry --hash: pip checks them")
        )
    inputs = [*install.files, *install.local_paths]
    if install.installs_project:
        evidence.append(
            Evidence("installs project", install.path, None, f"{install.path} installs `.` itself")
        )
    deps = Dependencies(
        manager="pip",
        files=tuple(_unique([*install.files, *(p for p, _ in found)])),
        requirements=install.requirements,
        install_file=install.path,
        install_inputs=tuple(_unique(inputs)),
        extras=install.project_extras,
        hashes=install.hashes,
        installs_project=install.installs_project,
        # pip runs where the file was found (a requirements/ folder belongs to its parent).
        directory=dirs[distance],
        evidence=tuple(evidence),
    )
    return [p for p, _ in found], _candidate(deps, install.path, distance)


def _requirement_files(tree: SourceTree, directory: str) -> list[str]:
    """Requirements files in `directory` and its requirements/ folder; a pip-tools .in file is
    dropped when the .txt compiled from it is there."""
    paths = [
        join(directory, n)
        for n in tree.list_dir(directory)
        if "requirements" in n.lower() and n.lower().endswith((".txt", ".in"))
    ]
    for sub in _REQ_DIRS:
        folder = join(directory, sub)
        paths += [join(folder, n) for n in tree.list_dir(folder) if n.endswith((".txt", ".in"))]
    files = [p for p in paths if tree.is_file(p)]
    present = set(files)
    return [p for p in files if not (p.endswith(".in") and p[:-3] + ".txt" in present)]


# --- shared -----------------------------------------------------------------------------------


def _candidate(deps: Dependencies, main_file: str, distance: int) -> _Candidate:
    django = deps.find("django")
    if deps.lockfile:
        rank = _LOCK_RANK[posixpath.basename(deps.lockfile)]
    else:
        rank = _PINNED if django is not None and django.resolved else _UNPINNED
    return _Candidate(deps, main_file, django, rank, distance)


def _choice_evidence(chosen: _Candidate, others: list[_Candidate]) -> Evidence:
    deps = chosen.deps
    django = chosen.django
    if django is None:
        why = f"{deps.manager}: no manifest declares Django; {chosen.main_file} is the nearest"
        return Evidence("package manager", chosen.main_file, None, why)
    parts = [f"{deps.manager}: {django.file} declares Django{django.specifier}"]
    if deps.lockfile and django.resolved:
        parts.append(f"{deps.lockfile} locks it at {django.resolved}")
    elif django.resolved:
        parts.append(f"pinned at {django.resolved}")
    rivals = [o for o in others if o.django is not None]
    if rivals:
        best = min(rivals, key=_Candidate.key)
        if chosen.rank < best.rank:
            reason = "a lockfile is preferred" if deps.lockfile else "pinned versions are preferred"
        elif chosen.distance < best.distance:
            reason = "it is nearer to manage.py"
        else:
            reason = f"{deps.manager} is preferred to {best.deps.manager} in the same directory"
        names = ", ".join(sorted({o.main_file for o in rivals} - {chosen.main_file}))
        if names:
            parts.append(f"chosen over {names} ({reason})")
    silent = sorted({o.main_file for o in others if o.django is None})
    if silent:
        parts.append(f"no Django in {', '.join(silent)}")
    return Evidence("package manager", django.file, django.line, "; ".join(parts))


def _with_lock(reqs: Iterable[Requirement], versions: dict[str, str]) -> list[Requirement]:
    return [replace(r, resolved=versions.get(r.name) or r.resolved) for r in reqs]


def _production_extra(name: str) -> bool:
    names = _names()
    return name.lower() in names.production_extras or name.lower() in names.production


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
