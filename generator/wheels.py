"""Which CPython minors install `package==version` from a wheel on Linux, and where that is known.

One question, three sources, asked in this order by detection:
1. the lockfile's own file lists (poetry.lock `files`, uv.lock `wheels`/`sdist`, pdm.lock `files`);
2. PyPI's simple index in its PEP 691 JSON form (`/simple/NAME/`: every file of every release,
   with `requires-python`), cached on disk, with a short timeout, a few threads and a hard budget
   of requests; the per-release JSON API is not used (it answers 404 on some mirrors);
3. with `--offline`, or when the index cannot be reached, the recorded table data/wheels.toml.

Everything here is about published files; nothing is downloaded but the index pages.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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

from generator import data

TABLE = "generator/data/wheels.toml"
INDEX_URL = "https://pypi.org/simple/"
# PEP 691: the JSON form of the simple index; the HTML form would need scraping.
ACCEPT = "application/vnd.pypi.simple.v1+json"
# Generation must stay quick on a laptop and in CI: a few seconds at most for the index, then
# the recorded table answers. A repeat run reads the cache and makes no request.
TIMEOUT_SECONDS = 4.0
DEADLINE_SECONDS = 12.0
REQUEST_BUDGET = 60
THREADS = 8
CACHE_DAYS = 7
# glibc of the oldest Debian the official slim images use (bookworm: 2.36); a manylinux wheel
# needing a newer glibc does not install there.
GLIBC = (2, 36)
# The generated Dockerfile names no platform: it is built for linux/amd64 (CI runners, most
# servers) and for linux/arm64 (Apple Silicon laptops, Graviton, `buildx --platform`). A pin
# is judged for both; each platform's wheels carry the machine name in their tags.
PLATFORMS = {"linux/amd64": "x86_64", "linux/arm64": "aarch64"}
ARCH = PLATFORMS["linux/amd64"]


@dataclass(frozen=True)
class Files:
    """What is published for one release: file names and their Requires-Python."""

    files: tuple[tuple[str, str | None], ...]
    source: str  # "poetry.lock", "PyPI simple index", "generator/data/wheels.toml (2026-11-30)"


@dataclass(frozen=True)
class Summary:
    """The files of one release, judged for CPython on Linux."""

    minors: tuple[str, ...]  # Python minors a wheel installs on (Linux x86_64, glibc)
    compiled: bool  # ships platform-specific wheels: the package has compiled code
    sdist: bool  # a source distribution exists, so pip can build it when no wheel fits
    linux: bool  # some file installs on Linux at all (a wheel for it, a pure wheel or an sdist)
    # Every file is a wheel for other platforms (Windows, macOS): none for Linux of any
    # architecture or glibc, no pure wheel, no sdist. False when the files are not known.
    other_platforms_only: bool = False
    # Python minors a wheel installs on for Linux aarch64 (glibc); None when not judged (the
    # recorded table knows x86_64 only).
    minors_arm64: tuple[str, ...] | None = None


def linux_marker_env(minor: str | None) -> dict[str, str]:
    """PEP 508 marker values of the image's interpreter: CPython on Linux x86_64, at MINOR when
    it is known (without it, markers on the Python version cannot be decided)."""
    env = {
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "platform_machine": "x86_64",
        "extra": "",
    }
    if minor:
        env["python_version"] = minor
        env["python_full_version"] = f"{minor}.0"
    return env


def _platforms(arch: str) -> list[str]:
    """manylinux platform tags a glibc-2.36 system of machine `arch` accepts, newest first."""
    legacy = {(2, 17): "manylinux2014", (2, 12): "manylinux2010", (2, 5): "manylinux1"}
    out = []
    for minor in range(GLIBC[1], 4, -1):
        out.append(f"manylinux_2_{minor}_{arch}")
        if (2, minor) in legacy:
            out.append(f"{legacy[(2, minor)]}_{arch}")
    return [*out, f"linux_{arch}"]


@cache
def _compatible(minor: str, arch: str = ARCH) -> frozenset[Tag]:
    """Every wheel tag CPython `minor` on Linux `arch` (glibc) installs."""
    major, number = (int(p) for p in minor.split("."))
    version = (major, number)
    platforms = _platforms(arch)
    abi = f"cp{major}{number}"
    tags = set(cpython_tags(version, abis=[abi], platforms=platforms))
    tags |= set(compatible_tags(version, interpreter=abi, platforms=platforms))
    return frozenset(tags)


def summarise(
    files: Iterable[tuple[str, str | None]], minors: Sequence[str], patches: dict[str, str]
) -> Summary:
    """Judge a release's files: on which of `minors` a wheel installs (Linux x86_64, and apart
    from it Linux aarch64), and whether it compiles.

    `patches` maps a minor to the patch release its image carries (Requires-Python is checked
    against it: `>=3.10.1` admits the 3.10.21 image).
    """
    fits: set[str] = set()
    fits_arm64: set[str] = set()
    compiled = sdist = linux = False
    elsewhere = True  # no file so far installs on any Linux
    for filename, requires in files:
        if filename.endswith((".tar.gz", ".zip", ".tar.bz2", ".tgz")):
            sdist = linux = True
            continue
        if not filename.endswith(".whl"):
            continue
        try:
            _, _, _, tags = parse_wheel_filename(filename)
        except InvalidWheelFilename:
            continue
        if any(tag.platform != "any" for tag in tags):
            compiled = True
        if any(tag.platform == "any" or "linux" in tag.platform for tag in tags):
            elsewhere = False
        spec = _specifier(requires)
        for minor in minors:
            admitted = spec is None or spec.contains(
                patches.get(minor, f"{minor}.0"), prereleases=True
            )
            if minor not in fits and tags & _compatible(minor):
                linux = True
                if admitted:
                    fits.add(minor)
            if (
                admitted
                and minor not in fits_arm64
                and tags & _compatible(minor, PLATFORMS["linux/arm64"])
            ):
                fits_arm64.add(minor)
    elsewhere = elsewhere and compiled and not sdist
    return Summary(
        tuple(m for m in minors if m in fits),
        compiled,
        sdist,
        linux,
        elsewhere,
        tuple(m for m in minors if m in fits_arm64),
    )


def _specifier(requires: str | None) -> SpecifierSet | None:
    if not requires:
        return None
    try:
        return SpecifierSet(requires)
    except InvalidSpecifier:
        return None


def release_files(filenames: Iterable[str], name: str, version: str) -> list[str]:
    """The file names (from a list of every release's files) that belong to `name==version`."""
    wanted = canonicalize_name(name)
    try:
        target = Version(version)
    except InvalidVersion:
        return []
    out = []
    for filename in filenames:
        try:
            if filename.endswith(".whl"):
                got_name, got_version, _, _ = parse_wheel_filename(filename)
            else:
                got_name, got_version = parse_sdist_filename(filename)
        except (InvalidWheelFilename, InvalidSdistFilename):
            continue
        if got_name == wanted and got_version == target:
            out.append(filename)
    return out


# --- PyPI's simple index ------------------------------------------------------------------------


class Index:
    """PyPI's simple index (PEP 691 JSON), behind a disk cache and a request budget.

    `offline` never touches the network. After the first failure (timeout, refused, HTTP 5xx)
    no further request is made in this run: the recorded table answers the rest. `unavailable`
    says why the index was not (fully) used, for the decision log.
    """

    def __init__(
        self,
        offline: bool = False,
        url: str | None = None,
        cache_dir: Path | None = None,
        budget: int = REQUEST_BUDGET,
    ) -> None:
        self.offline = offline
        self.url = (url or os.environ.get("DJANGO_DOCKERFILE_INDEX_URL") or INDEX_URL).rstrip("/")
        self.cache_dir = cache_dir or _cache_dir()
        self.budget = budget
        self.failure: str | None = None  # why the index stopped answering in this run
        self.over_budget = 0  # projects not asked for because the budget was spent
        self.requests = 0

    @property
    def unavailable(self) -> str | None:
        """Why some answers came from the recorded table instead of the index, or None."""
        if self.offline:
            return "--offline"
        if self.failure:
            return self.failure
        if self.over_budget:
            return f"the request budget ({self.budget} per run) was spent"
        return None

    def files(self, names: Sequence[str]) -> dict[str, list[tuple[str, str | None]]]:
        """Every published file (name, Requires-Python) of each project in `names` that could be
        read from the cache or the index; the others are left out."""
        out: dict[str, list[tuple[str, str | None]]] = {}
        wanted = []
        for name in dict.fromkeys(canonicalize_name(n) for n in names):
            cached = self._cached(name)
            if cached is not None:
                out[name] = cached
            else:
                wanted.append(name)
        if self.offline or not wanted:
            return out
        if len(wanted) > self.budget - self.requests:
            allowed = max(0, self.budget - self.requests)
            self.over_budget += len(wanted) - allowed
            wanted = wanted[:allowed]
        deadline = time.monotonic() + DEADLINE_SECONDS
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            for name, result in zip(
                wanted, pool.map(lambda n: self._fetch(n, deadline), wanted), strict=True
            ):
                if result is not None:
                    out[name] = result
        return out

    def _fetch(self, name: str, deadline: float) -> list[tuple[str, str | None]] | None:
        if self.failure:
            return None  # an earlier request failed: do not wait for more timeouts
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            self.failure = f"the index took longer than {DEADLINE_SECONDS:.0f} s in all"
            return None
        self.requests += 1
        request = urllib.request.Request(
            f"{self.url}/{name}/", headers={"Accept": ACCEPT, "Accept-Encoding": "gzip"}
        )
        try:
            with urllib.request.urlopen(
                request, timeout=min(TIMEOUT_SECONDS, remaining)
            ) as response:
                body = response.read()
                if response.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return []  # no such project on the index (a private package): nothing to judge
            self.failure = f"{self.url} answered HTTP {exc.code}"
            return None
        except (OSError, ValueError) as exc:
            self.failure = f"{self.url} could not be reached ({_reason(exc)})"
            return None
        try:
            page = json.loads(body)
            files = [
                (str(f["filename"]), f.get("requires-python") or None)
                for f in page.get("files", [])
                if isinstance(f, dict) and isinstance(f.get("filename"), str)
            ]
        except (ValueError, AttributeError, TypeError):
            self.failure = f"{self.url} did not answer in the PEP 691 JSON form"
            return None
        self._store(name, files)
        return files

    def _path(self, name: str) -> Path:
        return self.cache_dir / f"{re.sub(r'[^a-z0-9._-]', '_', name)}.json"

    def _cached(self, name: str) -> list[tuple[str, str | None]] | None:
        path = self._path(name)
        try:
            if time.time() - path.stat().st_mtime > CACHE_DAYS * 86400:
                return None
            return [(f, r) for f, r in json.loads(path.read_text(encoding="utf-8"))]
        except (OSError, ValueError, TypeError):
            return None

    def _store(self, name: str, files: list[tuple[str, str | None]]) -> None:
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = self._path(name).with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(files), encoding="utf-8")
            tmp.replace(self._path(name))
        except OSError:
            pass  # a read-only home: the next run asks the index again


