"""Find the Django project(s) in a tree: where manage.py lives and which settings module it uses.

Everything is read with `ast`; no file from the scanned repository is imported or executed.
"""

from __future__ import annotations

import dataclasses
import posixpath
from dataclasses import dataclass

from generator.detect._pyvalues import SettingsDefault, settings_defaults
from generator.detect._read import parent_dirs, parse_python
from generator.detect.settings import (
    find_settings_module,
    module_path,
    read_settings_module,
)
from generator.facts import Diagnostics, Evidence, SettingsFacts
from generator.source import SourceTree

# Directories that hold a demo or test project rather than the application itself.
_SECONDARY_DIRS = frozenset(
    {
        "example",
        "examples",
        "sample",
        "samples",
        "demo",
        "demos",
        "docs",
        "doc",
        "tests",
        "test",
        "testproject",
        "test_project",
        "testapp",
        "sandbox",
        "fixtures",
        "tmp",
        "scripts",
    }
)


@dataclass(frozen=True)
class ProjectCandidate:
    """One Django project found in the tree."""

    project_dir: str  # "." or "shynet" or "src": where manage.py runs from
    manage_py: str | None  # relative path; None for a project found by settings + wsgi.py only
    settings_module: str | None  # default DJANGO_SETTINGS_MODULE (manage.py, or found otherwise)
    settings_from_env: bool  # manage.py takes it from the environment with no default
    evidence: tuple[Evidence, ...]
    # A settings module found near manage.py when it names none: read for facts, not a default.
    settings_guess: str | None = None


def find_projects(tree: SourceTree, diags: Diagnostics) -> list[ProjectCandidate]:
    """Every Django project in the tree, best first.

    A project is a manage.py that runs Django (a symlinked manage.py counts as its target), or,
    ranked lower, a wsgi.py calling get_wsgi_application() with no manage.py above it. Best means:
    has manage.py, knows its settings, not in an example/test folder, shallowest, then by path.
    """
    files = list(tree.walk_files())
    found: dict[str, ProjectCandidate] = {}
    for path in files:
        if path.rsplit("/", 1)[-1] != "manage.py":
            continue
        target = tree.symlink_target(path)
        real = target or path
        if real in found:
            continue
        via = f" (through the symlink {path})" if target else ""
        candidate = _from_manage(tree, real, via, diags)
        if candidate is not None:
            found[real] = candidate
    candidates = list(found.values())
    covered = [c.project_dir for c in candidates]
    for path in files:
        if path.rsplit("/", 1)[-1] == "wsgi.py" and not any(_under(path, d) for d in covered):
            candidate = _from_wsgi(tree, path, diags)
            if candidate is not None and candidate.project_dir not in covered:
                candidates.append(candidate)
                covered.append(candidate.project_dir)
    return sorted(candidates, key=_rank)


def choice_reason(candidates: list[ProjectCandidate]) -> str:
    """Why the first candidate was picked over the others, for the user to read."""
    if not candidates:
        return "no manage.py or wsgi.py running Django was found"
    best = candidates[0]
    where = best.manage_py or best.project_dir
    if len(candidates) == 1:
        return f"the only Django project is {where}"
    others = ", ".join(c.manage_py or c.project_dir for c in candidates[1:])
    reasons = []
    if best.manage_py and any(c.manage_py is None for c in candidates[1:]):
        reasons.append("it has a manage.py")
    if not _is_secondary(best.project_dir) and any(
        _is_secondary(c.project_dir) for c in candidates
    ):
        reasons.append("the others sit in example/test folders")

    def depth(c: ProjectCandidate) -> int:
        return 0 if c.project_dir in ("", ".") else c.project_dir.count("/") + 1

    if all(depth(best) < depth(c) for c in candidates[1:]):
        reasons.append("it is the shallowest")
    elif not reasons:
        reasons.append("they are equally good, so the first in path order was taken")
    return f"chose {where} over {others}: " + "; ".join(reasons)


def read_settings(
    tree: SourceTree, candidate: ProjectCandidate, diags: Diagnostics
) -> SettingsFacts:
    """What the candidate's settings declare (its default module, and production when found)."""
    facts = read_settings_module(
        tree,
        candidate.project_dir,
        candidate.settings_module,
        diags,
        read_module=candidate.settings_guess,
        settings_from_env=candidate.settings_from_env,
    )
    return dataclasses.replace(facts, evidence=candidate.evidence + facts.evidence)


# ------------------------------------------------------------------------------------ internals


