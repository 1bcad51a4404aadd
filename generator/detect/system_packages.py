"""Debian packages the image needs, per stage, derived from dependencies through a data table."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from generator import data, wheels
from generator.facts import (
    Dependencies,
    Evidence,
    Requirement,
    SettingsFacts,
    SystemPackage,
    WheelSupport,
)

DATA_SOURCE = "generator/data/system_packages.toml"
# A version no real release reaches: a specifier that admits it has no upper bound, so pip
# installs the newest release (which has wheels when any release does).
_UNBOUNDED = Version("99999")
# What `pip install` of a C extension needs beyond the slim image (it has the Python headers).
_COMPILER = ("gcc", "libc6-dev")


@dataclass(frozen=True)
class _Rule:
    requirement: str
    when: str
    build: tuple[str, ...]
    runtime: tuple[str, ...]
    runtime_by_suite: dict[str, tuple[str, ...]]
    extras: frozenset[str]
    unless_extras: frozenset[str]
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
                source=row["source"],
            )
        )
    return tuple(rules)


def applies_on_linux(req: Requirement, python_minor: str | None) -> bool:
    """False when the requirement's environment marker excludes Linux CPython (e.g. win32 only)."""
    if not req.marker:
        return True
    try:
        return Marker(req.marker).evaluate(wheels.linux_marker_env(python_minor))
    except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName):
        return True


def _needs_compiling(
    rule: _Rule, req: Requirement, python_minor: str | None, wheel: WheelSupport | None
) -> tuple[bool, str]:
    """Whether pip will compile `req` from source for this Python, and why.

    An exact pin is judged by its own files (lockfile, index or recorded table: `wheel`); a
    range by the recorded table's first release with a wheel for the Python, on linux/amd64
    and on linux/arm64.
    """
    if wheel is not None:
        missing = wheel.without_wheel(python_minor)
        if not missing:
            return False, ""
        if len(missing) == 1:
            return True, _no_wheel_on(wheel, python_minor, missing[0])
        return True, _no_wheel(wheel, python_minor)
    if rule.when == "always":
        return True, f"{req.name} has no Linux wheel and is compiled from source"
    row = wheels.recorded(req.name)
    first = row.first.get(python_minor or "") if row else None
    if first is None:
        return False, ""
    if req.resolved:
        try:
            if Version(req.resolved) < first:
                return True, (
                    f"{req.name} {req.resolved} has no wheel for Python {python_minor} "
                    f"(first: {first}, {wheels.TABLE}); pip compiles it"
                )
        except InvalidVersion:
            pass
        return False, ""
    try:
        spec = SpecifierSet(req.specifier)
    except InvalidSpecifier:
        return False, ""
    unbounded = spec.contains(_UNBOUNDED, prereleases=True)
    if not unbounded and not spec.contains(first, prereleases=True):
        return True, (
            f"{req.name}{req.specifier} excludes {first}, the first release with a wheel for "
            f"Python {python_minor} ({wheels.TABLE}); pip compiles it"
        )
    # The same question for linux/arm64 (a row recorded for x86_64 only answers as amd64).
    arm64 = row.first_arm64.get(python_minor or "") if row.first_arm64 is not None else first
    if arm64 is not None and (unbounded or spec.contains(arm64, prereleases=True)):
        return False, ""
    on_arm64 = (
        "pip compiles it when the image is built for linux/arm64; on linux/amd64 these "
        "packages go unused"
    )
    if arm64 is None:
        return True, (
            f"{req.name} has wheels for Python {python_minor} on linux/amd64 but none on "
            f"linux/arm64 in any release ({wheels.TABLE}): {on_arm64}"
        )
    return True, (
        f"{req.name}{req.specifier} excludes {arm64}, the first release with a wheel for "
        f"Python {python_minor} on linux/arm64 ({wheels.TABLE}; linux/amd64 has one): {on_arm64}"
    )


def _no_wheel(wheel: WheelSupport, python_minor: str | None) -> str:
    if wheel.minors:
        have = f"wheels for {wheel.span()} only"
    elif wheel.compiled:
        have = "wheels for other platforms only"
    else:
        have = "only a source distribution"
    return (
        f"{wheel.name} {wheel.version} has no wheel for Python {python_minor} ({have}, from "
        f"{wheel.source}): pip compiles it"
    )


