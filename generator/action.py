"""The GitHub Action front door: inputs from INPUT_* variables, outputs, job summary, pull request.

GitHub runs the action's container as root with the checkout mounted at GITHUB_WORKSPACE; inputs
arrive as `INPUT_<NAME>` with hyphens kept, which is why they are read here and not in a shell.
Every bad input is reported as an `::error::` naming the input and what it accepts, never a
traceback.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import traceback
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from actions_toolkit import core as gha
from actions_toolkit.command import issue_command

from generator.facts import Diagnostic, Diagnostics, ProjectFacts
from generator.publish import (
    DEFAULT_AUTHOR,
    DEFAULT_BRANCH,
    PublishError,
    PublishResult,
    parse_identity,
)
from generator.summary import FileReport, RunReport, job_summary, pr_body

MODES = ("generate", "refresh", "check")
OVERWRITE = ("never", "generated", "always")
# Input name -> default when the variable is absent (action.yml supplies the same defaults).
DEFAULTS: dict[str, str] = {
    "path": ".",
    "dockerfile": "Dockerfile",
    "dockerignore": ".dockerignore",
    "python-version": "",
    "profile": "production",
    "server": "",
    "settings-module": "",
    "project-dir": "",
    "overwrite": "generated",
    "mode": "generate",
    "create-pull-request": "false",
    "github-token": "",
    "branch": DEFAULT_BRANCH,
    "base": "",
    "commit-message": "",
    "pr-title": "",
    "pr-body": "",
    "labels": "",
    "assignees": "",
    "reviewers": "",
    "draft": "false",
    "fail-if-not-django": "false",
    "author": DEFAULT_AUTHOR,
    "allow-minor": "false",
    "pin-digest": "false",
    "registry": "",
}
# Input name -> Options field (validated by generator.options, whose flags share these names).
OPTION_INPUTS = {
    "python-version": "python_version",
    "profile": "profile",
    "server": "server",
    "settings-module": "settings_module",
    "project-dir": "project_dir",
    "dockerfile": "dockerfile",
    "dockerignore": "dockerignore",
}
# Check mode proposes nothing (it fails on drift; mode: generate brings the files up to date).
TITLES = {
    "generate": "Add a production Dockerfile for the Django project",
    "refresh": "Refresh the Python base image",
}
INTROS = {
    "generate": (
        "This pull request adds a Dockerfile and .dockerignore for the Django project, written "
        "by django-dockerfile from the repository's own files. Each line is explained below."
    ),
    "refresh": "This pull request moves the Python base image to the newest matching release.",
}
REFRESH_ONLY = ("allow-minor", "pin-digest", "registry")
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
_TEAM = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9_.-]{1,100}$")
_BAD_REF = re.compile(r"(^[-/.]|/$|\.$|\.lock$|\.\.|//|@\{|[\x00-\x20\x7f~^:?*\[\\])")


class InputError(Exception):
    """One input that cannot be used; `str()` names the input and what it accepts."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"Input '{name}': {message}")
        self.name = name


@dataclass(frozen=True)
class ActionInputs:
    workspace: Path  # resolved
    root: Path  # the project directory, resolved, inside the workspace
    options: dict[str, str]  # Options field -> value, only the inputs that were given
    overwrite: str
    mode: str
    create_pull_request: bool
    token: str
    branch: str
    base: str | None
    commit_message: str
    pr_title: str
    pr_body: str
    labels: tuple[str, ...]
    assignees: tuple[str, ...]
    reviewers: tuple[str, ...]
    draft: bool
    fail_if_not_django: bool
    author: str
    repository: str | None  # owner/name from GITHUB_REPOSITORY
    allow_minor: bool  # refresh: may move to a newer Python minor the project allows
    pin_digest: bool  # refresh: add @sha256 digests to the python base images
    registry: str | None  # refresh: registry v2 base URL (a mirror); None: Docker Hub


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


# --- inputs ----------------------------------------------------------------------------------