def _from_manage(
    tree: SourceTree, path: str, via: str, diags: Diagnostics
) -> ProjectCandidate | None:
    project_dir = posixpath.dirname(path) or "."
    evidence = [Evidence("manage_py", path, None, f"manage.py found{via}")]
    text = tree.read_text(path)
    if text is None:
        return None
    module_ast = parse_python(tree, path, diags)
    if module_ast is None:
        guess = find_settings_module(tree, project_dir)
        if guess:
            evidence.append(
                Evidence(
                    "settings_module",
                    guess[1],
                    None,
                    f"{path} cannot be read; settings module found next to it",
                )
            )
        return ProjectCandidate(
            project_dir, path, guess[0] if guess else None, False, tuple(evidence)
        )
    if "django" not in text.lower():
        return None  # a Flask-Script or other manage.py: not a Django project
    defaults, _ = settings_defaults(module_ast)
    if not defaults:
        guess = find_settings_module(tree, project_dir)
        evidence.append(
            Evidence(
                "settings_from_env",
                path,
                None,
                "manage.py sets no DJANGO_SETTINGS_MODULE default: "
                "it must come from the environment",
            )
        )
        if guess:
            evidence.append(
                Evidence(
                    "settings_guess",
                    guess[1],
                    None,
                    f"settings module {guess[0]} found; not a default",
                )
            )
        return ProjectCandidate(
            project_dir, path, None, True, tuple(evidence), guess[0] if guess else None
        )
    chosen = _choose(defaults)
    evidence.append(
        Evidence(
            "settings_module",
            path,
            chosen.line,
            f"manage.py defaults DJANGO_SETTINGS_MODULE to {chosen.module!r}",
        )
    )
    for other in defaults:
        if other.module != chosen.module:
            evidence.append(
                Evidence(
                    "settings_module_alternative",
                    path,
                    other.line,
                    f"manage.py may also use {other.module!r} (conditional)",
                )
            )
    return ProjectCandidate(project_dir, path, chosen.module, False, tuple(evidence))


def _choose(defaults: list[SettingsDefault]) -> SettingsDefault:
    """The default production/normal runs use: not a test module, production-named if any."""

    def key(item: tuple[int, SettingsDefault]) -> tuple[bool, bool, bool, int]:
        index, d = item
        last = d.module.rsplit(".", 1)[-1].lower()
        is_test = "test" in last
        is_prod = any(w in last.split("_") for w in ("production", "prod", "live"))
        return (is_test, not is_prod, d.conditional and not d.in_else, index)

    return min(enumerate(defaults), key=key)[1]


def _from_wsgi(tree: SourceTree, path: str, diags: Diagnostics) -> ProjectCandidate | None:
    text = tree.read_text(path) or ""
    if "get_wsgi_application" not in text:
        return None
    module_ast = parse_python(tree, path, diags)
    if module_ast is None:
        return None
    package_dir = posixpath.dirname(path) or "."
    defaults, _ = settings_defaults(module_ast)
    evidence = [
        Evidence("project_dir", path, None, "no manage.py; wsgi.py calls get_wsgi_application()")
    ]
    if defaults:
        chosen = _choose(defaults)
        # The project dir is the one the dotted module resolves from.
        for directory in parent_dirs(package_dir):
            if module_path(tree, [directory], chosen.module):
                evidence.append(
                    Evidence(
                        "settings_module",
                        path,
                        chosen.line,
                        f"wsgi.py defaults DJANGO_SETTINGS_MODULE to {chosen.module!r}",
                    )
                )
                return ProjectCandidate(directory, None, chosen.module, False, tuple(evidence))
    project_dir = posixpath.dirname(package_dir) or "."
    guess = find_settings_module(tree, project_dir)
    if guess is None:
        return None  # a wsgi.py with no settings anywhere near is not a project we can describe
    evidence.append(Evidence("settings_module", guess[1], None, "settings module next to wsgi.py"))
    return ProjectCandidate(project_dir, None, guess[0], False, tuple(evidence))


def _under(path: str, directory: str) -> bool:
    return directory in ("", ".") or path.startswith(directory + "/")


def _is_secondary(project_dir: str) -> bool:
    return any(part.lower() in _SECONDARY_DIRS for part in project_dir.split("/"))


def _rank(c: ProjectCandidate) -> tuple[bool, bool, bool, int, str]:
    depth = 0 if c.project_dir == "." else c.project_dir.count("/") + 1
    knows_settings = c.settings_module is not None or c.settings_from_env
    return (
        c.manage_py is None,
        not knows_settings,
        _is_secondary(c.project_dir),
        depth,
        c.project_dir,
    )
