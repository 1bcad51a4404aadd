"""Base-image refresh: find the `python` images a Dockerfile uses and move them to newer tags.

Pure functions over text and tag lists: `scan` reads every FROM (and the global ARG defaults a FROM
uses), `choose_tag` picks the newest tag that keeps what the user chose, `refresh_text` rewrites only
the tokens that change. `refresh_dockerfile` at the end is the one entry point with I/O, for the CLI
and the action: it reads the Dockerfile, asks the project's Python range from detection and the tags
from a registry client it is given (`generator.registry.RegistryClient`, or a fake in tests).
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Protocol

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from generator import markdown as md
from generator.detect.python_version import eol_warning
from generator.guard import UnsafePath, inside

# A real Dockerfile is a few kB; 512 kB (about 10,000 FROM lines) is past any real one and
# keeps a refresh of it under a second.
MAX_DOCKERFILE_BYTES = 512 * 1024

# ---------------------------------------------------------------------------------------------
# Tags


@dataclass(frozen=True)
class Tag:
    """A `python` image tag split into its version and variant: "3.12.7-slim-bookworm"."""

    text: str
    version: tuple[int, ...]  # (3, 12, 7); its length is the precision (1, 2 or 3)
    variant: str  # "slim-bookworm", "alpine3.20", "" for the plain Debian image
    prerelease: bool  # 3.15.0a1, 3.15.0rc2, 3.15-rc-slim: never chosen

    @property
    def precision(self) -> int:
        return len(self.version)

    @property
    def minor(self) -> tuple[int, int] | None:
        return (self.version[0], self.version[1]) if self.precision >= 2 else None

    @property
    def dotted(self) -> str:
        return ".".join(str(p) for p in self.version)


_TAG = re.compile(
    r"(?P<v>[0-9]{1,4}(?:\.[0-9]{1,4}){0,2})(?P<pre>(?:a|b|rc)[0-9]{1,4})?"
    r"(?:-(?P<variant>[A-Za-z0-9][A-Za-z0-9_.-]{0,100}))?\Z",
    re.ASCII,
)


@functools.lru_cache(maxsize=4096)  # a Dockerfile repeats its tags; a registry lists each once
def parse_tag(text: str) -> Tag | None:
    """The version and variant of a tag, or None for tags without a version ("latest", "slim")."""
    m = _TAG.match(text)
    if not m:
        return None
    variant = m.group("variant") or ""
    # docker-library names the floating pre-release tags "3.15-rc", "3.15-rc-slim".
    prerelease = bool(m.group("pre")) or variant == "rc" or variant.startswith("rc-")
    version = tuple(int(p) for p in m.group("v").split("."))
    return Tag(text, version, variant, prerelease)


def _minor_allowed(major: int, minor: int, allowed: SpecifierSet | None) -> bool:
    if allowed is None:
        return True
    # "3.13" the image floats over every 3.13.x: allowed when some patch of it is.
    return any(
        allowed.contains(f"{major}.{minor}{p}", prereleases=False) for p in ("", ".0", ".99")
    )


def _version_allowed(tag: Tag, allowed: SpecifierSet | None) -> bool:
    if allowed is None:
        return True
    if tag.precision == 3:
        return allowed.contains(tag.dotted, prereleases=False)
    return _minor_allowed(tag.version[0], tag.version[1], allowed)


def choose_tag(
    current: Tag,
    available: Iterable[str | Tag],
    *,
    allowed: SpecifierSet | None = None,
    allow_minor: bool = False,
) -> Tag:
    """The newest tag with the same precision and variant as `current` (`current` if none is newer).

    Never a pre-release, never another major; the Python minor stays unless `allow_minor`, and
    then only to minors `allowed` admits (any newer minor when it is None). A precision-1 tag
    ("3", "3-alpine") already floats over every release and never moves.
    """
    if current.precision == 1 or current.prerelease:
        return current
    best = current
    for text in available:
        tag = text if isinstance(text, Tag) else parse_tag(text)
        if (
            tag is None
            or tag.prerelease
            or tag.precision != current.precision
            or tag.variant != current.variant
            or tag.version[0] != current.version[0]
            or tag.version <= best.version
        ):
            continue
        if tag.minor != current.minor and not (allow_minor and _version_allowed(tag, allowed)):
            continue
        if tag.minor == current.minor and tag.precision == 3 and not _version_allowed(tag, allowed):
            continue
        best = tag
    return best


def _suite_split(variant: str) -> tuple[str, str] | None:
    """("slim", "bullseye") for "slim-bullseye", ("", "bookworm") for "bookworm"; None without a
    Debian suite ("slim", "alpine3.20")."""
    from generator import data

    flavour, _, suite = variant.rpartition("-")
    if suite not in data.load("debian_suites.toml")["suites"]:
        return None
    return flavour, suite


def abandoned_suite(chosen: Tag, available: Iterable[str]) -> Tag | None:
    """A newer patch of `chosen`'s minor published for another Debian suite but not for its own.

    docker-library stops building a suite (bullseye, then bookworm) while the Python minor still
    gets releases; the image then stays on its last patch and its security fixes stop.
    """
    split = _suite_split(chosen.variant) if chosen.precision == 3 else None
    if split is None:
        return None
    best: Tag | None = None
    for text in available:
        tag = parse_tag(text)
        if tag is None or tag.prerelease or tag.precision != 3 or tag.minor != chosen.minor:
            continue
        other = _suite_split(tag.variant)
        if other is None or other[0] != split[0] or other[1] == split[1]:
            continue
        if tag.version > chosen.version and (best is None or tag.version > best.version):
            best = tag
    return best


# python.org ships a patch release about every two months: a table two years old is 12 behind.
MAX_PATCHES_AHEAD = 24
MAX_MINORS_AHEAD = 2


def plausible_release(tag: Tag) -> bool:
    """Could `tag` name a real CPython release? A registry (or a mirror) listing 3.12.999 or
    3.40 must not move FROM there: the minor is at most MAX_MINORS_AHEAD past the newest the
    release table knows, the patch at most MAX_PATCHES_AHEAD past the newest patch it knows."""
    from generator.detect.python_version import newest_patch, supported_minors

    if tag.version[0] != 3 or tag.precision == 1:
        return True  # Python 2 never moves (no newer 2.x); "3" floats
    known = [int(m.split(".")[1]) for m in supported_minors()]
    minor = tag.version[1]
    if minor > max(known, default=0) + MAX_MINORS_AHEAD:
        return False
    if tag.precision == 3:
        try:
            newest = int(newest_patch(f"3.{minor}").split(".")[2])
        except (ValueError, IndexError):
            newest = 0
        return tag.version[2] <= newest + MAX_PATCHES_AHEAD
    return True


def changelog_url(tag: Tag, family: str = "python") -> str | None:
    """Where to read what changed in the release a tag names (None for "3", the floating major)."""
    if family == "node":
        return (
            f"https://github.com/nodejs/node/releases/tag/v{tag.dotted}"
            if tag.precision == 3
            else None
        )
    if tag.precision == 3:
        return f"https://docs.python.org/release/{tag.dotted}/whatsnew/changelog.html"
    if tag.precision == 2:
        return f"https://docs.python.org/{tag.dotted}/whatsnew/{tag.dotted}.html"
    return None


# ---------------------------------------------------------------------------------------------
# End of life


# ---------------------------------------------------------------------------------------------
# Reading a Dockerfile


@dataclass(frozen=True)
class Span:
    """A stretch of the original text: [start, end) character offsets, 1-based line of start."""

    start: int
    end: int
    line: int


@dataclass(frozen=True)
class _Logical:
    """One instruction with continuations and interleaved comments removed, mapped to the source.

    The map is one entry per physical line (not per character): a 2 MB Dockerfile costs a few
    MB, not a list of two million offsets.
    """

    text: str
    starts: tuple[int, ...]  # where each physical line's piece begins in `text`
    sources: tuple[int, ...]  # ... and in the source
    line: int
    end: int  # the source offset just past the last character

    def _source(self, i: int) -> int:
        if i >= len(self.text):
            return self.end
        k = bisect.bisect_right(self.starts, i) - 1
        return self.sources[k] + (i - self.starts[k])

    def span(self, start: int, end: int) -> Span | None:
        """The source span of text[start:end], or None if it is split by a line continuation."""
        if start == end:
            at = self._source(start)
            return Span(at, at, self.line)
        first, last = self._source(start), self._source(end - 1)
        if last - first != end - 1 - start:
            return None
        return Span(first, last + 1, self.line)


@dataclass(frozen=True)
class ArgDefault:
    """A global `ARG NAME=value` (declared before the first FROM, so FROM lines can use it)."""

    name: str
    value: str
    span: Span | None  # where the value is written (inside quotes); None if not rewritable


@dataclass(frozen=True)
class _Segment:
    """Part of a FROM image template: literal text or a variable's expansion."""

    text: str
    span: Span | None  # where that text is written (the ARG default for a variable)
    var: str | None = None


