"""pip requirements files, read as text (never handed to pip) and followed through -r/-c includes.

Covers what real files hold: comments, `\\` continuations, global options (`-i`, `--extra-index-url`,
`--pre`), per-requirement options (`--hash`), editable and VCS requirements (`-e git+...#egg=x`,
`name @ git+...`), archive URLs, local paths (`-e .`), environment markers.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, replace
from urllib.parse import unquote, urlsplit

from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as PkgRequirement
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

from generator.detect import constraints
from generator.facts import Diagnostics, Requirement
from generator.source import SourceTree

# Options that take a value ("-i URL", "--index-url=URL"); the value is never a requirement.
_VALUE_OPTIONS = {
    "-i": "--index-url",
    "--index-url": "--index-url",
    "--extra-index-url": "--extra-index-url",
    "-f": "--find-links",
    "--find-links": "--find-links",
    "--trusted-host": "--trusted-host",
    "--no-binary": "--no-binary",
    "--only-binary": "--only-binary",
    "--use-feature": "--use-feature",
    "-r": "--requirement",
    "--requirement": "--requirement",
    "-c": "--constraint",
    "--constraint": "--constraint",
    "-e": "--editable",
    "--editable": "--editable",
}
_URL = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://|(?:git|hg|svn|bzr)\+|file:)")
_EGG = re.compile(r"[#&]egg=([^&\s]+)")
# pip's rule: a "#" starts a comment at the start of a line or after whitespace.
# A logical line longer than this is no requirement anyone wrote (pip would choke on it too).
MAX_LOGICAL_LINE = 64 * 1024
# Real requirements files list hundreds; each line costs a parse, so a hostile file stops here.
MAX_REQUIREMENT_LINES = 5_000


def _comment_at(line: str) -> int:
    """Where a comment starts ("#" at the start or after whitespace, as pip reads it), or -1.

    A scan, not pip's regex `(^|\\s+)#.*$`: that one backtracks over every run of whitespace
    and takes seconds on a line of 20,000 spaces.
    """
    at = line.find("#")
    while at > 0 and not line[at - 1].isspace():
        at = line.find("#", at + 1)
    return at


def _uncomment(line: str) -> str:
    at = _comment_at(line)
    return (line[:at] if at >= 0 else line).strip()


# Followed includes per install set: a guard against generated include chains.
MAX_FILES = 200


@dataclass(frozen=True)
class Include:
    target: str  # as written
    line: int
    constraint: bool  # -c (pins only) rather than -r


@dataclass(frozen=True)
class ParsedFile:
    """What one requirements file says, before includes are followed."""

    requirements: tuple[Requirement, ...] = ()
    includes: tuple[Include, ...] = ()
    hashes: bool = False
    installs_project: bool = False  # "-e ." or "." : the project itself
    project_extras: tuple[str, ...] = ()  # ".[postgres]"
    local_paths: tuple[str, ...] = ()  # other local directories/archives it installs, as written
    problems: tuple[tuple[int, str], ...] = ()  # (line, message) for lines that were skipped


@dataclass(frozen=True)
class RequirementSet:
    """A requirements file with every include followed."""

    path: str
    requirements: tuple[Requirement, ...]
    files: tuple[str, ...]  # the file, then each -r/-c include, transitively (tree paths)
    hashes: bool
    installs_project: bool
    project_extras: tuple[str, ...]
    local_paths: tuple[str, ...]  # tree paths of local packages installed from the files
    only_include: str | None  # the file is nothing but one "-r other.txt": that file


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, content) per logical line: continuations joined, comments removed."""
    out: list[tuple[int, str]] = []
    buffer: list[str] = []
    start = 0
    size = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not buffer:
            start, size = number, 0
        line = raw
        if buffer and line.lstrip().startswith("#"):
            line = ""  # pip ends a continuation at a comment line
        size += len(line) + 1
        if line.endswith("\\") and _comment_at(line) < 0:
            if size <= MAX_LOGICAL_LINE:  # past it, the rest of the line is dropped unread
                buffer.append(line[:-1])
            continue
        buffer.append(line)
        joined = _uncomment(" ".join(buffer)[:MAX_LOGICAL_LINE])
        buffer = []
        if joined:
            out.append((start, joined))
    if buffer:
        joined = _uncomment(" ".join(buffer)[:MAX_LOGICAL_LINE])
        if joined:
            out.append((start, joined))
    return out


