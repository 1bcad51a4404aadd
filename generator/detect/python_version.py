"""Which Python the image runs: the project's own statements, Django's support, published images.

Steps (each one recorded in `PythonChoice.evidence`):
0. when the image installs the project itself, its own requires-python / python_requires is a hard
   constraint: a pin outside it loses, with a warning naming both files (the installer would refuse);
1. an exact pin (.python-version, runtime.txt, .tool-versions, mise, Pipfile, `==3.12.*`) wins;
   pins that disagree: the nearest, then the most specific file wins, with a warning;
2. otherwise the ranges (requires-python, Poetry, uv.lock, python_requires) are intersected,
3. and intersected with the Pythons the Django release supports (data/django_python.toml);
4. the newest minor the official image publishes inside that set (data/python_releases.toml);
5. nothing stated: the newest Python the Django release supports;
6. the project's declaration and Django disagree: a warning, and the declaration decides.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from generator import data
from generator.detect._read import parent_dirs
from generator.detect.constraints import admits, minor_of, parse_pin, to_specifier
from generator.detect.python_sources import find_python_sources, pin_rank
from generator.facts import (
    Dependencies,
    Diagnostics,
    DjangoVersion,
    Evidence,
    PythonChoice,
    PythonSource,
    WheelSupport,
    location,
)
from generator.source import SourceTree

DJANGO_TABLE = "generator/data/django_python.toml"
RELEASES_TABLE = "generator/data/python_releases.toml"
# Patch releases tried per Django series when a spec is matched against the table: support only
# changes at the `added` patches, so any generous bound gives the same answer.
_PATCHES_PER_SERIES = 100


@dataclass(frozen=True)
class PythonRelease:
    """One row of python_releases.toml."""

    minor: str
    newest: str
    suites: tuple[str, ...]
    eol: str
    prerelease: bool
    source: str


@dataclass(frozen=True)
class DjangoSeries:
    """One row of django_python.toml: a Django feature release and the Pythons it supports."""

    django: Version
    python: tuple[str, ...]
    added: dict[str, Version]
    source: str

    def supports(self, release: Version) -> tuple[str, ...]:
        """Python minors supported by `release` (a patch release of this series)."""
        return tuple(m for m in self.python if m not in self.added or release >= self.added[m])


# --- data tables --------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _releases() -> dict[str, PythonRelease]:
    raw = data.load("python_releases.toml")
    rows = [
        PythonRelease(
            minor=row["minor"],
            newest=row["newest"],
            suites=tuple(row["suites"]),
            eol=row["eol"],
            prerelease=bool(row.get("prerelease", False)),
            source=row["source"],
        )
        for row in raw["python"]
    ]
    return {row.minor: row for row in sorted(rows, key=lambda r: Version(r.minor))}


@lru_cache(maxsize=1)
def _django_table() -> tuple[DjangoSeries, ...]:
    raw = data.load("django_python.toml")
    rows = [
        DjangoSeries(
            django=Version(row["django"]),
            python=tuple(row["python"]),
            added={minor: Version(at) for minor, at in row.get("added", {}).items()},
            source=row["source"],
        )
        for row in raw["release"]
    ]
    return tuple(sorted(rows, key=lambda r: r.django))


def supported_minors() -> list[str]:
    """Every Python minor the official image publishes (pre-releases included), oldest first."""
    return list(_releases())


def newest_patch(minor: str) -> str:
    """The newest patch release with an official image: "3.12" -> "3.12.15" (offline table)."""
    try:
        return _releases()[minor].newest
    except KeyError:
        raise ValueError(
            f"Python {minor} is not in {RELEASES_TABLE} (known: {_span(supported_minors())}); "
            "choose one of those, or add a row for it"
        ) from None


def debian_codename(minor: str) -> str:
    """The newest Debian suite the official `python:<minor>-slim` image is built on."""
    try:
        return _releases()[minor].suites[0]
    except KeyError:
        raise ValueError(
            f"Python {minor} is not in {RELEASES_TABLE} (known: {_span(supported_minors())})"
        ) from None


def django_supported_pythons(django_version: str) -> SpecifierSet:
    """The Pythons a Django release supports, e.g. "4.2.5" -> ">=3.8,<3.12" (patch level matters).

    A feature version ("4.2") means its first release. A release newer than the table is assumed to
    support what the newest row supports; an older one raises ValueError.
    """
    minors = _django_release_support(Version(django_version))
    if minors is None:
        raise ValueError(f"Django {django_version} is older than every release in {DJANGO_TABLE}")
    return SpecifierSet(f">={minors[0]},<{_next_minor(minors[-1])}")


def _django_release_support(release: Version) -> tuple[str, ...] | None:
    table = _django_table()
    for series in table:
        if (release.major, release.minor) == (series.django.major, series.django.minor):
            return series.supports(release)
    if release > table[-1].django:
        return table[-1].supports(release)
    return None


# --- the choice ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _DjangoSupport:
    minors: frozenset[str]  # Python minors some admitted Django release supports
    label: str  # "Django 4.2.16", "Django >=5.2,<6"
    source: str | None


@dataclass(frozen=True)
class DjangoCheck:
    """Whether the image may run a Python for the project's Django requirement (`django_allows`)."""

    ok: bool
    message: str  # the Django requirement and its Pythons, for the refusal or the warning
    fallback: str | None = None  # the nearest published minor, when none supported is published