@dataclass(frozen=True)
class ImageUse:
    """One FROM instruction."""

    line: int
    written: str  # the image token as written: "python:${PY}-slim"
    image: str | None  # with global ARG defaults substituted; None when a variable has no value
    kind: str  # python | node | stage | scratch | other | unresolved
    stage: str | None  # the `AS name`, if any
    token: Span | None = None
    segments: tuple[_Segment, ...] = ()


@dataclass(frozen=True)
class Reference:
    """An image reference split as Docker reads it: name[:tag][@digest]."""

    name: str
    tag: str | None
    digest: str | None

    def __str__(self) -> str:
        out = self.name
        if self.tag is not None:
            out += f":{self.tag}"
        if self.digest is not None:
            out += f"@{self.digest}"
        return out


_DOCKER_HUB = {"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"}


def parse_reference(text: str) -> Reference:
    """Split an image reference into name, tag and digest."""
    name, _, digest = text.partition("@")
    tag = None
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name, _, tag = name.rpartition(":")
    return Reference(name, tag, digest or None)


# The official images refresh moves: `python` (the base) and `node` (the asset stage we generate).
FAMILIES = ("python", "node")


def official_family(name: str) -> str | None:
    """ "python" or "node" for Docker Hub's official image under any spelling or mirror, else None."""
    parts = name.split("/")
    domain = None
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        domain, parts = parts[0].lower(), parts[1:]
    path = "/".join(parts)
    for family in FAMILIES:
        if path == family and (domain is None or domain in _DOCKER_HUB):
            return family
        # Mirrors keep the library/ path: mirror.gcr.io/library/python, public.ecr.aws/docker/library/node.
        if path == f"library/{family}" or path.endswith(f"/library/{family}"):
            return family
    return None


