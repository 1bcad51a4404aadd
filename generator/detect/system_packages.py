"""Debian packages the image needs, per stage, derived from dependencies through a data table."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from generator import data
from generator.facts import Dependencies, Evidence, Requirement, SettingsFacts, SystemPackage

DATA_SOURCE = "generator/data/system_packages.toml"
# A version no real release reaches: a specifier that admits it has no upper bound, so pip
# installs the newest release (which has wheels when any release does).
_UNBOUNDED = Version("99999")


@dataclass(frozen=True)
class _Rule:
    requirement: str
    when: str
    build: tuple[str, ...]
    runtime: tuple[str, ...]
    runtime_by_suite: dict[str, tuple[str, ...]]
    extras: frozenset[str]
    unless_extras: frozenset[str]
    wheels: dict[str, str]
    source: str


@cache
def _rules() -> tuple[_Rule, ...]:
    raw = data.load("system_packages.toml")
    rules = []
    for row in raw["package"]:
        rules.append(
            _Rule(
                requirement=row["requirement"],
                when=row["when"],
                build=tuple(row.get("build", ())),
                runtime=tuple(row.get("runtime", ())),
                runtime_by_suite={
                    key.removeprefix("runtime_"): tuple(value)
                    for key, value in row.items()
                    if key.startswith("runtime_")
                },
                extras=frozenset(row.get("extras", ())),
                unless_extras=frozenset(row.get("unless_extras", ())),
                wheels=dict(row.get("wheels", {})),
                source=row["source"],
            )
        )
    return tuple(rules)


def applies_on_linux(req: Requirement, python_minor: str | None) -> bool:
    """False when the requirement's environment marker excludes Linux CPython (e.g. win32 only)."""
    if not req.marker:
        return True
    env: dict[str, Any] = {
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "platform_machine": "x86_64",
        "extra": "",
    }
    if python_minor:
        env["python_version"] = python_minor
        env["python_full_version"] = f"{python_minor}.0"
    try:
        return Marker(req.marker).evaluate(env)
    except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName):
        return True


def _needs_compiling(rule: _Rule, req: Requirement, python_minor: str | None) -> tuple[bool, str]:
    """Whether pip will compile `req` from source for this Python, and why."""
    if rule.when == "always":
        return True, f"{req.name} has no Linux wheel and is compiled from source"
    first_wheel = rule.wheels.get(python_minor or "")
    if first_wheel is None:
        return False, ""
    wheel_version = Version(first_wheel)
    if req.resolved:
        try:
            if Version(req.resolved) < wheel_version:
                return True, (
                    f"{req.name} {req.resolved} has no wheel for Python {python_minor} "
                    f"(first: {first_wheel}); pip compiles it"
                )
        except InvalidVersion:
            pass
        return False, ""
    try:
        spec = SpecifierSet(req.specifier)
    except InvalidSpecifier:
        return False, ""
    if spec.contains(_UNBOUNDED, prereleases=True) or spec.contains(
        wheel_version, prereleases=True
    ):
        return False, ""
    return True, (
        f"{req.name}{req.specifier} excludes {first_wheel}, the first release with a wheel for "
        f"Python {python_minor}; pip compiles it"
    )


def _rule_matches(rule: _Rule, req: Requirement) -> bool:
    if rule.requirement != req.name:
        return False
    extras = set(req.extras)
    if rule.extras and not (rule.extras & extras):
        return False
    return not (rule.unless_extras & extras)


def detect_system_packages(
    deps: Dependencies,
    settings: SettingsFacts,
    python_minor: str | None,
    suite: str,
    compilemessages: bool,
) -> tuple[tuple[SystemPackage, ...], tuple[Evidence, ...]]:
    """Debian packages for the build and runtime stages, each with the requirement that needs it.

    `suite` is the Debian release of the base image ("trixie", "bookworm"): some libraries
    were renamed between them. Pure data lookups: nothing is installed or downloaded.
    """
    packages: list[SystemPackage] = []
    evidence: list[Evidence] = []

    def add(names: tuple[str, ...], stage: str, because: str, source: str) -> None:
        for name in names:
            packages.append(SystemPackage(name=name, stage=stage, because=because, source=source))

    for req in deps.requirements:
        if not applies_on_linux(req, python_minor):
            continue
        for rule in _rules():
            if not _rule_matches(rule, req):
                continue
            runtime = rule.runtime + rule.runtime_by_suite.get(suite, ())
            if rule.when == "runtime":
                add(runtime, "runtime", req.name, rule.source)
                why = f"{req.name} loads {', '.join(runtime)} at run time"
            else:
                compiles, why = _needs_compiling(rule, req, python_minor)
                if not compiles:
                    continue
                add(rule.build, "build", req.name, rule.source)
                add(runtime, "runtime", req.name, rule.source)
            evidence.append(
                Evidence("system packages", req.file, req.line, f"{why} ({rule.source})")
            )

    vcs = [req for req in deps.requirements if req.is_vcs]
    if vcs:
        add(("git",), "build", vcs[0].name, "pip VCS support needs the git client")
        evidence.append(
            Evidence(
                "system packages",
                vcs[0].file,
                vcs[0].line,
                f"{vcs[0].name} is installed from {vcs[0].url}: the build stage needs git",
            )
        )

    gis_evidence = _geodjango(settings)
    if gis_evidence:
        add(
            ("gdal-bin",),
            "runtime",
            "django.contrib.gis",
            "Django docs, GeoDjango installation: GEOS, PROJ and GDAL libraries (gdal-bin pulls all three)",
        )
        if settings.database and "spatialite" in settings.database:
            add(("libsqlite3-mod-spatialite",), "runtime", "spatialite", "Django docs, SpatiaLite")
        evidence.append(gis_evidence)

    if compilemessages:
        add(
            ("gettext",),
            "build",
            "compilemessages",
            "Django docs, compilemessages: requires the GNU gettext tools (msgfmt)",
        )
        evidence.append(
            Evidence(
                "system packages",
                settings.locale_dirs[0] if settings.locale_dirs else None,
                None,
                "translations are compiled at build time: the build stage needs gettext",
            )
        )
    return tuple(_dedupe(packages)), tuple(evidence)


def _geodjango(settings: SettingsFacts) -> Evidence | None:
    if "django.contrib.gis" in settings.installed_apps:
        return Evidence(
            "system packages",
            settings.settings_files[0] if settings.settings_files else None,
            None,
            "django.contrib.gis is installed: GeoDjango needs GDAL, GEOS and PROJ",
        )
    if settings.database and ("postgis" in settings.database or "spatialite" in settings.database):
        return Evidence(
            "system packages",
            settings.settings_files[0] if settings.settings_files else None,
            None,
            f"database engine {settings.database} is spatial: needs GDAL, GEOS, PROJ",
        )
    return None


def _dedupe(packages: list[SystemPackage]) -> list[SystemPackage]:
    seen: set[tuple[str, str]] = set()
    out = []
    for pkg in packages:
        key = (pkg.name, pkg.stage)
        if key not in seen:
            seen.add(key)
            out.append(pkg)
    return out