def django_allows(django: DjangoVersion, minor: str) -> DjangoCheck:
    """Whether the image may run Python `minor` for the project's Django requirement.

    The one rule detection chooses by (see `_usable`): a minor some allowed Django release
    supports, or, when the official image publishes none of those any more, the published minor
    nearest to them (allowed with a warning).
    """
    support = _django_support(django, Diagnostics(), [])
    if support is None:
        return DjangoCheck(True, "")
    usable, fallback = _usable(support)
    label = f"{support.label} ({support.source}) supports Python {_span(_sorted(support.minors))}"
    if fallback:
        label += (
            f", none of which has a current official image; {fallback} is the nearest that does"
        )
    return DjangoCheck(minor in usable, label, fallback)


def detect_python(
    tree: SourceTree,
    project_dir: str,
    deps: Dependencies,
    django: DjangoVersion | None,
    diags: Diagnostics,
    wheels: tuple[WheelSupport, ...] = (),
) -> PythonChoice:
    """Choose the Python minor for the image from every version source in the repository.

    Where the project states no exact Python, `wheels` (the exact pins with compiled code) narrow
    the choice to the newest minor on which every one of them installs from a wheel.
    """
    extra = tuple(f for f in (*deps.files, deps.lockfile) if f)
    sources = find_python_sources(tree, project_dir, diags, extra)
    evidence: list[Evidence] = [
        Evidence("python", s.file, s.line, f"states Python {s.value} ({s.specifier})")
        for s in sources
    ]
    support = _django_support(django, diags, evidence)
    pins = [s for s in sources if s.exact]
    ranges = [s for s in sources if not s.exact]
    hard = _project_requires(sources, deps)
    # A pin the project's own metadata excludes cannot work when the image installs the project:
    # the installer refuses. Such pins lose; the warning waits until the winner is known.
    overruled = [p for p in pins if not _meets(p, hard)]
    pins = [p for p in pins if p not in overruled]
    # The project's own range is applied first, so a contradicting range is the one dropped.
    ranges = [r for r in ranges if r in hard] + [r for r in ranges if r not in hard]
    pin = _choose_pin(pins, project_dir, diags, evidence)
    if pin is not None:
        version, source = _from_pin(pin, ranges, support, diags, evidence)
    elif ranges:
        version, source = _from_ranges(ranges, support, diags, evidence, wheels)
    else:
        version, source = _from_nothing(support, diags, evidence, wheels)
    for lost in overruled:
        _warn_overruled(lost, hard, deps, version, diags, evidence)
    return PythonChoice(version, source, tuple(sources), tuple(evidence))


# Manifests whose Python range is the project's own metadata (what its installer enforces).
_PROJECT_METADATA = ("pyproject.toml", "setup.py", "setup.cfg")
# How the image installs the project itself, for the warning (the installer that refuses).
_INSTALLERS = {
    "uv": "uv sync",
    "poetry": "poetry install",
    "pdm": "pdm install",
}