def is_official_python(name: str) -> bool:
    """True for Docker Hub's `python` image under any of its spellings, or a mirror of it."""
    return official_family(name) == "python"


_DIRECTIVE = re.compile(r"^[ \t]*#[ \t]*([A-Za-z][A-Za-z0-9_-]*)[ \t]*=[ \t]*(\S*)[ \t]*$")
_LINE = re.compile(r"[^\n]*\n|[^\n]+")
_VAR = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_]\w*)(?::-(?P<default>[^}$]*))?\}|(?P<bare>[A-Za-z_]\w*))"
)


# A here-document opener in RUN/COPY/ADD, as BuildKit reads it: `<<EOF`, `<<-"EOF"`, `3<<'X'`.
_HEREDOC = re.compile(r"(?:^|[ \t])[0-9]*<<(-?)([\"']?)([A-Za-z0-9_.-]+)\2(?=[ \t]|$)")


def _heredocs(instruction: str) -> list[tuple[str, bool]]:
    """The (delimiter, strip leading tabs) of each here-document an instruction opens."""
    words = instruction.lstrip("\ufeff \t").split(None, 1)
    if not words or words[0].upper() not in ("RUN", "COPY", "ADD"):
        return []
    return [(m.group(3), m.group(1) == "-") for m in _HEREDOC.finditer(instruction)]


def instructions(text: str) -> list[_Logical]:
    """Logical instructions of a Dockerfile: continuations joined, comment lines and
    here-document bodies dropped (a `FROM` inside `RUN <<EOF ... EOF` is shell text)."""
    escape = "\\"
    out: list[_Logical] = []
    parts: list[str] = []
    starts: list[int] = []
    sources: list[int] = []
    length = 0
    start_line = 0
    continuing = False
    directives = True
    pending: list[tuple[str, bool]] = []  # here-documents whose bodies come next
    for lineno, m in enumerate(_LINE.finditer(text), start=1):
        raw = m.group().rstrip("\n").removesuffix("\r")
        if pending:
            name, strip_tabs = pending[0]
            if (raw.lstrip("\t") if strip_tabs else raw) == name:
                pending.pop(0)
            continue
        if directives:
            d = _DIRECTIVE.match(raw)
            if d and not continuing:
                if d.group(1).lower() == "escape" and d.group(2) in ("\\", "`"):
                    escape = d.group(2)
                continue
            directives = False
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            # Docker drops comment and empty lines, also in the middle of a continuation.
            continue
        if not continuing:
            parts, starts, sources, length, start_line = [], [], [], 0, lineno
        body = raw.rstrip(" \t")
        continuing = body.endswith(escape)
        if continuing:
            body = body[: -len(escape)]
        parts.append(body)
        starts.append(length)
        sources.append(m.start())
        length += len(body)
        if continuing:
            # Docker joins the lines as they are: any space comes from the lines themselves.
            continue
        logical = _Logical(
            "".join(parts), tuple(starts), tuple(sources), start_line, m.start() + len(body)
        )
        out.append(logical)
        pending = _heredocs(logical.text)
    if continuing and parts:
        out.append(_Logical("".join(parts), tuple(starts), tuple(sources), start_line, len(text)))
    return out


def _words(text: str) -> list[tuple[int, int]]:
    """[start, end) of whitespace-separated words; quotes keep spaces inside a word."""
    words: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in " \t":
            i += 1
        if i >= n:
            break
        start, quote = i, None
        while i < n and (quote or text[i] not in " \t"):
            if quote and text[i] == quote:
                quote = None
            elif not quote and text[i] in "\"'":
                quote = text[i]
            i += 1
        words.append((start, i))
    return words


def _arg_defaults(ins: _Logical, words: list[tuple[int, int]]) -> list[ArgDefault]:
    found: list[ArgDefault] = []
    for start, end in words[1:]:
        word = ins.text[start:end]
        name, eq, value = word.partition("=")
        if not eq or not re.fullmatch(r"[A-Za-z_]\w*", name):
            continue
        vstart = start + len(name) + 1
        vend = end
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value, vstart, vend = value[1:-1], vstart + 1, vend - 1
        # Escapes or substitutions in a default make the written text differ from its value.
        rewritable = not any(c in value for c in "\\$\"'")
        found.append(ArgDefault(name, value, ins.span(vstart, vend) if rewritable else None))
    return found


