"""Review a hand-written Dockerfile against the facts: say what it lacks, never rewrite it.

The file is read as Docker reads it (instructions, continuations, global ARG defaults through
`generator.refresh`'s scanner); each problem is a `Finding` naming the line to look at. The
checks are deliberately few and concrete: a Python that disagrees with the project, a runtime
library a dependency needs, collectstatic, the application server, the user, the base image tag
and the settings module.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from generator.facts import ProjectFacts, location
from generator.options import SERVERS
from generator.refresh import ImageUse, parse_reference, parse_tag, scan
from generator.refresh import instructions as logical_instructions
from generator.source import SourceTree

# Ways an entrypoint drops root before starting the server.
_PRIVILEGE_DROP = re.compile(r"\b(gosu|su-exec|setpriv|runuser|chpst)\b|--uid[= ]|\bsu\s+-")
_ROOT_USERS = {"root", "0", "0:0", "root:root"}
_MAX_SCRIPTS = 5  # entrypoint scripts read for CMD/ENTRYPOINT follow-up


@dataclass(frozen=True)
class Finding:
    """One thing a Dockerfile lacks (or does wrong) that the project calls for."""

    file: str
    line: int | None
    message: str
    severity: str = "error"  # error | warning (both make `check` fail; severity is for display)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Expected:
    """What the image should do, as decided for this project (the plan, or the facts alone)."""

    python: str | None  # "3.12" (or "3.12.7")
    python_source: str | None  # "[tool.django-dockerfile] python-version" when the user chose it
    server: str | None
    settings_module: str | None
    runtime_packages: tuple[str, ...]
    command: tuple[str, ...] | None  # the CMD we would write, as a suggestion


@dataclass(frozen=True)
class _Ins:
    keyword: str
    args: str  # everything after the keyword, continuations joined
    line: int
    stage: int  # index of the FROM this instruction belongs to (-1 before the first FROM)


def review_dockerfile(
    text: str,
    facts: ProjectFacts,
    expected: Expected,
    name: str = "Dockerfile",
    tree: SourceTree | None = None,
) -> list[Finding]:
    """Findings for a hand-written Dockerfile `text` (called `name`), in line order.

    `tree` lets the review read the entrypoint scripts CMD/ENTRYPOINT start (a
    `docker-entrypoint.sh` often runs collectstatic and execs the server).
    """
    instructions = _parse(text)
    images, _ = scan(text)
    final = max((i.stage for i in instructions), default=-1)
    final_from = next((i.line for i in instructions if i.keyword == "FROM" and i.stage == final), 1)
    last_stage = [i for i in instructions if i.stage == final]
    commands = [i for i in last_stage if i.keyword in ("CMD", "ENTRYPOINT")]
    scripts = _scripts(commands, instructions, tree)
    command_text = " ".join([*(i.args for i in commands), *scripts])
    everything = "\n".join([text, *scripts])

    findings: list[Finding] = []
    findings += _python(images, facts, expected, name)
    findings += _tags(images, expected, name)
    findings += _packages(text, last_stage, facts, expected, images, final_from, name)
    if (
        facts.collectstatic
        and not facts.remote_storage
        and facts.committed_static is None
        and "collectstatic" not in everything
    ):
        findings.append(
            Finding(
                name,
                final_from,
                "nothing runs collectstatic, but django.contrib.staticfiles is installed and "
                f"STATIC_ROOT is {facts.settings.static_root}: with DEBUG off the static files "
                "are not served; add `RUN python manage.py collectstatic --noinput` after the "
                "source is copied",
            )
        )
    findings += _server(commands, command_text, facts, expected, final_from, name)
    findings += _user(last_stage, command_text, final_from, name)
    findings += _settings(last_stage, everything, facts, expected, final_from, name)
    return sorted(findings, key=lambda f: (f.line or 0, f.message))


# --- reading ----------------------------------------------------------------------------------


def _parse(text: str) -> list[_Ins]:
    out: list[_Ins] = []
    stage = -1
    for logical in logical_instructions(text):
        keyword, _, args = logical.text.strip().lstrip("\ufeff").partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        out.append(_Ins(keyword, args.strip(), logical.line, stage))
    return out


def _argv(args: str) -> list[str]:
    """CMD/ENTRYPOINT arguments: exec form (JSON) or shell form."""
    if args.startswith("["):
        try:
            value = json.loads(args)
            if isinstance(value, list):
                return [str(v) for v in value]
        except ValueError:
            pass
    try:
        return shlex.split(args)
    except ValueError:
        return args.split()


def _scripts(commands: list[_Ins], instructions: list[_Ins], tree: SourceTree | None) -> list[str]:
    """The text of scripts in the repository that CMD/ENTRYPOINT run, found through the COPY
    lines that put them in the image (or by their path or name in the repository)."""
    if tree is None:
        return []
    copies: list[tuple[str, str]] = []  # (source in the repository, destination in the image)
    for ins in instructions:
        if ins.keyword not in ("COPY", "ADD") or "--from" in ins.args:
            continue
        words = [w for w in _argv(ins.args) if not w.startswith("--")]
        copies.extend((_relative(src), words[-1]) for src in words[:-1])
    texts: list[str] = []
    seen: set[str] = set()
    for ins in commands:
        for word in _argv(ins.args):
            if "/" not in word and not word.endswith((".sh", ".bash")):
                continue
            for path in _script_paths(word, copies):
                if not path or path in seen or len(texts) >= _MAX_SCRIPTS:
                    continue
                seen.add(path)
                content = tree.read_text(path)
                if content is not None:
                    texts.append(content)
                    break
    return texts


def _script_paths(word: str, copies: list[tuple[str, str]]) -> list[str]:
    """Where in the repository the file the image knows as `word` may come from."""
    base = word.rsplit("/", 1)[-1]
    paths: list[str] = []
    for src, dest in copies:
        dest = dest.rstrip("/")
        if word == dest:
            paths.append(src)
        elif dest and word.startswith(dest + "/"):
            rest = word[len(dest) + 1 :]
            paths.append(f"{src}/{rest}" if src else rest)
        elif src.rsplit("/", 1)[-1] == base:
            paths.append(src)
    return [*paths, _relative(word), base]


def _relative(path: str) -> str:
    """`./a/b`, `/a/b` -> `a/b`; `.` -> `` (the repository root)."""
    while path.startswith(("./", "/")):
        path = path[2:] if path.startswith("./") else path[1:]
    return "" if path == "." else path.rstrip("/")


# --- the checks -------------------------------------------------------------------------------


def _admits(specifier: str, minor: str) -> bool:
    """True when some patch release of `minor` satisfies `specifier` (">=3.12.4" admits 3.12)."""
    try:
        spec = SpecifierSet(specifier)
    except InvalidSpecifier:
        return True
    return any(spec.contains(f"{minor}.{p}", prereleases=True) for p in range(0, 40))


def _version_line(use: ImageUse) -> int:
    """The line that spells the tag's version: the ARG default when a variable supplies it."""
    ref = parse_reference(use.image or "")
    at = len(ref.name) + 1
    pos = 0
    for seg in use.segments:
        end = pos + len(seg.text)
        if pos <= at < end and seg.var is not None and seg.span is not None:
            return seg.span.line
        pos = end
    return use.line