def _project_requires(sources: list[PythonSource], deps: Dependencies) -> list[PythonSource]:
    """The project's own Python requirement, where the installer enforces it.

    pip refuses to install a package on a Python outside its requires-python / python_requires,
    and uv, Poetry and PDM refuse to sync a lockfile on one even with the project left out, so a
    pin elsewhere cannot win against it.
    """
    if not deps.installs_project and deps.manager not in _INSTALLERS:
        return []
    manifests = set(deps.files)
    return [
        s
        for s in sources
        if s.file in manifests
        and s.file.rsplit("/", 1)[-1] in _PROJECT_METADATA
        # A range no image satisfies cannot be honoured anyway (_from_ranges reports it).
        and any(_admits_minor(s.specifier, m) for m in supported_minors())
    ]


def _meets(pin: PythonSource, hard: list[PythonSource]) -> bool:
    try:
        minor = _pin_minor(pin)
        return all(_admits_minor(h.specifier, minor) for h in hard)
    except (ValueError, InvalidVersion):
        return True  # not a usable pin anyway: _choose_pin reports it


def _warn_overruled(
    pin: PythonSource,
    hard: list[PythonSource],
    deps: Dependencies,
    chosen: str,
    diags: Diagnostics,
    evidence: list[Evidence],
) -> None:
    minor = _pin_minor(pin)
    against = next(h for h in hard if not _admits_minor(h.specifier, minor))
    installer = _INSTALLERS.get(deps.manager, "pip install .")
    diags.warn(
        f"requires Python {against.value}, but {_where(pin)} pins {pin.value}; using Python "
        f"{chosen}: {against.file} wins because `{installer}` refuses a Python outside the "
        "project's own range. Change "
        f"{pin.file} to a version the project supports",
        against.file,
        against.line,
    )
    evidence.append(
        Evidence(
            "python",
            pin.file,
            pin.line,
            f"the pin {pin.value} is outside {_where(against)} ({against.value}), which the "
            "project's installer enforces; the pin is not used",
        )
    )


def _choose_pin(
    pins: list[PythonSource], project_dir: str, diags: Diagnostics, evidence: list[Evidence]
) -> PythonSource | None:
    known = set(supported_minors())
    usable = []
    for pin in pins:
        minor = _pin_minor(pin)
        if minor in known:
            usable.append(pin)
        else:
            diags.warn(
                f"pins Python {pin.value}, which has no official image in the supported range "
                f"({_span(_stable_minors())}); the pin is ignored",
                pin.file,
                pin.line,
            )
    if not usable:
        return None
    # Nearest directory first (project dir, then its parents, then files found elsewhere), then
    # the most specific file; sort is stable, so reading order breaks the remaining ties.
    chain = parent_dirs(project_dir or ".")
    usable.sort(key=lambda p: (_nearness(p.file, chain), pin_rank(p)))
    chosen = usable[0]
    for other in usable[1:]:
        if _pin_minor(other) != _pin_minor(chosen):
            diags.warn(
                f"Python versions disagree: {_where(chosen)} says {chosen.value} and "
                f"{_where(other)} says {other.value}; using {chosen.value} from {chosen.file} "
                f"(nearer to the project or more specific)",
                other.file,
                other.line,
            )
    evidence.append(Evidence("python", chosen.file, chosen.line, "an exact pin wins over ranges"))
    return chosen


def _from_pin(
    pin: PythonSource,
    ranges: list[PythonSource],
    support: _DjangoSupport | None,
    diags: Diagnostics,
    evidence: list[Evidence],
) -> tuple[str, str]:
    minor = _pin_minor(pin)
    version = Version(newest_patch(minor))
    for other in ranges:
        if not _admits_minor(other.specifier, minor):
            diags.warn(
                f"requires Python {other.value}, but {_where(pin)} pins {pin.value}; keeping "
                "the pin (an exact pin wins over a range)",
                other.file,
                other.line,
            )
    if support is not None and minor not in support.minors:
        diags.warn(
            f"pins Python {pin.value}, but {support.label}{_from(support)} supports Python "
            f"{_span(_sorted(support.minors))}; keeping the pin (upgrade Django, or pin a "
            "Python it supports)",
            pin.file,
            pin.line,
        )
    pinned = parse_pin(pin.value)
    if pinned is not None and len(pinned.release) >= 3 and pinned != version:
        evidence.append(
            Evidence(
                "python",
                pin.file,
                pin.line,
                f"pins {pinned}; the image uses the newest {minor} patch ({version}), which has "
                "the security fixes",
            )
        )
    return minor, _where(pin)