def _template(
    ins: _Logical, start: int, end: int, args: Mapping[str, ArgDefault]
) -> tuple[str | None, tuple[_Segment, ...]]:
    """Expand global ARG defaults in the image token; segments record where each part came from."""
    token = ins.text[start:end]
    segments: list[_Segment] = []
    pos = 0
    for m in _VAR.finditer(token):
        if m.start() > pos:
            segments.append(
                _Segment(token[pos : m.start()], ins.span(start + pos, start + m.start()))
            )
        name = m.group("braced") or m.group("bare")
        arg = args.get(name)
        if arg is not None and arg.value:
            segments.append(_Segment(arg.value, arg.span, name))
        elif m.group("default") is not None:
            dstart = start + m.start("default")
            segments.append(
                _Segment(
                    m.group("default"), ins.span(dstart, dstart + len(m.group("default"))), name
                )
            )
        else:
            return None, ()
        pos = m.end()
    if pos < end - start:
        segments.append(_Segment(token[pos:], ins.span(start + pos, end)))
    # An empty literal at the end of the token: where a digest goes after `python:${PY}`.
    segments.append(_Segment("", ins.span(end, end)))
    return "".join(s.text for s in segments), tuple(segments)


def scan(text: str) -> tuple[list[ImageUse], dict[str, ArgDefault]]:
    """Every FROM in a Dockerfile, in order, and the global ARG defaults FROM lines can use."""
    images: list[ImageUse] = []
    args: dict[str, ArgDefault] = {}
    stages: set[str] = set()
    for ins in instructions(text):
        words = _words(ins.text)
        keyword = ins.text[words[0][0] : words[0][1]].lstrip("\ufeff").upper() if words else ""
        if keyword == "ARG" and not images:
            for arg in _arg_defaults(ins, words):
                args[arg.name] = arg
            continue
        if keyword != "FROM":
            continue
        rest = [w for w in words[1:] if not ins.text[w[0] : w[1]].startswith("--")]
        if not rest:
            continue
        start, end = rest[0]
        written = ins.text[start:end]
        stage = None
        if len(rest) >= 3 and ins.text[rest[1][0] : rest[1][1]].lower() == "as":
            stage = ins.text[rest[2][0] : rest[2][1]]
        image, segments = _template(ins, start, end, args)
        if image is None:
            kind = "unresolved"
        elif image.lower() in stages:
            kind = "stage"
        elif image == "scratch":
            kind = "scratch"
        elif family := official_family(parse_reference(image).name):
            kind = family
        else:
            kind = "other"
        images.append(
            ImageUse(ins.line, written, image, kind, stage, ins.span(start, end), segments)
        )
        if stage:
            stages.add(stage.lower())
    return images, args


# ---------------------------------------------------------------------------------------------
# Rewriting


@dataclass(frozen=True)
class Change:
    """One rewritten token: what it said, what it says now, and where."""

    old: str  # the token as it was written: "python:3.12.7-slim" or an ARG default "3.12.7"
    new: str
    line: int  # 1-based line of the rewritten token
    kind: str  # tag | digest | arg (an ARG default, or a ${VAR:-default} fallback)
    image_old: str  # the full image reference before and after, variables substituted
    image_new: str
    changelog: str | None = None  # release notes of the new Python, when the version moved

    def describe(self) -> str:
        """One line of markdown for a job summary or a PR body (the Dockerfile's text escaped)."""
        what = f"{md.code(self.image_old)} → {md.code(self.image_new)}"
        where = f"line {self.line}"
        if self.kind == "arg":
            where += f" (ARG default {md.code(self.old)} → {md.code(self.new)})"
        link = f" ({md.link('changelog', self.changelog)})" if self.changelog else ""
        return f"{what} at {where}{link}"


def title_for(changes: Sequence[Change]) -> str:
    """A pull request title naming the change: "python 3.12.7-slim → 3.12.9-slim".

    The title is what a reviewer reads in a list, and what tells two declined refreshes apart.
    """
    moves: dict[tuple[str, str, str], None] = {}
    for change in changes:
        old, new = parse_reference(change.image_old), parse_reference(change.image_new)
        name = new.name.rsplit("/", 1)[-1]
        if old.tag != new.tag:
            moves[(name, f"{old.tag} → {new.tag}", "")] = None
        else:
            moves[(name, f"{new.tag}", ": new digest")] = None
    parts = [f"{name} {what}{suffix}" for name, what, suffix in moves]
    if len(parts) > 2:
        return f"{parts[0]} and {len(parts) - 1} more base images"
    return ", ".join(parts)


@dataclass(frozen=True)
class Catalog:
    """What a registry offers for one official image: its tags, their digests, the young ones."""

    tags: tuple[str, ...]
    digest_of: Callable[[str], str] | None = None
    young: Mapping[str, int] = field(default_factory=dict)  # tag -> age in days, under min age


@dataclass(frozen=True)
class RefreshResult:
    changes: tuple[Change, ...]
    new_text: str
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # what was looked at and left alone, and why
    images: tuple[ImageUse, ...] = field(default=(), repr=False)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


@dataclass(frozen=True)
class _Edit:
    span: Span
    new: str
    segment: _Segment
    use: ImageUse


def _locate(
    segments: tuple[_Segment, ...], start: int, end: int, insert_in_var: bool
) -> tuple[_Segment, int] | None:
    """The segment holding expanded text [start, end) and the offset of `start` inside it."""
    pos = 0
    candidates: list[tuple[_Segment, int]] = []
    for seg in segments:
        seg_end = pos + len(seg.text)
        if pos <= start and end <= seg_end:
            candidates.append((seg, start - pos))
        pos = seg_end
    if not candidates:
        return None
    if start == end and len(candidates) > 1:
        # An insertion on a boundary: into the variable only when it holds the image name too
        # (ARG BASE=python:3.12), else beside it in the FROM line (python:${PY}@sha256:...).
        wanted = [c for c in candidates if (c[0].var is not None) == insert_in_var]
        candidates = wanted or candidates
        if not insert_in_var:
            candidates.sort(key=lambda c: c[0].text == "")
    return candidates[0]


