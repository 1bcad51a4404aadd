"""Write tool_releases.toml: per tool, the newest release that installs on each Python minor.

    python -m generator.data.refresh_tools [--check]

The tools are the rows of tools.toml; the Python minors (with the patch release the image runs)
are the rows of python_releases.toml. For every tool and minor the newest release is kept that is
neither yanked nor a pre-release, whose Requires-Python admits that patch release, and that
installs there without a compiler: a wheel for that CPython on x86-64 Linux, or no wheel at all
(an sdist-only tool is always built). Companions (tools.toml [[companion]]) are pinned the same
way, inside their range and inside what the tool release itself requires, and only for tool
releases that depend on them; a companion marked `plugin = true` (a plugin the tool needs but does
not depend on) for every release, choosing the newest plugin release whose own requirement on the
tool admits that release. A release's dependencies are read from its wheel's METADATA.

Everything comes from PyPI's simple index in its PEP 691 JSON form (`/simple/NAME/` with
`Accept: application/vnd.pypi.simple.v1+json`): it lists each file with its `requires-python`,
`yanked` and `upload-time`. Review the diff, then regenerate the golden files
(UPDATE_GOLDEN=1 pytest tests/test_golden.py). `--check` prints what would change, writes nothing
and exits 1 when the table is out of date.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import tomllib
import urllib.request
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.parser import HeaderParser
from functools import cache
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

HERE = Path(__file__).parent
TABLE = HERE / "tool_releases.toml"
INDEX = "https://pypi.org/simple/{name}/"
ACCEPT = "application/vnd.pypi.simple.v1+json"
# The images are Debian (glibc); bullseye, the oldest suite any row of python_releases.toml
# names, has glibc 2.31, so a manylinux wheel up to 2_31 installs on every one of them.
_GLIBC_MAX = 31
_PLATFORMS = (
    *(f"manylinux_2_{minor}_x86_64" for minor in range(_GLIBC_MAX, 4, -1)),
    "manylinux2014_x86_64",
    "manylinux2010_x86_64",
    "manylinux1_x86_64",
    "linux_x86_64",
)

Fetch = Callable[[str], dict]


@dataclass(frozen=True)
class File:
    filename: str
    url: str
    requires_python: str | None
    uploaded: str  # ISO date, "2026-10-27"


@dataclass(frozen=True)
class Release:
    version: Version
    files: tuple[File, ...]

    @property
    def date(self) -> str:
        """The day the release was made: its first file's upload."""
        return min(f.uploaded for f in self.files)

    def installs_on(self, python: Version) -> bool:
        """Whether pip installs this release on CPython `python` without compiling it."""
        admitted = [f for f in self.files if _admits(f.requires_python, python)]
        wheels = [f for f in self.files if f.filename.endswith(".whl")]
        if not wheels:
            return bool(admitted)
        supported = _supported_tags(python.major, python.minor)
        return any(
            f.filename.endswith(".whl")
            and not parse_wheel_filename(f.filename)[3].isdisjoint(supported)
            for f in admitted
        )


@dataclass(frozen=True)
class Pin:
    version: str
    date: str
    companions: tuple[str, ...] = ()  # "hishel==1.4.0"


def releases(index: dict) -> list[Release]:
    """The final, not yanked releases in a PEP 691 project page, newest first."""
    by_version: dict[Version, list[File]] = {}
    for entry in index.get("files", []):
        if entry.get("yanked"):
            continue
        filename = entry["filename"]
        try:
            if filename.endswith(".whl"):
                version = parse_wheel_filename(filename)[1]
            else:
                version = parse_sdist_filename(filename)[1]
        except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
            continue  # .exe/.egg installers and malformed names: pip skips them too
        if version.is_prerelease or version.is_devrelease:
            continue
        uploaded = str(entry.get("upload-time") or "")[:10]
        by_version.setdefault(version, []).append(
            File(filename, entry.get("url", ""), entry.get("requires-python"), uploaded)
        )
    return [Release(v, tuple(files)) for v, files in sorted(by_version.items(), reverse=True)]


def newest(
    candidates: Iterable[Release], python: Version, within: SpecifierSet | None = None
) -> Release | None:
    """The newest release that installs on `python` (and lies `within` a range, if given)."""
    for release in candidates:
        if within is not None and not within.contains(release.version, prereleases=False):
            continue
        if release.installs_on(python):
            return release
    return None


def _admits(requires_python: str | None, python: Version) -> bool:
    if not requires_python:
        return True
    try:
        return SpecifierSet(requires_python).contains(python, prereleases=True)
    except InvalidSpecifier:
        return False  # pip would refuse the file as well


@cache
def _supported_tags(major: int, minor: int) -> frozenset[Tag]:
    version = (major, minor)
    return frozenset(
        (
            *cpython_tags(version, platforms=_PLATFORMS),
            *compatible_tags(version, platforms=_PLATFORMS),
        )
    )