def _from_ranges(
    ranges: list[PythonSource],
    support: _DjangoSupport | None,
    diags: Diagnostics,
    evidence: list[Evidence],
    wheels: tuple[WheelSupport, ...] = (),
) -> tuple[str, str]:
    # Intersect in order (nearest first); a range that would empty the set is reported and skipped.
    declared = set(supported_minors())
    used: list[PythonSource] = []
    for source in ranges:
        narrowed = {m for m in declared if _admits_minor(source.specifier, m)}
        if narrowed:
            declared = narrowed
            used.append(source)
        elif used:
            diags.warn(
                f"requires Python {source.value}, which leaves no version allowed by "
                f"{_list(used)}; ignoring it",
                source.file,
                source.line,
            )
        else:
            diags.warn(
                f"requires Python {source.value}, which matches no official image "
                f"({_span(_stable_minors())}); ignoring it",
                source.file,
                source.line,
            )
    if not used:
        return _from_nothing(support, diags, evidence, wheels)
    where = _list(used)
    if support is not None:
        usable, fallback = _usable(support)
        both = {m for m in declared if m in usable}
        if both and fallback:
            _warn_fallback(support, fallback, diags)
            evidence.append(Evidence("python", used[0].file, used[0].line, _fallback_why(support)))
            return fallback, f"{where}, nearest to {support.label} support"
        if both:
            chosen, note = _with_wheels(both, wheels, evidence)
            evidence.append(
                Evidence(
                    "python",
                    used[0].file,
                    used[0].line,
                    f"newest official image inside {where} and {support.label} support"
                    f"{note}: {chosen}",
                )
            )
            return chosen, f"{where}, within {support.label} support{note}"
        # The declaration and Django disagree: the declaration decides, and inside it the Python
        # nearest to what Django supports has the best chance of installing it.
        chosen = min(
            _sorted(declared), key=lambda m: (_distance(m, support.minors), -Version(m).minor)
        )
        diags.warn(
            f"the project allows Python {_span(_sorted(declared))} by {where}, but "
            f"{support.label}{_from(support)} supports Python {_span(_sorted(support.minors))}; "
            f"choosing {chosen}, the nearest to it that the project's own declaration allows",
            used[0].file,
            used[0].line,
        )
        return chosen, where
    chosen, note = _with_wheels(declared, wheels, evidence)
    evidence.append(
        Evidence(
            "python",
            used[0].file,
            used[0].line,
            f"newest official image in {where}{note}: {chosen}",
        )
    )
    return chosen, where + note


def _from_nothing(
    support: _DjangoSupport | None,
    diags: Diagnostics,
    evidence: list[Evidence],
    wheels: tuple[WheelSupport, ...] = (),
) -> tuple[str, str]:
    stable = _stable_minors()
    if support is None:
        chosen, note = _with_wheels(set(stable), wheels, evidence)
        why = f"no Python version stated in the project and no Django version known{note}: {chosen}"
        evidence.append(Evidence("python", None, None, why))
        return chosen, why
    usable, fallback = _usable(support)
    if fallback:
        chosen = fallback
        why = _fallback_why(support)
        _warn_fallback(support, fallback, diags)
    else:
        chosen, note = _with_wheels(set(usable), wheels, evidence)
        why = (
            f"{support.label} supports up to {_newest(set(usable))}; no version stated in the "
            f"project{note}"
        )
    evidence.append(Evidence("python", None, None, why))
    return chosen, why


def _fallback_why(support: _DjangoSupport) -> str:
    _, fallback = _usable(support)
    return (
        f"{support.label} supports no Python with a current official image; using {fallback}, "
        "the nearest that has one"
    )


def _warn_fallback(support: _DjangoSupport, fallback: str, diags: Diagnostics) -> None:
    diags.warn(
        f"{support.label}{_from(support)} supports Python {_span(_sorted(support.minors))}, none "
        f"of which has a current official image; using {fallback}, the nearest that has one. It "
        "is outside Django's support and may fail: upgrade Django",
        *_split_where(support.source),
    )