def _hunk(old: str, new: str, at: int) -> tuple[int, int, str]:
    """Trim the common prefix and suffix: [start, end) of the old text and what replaces it."""
    p = 0
    while p < min(len(old), len(new)) and old[p] == new[p]:
        p += 1
    s = 0
    while s < min(len(old), len(new)) - p and old[-1 - s] == new[-1 - s]:
        s += 1
    return at + p, at + len(old) - s, new[p : len(new) - s]


def _edits_for(use: ImageUse, old: Reference, new: Reference) -> list[_Edit] | None:
    """Source edits turning `old` into `new` for one FROM; None if some part is not rewritable."""
    assert use.image is not None
    name_len = len(old.name)
    hunks: list[tuple[int, int, str]] = []
    if old.tag != new.tag and old.tag is not None and new.tag is not None:
        hunks.append(_hunk(old.tag, new.tag, name_len + 1))
    if old.digest != new.digest and new.digest is not None:
        at = len(use.image) - (len(old.digest) + 1 if old.digest else 0)
        hunks.append(_hunk(f"@{old.digest}" if old.digest else "", f"@{new.digest}", at))
    # Does a variable hold the name as well as the tag (FROM ${BASE})? Then a digest goes there.
    located = _locate(use.segments, name_len, name_len + 1, insert_in_var=True)
    name_in_var = located is not None and located[0].var is not None
    edits: list[_Edit] = []
    for start, end, text in hunks:
        found = _locate(use.segments, start, end, insert_in_var=name_in_var)
        if found is None or found[0].span is None:
            return None
        seg, offset = found
        src = seg.span.start + offset
        edits.append(_Edit(Span(src, src + end - start, seg.span.line), text, seg, use))
    return edits


def _newlines(text: str) -> list[int]:
    """Offsets of every newline, for line numbers by bisection (one pass over the text)."""
    return [m.start() for m in re.finditer("\n", text)]


def _line_of(newlines: list[int], offset: int) -> int:
    return bisect.bisect_left(newlines, offset) + 1


