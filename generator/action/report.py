"""What the action tells the user: annotations, outputs, the job summary's links."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from actions_toolkit import core as gha
from actions_toolkit.command import issue_command

from generator import markdown as md
from generator.action.inputs import ActionInputs
from generator.facts import ProjectFacts


def annotate(kind: str, message: str, file: str | None = None, line: int | None = None) -> None:
    """An annotation pointing at file:line (toolkit's helper would print empty properties)."""
    props: dict[str, Any] = {}
    if file:
        props["file"] = file
        if line:
            props["line"] = line
    issue_command(kind, props, message)


# GitHub shows at most 10 annotations of each kind (error, warning, notice) per step and drops
# the rest without a word; past that, one annotation of the kind says where the others are.
ANNOTATION_LIMIT = 10


class Annotations:
    """Annotations collected during a run, printed at the end within GitHub's per-kind limit."""

    def __init__(self, limit: int = ANNOTATION_LIMIT) -> None:
        self.limit = limit
        self.items: list[tuple[str, str, str | None, int | None, bool]] = []

    def add(
        self,
        kind: str,
        message: str,
        file: str | None = None,
        line: int | None = None,
        keep: bool = False,
    ) -> None:
        """Queue one annotation; `keep` ones (why the step failed) are never dropped."""
        self.items.append((kind, message, file, line, keep))

    def flush(self) -> None:
        """Print the queued annotations: per kind the `keep` ones and the first others."""
        cut: set[int] = set()
        overflow: dict[str, int] = {}
        for kind in dict.fromkeys(item[0] for item in self.items):
            mine = [item for item in self.items if item[0] == kind]
            if len(mine) <= self.limit:
                continue
            # One slot is the note; the `keep` ones always show, then the others in order.
            room = max(self.limit - 1 - sum(item[4] for item in mine), 0)
            dropped = [item for item in mine if not item[4]][room:]
            overflow[kind] = len(dropped)
            cut.update(id(item) for item in dropped)
        for item in self.items:
            if id(item) not in cut:
                annotate(*item[:4])
        for kind, count in overflow.items():
            plural = {"error": "errors", "warning": "warnings", "notice": "notices"}.get(kind, kind)
            annotate(
                kind,
                f"{count} more {plural} are not annotated (GitHub shows {self.limit} per step); "
                "the job summary lists them all",
            )
        self.items = []


def linker(
    inputs: ActionInputs, env: Mapping[str, str], ref: str | None = None
) -> Callable[[str, int | None], str | None]:
    """file, line -> a link to it at `ref` (default: the commit this run checked out).

    None outside a run. The pull request body links to its branch instead: a SHA there would
    change the body, and so edit the pull request, on every push to the base branch.
    """
    server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    ref = ref or env.get("GITHUB_SHA")
    if not inputs.repository or not ref:
        return lambda file, line: None
    # The path is the repository's: percent-encoded, so no `)` or space ends the link early.
    return lambda file, line: (
        f"{server}/{inputs.repository}/blob/{md.url_path(ref)}/{md.url_path(file)}"
        + (f"#L{int(line)}" if line else "")
    )


def append_summary(text: str, env: Mapping[str, str]) -> None:
    """Append markdown to the job summary, when the runner gave us one."""
    path = env.get("GITHUB_STEP_SUMMARY")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)


def set_outputs(values: Mapping[str, object]) -> None:
    """Write step outputs; booleans as GitHub expressions compare them (true/false)."""
    for name, value in values.items():
        gha.set_output(name, value if isinstance(value, str) else str(value).lower())


def finding_note(finding: Any, link: Callable[[str, int | None], str | None]) -> str:
    """A review finding for the job summary: severity, the linked file:line, the advice."""
    label = f"{finding.file}:{finding.line}" if finding.line else finding.file
    where = md.link(md.code(label), link(finding.file, finding.line))
    return f"**{md.text(finding.severity)}** {where}: {md.text(finding.message)}"


def django_version(facts: ProjectFacts | None) -> str:
    """The Django version for the output: the resolved one when known, else the specifier."""
    if not facts or not facts.django_version:
        return ""
    return facts.django_version.resolved or facts.django_version.spec or ""