def _django_support(
    django: DjangoVersion | None, diags: Diagnostics, evidence: list[Evidence]
) -> _DjangoSupport | None:
    """The Python minors the project's Django allows, or None when nothing is known."""
    if django is None:
        return None
    file, line = _split_where(django.source)
    if django.resolved:
        try:
            release = Version(django.resolved)
        except InvalidVersion:
            diags.warn(f"Django version {django.resolved!r} is not a version; ignored", file, line)
            return None
        minors = _django_release_support(release)
        if minors is None:
            return None
        label = f"Django {release}"
        newest = _django_table()[-1].django
        if (release.major, release.minor) > (newest.major, newest.minor):
            label += f" (newer than {DJANGO_TABLE}; assumed like {newest})"
        evidence.append(Evidence("python", file, line, f"{label} supports {_span(minors)}"))
        return _DjangoSupport(frozenset(minors), label, django.source)
    try:
        specifier = to_specifier(django.spec or "")
    except ValueError:
        diags.warn(
            f"the Django requirement {django.spec!r} is not a version range; the Python choice "
            "ignores it",
            file,
            line,
        )
        return None
    candidates = _candidate_releases(specifier)
    admitted = [r for r in candidates if admits(specifier, r)] if specifier else list(candidates)
    label = f"Django {django.spec.strip()}" if specifier else "Django (any version)"
    if not admitted:
        newest = _django_table()[-1]
        newer = Version(f"{newest.django.major}.{newest.django.minor + 1}")
        if not admits(specifier, newer) and not admits(specifier, Version(f"{newer.major + 1}")):
            return None
        admitted = [newer]
        label += f" (newer than {DJANGO_TABLE}; assumed like {newest.django})"
    minors: set[str] = set()
    for release in admitted:
        minors.update(_django_release_support(release) or ())
    if not minors:
        return None
    # pip installs the newest Django that suits the chosen Python: the union over admitted
    # releases is what the spec allows.
    evidence.append(
        Evidence(
            "python",
            file,
            line,
            f"{label} allows releases that support Python {_span(_sorted(minors))}",
        )
    )
    return _DjangoSupport(frozenset(minors), label, django.source)


def _candidate_releases(specifier: str) -> list[Version]:
    """Django releases that stand for all others when testing `specifier`.

    Support grows with the patch number inside a series (Python versions are only ever added), so
    only the newest admitted patch of each stretch matters: the stretches end at the last patch,
    at a patch that adds a Python, or next to a version the specifier names.
    """
    named = [Version(v) for v in re.findall(r"[0-9]+(?:\.[0-9]+){0,2}", specifier)]
    out: list[Version] = []
    for series in _django_table():
        key = (series.django.major, series.django.minor)
        patches = {0, _PATCHES_PER_SERIES - 1}
        for added in series.added.values():
            patches |= {added.micro - 1, added.micro}
        for version in named:
            if (version.major, version.minor) == key:
                patches |= {version.micro - 1, version.micro, version.micro + 1}
        out += [
            Version(f"{key[0]}.{key[1]}.{p}")
            for p in sorted(patches)
            if 0 <= p < _PATCHES_PER_SERIES
        ]
    return out


def _usable(support: _DjangoSupport) -> tuple[frozenset[str], str | None]:
    """(minors the image may run for this Django support, the fallback minor or None).

    The supported minors that have an official image; when none has (Django 1.11 stops at 3.7,
    the images start at 3.8), only the published minor nearest to them: it is the likeliest to
    work, and a warning says it is outside Django's support. Detection chooses inside this set,
    and --python-version is checked against it, so the tool never chooses what it then refuses.
    """
    stable = _stable_minors()
    inside = frozenset(m for m in support.minors if m in _releases())
    if any(m in stable for m in inside):
        return inside, None
    if not stable:
        return inside, None
    nearest = min(stable, key=lambda m: _distance(m, support.minors))
    return frozenset({nearest}), nearest


def _distance(minor: str, minors: frozenset[str]) -> int:
    number = Version(minor).minor
    return min((abs(number - Version(m).minor) for m in minors), default=0)