def refresh_text(
    text: str,
    tags: Iterable[str],
    digest_of: Callable[[str], str] | None = None,
    *,
    allowed: SpecifierSet | None = None,
    allow_minor: bool = False,
    pin_digest: bool = False,
    today: date | None = None,
    young: Mapping[str, int] | None = None,
    others: Mapping[str, Catalog] | None = None,
) -> RefreshResult:
    """Rewrite the `python` base images of a Dockerfile to the newest tags that keep its choices.

    `tags` is every tag the registry offers (extra tags are harmless); `digest_of(tag)` returns the
    manifest digest of a tag and is called only for digest-pinned images (or all with
    `pin_digest`). `young` maps the tags pushed too recently to be chosen (min-age-days) to their
    age in days: they are not moved to, and a digest pinned on one of them is kept. `others` gives
    the same for the other official images (`node`): they move inside their major, minors too,
    and without the project's Python range. Every byte outside the rewritten tokens is kept.
    """
    catalogs = {
        "python": Catalog(tuple(dict.fromkeys(tags)), digest_of, young or {}),
        **(others or {}),
    }
    # Tags parsed once per image, and one choice per distinct tag written: 20,000 FROM lines stay
    # linear. parsed[kind] = (every tag, the tags old enough to be chosen).
    parsed: dict[str, tuple[list[Tag], list[Tag]]] = {}
    choices: dict[tuple[str, str], tuple[Tag, Tag, Tag | None]] = {}
    implausible: list[str] = []
    images, _ = scan(text)
    warnings: list[str] = []
    notes: list[str] = []
    edits: dict[tuple[int, int], _Edit] = {}
    per_use: list[tuple[ImageUse, Reference, Reference, Tag | None]] = []
    eol_minors: list[str] = []

    for use in images:
        if use.kind == "unresolved":
            warnings.append(
                f"line {use.line}: FROM {use.written} uses a variable with no default; left alone"
            )
            continue
        if use.kind in ("stage", "scratch"):
            continue
        if use.kind not in catalogs:
            what = "its tags were not listed" if use.kind in FAMILIES else "not an official image"
            notes.append(
                f"line {use.line}: {use.image}: {what} (refresh moves python and node); left alone"
            )
            continue
        ref = parse_reference(use.image or "")
        catalog = catalogs[use.kind]
        python = use.kind == "python"
        if use.kind not in parsed:
            every = [t for t in map(parse_tag, catalog.tags) if t is not None]
            if python:
                # A registry listing 3.12.999 must not move FROM there.
                implausible += [t.text for t in every if not plausible_release(t)]
                every = [t for t in every if plausible_release(t)]
            parsed[use.kind] = (every, [t for t in every if t.text not in catalog.young])
        # Node moves inside its major (LTS lines add minors); Python's minor is the project's.
        minor_ok = allow_minor if python else True
        in_range = allowed if python else None
        if ref.tag is None:
            notes.append(
                f"line {use.line}: {use.image} has no tag (Docker reads it as `latest`); "
                "pin a version such as python:3.12-slim to let refresh move it"
            )
            if ref.digest is None or not pin_digest:
                continue
        current = parse_tag(ref.tag) if ref.tag else None
        new_tag = ref.tag
        chosen: Tag | None = None
        if current is None:
            if ref.tag is not None:
                notes.append(
                    f"line {use.line}: tag `{ref.tag}` names no {use.kind.capitalize()} version; kept"
                )
        else:
            if current.prerelease:
                notes.append(f"line {use.line}: {ref.tag} is a pre-release; kept")
            key = (use.kind, current.text)
            if key not in choices:
                every, old = parsed[use.kind]
                picked = choose_tag(current, old, allowed=in_range, allow_minor=minor_ok)
                choices[key] = (
                    picked,
                    choose_tag(current, every, allowed=in_range, allow_minor=minor_ok),
                    abandoned_suite(picked, catalog.tags) if python else None,
                )
            chosen, newest, sibling = choices[key]
            if newest.text != chosen.text:
                instead = f"moved to {chosen.text}" if chosen.text != ref.tag else "kept"
                notes.append(
                    f"line {use.line}: {use.kind}:{newest.text} was pushed "
                    f"{catalog.young[newest.text]} day(s) ago, under the minimum age; {instead}"
                )
            new_tag = chosen.text
            if sibling is not None:
                suite = chosen.variant.rpartition("-")[2]
                warnings.append(
                    f"line {use.line}: Python {sibling.dotted} is published as "
                    f"python:{sibling.text} but the {chosen.variant} variant stops at "
                    f"{chosen.dotted}: the image no longer receives patches on {suite}; move "
                    f"to -{sibling.variant} to keep getting them"
                )
            if python and chosen.minor is not None:
                eol_minors.append(f"{chosen.minor[0]}.{chosen.minor[1]}")
        new_digest = ref.digest
        if ref.digest and new_tag == ref.tag and new_tag in catalog.young:
            # The tag's image was rebuilt within the minimum age: the pinned digest stays.
            notes.append(
                f"line {use.line}: {use.kind}:{new_tag} was rebuilt {catalog.young[new_tag]} "
                "day(s) ago, under the minimum age; its pinned digest is kept"
            )
        elif (ref.digest or pin_digest) and catalog.digest_of is not None and new_tag is not None:
            new_digest = catalog.digest_of(new_tag)
        new = Reference(ref.name, new_tag, new_digest)
        if new == ref:
            continue
        found = _edits_for(use, ref, new)
        if found is None:
            warnings.append(
                f"line {use.line}: {use.image} should become {new}, but the text to change is "
                "split across lines or built from escaped values; update it by hand"
            )
            continue
        for edit in found:
            key = (edit.span.start, edit.span.end)
            if key in edits and edits[key].new != edit.new:
                warnings.append(
                    f"line {edit.span.line}: ARG {edit.segment.var} is used by FROM lines that "
                    f"need different values ({edits[key].new!r} and {edit.new!r}); left alone"
                )
                edits[key] = _Edit(edit.span, "\0conflict", edit.segment, edit.use)
                continue
            edits.setdefault(key, edit)
        per_use.append((use, ref, new, chosen if chosen and chosen.text != ref.tag else None))

    live = {k: e for k, e in edits.items() if e.new != "\0conflict"}
    pieces: list[str] = []
    pos = 0
    for (start, end), edit in sorted(live.items()):
        pieces += [text[pos:start], edit.new]
        pos = end
    new_text = "".join([*pieces, text[pos:]])

    changes = _changes(text, live, per_use)
    if implausible:
        warnings.append(
            f"the registry lists {len(implausible)} tag(s) that name no Python release "
            f"(e.g. {implausible[0][:40]!r}); ignored"
        )
    if today is not None:
        for minor in dict.fromkeys(eol_minors):
            message = eol_warning(minor, today)
            if message:
                warnings.append(message)
    return RefreshResult(tuple(changes), new_text, tuple(warnings), tuple(notes), tuple(images))


def _changes(
    old_text: str,
    edits: Mapping[tuple[int, int], _Edit],
    per_use: list[tuple[ImageUse, Reference, Reference, Tag | None]],
) -> list[Change]:
    """One Change per rewritten token (a FROM image or an ARG default), before and after."""
    info = {id(use): (ref, new, chosen) for use, ref, new, chosen in per_use}
    seen: set[tuple[int, int]] = set()
    changes: list[Change] = []
    newlines = _newlines(old_text)
    ordered = sorted(edits.values(), key=lambda e: (e.span.start, e.span.end))
    starts = [e.span.start for e in ordered]
    for edit in ordered:
        ref, new, chosen = info[id(edit.use)]
        owner = edit.segment.span if edit.segment.var is not None else edit.use.token
        assert owner is not None
        start, end = owner.start, owner.end
        if (start, end) in seen:
            continue
        seen.add((start, end))
        old_token = old_text[start:end]
        new_token = old_token
        inside = []
        i = bisect.bisect_left(starts, start)
        while i < len(ordered) and ordered[i].span.start <= end:
            if ordered[i].span.end <= end:
                inside.append(ordered[i])
            i += 1
        for e in sorted(inside, key=lambda e: e.span.start, reverse=True):
            a, b = e.span.start - start, e.span.end - start
            new_token = new_token[:a] + e.new + new_token[b:]
        if edit.segment.var is not None:
            kind = "arg"
        else:
            kind = "digest" if old_token.split("@")[0] == new_token.split("@")[0] else "tag"
        changes.append(
            Change(
                old=old_token,
                new=new_token,
                line=_line_of(newlines, start),
                kind=kind,
                image_old=str(ref),
                image_new=str(new),
                changelog=(
                    changelog_url(chosen, edit.use.kind) if chosen and kind != "digest" else None
                ),
            )
        )
    return changes