def _input(name: str) -> str:
    if f"INPUT_{name.upper()}" not in os.environ:
        return DEFAULTS[name]
    return gha.get_input(name)


def _boolean(name: str) -> bool:
    if not os.environ.get(f"INPUT_{name.upper()}", "").strip():
        return DEFAULTS[name] == "true"
    try:
        return gha.get_boolean_input(name)
    except TypeError:
        # The toolkit accepts YAML 1.2 core booleans only; say which ones.
        raise InputError(
            name, f"{_input(name)!r} is not a boolean; use true or false (True, TRUE, False, FALSE)"
        ) from None


def _choice(name: str, allowed: tuple[str, ...]) -> str:
    value = _input(name) or DEFAULTS[name]
    if value not in allowed:
        raise InputError(name, f"{value!r} is not one of: {', '.join(allowed)}")
    return value


def _items(name: str) -> list[str]:
    """A comma- or newline-separated list input, blanks dropped."""
    raw = _input(name)
    return [item.strip() for item in re.split(r"[,\n]", raw) if item.strip()]


def _people(name: str, teams: bool) -> tuple[str, ...]:
    out = []
    for item in _items(name):
        login = item.removeprefix("@")
        if _LOGIN.match(login) or (teams and _TEAM.match(login)):
            out.append(login)
            continue
        accepted = "GitHub logins" + (" or org/team-slug" if teams else "")
        raise InputError(
            name, f"{item!r} is not a GitHub login; use {accepted} separated by commas or newlines"
        )
    return tuple(dict.fromkeys(out))


def _labels() -> tuple[str, ...]:
    labels = _items("labels")
    for label in labels:
        if len(label) > 50:
            raise InputError("labels", f"{label[:20]!r}… is longer than GitHub's 50 characters")
    return tuple(dict.fromkeys(labels))


def _ref(name: str) -> str:
    value = _input(name)
    if value and _BAD_REF.search(value):
        raise InputError(
            name, f"{value!r} is not a valid branch name (no spaces, '..', '~^:?*[\\' or '@{{')"
        )
    return value


def _registry() -> str | None:
    value = _input("registry").strip()
    if not value:
        return None
    parts = urllib.parse.urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or "@" in parts.netloc
        or parts.query
        or parts.fragment
        or any(c.isspace() for c in value)
    ):
        raise InputError(
            "registry",
            f"{value!r} is not a registry base URL; use http(s)://host[:port][/path], e.g. "
            "https://mirror.gcr.io (no credentials, query or fragment)",
        )
    return value.rstrip("/")


def _inside(workspace: Path, path: Path, name: str) -> Path:
    resolved = path.resolve()
    if not resolved.is_relative_to(workspace):
        raise InputError(
            name,
            f"{path} leaves the workspace {workspace} (symlinks are followed); use a path "
            "inside the repository",
        )
    return resolved