def parse_requirements_text(text: str, path: str) -> ParsedFile:
    """Parse a requirements file's text; bad lines become `problems`, never exceptions."""
    reqs: list[Requirement] = []
    includes: list[Include] = []
    problems: list[tuple[int, str]] = []
    local: list[str] = []
    extras: list[str] = []
    hashes = False
    project = False
    for index, (number, line) in enumerate(logical_lines(text)):
        if index == MAX_REQUIREMENT_LINES:
            problems.append(
                (number, f"more than {MAX_REQUIREMENT_LINES} requirements; the rest is not read")
            )
            break
        tokens = line.split()
        if tokens[0].startswith("-"):
            option, value = _split_option(line)
            if option == "--require-hashes":
                hashes = True
            if option in ("--requirement", "--constraint"):
                if value:
                    includes.append(Include(value, number, option == "--constraint"))
                else:
                    problems.append((number, f"'{line}' names no file"))
                continue
            if option != "--editable":
                continue  # index, find-links and other global options do not change the set
            if not value:
                problems.append((number, f"'{line}' names nothing to install"))
                continue
            spec, opts = value, ""
        else:
            spec, opts = _split_requirement(line)
        if "--hash" in opts:
            hashes = True
        result = _requirement(spec, path, number)
        if isinstance(result, str):
            problems.append((number, result))
        elif result is None:
            project = True
            extras.extend(_path_extras(spec))
        elif result.url and not _URL.match(result.url):
            local.append(result.url)
            reqs.append(result)
        else:
            reqs.append(result)
    return ParsedFile(
        requirements=tuple(reqs),
        includes=tuple(includes),
        hashes=hashes,
        installs_project=project,
        project_extras=tuple(dict.fromkeys(extras)),
        local_paths=tuple(local),
        problems=tuple(problems),
    )


def read_requirements(tree: SourceTree, path: str, diags: Diagnostics) -> RequirementSet:
    """`path` with its -r/-c includes followed (relative to the including file, inside the tree).

    Pins from -c constraint files fill `resolved` of requirements that have no pin of their own.
    Include cycles, includes leaving the repository and missing files are warnings.
    """
    files: list[str] = []
    reqs: list[Requirement] = []
    pins: dict[str, str] = {}
    local: list[str] = []
    extras: list[str] = []
    hashes = False
    project = False
    parsed_files: list[ParsedFile] = []

    def visit(current: str, constraint: bool) -> None:
        nonlocal hashes, project
        if current in files or len(files) >= MAX_FILES:
            return  # already read (an include cycle or a diamond): nothing new to learn
        files.append(current)
        parsed = parse_file(tree, current, diags)
        parsed_files.append(parsed)
        hashes = hashes or parsed.hashes
        if constraint:
            pins.update({r.name: r.resolved for r in parsed.requirements if r.resolved})
        else:
            project = project or parsed.installs_project
            extras.extend(parsed.project_extras)
            base = posixpath.dirname(current)
            local.extend(p for p in (_inside(base, lp) for lp in parsed.local_paths) if p)
        # pip reads an include where it stands: keep that order for the requirements.
        events: list[tuple[int, Requirement | Include]] = [
            *((r.line or 0, r) for r in parsed.requirements),
            *((i.line, i) for i in parsed.includes),
        ]
        for _, event in sorted(events, key=lambda e: e[0]):
            if isinstance(event, Requirement):
                if not constraint:
                    reqs.append(event)
                continue
            target = _include_target(tree, current, event, diags)
            if target is not None:
                # Whatever a constraint file includes constrains as well.
                visit(target, constraint or event.constraint)

    visit(path, False)
    first = parsed_files[0] if parsed_files else None
    reqs = [
        replace(r, resolved=pins[r.name]) if not r.resolved and r.name in pins else r for r in reqs
    ]
    only = None
    if first and not first.requirements and not first.installs_project and first.includes:
        direct = [i for i in first.includes if not i.constraint]
        if len(direct) == 1 and len(first.includes) == 1 and len(files) > 1:
            only = files[1]
    return RequirementSet(
        path=path,
        requirements=tuple(reqs),
        files=tuple(files),
        hashes=hashes,
        installs_project=project,
        project_extras=tuple(dict.fromkeys(extras)),
        local_paths=tuple(dict.fromkeys(local)),
        only_include=only,
    )


def parse_file(tree: SourceTree, path: str, diags: Diagnostics) -> ParsedFile:
    """One requirements file parsed, its bad lines reported as warnings naming file and line."""
    text = tree.read_text(path)
    if text is None:
        return ParsedFile()
    parsed = parse_requirements_text(text, path)
    for line, message in parsed.problems:
        diags.warn(f"{message}; line skipped", path, line)
    return parsed


def _include_target(tree: SourceTree, current: str, inc: Include, diags: Diagnostics) -> str | None:
    option = "-c" if inc.constraint else "-r"
    if _URL.match(inc.target):
        diags.warn(f"{option} {inc.target} is a URL; not followed", current, inc.line)
        return None
    target = _inside(posixpath.dirname(current), inc.target)
    if target is None:
        diags.warn(
            f"{option} {inc.target} points outside the repository; not followed",
            current,
            inc.line,
        )
        return None
    if not tree.is_file(target):
        diags.warn(
            f"{option} {inc.target} names a file that does not exist ({target})", current, inc.line
        )
        return None
    return target


def _inside(base: str, relative: str) -> str | None:
    """`relative` (as written in a file in `base`) as a tree path, or None if it leaves the tree."""
    if relative.startswith("file:"):
        relative = unquote(urlsplit(relative).path)
    if relative.startswith("/"):
        return None
    joined = posixpath.normpath(posixpath.join(base, relative))
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


