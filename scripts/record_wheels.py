"""Rewrite generator/data/wheels.toml from PyPI's simple index (PEP 691 JSON).

    python scripts/record_wheels.py            # the projects already in the table
    python scripts/record_wheels.py NAME ...   # add or refresh these too

For each project and each Python minor the official image publishes, the table records the first
release with a wheel that installs on CPython Linux x86_64 (glibc 2.36), and the last one when
newer releases dropped that minor; the same for Linux aarch64 (linux/arm64). Generation reads it only with --offline or when the index
cannot be reached (generator/wheels.py); the date at the top says how old the answer may be.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

from generator import data
from generator.detect.python_version import newest_patch, supported_minors
from generator.wheels import INDEX_URL, Index, summarise

OUT = Path(__file__).resolve().parent.parent / "generator" / "data" / "wheels.toml"
HEADER = """\
# Python minors each release of a compiled project installs on from a wheel (CPython, Linux
# x86_64, glibc 2.36 as in the official slim images), recorded from PyPI's simple index.
# Read only with --offline or when the index cannot be reached (generator/wheels.py); a lockfile's
# own file list and the live index come first. Rewrite with `python scripts/record_wheels.py`.
#
# Each [[package]] row:
#   first   Python minor -> first release with a wheel for it
#   last    Python minor -> last release with one (only when newer releases dropped that minor)
#   first_arm64, last_arm64   the same for Linux aarch64 (linux/arm64 builds, glibc 2.36)
#   sdist   the newest release has a source distribution (pip can compile it without a wheel)
#   source  where the row comes from
"""


def versions(
    filenames: list[tuple[str, str | None]],
) -> dict[Version, list[tuple[str, str | None]]]:
    out: dict[Version, list[tuple[str, str | None]]] = {}
    for filename, requires in filenames:
        try:
            if filename.endswith(".whl"):
                _, version, _, _ = parse_wheel_filename(filename)
            else:
                _, version = parse_sdist_filename(filename)
        except (InvalidWheelFilename, InvalidSdistFilename):
            continue
        if not version.is_prerelease and not version.is_devrelease:
            out.setdefault(version, []).append((filename, requires))
    return dict(sorted(out.items()))


def _inline(table: dict[str, Version]) -> str:
    if not table:
        return "{}"
    return "{ " + ", ".join(f'"{m}" = "{v}"' for m, v in table.items()) + " }"


def main(argv: list[str]) -> int:
    today = date.today().isoformat()
    names = [row["name"] for row in data.load("wheels.toml").get("package", [])]
    names = list(dict.fromkeys([*names, *argv]))
    minors = supported_minors()
    patches = {m: newest_patch(m) for m in minors}
    index = Index(cache_dir=Path("/nonexistent-cache"), budget=len(names))
    pages = index.files(names)
    if index.failure:
        print(f"error: {index.failure}", file=sys.stderr)
        return 1
    rows = [HEADER, f'recorded = "{today}"\n']
    for name in names:
        releases = versions(pages.get(name, []))
        if not releases:
            print(f"warning: {name}: no releases on the index; row left out", file=sys.stderr)
            continue
        first: dict[str, Version] = {}
        last: dict[str, Version] = {}
        first_arm64: dict[str, Version] = {}
        last_arm64: dict[str, Version] = {}
        newest = None
        for version, files in releases.items():
            newest = summarise(files, minors, patches)
            for minor in newest.minors:
                first.setdefault(minor, version)
                last[minor] = version
            for minor in newest.minors_arm64 or ():
                first_arm64.setdefault(minor, version)
                last_arm64[minor] = version
        newest_version = max(releases)
        assert newest is not None
        dropped = {m: v for m, v in last.items() if v != newest_version}
        dropped_arm64 = {m: v for m, v in last_arm64.items() if v != newest_version}
        rows.append("\n[[package]]\n")
        rows.append(f'name = "{name}"\n')
        rows.append(f"first = {_inline(first)}\n")
        if dropped:
            rows.append(f"last = {_inline(dropped)}\n")
        rows.append(f"first_arm64 = {_inline(first_arm64)}\n")
        if dropped_arm64:
            rows.append(f"last_arm64 = {_inline(dropped_arm64)}\n")
        rows.append(f"sdist = {'true' if newest.sdist else 'false'}\n")
        rows.append(f'source = "{INDEX_URL}{name}/ (PEP 691 JSON), {today}"\n')
    OUT.write_text("".join(rows), encoding="utf-8")
    print(f"wrote {OUT} ({sum(r == chr(10) + '[[package]]' + chr(10) for r in rows)} projects)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