def read_inputs() -> tuple[ActionInputs | None, list[str]]:
    """Read and validate every input; return (inputs, []) or (None, [one message per bad input])."""
    env = os.environ
    errors: list[str] = []
    values: dict[str, Any] = {}

    def attempt(key: str, fn: Callable[[], Any]) -> None:
        try:
            values[key] = fn()
        except InputError as exc:
            errors.append(str(exc))

    workspace = Path(env.get("GITHUB_WORKSPACE") or os.getcwd()).resolve()
    attempt("root", lambda: _project_root(workspace))
    attempt("overwrite", lambda: _choice("overwrite", OVERWRITE))
    attempt("mode", lambda: _choice("mode", MODES))
    for flag in ("create-pull-request", "draft", "fail-if-not-django", "allow-minor", "pin-digest"):
        attempt(flag, lambda flag=flag: _boolean(flag))
    attempt("branch", lambda: _ref("branch") or DEFAULT_BRANCH)
    attempt("base", lambda: _ref("base") or None)
    attempt("labels", _labels)
    attempt("assignees", lambda: _people("assignees", teams=False))
    attempt("reviewers", lambda: _people("reviewers", teams=True))
    attempt("author", _author)
    attempt("registry", _registry)
    options = {OPTION_INPUTS[n]: _input(n) for n in OPTION_INPUTS if _input(n)}
    if "root" in values:
        bad = _option_errors(values["root"], options)
        errors += bad.values()
        for name in ("dockerfile", "dockerignore"):
            if name not in bad:
                target = values["root"] / (_input(name) or DEFAULTS[name])
                attempt(f"_{name}", lambda t=target, n=name: _inside(workspace, t, n))
    token = _input("github-token")
    if values.get("create-pull-request"):
        if not token:
            errors.append(
                "Input 'github-token': create-pull-request needs a token; keep the default "
                "(github.token) or pass a secret"
            )
        if not env.get("GITHUB_REPOSITORY"):
            errors.append(
                "Input 'create-pull-request': GITHUB_REPOSITORY is not set; pull requests can "
                "only be opened from a GitHub Actions run"
            )
    if errors:
        return None, errors
    return (
        ActionInputs(
            workspace=workspace,
            root=values["root"],
            options=options,
            overwrite=values["overwrite"],
            mode=values["mode"],
            create_pull_request=values["create-pull-request"],
            token=token,
            branch=values["branch"],
            base=values["base"],
            commit_message=_input("commit-message"),
            pr_title=_input("pr-title"),
            pr_body=_input("pr-body"),
            labels=values["labels"],
            assignees=values["assignees"],
            reviewers=values["reviewers"],
            draft=values["draft"],
            fail_if_not_django=values["fail-if-not-django"],
            author=values["author"],
            repository=env.get("GITHUB_REPOSITORY") or None,
            allow_minor=values["allow-minor"],
            pin_digest=values["pin-digest"],
            registry=values["registry"],
        ),
        [],
    )


def _project_root(workspace: Path) -> Path:
    raw = _input("path") or "."
    root = _inside(workspace, workspace / raw, "path")
    if not root.is_dir():
        raise InputError("path", f"{raw!r} is not a directory in the workspace")
    return root


def _author() -> str:
    value = _input("author") or DEFAULT_AUTHOR
    try:
        parse_identity(value)
    except ValueError as exc:
        raise InputError("author", str(exc)) from None
    return value


def _option_errors(root: Path, options: dict[str, str]) -> dict[str, str]:
    """Validate the generator options one by one, so each bad input gets its own error.

    Returns {input name: message} for the inputs generator.options refuses.
    """
    from generator.options import OptionsError, load_options

    field_to_input = {v: k for k, v in OPTION_INPUTS.items()}
    errors = {}
    for name, value in options.items():
        try:
            load_options(root, {name: value}, Diagnostics())
        except OptionsError as exc:
            # Its messages start with the CLI flag; the input's name replaces it.
            message = str(exc).split(": ", 1)[-1]
            errors[field_to_input[name]] = f"Input '{field_to_input[name]}': {message}"
    return errors


# --- running ---------------------------------------------------------------------------------


def _core() -> Any:
    """The generator's entry points the modes call: generate, write_files and check."""
    # Imported late: the action must report input errors cheaply.
    from types import SimpleNamespace

    from generator import check, core

    return SimpleNamespace(generate=core.generate, write_files=core.write_files, check=check.check)


def _rel(path: str | os.PathLike[str], inputs: ActionInputs) -> str:
    """A path (absolute, or relative to the project) relative to the repository, POSIX style."""
    full = os.path.normpath(inputs.root / path)
    return Path(os.path.relpath(full, inputs.workspace)).as_posix()


def _project_rel(inputs: ActionInputs) -> str:
    return inputs.root.relative_to(inputs.workspace).as_posix() or "."


def _to_repo(diag: Diagnostic, inputs: ActionInputs) -> Diagnostic:
    """Warnings name files relative to the project; annotations need them relative to the repo."""
    if not diag.file:
        return diag
    prefix = _project_rel(inputs)
    file = diag.file if prefix == "." else f"{prefix}/{diag.file}"
    return Diagnostic(diag.message, file, diag.line)


