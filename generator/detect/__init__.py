"""detect(tree) -> ProjectFacts: every question answered by its own module, composed here."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

from generator.detect.django_project import (
    ProjectCandidate,
    choice_reason,
    find_projects,
    read_settings,
)
from generator.detect.drivers import add_database_driver
from generator.detect.frontend import detect_frontends
from generator.detect.manifests import declares_django, detect_dependencies
from generator.detect.node_toolchain import node_eol_warning
from generator.detect.python_version import debian_codename, detect_python, eol_warning
from generator.detect.server import detect_server
from generator.detect.static_commands import detect_documented_commands
from generator.detect.static_tree import committed_static
from generator.detect.system_packages import detect_system_packages
from generator.detect.wheels import direct_references, judge_wheels
from generator.facts import (
    Diagnostics,
    DjangoVersion,
    Evidence,
    ProjectFacts,
    SettingsFacts,
    location,
)
from generator.source import LocalTree, SourceTree
from generator.wheels import Index

# Storage backends that upload to a remote service: collectstatic then needs real credentials.
REMOTE_STORAGE_MARKERS = ("storages.", "s3", "gcloud", "google", "azure", "cloudinary", "dropbox")


# manage.py of a project template: `setdefault("DJANGO_SETTINGS_MODULE", "{{ project_name }}.settings")`.
TEMPLATE_SETTINGS = re.compile(
    r"""DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([^'"]*(?:\{\{|\{%)[^'"]*)['"]"""
)


def detect_path(
    path: str | os.PathLike[str],
    project_dir: str | None = None,
    today: date | None = None,
    index: Index | None = None,
) -> ProjectFacts:
    """Detect the project in a local directory."""
    root = Path(path)
    if not root.is_dir():
        raise NotADirectoryError(f"{path}: not a directory")
    return detect(LocalTree(root), project_dir, today, index)


def detect(
    tree: SourceTree,
    project_dir: str | None = None,
    today: date | None = None,
    index: Index | None = None,
) -> ProjectFacts:
    """Read the tree (never executing it) and say whether, where and how it is a Django project.

    `project_dir` chooses among several Django projects (the directory holding manage.py);
    `today` is the date end-of-life warnings are judged on (default: the real date); `index`
    answers which Pythons the exact pins have wheels for when the lockfile does not list their
    files (default: offline, the recorded table only).
    """
    diags: Diagnostics = getattr(tree, "diagnostics", None) or Diagnostics()
    candidates = find_projects(tree, diags)
    django_decls = declares_django(tree, diags)

    if project_dir is not None:
        wanted = project_dir.strip("/") or "."
        chosen_first = [c for c in candidates if c.project_dir == wanted]
        if not chosen_first:
            found = ", ".join(c.project_dir for c in candidates) or "none"
            return ProjectFacts(
                django=False,
                reason=f"no Django project in {wanted!r} (projects found: {found})",
                warnings=tuple(diags.items),
            )
        candidates = chosen_first + [c for c in candidates if c.project_dir != wanted]

    if not candidates:
        other_manage = _non_django_manage_py(tree)
        if other_manage:
            return ProjectFacts(
                django=False,
                reason=f"{other_manage} does not run Django (it neither imports django nor sets "
                "DJANGO_SETTINGS_MODULE)" + _framework_hint(tree, other_manage),
                warnings=tuple(diags.items),
                evidence=tuple(django_decls),
            )
        reason = "no manage.py or Django settings module was found"
        if django_decls:
            first = django_decls[0]
            reason += f" (Django is declared in {first.file}, but there is no project to run)"
        else:
            reason += " and no manifest declares Django"
        return ProjectFacts(
            django=False, reason=reason, warnings=tuple(diags.items), evidence=tuple(django_decls)
        )

    chosen = candidates[0]
    template = _template_marker(tree, chosen)
    if template is not None:
        return ProjectFacts(
            django=False,
            reason=(
                f"{template[0]} names the settings module {template[1]!r}: this repository "
                "is a project template (`django-admin startproject --template` or `wagtail start "
                "--template` renders it). Create a project from it and run the tool on that project"
            ),
            project_dir=chosen.project_dir,
            manage_py=chosen.manage_py,
            warnings=tuple(diags.items),
            evidence=tuple(chosen.evidence),
        )
    evidence: list[Evidence] = list(chosen.evidence)
    deps = detect_dependencies(tree, chosen.project_dir, diags)
    evidence.extend(deps.evidence)
    django_req = deps.find("django")
    if django_req is None and not django_decls:
        return ProjectFacts(
            django=False,
            reason=(
                f"{chosen.manage_py or chosen.project_dir} looks like a Django entry point, but no "
                "manifest (requirements*.txt, pyproject.toml, Pipfile, setup.py/cfg) declares Django"
            ),
            project_dir=chosen.project_dir,
            manage_py=chosen.manage_py,
            dependencies=deps,
            warnings=tuple(diags.items),
            evidence=tuple(evidence),
        )

    if django_req is not None:
        django_version = DjangoVersion(
            spec=django_req.specifier or "*",
            resolved=django_req.resolved,
            source=location(django_req.file, django_req.line) if django_req.file else None,
        )
    else:
        first = django_decls[0]
        diags.warn(
            "Django is declared here but not in the manifest chosen for installing; "
            "check that the image installs it",
            first.file,
            first.line,
        )
        django_version = DjangoVersion(
            spec="*", resolved=None, source=location(first.file, first.line) if first.file else None
        )
    evidence.append(
        Evidence(
            "django",
            django_version.source and django_version.source.split(":")[0],
            django_req.line if django_req else None,
            f"Django {django_version.resolved or django_version.spec} is a dependency",
        )
    )

    settings = _safe_names(read_settings(tree, chosen, diags), diags)
    evidence.extend(settings.evidence)
    deps, driver_evidence = add_database_driver(tree, deps, settings, diags)
    evidence.extend(driver_evidence)
    wheel_facts, locked, wheel_evidence = judge_wheels(
        tree, deps, index or Index(offline=True), diags
    )
    deps = replace(
        deps, wheels=wheel_facts, locked=locked, lock_direct=direct_references(tree, deps, diags)
    )
    evidence.extend(wheel_evidence)
    python = detect_python(tree, chosen.project_dir, deps, django_version, diags, wheel_facts)
    evidence.extend(python.evidence)
    eol = eol_warning(python.version, today or date.today())
    if eol:
        file, _, line = python.source.partition(":")
        on_disk = tree.is_file(file)
        if not on_disk and django_version.source:
            # No file states the Python: the Django requirement bounded the choice.
            file, _, line = django_version.source.partition(":")
            on_disk = tree.is_file(file)
        diags.warn(
            eol,
            file if on_disk else None,
            int(line) if on_disk and line.isascii() and line.isdigit() else None,
        )
    server = detect_server(tree, chosen.project_dir, deps, settings, diags)
    evidence.extend(server.evidence)
    committed, committed_evidence = committed_static(tree, chosen.project_dir, settings, diags)
    frontends, skipped = detect_frontends(
        tree,
        chosen.project_dir,
        settings,
        diags,
        committed_static=committed.root if committed else None,
    )
    for frontend in frontends:
        evidence.extend(frontend.evidence)
        node_eol = node_eol_warning(frontend.node_version, today or date.today())
        if node_eol:
            diags.warn(node_eol, frontend.node_version_source)
    evidence.extend(skipped)

    collectstatic, static_evidence = _collectstatic(settings, diags)
    evidence.extend(static_evidence)
    documented = detect_documented_commands(tree, chosen.project_dir, diags)
    evidence.extend(
        Evidence(
            "static command",
            c.file,
            c.line,
            f"{c.source} runs `manage.py {c.name}` {c.when} collectstatic"
            + (f" (defined in {c.defined_in})" if c.defined_in else ""),
        )
        for c in documented
    )
    if not collectstatic:
        committed = None  # no staticfiles app or no STATIC_ROOT: nothing is served from it
    evidence.extend(committed_evidence)
    compilemessages = bool(settings.locale_dirs)
    packages, pkg_evidence = detect_system_packages(
        deps, settings, python.version, debian_codename(python.version), compilemessages
    )
    evidence.extend(pkg_evidence)
    storage = settings.storage or ""
    remote = any(marker in storage.lower() for marker in REMOTE_STORAGE_MARKERS)
    whitenoise = (
        bool(deps.find("whitenoise"))
        or any(app.startswith("whitenoise") for app in settings.installed_apps)
        or "whitenoise" in storage.lower()
    )

    others = tuple(c.project_dir for c in candidates[1:])
    if others:
        why = (
            f"chosen with --project-dir {chosen.project_dir}"
            if project_dir is not None
            else choice_reason(candidates)
        )
        evidence.append(Evidence("project", chosen.manage_py, None, why))
        if project_dir is None:
            diags.warn(
                f"several Django projects found ({', '.join((chosen.project_dir, *others))}); "
                f"using {chosen.project_dir}: {why}. Pass --project-dir (or project-dir in "
                "[tool.django-dockerfile]) to choose another",
                chosen.manage_py,
            )
    where = chosen.manage_py or chosen.project_dir
    return ProjectFacts(
        django=True,
        reason=f"{where} runs Django and {django_version.source} declares Django",
        project_dir=chosen.project_dir,
        manage_py=chosen.manage_py,
        settings=settings,
        dependencies=deps,
        python=python,
        django_version=django_version,
        server=server.server,
        server_declared=server.declared,
        asgi_required=server.asgi_required,
        system_packages=packages,
        collectstatic=collectstatic,
        whitenoise=whitenoise,
        remote_storage=remote,
        committed_static=committed,
        compilemessages=compilemessages,
        frontends=frontends,
        documented_commands=documented,
        other_projects=others,
        warnings=tuple(diags.items),
        evidence=tuple(evidence),
    )


# A dotted module path, optionally ":attribute": what Django and the servers accept. Anything
# else (a newline, quotes, shell syntax) must not reach a Dockerfile or a pull request body.
_MODULE_PATH = re.compile(
    r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*(:[A-Za-z_][A-Za-z0-9_]*)?$"
)


def _safe_names(settings: SettingsFacts, diags: Diagnostics) -> SettingsFacts:
    """Settings facts with every module path checked; an odd value is dropped with a warning."""
    changes: dict[str, None] = {}
    for name in (
        "settings_module",
        "production_settings_module",
        "wsgi_application",
        "asgi_application",
        "celery_app",
    ):
        value = getattr(settings, name)
        if value is not None and not _MODULE_PATH.match(value):
            changes[name] = None
            diags.warn(
                f"{name} {value[:60]!r} is not a Python module path; ignored",
                *settings.cited(name),
            )
    return replace(settings, **changes) if changes else settings


def _non_django_manage_py(tree: SourceTree) -> str | None:
    """The shallowest manage.py, when find_projects rejected it as not Django."""
    for path in tree.walk_files():
        if path == "manage.py" or path.endswith("/manage.py"):
            return path
    return None


def _framework_hint(tree: SourceTree, path: str) -> str:
    text = (tree.read_text(path) or "").lower()
    for marker, name in (("flask", "Flask"), ("fastapi", "FastAPI"), ("sanic", "Sanic")):
        if marker in text:
            return f"; it uses {name}, which this tool does not containerise"
    return ""


def _collectstatic(settings: SettingsFacts, diags: Diagnostics) -> tuple[bool, list[Evidence]]:
    settings_file = settings.settings_files[0] if settings.settings_files else None
    if "django.contrib.staticfiles" not in settings.installed_apps:
        return False, [
            Evidence(
                "static",
                settings_file,
                None,
                "django.contrib.staticfiles is not installed: no collectstatic",
            )
        ]
    if settings.static_root is None:
        diags.warn(
            "django.contrib.staticfiles is installed but STATIC_ROOT is not set, so collectstatic "
            "cannot run and static files will not be served in production; set STATIC_ROOT",
            settings_file,
        )
        return False, [Evidence("static", settings_file, None, "STATIC_ROOT is not set")]
    return True, [
        Evidence(
            "static",
            settings_file,
            None,
            f"staticfiles is installed and STATIC_ROOT is {settings.static_root}",
        )
    ]


__all__ = ["detect", "detect_path"]


def _template_marker(tree: SourceTree, candidate: ProjectCandidate) -> tuple[str, str] | None:
    """(file:line, module) where manage.py's settings module is a template placeholder
    (`{{ project_name }}.settings`, cookiecutter's `{{ cookiecutter.project_slug }}`), or None."""
    if not candidate.manage_py:
        return None
    text = tree.read_text(candidate.manage_py) or ""
    match = TEMPLATE_SETTINGS.search(text)
    if match is None:
        return None
    line = text.count("\n", 0, match.start()) + 1
    return f"{candidate.manage_py}:{line}", match.group(1)
