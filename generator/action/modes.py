"""The action's modes: generate, check and refresh, each returning an Outcome to report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from generator import markdown as md
from generator.action.inputs import ActionInputs
from generator.action.workspace import chown, project_rel, repo_path, workspace_owner
from generator.facts import Diagnostic, ProjectFacts
from generator.guard import UnsafePath, inside
from generator.summary import FileReport


@dataclass
class Outcome:
    """What a mode did, for outputs, the summary and the pull request."""

    facts: ProjectFacts | None
    files: list[FileReport] = field(default_factory=list)
    proposed: dict[str, str] = field(default_factory=dict)  # repo path -> text for the PR
    decisions: tuple = ()
    warnings: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    findings: list[Any] = field(default_factory=list)  # generator.review.Finding, repo paths
    failed: str | None = None  # why the step fails (stale files in check mode, no plan, ...)
    django: bool | None = None  # set when it is known without facts (planning failed)
    python_version: str | None = None  # what the image uses, when a plan chose it
    title: str | None = None  # the pull request title naming the change, when there is one
    drift: bool = False  # check mode: `failed` says the files drifted (fail-on-drift decides)


def default_core() -> Any:
    """The generator's entry points the modes call: generate, write_files and check."""
    # Imported late: the action must report input errors cheaply.
    from types import SimpleNamespace

    from generator import check, core

    return SimpleNamespace(generate=core.generate, write_files=core.write_files, check=check.check)


def _files(outcome: Outcome, inputs: ActionInputs, results: list[Any]) -> None:
    """Record what generate wrote, giving new files to the workspace owner."""
    owner = workspace_owner(inputs.workspace)
    for r in results:
        outcome.files.append(
            FileReport(repo_path(r.path, inputs), r.status, r.reason or "", r.diff or "")
        )
        if r.status in ("created", "updated"):
            chown(inputs.root / r.path, inputs.workspace, owner)


def _planned(generated: Any) -> Outcome:
    # The plan's Python is the one in FROM (python-version input or detection, to the patch).
    python = getattr(generated.plan, "python_version", None)
    return Outcome(generated.facts, decisions=tuple(generated.decisions), python_version=python)


def _generate(inputs: ActionInputs, core: Any, options: Any, registry: Any) -> Outcome:
    generated = core.generate(inputs.root, options)
    outcome = _planned(generated)
    if not generated.facts.django:
        return outcome
    results = core.write_files(inputs.root, generated, overwrite=inputs.overwrite)
    _files(outcome, inputs, results)
    for r in results:
        if r.status != "skipped":
            # Unchanged files are proposed too: they cost nothing when the base already has them.
            outcome.proposed[repo_path(r.path, inputs)] = generated.files[r.path]
    return outcome


def _check(inputs: ActionInputs, core: Any, options: Any, registry: Any) -> Outcome:
    """Compare the committed files with what generate would write now (generator.check).

    Nothing is written. The patch release and digest `refresh` moves are not drift; a
    hand-written Dockerfile is reviewed (findings), never diffed.
    """
    generated = core.generate(inputs.root, options)
    outcome = _planned(generated)
    if not generated.facts.django:
        return outcome
    result = core.check(inputs.root, options, generated)
    project = project_rel(inputs)
    for name in generated.files:
        rel = repo_path(name, inputs)
        diff = result.diffs.get(name, "")
        if name in result.missing:
            report = FileReport(rel, "missing", "mode: generate would create it", diff)
        elif diff:
            report = FileReport(rel, "outdated", "no longer matches the project", diff)
        elif name == options.dockerfile and result.handwritten:
            mine = [f for f in result.findings if f.file == name]
            why = f"{len(mine)} finding(s) below" if mine else "has what the project needs"
            report = FileReport(rel, "reviewed", f"hand-written, never rewritten: {why}")
        else:
            report = FileReport(rel, "unchanged", "matches the project")
        outcome.files.append(report)
    for finding in result.findings:
        # The review's advice names the CLI; in a workflow this action is the other way.
        message = finding.message.replace(
            "`django-dockerfile PATH`",
            f"`django-dockerfile {project}` (or this action with mode: generate)",
        )
        outcome.findings.append(
            replace(finding, file=repo_path(finding.file, inputs), message=message)
        )
    outcome.notes += [md.text(note) for note in result.notes]
    if inputs.create_pull_request:
        outcome.notes.append(
            "create-pull-request does nothing in check mode; run the action with mode: "
            "generate to propose the up-to-date files"
        )
    problems = []
    if result.diffs:
        names = ", ".join(repo_path(n, inputs) for n in result.diffs)
        problems.append(
            f"{names} no longer match the project (diff in the job summary); run "
            "django-dockerfile, or this action with mode: generate, and commit the result"
        )
    if result.findings:
        problems.append(
            f"{len(result.findings)} thing(s) the project needs are missing from the "
            "hand-written files (annotated at their lines, listed in the job summary)"
        )
    if problems:
        outcome.failed = "; ".join(problems)
        outcome.drift = True
    return outcome