def _files(outcome: Outcome, inputs: ActionInputs, results: list[Any]) -> None:
    """Record what generate wrote, giving new files to the workspace owner."""
    owner = _workspace_owner(inputs.workspace)
    for r in results:
        outcome.files.append(
            FileReport(_rel(r.path, inputs), r.status, r.reason or "", r.diff or "")
        )
        if r.status in ("created", "updated"):
            _chown(inputs.root / r.path, inputs.workspace, owner)


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
            outcome.proposed[_rel(r.path, inputs)] = generated.files[r.path]
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
    project = _project_rel(inputs)
    for name in generated.files:
        rel = _rel(name, inputs)
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
        outcome.findings.append(replace(finding, file=_rel(finding.file, inputs), message=message))
    outcome.notes += list(result.notes)
    if inputs.create_pull_request:
        outcome.notes.append(
            "create-pull-request does nothing in check mode; run the action with mode: "
            "generate to propose the up-to-date files"
        )
    problems = []
    if result.diffs:
        names = ", ".join(_rel(n, inputs) for n in result.diffs)
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
    return outcome


def _refresh(inputs: ActionInputs, core: Any, options: Any, registry: Any) -> Outcome:
    """Move the committed Dockerfile's python base image to the newest patch release."""
    from generator.detect import detect_path
    from generator.refresh import refresh_dockerfile
    from generator.registry import RegistryClient, RegistryError
    from generator.write import unified_diff

    outcome = Outcome(detect_path(inputs.root))
    if not outcome.facts.django:
        return outcome
    rel = _rel(options.dockerfile, inputs)
    try:
        result = refresh_dockerfile(
            inputs.root,
            options.dockerfile,
            registry or _registry_client(inputs, RegistryClient),
            allow_minor=inputs.allow_minor,
            pin_digest=inputs.pin_digest,
        )
    except FileNotFoundError:
        outcome.failed = f"{rel} does not exist: run this action with mode: generate first"
        return outcome
    except RegistryError as exc:
        outcome.failed = f"the image registry could not be read: {exc}"
        return outcome
    outcome.warnings += [Diagnostic(w, rel) for w in result.warnings]
    outcome.notes += [f"`{rel}`: {c.describe()}" for c in result.changes]
    outcome.notes += list(result.notes)
    if not result.changed:
        outcome.files.append(FileReport(rel, "unchanged", "the base image is current"))
        return outcome
    target = inputs.root / options.dockerfile
    old = target.read_bytes().decode("utf-8", "surrogateescape")
    target.write_bytes(result.new_text.encode("utf-8", "surrogateescape"))
    _chown(target, inputs.workspace, _workspace_owner(inputs.workspace))
    diff = unified_diff(rel, old, result.new_text)
    outcome.files.append(FileReport(rel, "updated", f"{len(result.changes)} change(s)", diff))
    outcome.proposed[rel] = result.new_text
    return outcome


def _registry_client(inputs: ActionInputs, client: Any) -> Any:
    """Docker Hub by default; a mirror lists the tags through its v2 API (as the CLI's --registry)."""
    if inputs.registry:
        return client(registry=inputs.registry, hub=None)
    return client()


MODE_RUNNERS: dict[str, Callable[[ActionInputs, Any, Any, Any], Outcome]] = {
    "generate": _generate,
    "check": _check,
    "refresh": _refresh,
}


# --- ownership and git -----------------------------------------------------------------------