# ---------------------------------------------------------------------------------------------
# Entry point for the CLI and the action


class TagSource(Protocol):
    """What refresh needs from a registry (generator.registry.RegistryClient provides it)."""

    def tags(self, name_filter: str = "") -> list[str]: ...

    def digest(self, tag: str) -> str: ...


# Newer minors are asked for one at a time until the registry has none; this bounds the walk.
MAX_MINOR_STEPS = 10


def fetch_tags(
    text: str, client: TagSource, allow_minor: bool = False, family: str = "python"
) -> list[str]:
    """Every tag refresh may choose from for the `family` images in `text`, fetched from `client`."""
    filters: list[str] = []
    images, _ = scan(text)
    for use in images:
        if use.kind != family:
            continue
        tag = parse_tag(parse_reference(use.image or "").tag or "")
        if tag is None or tag.prerelease:
            continue
        if family != "python":
            # Other images move inside their major: one listing of it has every candidate.
            if tag.precision > 1:
                filters.append(f"{tag.version[0]}.")
            continue
        if tag.minor is None:
            continue
        filters.append(f"{tag.minor[0]}.{tag.minor[1]}")
    if family != "python":
        listed = [t for name in dict.fromkeys(filters) for t in client.tags(name)]
        return list(dict.fromkeys(listed))
    found: list[str] = []
    asked: set[str] = set()
    for name in dict.fromkeys(filters):
        major, minor = (int(p) for p in name.split("."))
        steps = MAX_MINOR_STEPS if allow_minor else 1
        for step in range(steps):
            wanted = f"{major}.{minor + step}"
            if wanted in asked:
                continue
            asked.add(wanted)
            tags = client.tags(wanted)
            found.extend(tags)
            if step and not any(
                (t := parse_tag(x)) and t.minor == (major, minor + step) for x in tags
            ):
                break
    return list(dict.fromkeys(found))


def project_pythons(root: Path) -> tuple[SpecifierSet | None, str]:
    """The Pythons the project at `root` allows (its stated versions and its Django's support).

    Returns the range and a sentence saying where it comes from; (None, why) when nothing is known.
    """
    from generator.detect.python_version import detect_python, django_supported_pythons
    from generator.facts import Dependencies, Diagnostics
    from generator.source import LocalTree

    try:
        from generator.detect import detect_path

        facts = detect_path(root)
        python, django = facts.python, facts.django_version
    except Exception:
        # Detection must never stop a refresh: fall back to the versions stated at the root.
        python, django = None, None
    if python is None:
        try:
            tree = LocalTree(root)
            python = detect_python(tree, ".", Dependencies(manager="none"), None, Diagnostics())
        except Exception as exc:
            return None, f"the project's Python range could not be read ({exc})"
    spec = SpecifierSet()
    sources: list[str] = []
    for candidate in python.candidates:
        try:
            spec &= SpecifierSet(candidate.specifier)
        except InvalidSpecifier:
            continue
        sources.append(f"{candidate.file}:{candidate.line or 1} says {candidate.value}")
    if django is not None and django.resolved:
        try:
            spec &= django_supported_pythons(django.resolved)
            sources.append(
                f"Django {django.resolved} supports {django_supported_pythons(django.resolved)}"
            )
        except ValueError:
            pass
    if not sources:
        return None, "the project states no Python range"
    return spec, f"Python {spec} ({'; '.join(sources)})"


def _young(
    client: TagSource, tags: list[str], min_age_days: int, notes: list[str]
) -> dict[str, int]:
    """{tag: age in days} for the tags pushed less than `min_age_days` ago (none when 0)."""
    if min_age_days <= 0:
        return {}
    pushed_at = getattr(client, "pushed_at", None)
    now = datetime.now(UTC)
    ages = {t: pushed_at(t) if pushed_at else None for t in tags}
    if tags and all(when is None for when in ages.values()):
        notes.append(
            f"min-age-days ({min_age_days}) not applied: this registry does not say when its "
            "tags were pushed (Docker Hub's API does; a registry v2 mirror does not)"
        )
    return {
        t: (now - when).days
        for t, when in ages.items()
        if when is not None and now - when < timedelta(days=min_age_days)
    }


# Compose files (docker-compose.yml, compose.yaml, …) name images in `image:` values.
_COMPOSE_NAME = re.compile(r"^(docker-)?compose(\.[\w.-]+)?\.ya?ml$")
_COMPOSE_IMAGE = re.compile(
    r"^(?P<lead>[ \t]*(?:-[ \t]+)?image:[ \t]*)(?P<q>[\"']?)(?P<image>[^\s\"'#]+)(?P=q)"
    r"[ \t]*(?:#.*)?$",
    re.M,
)