def _cache_dir() -> Path:
    own = os.environ.get("DJANGO_DOCKERFILE_CACHE")
    if own:
        return Path(own) / "simple"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "django-dockerfile" / "simple"


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or exc
    return str(reason)[:80] or type(exc).__name__


# --- the recorded table -------------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    """One row of data/wheels.toml."""

    name: str
    first: dict[str, Version]  # minor -> first release with a wheel for it
    last: dict[str, Version]  # minor -> last release with one, when a later release dropped it
    sdist: bool
    source: str
    # The same for Linux aarch64; None when the row was recorded for x86_64 only.
    first_arm64: dict[str, Version] | None = None
    last_arm64: dict[str, Version] | None = None


@cache
def _table() -> dict[str, Recorded]:
    raw = data.load("wheels.toml")
    rows = {}
    for row in raw.get("package", []):
        rows[canonicalize_name(row["name"])] = Recorded(
            name=row["name"],
            first={m: Version(v) for m, v in row.get("first", {}).items()},
            last={m: Version(v) for m, v in row.get("last", {}).items()},
            sdist=bool(row.get("sdist", True)),
            source=row["source"],
            first_arm64=(
                {m: Version(v) for m, v in row["first_arm64"].items()}
                if "first_arm64" in row
                else None
            ),
            last_arm64={m: Version(v) for m, v in row.get("last_arm64", {}).items()},
        )
    return rows