def _python(
    images: list[ImageUse], facts: ProjectFacts, expected: Expected, name: str
) -> list[Finding]:
    choice = facts.python
    findings: list[Finding] = []
    seen: set[tuple[int, str]] = set()
    for use in images:
        if use.kind != "python":
            continue
        ref = parse_reference(use.image or "")
        tag = parse_tag(ref.tag) if ref.tag else None
        if tag is None:
            continue  # no version at all: the `latest` check speaks for it
        line = _version_line(use)
        if tag.minor is None:
            if expected.python:
                findings.append(
                    Finding(
                        name,
                        line,
                        f"python:{ref.tag} floats to whichever Python {tag.dotted} is newest, but "
                        f"the project uses {_minor(expected.python)} "
                        f"({expected.python_source or (choice and choice.source)}); pin "
                        f"python:{_minor(expected.python)}-{tag.variant or 'slim'}",
                        "warning",
                    )
                )
            continue
        minor = f"{tag.minor[0]}.{tag.minor[1]}"
        if (line, minor) in seen:
            continue
        seen.add((line, minor))
        reason = _python_disagreement(minor, facts, expected)
        if reason:
            findings.append(Finding(name, line, f"uses Python {minor} but {reason}"))
    return findings


def _python_disagreement(minor: str, facts: ProjectFacts, expected: Expected) -> str | None:
    """Why Python `minor` is wrong for the project, naming where the project says so; or None."""
    if expected.python_source and expected.python:
        want = _minor(expected.python)
        return None if want == minor else f"{expected.python_source} says {expected.python}"
    choice = facts.python
    if choice is None:
        return None
    pins = [c for c in choice.candidates if c.exact]
    if pins:
        want = _minor(choice.version)
        if want == minor:
            return None
        pin = next((p for p in pins if location(p.file, p.line) == choice.source), pins[0])
        return f"{location(pin.file, pin.line)} says {pin.value}"
    for source in choice.candidates:
        if not _admits(source.specifier, minor):
            return f"{location(source.file, source.line)} requires Python {source.value}"
    django = facts.django_version
    if django is not None and django.resolved:
        from generator.detect.python_version import django_supported_pythons

        try:
            supported = django_supported_pythons(django.resolved)
        except ValueError:
            return None
        if not _admits(str(supported), minor):
            where = f" ({django.source})" if django.source else ""
            return f"Django {django.resolved}{where} supports Python {supported}"
    return None