def is_compose(name: str) -> bool:
    """True for a Compose file name: compose.yaml, docker-compose.prod.yml, …"""
    return bool(_COMPOSE_NAME.match(Path(name).name))


def refresh_compose_text(
    text: str, refresh: Callable[[str], RefreshResult]
) -> tuple[RefreshResult, str]:
    """Refresh the `image:` values of a Compose file with the Dockerfile machinery.

    The images become a Dockerfile of one FROM per image (`refresh` turns it into a
    RefreshResult); the new tokens go back into the Compose text at their places, and changes
    and messages name the Compose file's lines. Returns (result, the Dockerfile refreshed).
    """
    found = [m for m in _COMPOSE_IMAGE.finditer(text) if "$" not in m["image"]]
    dockerfile = "".join(f"FROM {m['image']}\n" for m in found)
    result = refresh(dockerfile)
    lines = [text.count("\n", 0, m.start("image")) + 1 for m in found]
    new_images = [line.removeprefix("FROM ") for line in result.new_text.splitlines()]
    out = text
    for m, new in sorted(zip(found, new_images, strict=True), key=lambda p: -p[0].start()):
        out = out[: m.start("image")] + new + out[m.end("image") :]

    def relabel(message: str) -> str:
        return re.sub(r"^line (\d+)", lambda n: f"line {lines[int(n[1]) - 1]}", message)

    changes = tuple(replace(c, line=lines[c.line - 1]) for c in result.changes)
    warnings = tuple(relabel(w) for w in result.warnings)
    notes = tuple(relabel(n) for n in result.notes)
    return RefreshResult(changes, out, warnings, notes, result.images), dockerfile


def refresh_dockerfile(
    root: Path,
    dockerfile: str,
    client: TagSource,
    allow_minor: bool = False,
    pin_digest: bool = False,
    *,
    allowed: SpecifierSet | None = None,
    today: date | None = None,
    min_age_days: int = 0,
) -> RefreshResult:
    """Refresh the base images of `root/dockerfile` against `client`; the file is not written.

    A Compose file (compose.yaml, docker-compose*.yml) has its `image:` values refreshed instead.

    `min_age_days` holds back tags (and digests) the registry pushed more recently than that, so
    weekly runs do not churn on every rebuild; the client's `pushed_at(tag)` gives the dates.

    The new minor under `allow_minor` stays inside `allowed`, or, when that is None, inside what the
    project states (requires-python, .python-version, Django support). Raises FileNotFoundError for
    a missing Dockerfile and lets `generator.registry.RegistryError` through.
    """
    path = inside(root, dockerfile, "dockerfile")
    if not path.is_file():
        raise FileNotFoundError(
            f"no Dockerfile at {path}; pass --dockerfile with its path relative to {root}"
        )
    with open(path, "rb") as fh:
        data = fh.read(MAX_DOCKERFILE_BYTES + 1)
    if len(data) > MAX_DOCKERFILE_BYTES:
        raise UnsafePath(
            f"the dockerfile option ({dockerfile}) names a file larger than "
            f"{MAX_DOCKERFILE_BYTES // 1024} kB; that is no Dockerfile refresh will edit"
        )
    # surrogateescape: bytes that are not UTF-8 come back out exactly as they went in.
    text = data.decode("utf-8", "surrogateescape")
    if is_compose(dockerfile):
        return refresh_compose_text(
            text,
            lambda images: _refresh_loaded(
                root, images, client, allow_minor, pin_digest, allowed, today, min_age_days
            ),
        )[0]
    return _refresh_loaded(
        root, text, client, allow_minor, pin_digest, allowed, today, min_age_days
    )


def _refresh_loaded(
    root: Path,
    text: str,
    client: TagSource,
    allow_minor: bool,
    pin_digest: bool,
    allowed: SpecifierSet | None,
    today: date | None,
    min_age_days: int,
) -> RefreshResult:
    """refresh_dockerfile once the text is read: tags fetched, young ones found, refreshed."""
    notes: list[str] = []
    if allow_minor and allowed is None:
        allowed, where = project_pythons(Path(root))
        if allowed is None:
            where += "; --allow-minor may choose any newer stable Python"
        notes.append(f"--allow-minor stays inside {where}" if allowed is not None else where)
    tags = fetch_tags(text, client, allow_minor)
    young = _young(client, tags, min_age_days, notes)
    others: dict[str, Catalog] = {}
    # The node asset stage is refreshed with the same registries, from library/node.
    node_client = getattr(client, "for_repository", None)
    if node_client is not None and any(use.kind == "node" for use in scan(text)[0]):
        node = node_client("library/node")
        node_tags = fetch_tags(text, node, family="node")
        others["node"] = Catalog(
            tuple(node_tags), node.digest, _young(node, node_tags, min_age_days, [])
        )
    result = refresh_text(
        text,
        tags,
        client.digest,
        allowed=allowed,
        allow_minor=allow_minor,
        pin_digest=pin_digest,
        today=today or date.today(),
        young=young,
        others=others,
    )
    return RefreshResult(
        result.changes, result.new_text, result.warnings, (*notes, *result.notes), result.images
    )