def table_date() -> str:
    """When data/wheels.toml was recorded (its `recorded` key)."""
    return str(data.load("wheels.toml").get("recorded", "unknown date"))


def recorded(name: str) -> Recorded | None:
    """The table row for a (canonical) project name, or None when it is not recorded."""
    return _table().get(canonicalize_name(name))


def recorded_summary(name: str, version: str, minors: Sequence[str]) -> Summary | None:
    """What data/wheels.toml says about `name==version`, or None when it does not know."""
    row = recorded(name)
    if row is None:
        return None
    try:
        release = Version(version)
    except InvalidVersion:
        return None
    fits = _fits(minors, release, row.first, row.last)
    arm64 = (
        None
        if row.first_arm64 is None
        else _fits(minors, release, row.first_arm64, row.last_arm64 or {})
    )
    return Summary(
        fits, compiled=True, sdist=row.sdist, linux=bool(fits) or row.sdist, minors_arm64=arm64
    )


def _fits(
    minors: Sequence[str],
    release: Version,
    first: dict[str, Version],
    last: dict[str, Version],
) -> tuple[str, ...]:
    """The minors a table row says `release` has a wheel for."""
    return tuple(
        m
        for m in minors
        if m in first and first[m] <= release and (m not in last or release <= last[m])
    )