def _workspace_owner(workspace: Path) -> tuple[int, int] | None:
    """(uid, gid) to give written files: the runner's user, when we run as root in a container."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    st = workspace.stat()
    return None if st.st_uid == 0 else (st.st_uid, st.st_gid)


def _chown(path: Path, workspace: Path, owner: tuple[int, int] | None) -> None:
    """Give the file (and directories we may have created for it) to the workspace owner."""
    if owner is None:
        return
    path = path.resolve()
    while path != workspace and path.is_relative_to(workspace):
        st = path.stat()
        if (st.st_uid, st.st_gid) != owner and st.st_uid == 0:
            os.chown(path, *owner)
        path = path.parent


def configure_git(workspace: Path) -> None:
    """Let git run on the mounted checkout, which belongs to another user than the container's."""
    git = shutil.which("git")
    if git is None or not (workspace / ".git").exists():
        return
    subprocess.run(
        [git, "config", "--global", "--add", "safe.directory", str(workspace)],
        check=False,
        capture_output=True,
    )


# --- reporting -------------------------------------------------------------------------------


def annotate(kind: str, message: str, file: str | None = None, line: int | None = None) -> None:
    """An annotation pointing at file:line (toolkit's helper would print empty properties)."""
    props: dict[str, Any] = {}
    if file:
        props["file"] = file
        if line:
            props["line"] = line
    issue_command(kind, props, message)


def _linker(
    inputs: ActionInputs, env: Mapping[str, str]
) -> Callable[[str, int | None], str | None]:
    server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    ref = env.get("GITHUB_SHA")
    if not inputs.repository or not ref:
        return lambda file, line: None
    return lambda file, line: (
        f"{server}/{inputs.repository}/blob/{ref}/{file}" + (f"#L{line}" if line else "")
    )


def _append_summary(text: str, env: Mapping[str, str]) -> None:
    path = env.get("GITHUB_STEP_SUMMARY")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)


def _set_outputs(values: Mapping[str, object]) -> None:
    for name, value in values.items():
        gha.set_output(name, value if isinstance(value, str) else str(value).lower())


# --- entry points ----------------------------------------------------------------------------


def run(
    *,
    core: Any = None,
    publish: Callable[..., PublishResult] | None = None,
    registry: Any = None,
) -> int:
    """Run the action once (environment from os.environ) and return the exit status.

    `core` (an object with generator.core's `generate` and `write_files` and generator.check's
    `check`), `publish` and `registry` (the image registry client of refresh mode, which
    otherwise follows the `registry` input) can be replaced, so tests need no network.
    """
    env = os.environ
    token = env.get("INPUT_GITHUB-TOKEN", "").strip()
    if token:
        gha.set_secret(token)  # before anything else is printed
    inputs, errors = read_inputs()
    if inputs is None:
        for message in errors:
            annotate("error", message)
        return 1
    configure_git(inputs.workspace)
    if inputs.mode != "refresh":
        given = {"allow-minor": inputs.allow_minor, "pin-digest": inputs.pin_digest}
        given["registry"] = bool(inputs.registry)
        for name in (n for n in REFRESH_ONLY if given[n]):
            annotate("warning", f"Input '{name}' only applies to mode: refresh; ignored")

    from generator.options import load_options
    from generator.plan import PlanError

    diags = Diagnostics()
    options = load_options(inputs.root, inputs.options, diags)  # each input validated already
    if options.name is None:
        # The checkout directory (/github/workspace) says nothing; the repository's name does.
        from dataclasses import replace

        from generator.plan import safe_name

        repository = os.environ.get("GITHUB_REPOSITORY", "").rsplit("/", 1)[-1]
        options = replace(options, name=safe_name(repository) or None)
    try:
        outcome = MODE_RUNNERS[inputs.mode](inputs, core or _core(), options, registry)
    except PlanError as exc:
        # Only a Django project gets as far as planning.
        outcome = Outcome(None, failed=f"no Dockerfile could be planned: {exc}", django=True)
    facts = outcome.facts
    warnings = [_to_repo(d, inputs) for d in (*diags.items, *(facts.warnings if facts else ()))]
    warnings += outcome.warnings
    for w in warnings:
        annotate("warning", w.message, w.file, w.line)
    for f in outcome.findings:
        annotate(f.severity, f.message, f.file, f.line)

    outputs: dict[str, object] = {
        "django": outcome.django if outcome.django is not None else bool(facts and facts.django),
        "dockerfile": _rel(options.dockerfile, inputs),
        "python-version": outcome.python_version
        or (facts.python.version if facts and facts.python else ""),
        "django-version": _django_version(facts),
        "changed": bool(outcome.findings)
        or any(f.status in ("created", "updated", "outdated", "missing") for f in outcome.files),
        "pull-request-number": "",
        "pull-request-url": "",
        "pull-request-operation": "none",
    }
    link = _linker(inputs, env)
    report = RunReport(
        mode=inputs.mode,
        project=_project_rel(inputs),
        facts=facts,
        decisions=outcome.decisions,
        warnings=tuple(warnings),
        files=tuple(outcome.files),
        notes=(*(_finding_note(f, link) for f in outcome.findings), *outcome.notes),
    )
    status = 0
    if outcome.failed:
        annotate("error", outcome.failed)
        status = 1
    elif not (facts and facts.django):
        message = f"No Django project in {_project_rel(inputs)}: {facts.reason if facts else ''}"
        if inputs.fail_if_not_django:
            annotate("error", message + " (fail-if-not-django is true)")
            status = 1
        else:
            annotate("notice", message)
    elif inputs.create_pull_request and outcome.proposed:
        pull, error = _open_pull_request(inputs, outcome, report, link, publish, env)
        if pull is None:
            annotate("error", error or "the pull request could not be made")
            status = 1
        else:
            report = replace(report, pull=pull)
            outputs["pull-request-number"] = str(pull.number or "")
            outputs["pull-request-url"] = pull.url or ""
            outputs["pull-request-operation"] = pull.operation
            for w in pull.warnings:
                annotate("warning", w)
    _set_outputs(outputs)
    _append_summary(job_summary(report, link), env)
    return status