def _split_option(line: str) -> tuple[str, str]:
    """("--requirement", "base.txt") for "-r base.txt", "-rbase.txt" or "--requirement=base.txt"."""
    head, _, rest = line.partition(" ")
    rest = rest.strip()
    if head.startswith("--"):
        name, eq, value = head.partition("=")
        if eq:
            rest = f"{value} {rest}".strip()
    elif len(head) > 2:  # "-rbase.txt"
        name, rest = head[:2], f"{head[2:]} {rest}".strip()
    else:
        name = head
    name = _VALUE_OPTIONS.get(name, name)
    if name in ("--requirement", "--constraint"):
        rest = rest.split()[0] if rest else ""
    elif name == "--editable":
        rest, _ = _split_requirement(rest) if rest else ("", "")
    return name, rest


def _split_requirement(line: str) -> tuple[str, str]:
    """The requirement and its trailing per-requirement options (pip splits at the first "-x")."""
    tokens = line.split()
    for index, token in enumerate(tokens):
        if index and token.startswith("-"):
            return " ".join(tokens[:index]), " ".join(tokens[index:])
    return line, ""


def _requirement(spec: str, path: str, line: int) -> Requirement | str | None:
    """A Requirement, None for the project itself ("." / "-e ."), or a message for a bad line."""
    try:
        req = PkgRequirement(spec)
    except InvalidRequirement as exc:
        return _url_or_path(spec, path, line, str(exc).splitlines()[0] if str(exc) else "invalid")
    except Exception as exc:  # packaging is not meant to see hostile text; never crash on it
        return f"'{_short(spec)}' could not be read ({type(exc).__name__})"
    return from_packaging(req, path, line)


def from_packaging(req: PkgRequirement, path: str, line: int | None) -> Requirement:
    """Our Requirement for a parsed one; an exact `==` pin is also its resolved version."""
    pinned = None
    specs = list(req.specifier)
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        pinned = specs[0].version
    return Requirement(
        name=canonicalize_name(req.name),
        specifier=constraints.readable(req.specifier),
        extras=tuple(sorted(req.extras)),
        marker=str(req.marker) if req.marker else None,
        url=req.url,
        file=path,
        line=line,
        resolved=pinned,
    )


def _url_or_path(spec: str, path: str, line: int, error: str) -> Requirement | str | None:
    location, marker = _split_marker(spec)
    if _URL.match(location):
        name = _name_from_location(location)
        if name is None:
            return f"'{_short(spec)}' is a URL without a package name (add #egg=name)"
        url = _EGG.sub("", location).rstrip("#")
        return Requirement(
            name=name[0], extras=name[1], marker=marker, url=url, file=path, line=line
        )
    if location.startswith((".", "/")) or "/" in location or location.endswith(_ARCHIVES):
        bare = location.split("[", 1)[0].rstrip("/")
        if bare in (".", "./", ""):
            return None
        name = _name_from_location(location)
        if name is None:
            return f"'{_short(spec)}' is not a requirement ({error})"
        return Requirement(name=name[0], marker=marker, url=bare, file=path, line=line)
    return f"'{_short(spec)}' is not a valid requirement ({error})"


_ARCHIVES = (".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz")


def _split_marker(spec: str) -> tuple[str, str | None]:
    # URLs may contain ";" themselves; pip only treats "; " after whitespace as the marker.
    match = re.search(r"\s;|;\s", spec)
    if not match:
        return spec.strip(), None
    return spec[: match.start()].strip(), spec[match.end() :].strip() or None


def _name_from_location(location: str) -> tuple[str, tuple[str, ...]] | None:
    """The distribution name (and extras) a URL or path installs: #egg=, file name, or repo name."""
    egg = _EGG.search(location)
    if egg:
        raw = unquote(egg.group(1))
        name, _, extras = raw.partition("[")
        extra_names = tuple(sorted(e.strip() for e in extras.rstrip("]").split(",") if e.strip()))
        return (canonicalize_name(name), extra_names) if _valid_name(name) else None
    tail = urlsplit(location).path if "://" in location else location
    tail = unquote(tail.split("@", 1)[0] if "+" in location.split("://")[0] else tail)
    filename = posixpath.basename(tail.split("[", 1)[0].rstrip("/"))
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[0], ()
        if filename.endswith((".tar.gz", ".zip")):
            return parse_sdist_filename(filename)[0], ()
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    stem = filename.removesuffix(".git")
    return (canonicalize_name(stem), ()) if _valid_name(stem) else None


def _valid_name(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?", name))


def _path_extras(spec: str) -> list[str]:
    """["postgres"] for ".[postgres]"."""
    if "[" not in spec:
        return []
    inside = spec.split("[", 1)[1].split("]", 1)[0]
    return [e.strip() for e in inside.split(",") if e.strip()]


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."