def requires_dist(
    release: Release, python: Version, read: Callable[[str], bytes]
) -> list[Requirement]:
    """The dependencies `release` installs on `python` (markers evaluated), from a wheel's METADATA."""
    wheel = next((f for f in release.files if f.filename.endswith(".whl")), None)
    if wheel is None:
        return []  # an sdist's dependencies are only known by building it
    with zipfile.ZipFile(io.BytesIO(read(wheel.url))) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = HeaderParser().parsestr(archive.read(name).decode("utf-8"))
    env = {"python_version": f"{python.major}.{python.minor}", "python_full_version": str(python)}
    env |= {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix"}
    env |= {"implementation_name": "cpython", "platform_python_implementation": "CPython"}
    out = []
    for text in metadata.get_all("Requires-Dist") or []:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        if req.marker is None or req.marker.evaluate({**env, "extra": ""}):
            out.append(req)
    return out


def build(
    tools: dict, pythons: dict[str, Version], fetch: Fetch, read: Callable[[str], bytes]
) -> dict[str, dict[str, Pin]]:
    """{tool: {minor: Pin}} for the tools and companions of tools.toml."""
    pages: dict[str, list[Release]] = {}
    read = cache(read)  # a plugin's wheels are read once per tool release and Python

    def page(package: str) -> list[Release]:
        if package not in pages:
            pages[package] = releases(fetch(package))
        return pages[package]

    companions = tools.get("companion", [])
    table: dict[str, dict[str, Pin]] = {}
    for name, row in tools["tools"].items():
        package = row.get("package", name)
        within = SpecifierSet(row["spec"]) if row.get("spec") else None
        pins: dict[str, Pin] = {}
        for minor, python in pythons.items():
            release = newest(page(package), python, within)
            if release is None:
                continue
            extra = []
            for companion in (c for c in companions if c["tool"] == package):
                pin = _companion(companion, release, python, page, read)
                if pin:
                    extra.append(pin)
            pins[minor] = Pin(str(release.version), release.date, tuple(extra))
        table[name] = pins
    return table


def _companion(
    companion: dict,
    release: Release,
    python: Version,
    page: Callable[[str], list[Release]],
    read: Callable[[str], bytes],
) -> str | None:
    package = canonicalize_name(companion["package"])
    needed = [
        r for r in requires_dist(release, python, read) if canonicalize_name(r.name) == package
    ]
    plugin = bool(companion.get("plugin"))
    if not needed and not plugin:
        return None  # this release does not depend on it: nothing can break
    within = SpecifierSet(companion["spec"])
    for req in needed:
        within &= req.specifier
    candidates: Iterable[Release] = page(companion["package"])
    if plugin:
        # A plugin depends on the tool: only its releases whose requirement on the tool admits
        # this tool release (pip would otherwise replace the tool to satisfy the plugin).
        tool = canonicalize_name(companion["tool"])
        candidates = (
            c
            for c in candidates
            if within.contains(c.version, prereleases=False)
            and all(
                r.specifier.contains(release.version, prereleases=True)
                for r in requires_dist(c, python, read)
                if canonicalize_name(r.name) == tool
            )
        )
    chosen = newest(candidates, python, within)
    if chosen is None:
        raise SystemExit(
            f"no release of {companion['package']} inside {within} installs on Python {python} "
            f"(needed by {companion['tool']} {release.version}); fix tools.toml [[companion]]"
        )
    return f"{companion['package']}=={chosen.version}"


def render(table: dict[str, dict[str, Pin]], tools: dict, today: str) -> str:
    """The TOML text of tool_releases.toml."""
    lines = [
        f"# Written by `python -m generator.data.refresh_tools` on {today}; do not edit by hand.",
        "# Per tool (tools.toml), the newest release for each Python minor: not yanked, not a",
        "# pre-release, its Requires-Python admits the newest patch release of that minor",
        "# (python_releases.toml), and it installs there from a wheel (or has no wheel at all).",
        "# `date` is the day the release was first uploaded; `with` are companions pinned with it",
        "# (tools.toml [[companion]]). Source of every row: PyPI's simple index, PEP 691 JSON form,",
        "# pypi.org/simple/<package>/.",
        "",
        f'refreshed = "{today}"',
    ]
    for name, pins in table.items():
        package = tools["tools"][name].get("package", name)
        spec = tools["tools"][name].get("spec")
        lines += ["", f"# pypi.org/simple/{package}/" + (f" (releases {spec})" if spec else "")]
        bare = re.fullmatch(r"[A-Za-z0-9_-]+", name)
        lines.append(f"[tool.{name}]" if bare else f'[tool."{name}"]')
        for minor, pin in pins.items():
            fields = f'version = "{pin.version}", date = "{pin.date}"'
            if pin.companions:
                fields += ", with = [" + ", ".join(f'"{c}"' for c in pin.companions) + "]"
            lines.append(f'"{minor}" = {{ {fields} }}')
    return "\n".join(lines) + "\n"


def pythons_from(releases_table: dict) -> dict[str, Version]:
    """{minor: the patch release its image runs} from python_releases.toml."""
    return {row["minor"]: Version(row["newest"]) for row in releases_table["python"]}


def _fetch(package: str) -> dict:
    request = urllib.request.Request(INDEX.format(name=package), headers={"Accept": ACCEPT})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def _read(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as response:
        return response.read()


def main(argv: list[str] | None = None) -> int:
    """Refresh (or with --check, compare) tool_releases.toml from PyPI."""
    parser = argparse.ArgumentParser(prog="python -m generator.data.refresh_tools")
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on a change")
    args = parser.parse_args(argv)
    tools = tomllib.loads((HERE / "tools.toml").read_text(encoding="utf-8"))
    pythons = pythons_from(tomllib.loads((HERE / "python_releases.toml").read_text("utf-8")))
    table = build(tools, pythons, _fetch, _read)
    old = TABLE.read_text(encoding="utf-8") if TABLE.exists() else ""
    old_rows = tomllib.loads(old).get("tool", {}) if old else {}
    today = datetime.now(UTC).date().isoformat()
    text = render(table, tools, today)
    changed = tomllib.loads(text)["tool"] != old_rows
    for name, pins in table.items():
        for minor, pin in pins.items():
            before = old_rows.get(name, {}).get(minor, {}).get("version")
            if before != pin.version:
                print(f"{name} on Python {minor}: {before or '-'} -> {pin.version} ({pin.date})")
    if args.check:
        return 1 if changed else 0
    if changed:
        TABLE.write_text(text, encoding="utf-8")
        print(f"wrote {TABLE}")
    else:
        print("tool_releases.toml is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