def _with_wheels(
    allowed: set[str], wheels: tuple[WheelSupport, ...], evidence: list[Evidence]
) -> tuple[str, str]:
    """The newest of `allowed` on which every exact pin with compiled code installs from a
    wheel (else the one where most do), and a note for the source when that is not the newest.

    pip compiles a pin that has no wheel for the image's Python: it needs a compiler and headers
    the slim image lacks, and an old release may not build (or run) on a newer Python at all.
    """
    newest = _newest(allowed)
    compiled = [w for w in wheels if w.compiled and w.minors]
    if not compiled:
        return newest, ""
    stable = [m for m in allowed if not _releases()[m].prerelease] or list(allowed)
    ordered = sorted(stable, key=Version)

    def covered(minor: str) -> int:
        # A pin its markers leave out on this Python (backports for old ones) is no obstacle.
        return sum(minor in w.minors or not w.installed_on(minor) for w in compiled)

    chosen = max(ordered, key=lambda m: (covered(m), Version(m)))
    if chosen == newest:
        return newest, ""
    limiting = [w for w in compiled if newest not in w.minors and w.installed_on(newest)]
    named = "; ".join(
        f"{w.name} {w.version} has wheels for {w.span()} ({w.source})" for w in limiting[:3]
    )
    for w in limiting:
        evidence.append(
            Evidence(
                "python",
                w.file,
                w.line,
                f"{w.name} {w.version} has wheels for Python {w.span()} only (from {w.source}): "
                f"on {newest} pip would compile it",
            )
        )
    which = "every" if covered(chosen) == len(compiled) else "most"
    return (
        chosen,
        f"; {chosen}, not {newest}: {which} exact pin with compiled code has a wheel for it ({named})",
    )


# --- small helpers ------------------------------------------------------------------------------


def _stable_minors() -> list[str]:
    return [r.minor for r in _releases().values() if not r.prerelease]


def _sorted(minors: set[str] | frozenset[str]) -> list[str]:
    """Oldest first, leaving out pre-releases unless there is nothing else."""
    ordered = sorted(minors, key=Version)
    stable = [m for m in ordered if m not in _releases() or not _releases()[m].prerelease]
    return stable or ordered


def _newest(minors: set[str]) -> str:
    stable = [m for m in minors if not _releases()[m].prerelease]
    return max(stable or minors, key=Version)


def _admits_minor(specifier: str, minor: str) -> bool:
    # A minor is allowed when any of its patch releases is: ">=3.12.4" allows the 3.12 image.
    last = Version(newest_patch(minor)).micro
    return any(admits(specifier, Version(f"{minor}.{patch}")) for patch in range(last, -1, -1))


def _pin_minor(pin: PythonSource) -> str:
    version = parse_pin(pin.value.removeprefix("prefix:"))
    if version is None:  # an `==3.12.*` range: the specifier names the minor
        spec = next(iter(SpecifierSet(pin.specifier)))
        version = Version(spec.version.removesuffix(".*"))
    return minor_of(version)


def _nearness(path: str, chain: list[str]) -> int:
    directory = path.rpartition("/")[0] or "."
    return chain.index(directory) if directory in chain else len(chain)


def _where(source: PythonSource) -> str:
    return location(source.file, source.line)


def _list(sources: list[PythonSource]) -> str:
    return " and ".join(f"{_where(s)} ({s.value})" for s in sources)


def _from(support: _DjangoSupport) -> str:
    return f" (from {support.source})" if support.source else ""


def _split_where(where: str | None) -> tuple[str | None, int | None]:
    if not where:
        return None, None
    file, _, line = where.rpartition(":")
    if file and line.isascii() and line.isdigit():
        return file, int(line)
    return where, None


def _span(minors: list[str] | tuple[str, ...]) -> str:
    if not minors:
        return "none"
    return minors[0] if len(minors) == 1 else f"{minors[0]}-{minors[-1]}"


def _next_minor(minor: str) -> str:
    major, number = minor.split(".")
    return f"{major}.{int(number) + 1}"


# --- end of life --------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _eol_table() -> dict[str, date]:
    # Dates live with the other per-minor facts (cited there, from devguide.python.org/versions).
    table: dict[str, date] = {}
    for row in data.load("python_releases.toml").get("python", []):
        eol = str(row.get("eol", ""))
        parts = [int(p) for p in eol.split("-") if p.isascii() and p.isdigit()]
        if len(parts) == 3:
            table[row["minor"]] = date(*parts)
        elif len(parts) == 2:
            # "2026-10": the devguide names only the month; the minor is supported through it.
            table[row["minor"]] = date(
                parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1]
            )
    return table


def eol_warning(minor: str, today: date) -> str | None:
    """A warning when Python `minor` ("3.10") is past its end of life on `today`, else None."""
    eol = _eol_table().get(minor)
    if eol is None or today <= eol:
        return None
    return (
        f"Python {minor} reached end of life on {eol.isoformat()} "
        "(devguide.python.org/versions): it gets no more security fixes. Move the project to a "
        "newer Python and regenerate (or run `refresh --allow-minor`)."
    )