def _finding_note(finding: Any, link: Callable[[str, int | None], str | None]) -> str:
    """A review finding for the job summary: severity, the linked file:line, the advice."""
    label = f"{finding.file}:{finding.line}" if finding.line else finding.file
    url = link(finding.file, finding.line)
    where = f"[`{label}`]({url})" if url else f"`{label}`"
    return f"**{finding.severity}** {where}: {finding.message}"


def _django_version(facts: ProjectFacts | None) -> str:
    if not facts or not facts.django_version:
        return ""
    return facts.django_version.resolved or facts.django_version.spec or ""


def _open_pull_request(
    inputs: ActionInputs,
    outcome: Outcome,
    report: RunReport,
    link: Callable[[str, int | None], str | None],
    publish: Callable[..., PublishResult] | None,
    env: Mapping[str, str],
) -> tuple[PublishResult | None, str | None]:
    if publish is None:
        from generator.publish import publish
    title = inputs.pr_title or TITLES[inputs.mode]
    try:
        result = publish(
            repo_full_name=inputs.repository,
            files=outcome.proposed,
            base=inputs.base,
            branch=inputs.branch,
            commit_message=inputs.commit_message or title,
            title=title,
            body=pr_body(inputs.pr_body or INTROS[inputs.mode], report, link),
            labels=inputs.labels,
            assignees=inputs.assignees,
            reviewers=inputs.reviewers,
            draft=inputs.draft,
            token=inputs.token,
            api_url=env.get("GITHUB_API_URL") or None,
            author=inputs.author,
        )
    except PublishError as exc:
        return None, str(exc)
    return result, None


def main() -> None:
    """Console entry point of the container: exit with the action's status."""
    try:
        status = run()
    except KeyboardInterrupt:
        status = 130
    except Exception as exc:
        # A bug, not bad input: say so plainly and keep the traceback folded for the report.
        annotate("error", f"django-dockerfile failed unexpectedly: {exc!r}. Please report it.")
        gha.start_group("Traceback (for the bug report)")
        traceback.print_exc(file=sys.stdout)
        gha.end_group()
        status = 1
    sys.exit(status)