def _no_wheel_on(wheel: WheelSupport, python_minor: str | None, platform: str) -> str:
    """Why a pin with a wheel on one platform compiles on the other: the Dockerfile is built
    for either, so the build stage carries what compiling needs (discarded on the platform with
    the wheel) and the final stage the small runtime library."""
    other = "linux/amd64" if platform == "linux/arm64" else "linux/arm64"
    there = wheel.minors_arm64 if platform == "linux/arm64" else wheel.minors
    span = wheel.span_arm64() if platform == "linux/arm64" else wheel.span()
    have = f"wheels for {span} only there" if there else "no wheel there at all"
    fails = "" if wheel.sdist else ", and fails there: no source distribution either"
    return (
        f"{wheel.name} {wheel.version} has a wheel for Python {python_minor} on {other} but none "
        f"on {platform} ({have}, from {wheel.source}): pip compiles it "
        f"when the image is built for {platform}{fails}; on {other} these packages go unused"
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

    judged = {w.name: w for w in deps.wheels}
    declared = {r.name for r in (*deps.requirements, *deps.added)}
    # Locked packages nobody declared (a dependency's dependency) follow the same rules.
    # Packages nobody declared (a dependency's dependency, from the lockfile or judged by its
    # wheels) follow the same rules: python-magic pulled in by a validator still loads libmagic.
    in_lock = {r.name for r in deps.locked}
    locked = tuple(r for r in deps.locked if r.name not in declared) + tuple(
        Requirement(name=w.name, resolved=w.version, file=w.file, line=w.line)
        for w in deps.wheels
        if w.name not in declared and w.name not in in_lock and w.installed_on(python_minor)
    )
    by_rule: set[str] = set()
    for req in (*deps.requirements, *deps.added, *locked):
        if not applies_on_linux(req, python_minor):
            continue
        wheel = judged.get(req.name)
        if wheel is not None and wheel.version != req.resolved:
            wheel = None  # judged for another version than this requirement installs
        for rule in _rules():
            if not _rule_matches(rule, req):
                continue
            by_rule.add(req.name)
            runtime = rule.runtime + rule.runtime_by_suite.get(suite, ())
            if rule.when == "runtime":
                add(runtime, "runtime", req.name, rule.source)
                why = f"{req.name} loads {', '.join(runtime)} at run time"
                if compilemessages:
                    # Management commands import every app (and apps import these bindings):
                    # compilemessages in the build stage needs the library there too.
                    add(runtime, "build", req.name, rule.source)
                    why += " and in the build stage, where compilemessages runs"
            else:
                compiles, why = _needs_compiling(rule, req, python_minor, wheel)
                if not compiles:
                    continue
                add(rule.build, "build", req.name, rule.source)
                add(runtime, "runtime", req.name, rule.source)
            evidence.append(
                Evidence("system packages", req.file, req.line, f"{why} ({rule.source})")
            )
    for wheel in deps.wheels:
        if wheel.name in by_rule or not wheel.without_wheel(python_minor):
            continue
        if not wheel.installed_on(python_minor):
            continue  # its markers leave it out on this Python
        if not wheel.linux and wheel.minors_arm64 and python_minor in wheel.minors_arm64:
            # Wheels for aarch64 only, no sdist: the arm64 build installs, the amd64 one fails.
            evidence.append(
                Evidence(
                    "warning",
                    wheel.file,
                    wheel.line,
                    f"{wheel.name} {wheel.version} publishes wheels for linux/arm64 only (from "
                    f"{wheel.source}): building the image for linux/amd64 fails unless the "
                    'manifest marks it for its platform (e.g. `; platform_machine == "aarch64"`)',
                )
            )
            continue
        if not wheel.linux:
            evidence.append(
                Evidence(
                    "warning",
                    wheel.file,
                    wheel.line,
                    f"{wheel.name} {wheel.version} publishes no file that installs on Linux (from "
                    f"{wheel.source}): the install fails unless the manifest marks it for its "
                    'platform (e.g. `; sys_platform == "win32"`)',
                )
            )
            continue
        # No table row knows its libraries: a C compiler is what most extensions need. Only
        # the build stage gets it.
        missing = wheel.without_wheel(python_minor)
        if len(missing) == 1:
            why = _no_wheel_on(wheel, python_minor, missing[0])
        else:
            why = _no_wheel(wheel, python_minor)
        if not wheel.compiled:
            why = why.replace("pip compiles it", "pip builds it, and may need to compile")
        add(_COMPILER, "build", wheel.name, f"{wheel.name} {wheel.version}: {wheel.source}")
        evidence.append(
            Evidence("system packages", wheel.file, wheel.line, f"{why}: a C compiler to build it")
        )

    for tool in deps.build_tools:
        row = data.load("build_tools.toml")["tool"][tool]
        add(tuple(row["apt"]), "build", f"building the project runs {tool}", row["source"])

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

    for feature, why in _features_used(settings):
        names = _feature_packages(feature, suite)
        stages = ("runtime", "build") if compilemessages else ("runtime",)
        for stage in stages:
            add(names, stage, feature, _FEATURES[feature]["source"])
        where = (
            "the runtime and the build stage (compilemessages)"
            if compilemessages
            else ("the runtime stage")
        )
        evidence.append(
            Evidence(
                "system packages",
                settings.settings_files[0] if settings.settings_files else None,
                None,
                f"{why}: {', '.join(names)} in {where}",
            )
        )

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


_FEATURES: dict[str, dict[str, Any]] = {
    row["feature"]: row for row in data.load("system_packages.toml").get("feature", [])
}
# Engines whose backend is GeoDjango's (settings._engine short names).
_SPATIAL = ("postgis", "spatialite", "mysqlgis", "oraclegis")


def _features_used(settings: SettingsFacts) -> list[tuple[str, str]]:
    """(feature, why) for each [[feature]] row the settings need."""
    engines = [e for e in (settings.database, settings.database_default) if e in _SPATIAL]
    out = []
    if "django.contrib.gis" in settings.installed_apps:
        out.append(
            ("geodjango", "django.contrib.gis is installed: GeoDjango needs GDAL, GEOS, PROJ")
        )
    elif engines:
        out.append(
            (
                "geodjango",
                f"the database engine {engines[0]} is GeoDjango's: it needs GDAL, GEOS, PROJ",
            )
        )
    elif settings.gis_import:
        out.append(
            (
                "geodjango",
                f"{settings.gis_import} imports django.contrib.gis: GeoDjango loads GDAL, GEOS "
                "and PROJ at import (collectstatic imports the apps)",
            )
        )
    if "spatialite" in engines:
        out.append(("spatialite", "the SpatiaLite engine loads the mod_spatialite extension"))
    return out


def _feature_packages(feature: str, suite: str) -> tuple[str, ...]:
    row = _FEATURES[feature]
    return tuple(row.get("runtime", ())) + tuple(row.get(f"runtime_{suite}", ()))


def _dedupe(packages: list[SystemPackage]) -> list[SystemPackage]:
    seen: set[tuple[str, str]] = set()
    out = []
    for pkg in packages:
        key = (pkg.name, pkg.stage)
        if key not in seen:
            seen.add(key)
            out.append(pkg)
    return out
