"""Drift check: does the committed Dockerfile (and .dockerignore) still fit the project?

A generated file (it carries the header mark) is compared with what generating now would write,
so a moved `.python-version`, a dependency that now needs a system library or a new settings
module shows up as a unified diff. Differences that are not drift are tolerated: the tool version
in the header, and the Python patch release or digest of the base image, which `refresh` moves on
its own schedule (same minor, same variant). A hand-written Dockerfile is never diffed against
ours: `generator.review` says what it lacks instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from generator.core import Generated, generate, is_generated
from generator.guard import inside
from generator.options import Options
from generator.refresh import scan
from generator.render import HEADER_MARK
from generator.review import Expected, Finding, review_dockerfile
from generator.source import LocalTree
from generator.write import unified_diff

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_NOT_DJANGO = 2
EXIT_DRIFT = 42  # as dockerfile-rails' check mode: distinct from any error a shell step gives

__all__ = ["EXIT_DRIFT", "EXIT_NOT_DJANGO", "EXIT_OK", "CheckResult", "Finding", "check"]


@dataclass(frozen=True)
class CheckResult:
    """What `check` found. `drift` is true for any diff or finding (exit status 42)."""

    drift: bool
    diffs: dict[str, str]  # relative path -> unified diff from the committed file to ours
    findings: list[Finding]
    handwritten: bool  # the Dockerfile has no header mark: reviewed, not diffed
    django: bool = True
    reason: str = ""  # detection's reason, e.g. why this is not a Django project
    missing: list[str] = field(default_factory=list)  # files generate would create (diffs too)
    notes: list[str] = field(default_factory=list)  # tolerated differences, for the log

    @property
    def exit_code(self) -> int:
        if not self.django:
            return EXIT_NOT_DJANGO
        return EXIT_DRIFT if self.drift else EXIT_OK


def check(
    root: Path, options: Options | None = None, generated: Generated | None = None
) -> CheckResult:
    """Regenerate the project under ROOT in memory and compare with its committed files.

    `generated` is what `generate(root, options)` gave, when the caller has it already.
    Nothing is written. Raises generator.plan.PlanError when no Dockerfile can be planned, and
    generator.guard.UnsafePath when a file option leaves ROOT or names no regular file.
    """
    options = options or Options()
    generated = generated or generate(Path(root), options)
    if generated.plan is None:
        return CheckResult(False, {}, [], False, django=False, reason=generated.facts.reason)
    for name, option in (
        (options.dockerfile, "dockerfile"),
        (options.dockerignore, "dockerignore"),
    ):
        inside(Path(root), name, option)  # UnsafePath: outside the root, a directory, a FIFO
    tree = LocalTree(root)
    diffs: dict[str, str] = {}
    findings: list[Finding] = []
    notes: list[str] = []
    missing: list[str] = []
    handwritten = False
    dockerfile_ours = True
    # The Dockerfile first: whether it is ours decides how a missing .dockerignore is reported.
    for name in sorted(generated.files, key=lambda n: n != options.dockerfile):
        ours = generated.files[name]
        committed = tree.read_text(name)
        is_dockerfile = name == options.dockerfile
        if committed is None:
            if not is_dockerfile and not dockerfile_ours:
                findings.append(_no_dockerignore(name))
                continue
            diffs[name] = unified_diff(name, None, ours)
            missing.append(name)
            continue
        committed = committed.replace("\r\n", "\n")
        if not is_generated(committed):
            if is_dockerfile:
                handwritten, dockerfile_ours = True, False
                findings.extend(
                    review_dockerfile(
                        committed, generated.facts, _expected(generated, options), name, tree
                    )
                )
            # A hand-written .dockerignore is the user's: nothing to compare it with.
            continue
        adopted, tolerated = _adopt(committed, ours)
        notes.extend(f"{name}: {note}" for note in tolerated)
        if adopted != committed:
            diffs[name] = unified_diff(name, committed, adopted)
    return CheckResult(
        bool(diffs or findings), diffs, findings, handwritten, missing=missing, notes=notes
    )


def _expected(generated: Generated, options: Options) -> Expected:
    facts, plan = generated.facts, generated.plan
    assert plan is not None
    runtime = tuple(dict.fromkeys((*facts.packages("runtime"), *options.apt_runtime)))
    return Expected(
        python=options.python_version or (facts.python.version if facts.python else None),
        python_source=(
            "[tool.django-dockerfile] python-version" if options.python_version else None
        ),
        server=plan.server,
        settings_module=plan.settings_module,
        runtime_packages=runtime,
        command=plan.cmd,
    )


def _no_dockerignore(name: str) -> Finding:
    return Finding(
        name,
        None,
        f"missing: the build context carries .git, .env files and local databases into "
        f"`COPY .`; run `django-dockerfile PATH`, which writes {name} and keeps your Dockerfile",
        "warning",
    )


# --- comparing a generated file ---------------------------------------------------------------

_TOOL_VERSION = re.compile(rf"({re.escape(HEADER_MARK)}) \S+?(?=[;\s(]|$)")
_PATCH = re.compile(r"(?<![\w.])([0-9]+\.[0-9]+)\.[0-9]+(?![\w.])")
_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}")


def _masks(text: str) -> dict[int, str]:
    """Line index -> the line with what `check` tolerates masked out.

    Masked: the tool version after the header mark; on the lines that spell a python base image
    (its FROM and the global ARG default it uses) and on comment lines, the patch release and the
    digest — `refresh` moves those, and the data table's newest patch changes with the tool.
    """
    lines = text.split("\n")
    image_lines: set[int] = set()
    images, _ = scan(text)
    for use in images:
        if use.kind != "python":
            continue
        image_lines.add(use.line - 1)
        image_lines.update(s.span.line - 1 for s in use.segments if s.var and s.span)
    masked: dict[int, str] = {}
    for index, line in enumerate(lines):
        new = _TOOL_VERSION.sub(r"\1 *", line) if HEADER_MARK in line else line
        if index in image_lines or line.lstrip().startswith("#"):
            new = _DIGEST.sub("", _PATCH.sub(r"\1.*", new))
        if new != line or index in image_lines:
            masked[index] = new
    return masked


def _adopt(committed: str, ours: str) -> tuple[str, list[str]]:
    """`ours` with each tolerated line replaced by the committed line it equals once masked.

    Returns the adopted text (equal to `committed` when nothing drifted) and a note per tolerated
    difference.
    """
    theirs = committed.split("\n")
    by_mask: dict[str, str] = {}
    for index, masked in _masks(committed).items():
        by_mask.setdefault(masked, theirs[index])
    lines = ours.split("\n")
    notes: list[str] = []
    for index, masked in _masks(ours).items():
        original = by_mask.get(masked)
        if original is not None and original != lines[index]:
            if HEADER_MARK not in original:
                notes.append(
                    f"`{original.strip()}` differs from ours (`{lines[index].strip()}`) only in "
                    "the Python patch release or digest, which refresh maintains: not drift"
                )
            lines[index] = original
    return "\n".join(lines), notes