def _tags(images: list[ImageUse], expected: Expected, name: str) -> list[Finding]:
    pin = f"python:{_minor(expected.python)}-slim" if expected.python else "python:3.12-slim"
    findings: list[Finding] = []
    for use in images:
        if use.kind not in ("python", "node", "other"):
            continue
        ref = parse_reference(use.image or "")
        if ref.digest is not None and ref.tag in (None, "latest"):
            continue  # a digest pins the image whatever the tag says
        if ref.tag is None or ref.tag == "latest":
            how = "has no tag, so Docker uses `latest`" if ref.tag is None else "uses `latest`"
            findings.append(
                Finding(
                    name,
                    use.line,
                    f"FROM {use.image} {how}, which moves to new releases (even a new Python) "
                    f"without the file changing; pin a version such as {pin}",
                    "warning",
                )
            )
    return findings


def _present(name: str, text: str) -> bool:
    # Package names hold [a-z0-9+.-]; a name must not match inside a longer one (libpq5 in libpq5-dev).
    for candidate in dict.fromkeys((name, re.sub(r"[0-9.]+\Z", "", name))):
        if candidate and re.search(rf"(?<![\w.+-]){re.escape(candidate)}(?![\w.+-])", text):
            return True
    return False


def _packages(
    text: str,
    last_stage: list[_Ins],
    facts: ProjectFacts,
    expected: Expected,
    images: list[ImageUse],
    final_from: int,
    name: str,
) -> list[Finding]:
    final_text = "\n".join(i.args for i in last_stage if i.keyword == "RUN")
    installs = [
        i.line
        for i in last_stage
        if i.keyword == "RUN" and re.search(r"\b(apt-get|apt|apk|dnf|yum|microdnf)\b", i.args)
    ]
    line = installs[-1] if installs else final_from
    full_image = _final_is_full_python(images)
    findings: list[Finding] = []
    for package in expected.runtime_packages:
        if _present(package, text):
            continue
        reasons = [p for p in facts.system_packages if p.name == package]
        because = reasons[0].because if reasons else "[tool.django-dockerfile] apt-runtime"
        # A -dev package installed in the final stage depends on the library, so it is there.
        dev = [
            p.name
            for p in facts.system_packages
            if p.stage == "build" and p.because == because and p.name.endswith("-dev")
        ]
        if any(_present(d, final_text) for d in dev):
            continue
        message = (
            f"{because} needs the system package {package} at run time, but no install line "
            "names it"
        )
        if full_image:
            message += " (the full python image ships many libraries: check it has this one)"
        else:
            message += "; add it to the apt-get install of the final stage"
        findings.append(Finding(name, line, message, "warning" if full_image else "error"))
    return findings


def _final_is_full_python(images: list[ImageUse]) -> bool:
    """The final stage is a non-slim, non-alpine python image (buildpack-deps: libraries included)."""
    real = [u for u in images if u.kind != "stage"]
    if not images or images[-1].kind != "python" or not real:
        return False
    tag = parse_tag(parse_reference(images[-1].image or "").tag or "")
    return tag is not None and "slim" not in tag.variant and "alpine" not in tag.variant