def _refresh(inputs: ActionInputs, core: Any, options: Any, registry: Any) -> Outcome:
    """Move the base images of the committed Dockerfiles (and Compose files) to the newest
    releases: `dockerfile`, or every file `refresh-files` names. One pull request for all."""
    from generator.detect import detect_path
    from generator.refresh import title_for
    from generator.registry import RegistryClient

    outcome = Outcome(detect_path(inputs.root))
    if not outcome.facts.django:
        return outcome
    names = [options.dockerfile]
    if inputs.refresh_files:
        names, unmatched = _matching(inputs, inputs.refresh_files)
        outcome.warnings += [
            Diagnostic(f"Input 'refresh-files': {pattern!r} matches no file; nothing refreshed")
            for pattern in unmatched
        ]
        if not names:
            outcome.failed = "refresh-files names no file to refresh"
            return outcome
    client = registry or _registry_client(inputs, RegistryClient)
    changes: list[Any] = []
    for name in names:
        changes += _refresh_one(inputs, outcome, client, name)
        if outcome.failed:
            return outcome
    if changes:
        outcome.title = title_for(changes)
    return outcome


def _matching(inputs: ActionInputs, patterns: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """The files under the project the patterns match (project-relative, sorted, each once),
    and the patterns that matched none. Symlinks leaving the workspace are not followed."""
    found: dict[str, None] = {}
    unmatched = []
    for pattern in patterns:
        hits = [
            p
            for p in sorted(inputs.root.glob(pattern))
            if p.is_file() and p.resolve().is_relative_to(inputs.workspace)
        ]
        if not hits:
            unmatched.append(pattern)
        for p in hits:
            found[p.relative_to(inputs.root).as_posix()] = None
    return list(found), unmatched


def _refresh_one(inputs: ActionInputs, outcome: Outcome, client: Any, name: str) -> list[Any]:
    """Refresh one file into `outcome` (written, reported, proposed); its changes."""
    from generator.refresh import refresh_dockerfile
    from generator.registry import RegistryError
    from generator.write import unified_diff

    rel = repo_path(name, inputs)
    try:
        result = refresh_dockerfile(
            inputs.root,
            name,
            client,
            allow_minor=inputs.allow_minor,
            pin_digest=inputs.pin_digest,
            min_age_days=inputs.min_age_days,
        )
    except FileNotFoundError:
        outcome.failed = f"{rel} does not exist: run this action with mode: generate first"
        return []
    except UnsafePath as exc:
        outcome.failed = str(exc)
        return []
    except RegistryError as exc:
        outcome.failed = f"the image registry could not be read: {exc}"
        return []
    outcome.warnings += [Diagnostic(w, rel) for w in result.warnings]
    outcome.notes += [f"{md.code(rel)}: {c.describe()}" for c in result.changes]
    outcome.notes += [f"{md.code(rel)}: {md.text(note)}" for note in result.notes]
    # Proposed even when unchanged: when the base branch has it, an open refresh PR is stale.
    outcome.proposed[rel] = result.new_text
    if not result.changed:
        outcome.files.append(FileReport(rel, "unchanged", "the base images are current"))
        return []
    target = inside(inputs.root, name, "dockerfile")
    old = target.read_bytes().decode("utf-8", "surrogateescape")
    target.write_bytes(result.new_text.encode("utf-8", "surrogateescape"))
    chown(target, inputs.workspace, workspace_owner(inputs.workspace))
    diff = unified_diff(rel, old, result.new_text)
    outcome.files.append(FileReport(rel, "updated", f"{len(result.changes)} change(s)", diff))
    return list(result.changes)


def _registry_client(inputs: ActionInputs, client: Any) -> Any:
    """Docker Hub by default; a mirror lists the tags through its v2 API (as the CLI's --registry)."""
    username, password, token = inputs.registry_login
    login = {"username": username or None, "password": password or None, "bearer": token or None}
    if inputs.registry:
        return client(registry=inputs.registry, hub=None, **login)
    return client(**login)


MODE_RUNNERS: dict[str, Callable[[ActionInputs, Any, Any, Any], Outcome]] = {
    "generate": _generate,
    "check": _check,
    "refresh": _refresh,
}