def _server(
    commands: list[_Ins],
    command_text: str,
    facts: ProjectFacts,
    expected: Expected,
    final_from: int,
    name: str,
) -> list[Finding]:
    server = expected.server
    suggestion = ""
    if expected.command:
        suggestion = f", e.g. CMD {json.dumps(list(expected.command))}"
    runserver = [i for i in commands if "runserver" in i.args]
    if runserver or (not commands and "runserver" in command_text):
        line = runserver[0].line if runserver else final_from
        what = server or "an application server such as gunicorn"
        return [
            Finding(
                name,
                line,
                "the image starts `manage.py runserver`, Django's development server, which is "
                f"not made for production (Django's docs say so); run {what} instead{suggestion}",
            )
        ]
    if server is None:
        return []
    if not commands:
        return [
            Finding(
                name,
                final_from,
                f"no CMD or ENTRYPOINT in the final stage, so the image does not start {server}"
                f"{suggestion}",
                "warning",
            )
        ]
    if re.search(rf"\b{re.escape(server)}\b", command_text):
        return []
    if not facts.server_declared and any(re.search(rf"\b{s}\b", command_text) for s in SERVERS):
        return []  # the project names no server; the one the file starts is as good as ours
    why = "the project depends on it" if facts.server_declared else "the project needs one"
    if facts.asgi_required:
        why = "the project serves websockets/async views through ASGI"
    return [
        Finding(
            name,
            commands[-1].line,
            f"CMD/ENTRYPOINT does not start {server} ({why}){suggestion}",
        )
    ]


def _user(last_stage: list[_Ins], command_text: str, final_from: int, name: str) -> list[Finding]:
    users = [i for i in last_stage if i.keyword == "USER"]
    if _PRIVILEGE_DROP.search(command_text):
        return []  # the entrypoint switches to another user itself
    if not users:
        return [
            Finding(
                name,
                final_from,
                "the image runs as root (no USER in the final stage): a hole in the app becomes "
                "root in the container; create a user with a fixed UID and add `USER 10001`",
                "warning",
            )
        ]
    last = users[-1]
    if last.args.strip("\"' ") in _ROOT_USERS:
        return [
            Finding(
                name,
                last.line,
                f"USER {last.args}: the server runs as root; switch to an unprivileged user",
                "warning",
            )
        ]
    return []


_ENV_PAIR = re.compile(r"""(?<!\w)DJANGO_SETTINGS_MODULE(?:=|\s+)(["']?)([^\s"']*)\1""")


def _settings(
    last_stage: Sequence[_Ins],
    everything: str,
    facts: ProjectFacts,
    expected: Expected,
    final_from: int,
    name: str,
) -> list[Finding]:
    want = expected.settings_module
    if want is None:
        return []
    # Only the final stage's ENV reaches the running container.
    for ins in reversed(last_stage):
        m = _ENV_PAIR.search(ins.args) if ins.keyword == "ENV" else None
        if m is None:
            continue
        value = m.group(2)
        if not value or "$" in value or value == want:
            return []
        return [
            Finding(
                name,
                ins.line,
                f"DJANGO_SETTINGS_MODULE is {value}, but the production settings module is "
                f"{want}{_settings_where(facts, want)}",
            )
        ]
    if "DJANGO_SETTINGS_MODULE" in everything or "--settings" in everything:
        return []  # set in a script or on the command line: trust it
    default = facts.settings.settings_module
    if default == want:
        return []
    uses = f"manage.py's default, {default}" if default else "no settings module at all"
    return [
        Finding(
            name,
            final_from,
            f"DJANGO_SETTINGS_MODULE is not set, so the image uses {uses}; the production "
            f"settings module is {want}{_settings_where(facts, want)}: add "
            f"`ENV DJANGO_SETTINGS_MODULE={want}`",
        )
    ]


def _settings_where(facts: ProjectFacts, module: str) -> str:
    path = module.replace(".", "/")
    for file in facts.settings.settings_files:
        if file.endswith((f"{path}.py", f"{path}/__init__.py")):
            return f" ({file})"
    return ""


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _where(file: str, line: int | None) -> str:
    return f"{file}:{line}" if line else file
