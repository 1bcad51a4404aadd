"""The GitHub Action front door: inputs, one mode, the pull request, outputs and job summary.

run() ties the seams together: inputs.py reads INPUT_* variables (hyphens kept, which is why they
are read here and not in a shell), modes.py does the work, pull.py proposes it and report.py tells
the user. Every bad input is an `::error::` naming the input and what it accepts, never a traceback.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from actions_toolkit import core as gha

from generator.action.inputs import DEFAULTS, REFRESH_ONLY, SECRETS, fork_of, read_inputs
from generator.action.modes import MODE_RUNNERS, Outcome, default_core
from generator.action.pull import open_pull_request
from generator.action.report import (
    Annotations,
    annotate,
    append_summary,
    django_version,
    finding_note,
    linker,
    set_outputs,
)
from generator.action.workspace import configure_git, project_rel, repo_path, to_repo
from generator.facts import Diagnostics
from generator.guard import UnsafePath
from generator.publish import PublishResult
from generator.summary import RunReport, job_summary

__all__ = ["DEFAULTS", "annotate", "main", "read_inputs", "run"]


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
    for name in SECRETS:
        secret = env.get(f"INPUT_{name.upper()}", "").strip()
        if secret:
            gha.set_secret(secret)  # before anything else is printed
    if (env.get("INPUT_MODE") or "").strip() == "sweep":
        # Many repositories read through the API: none of the checkout's inputs apply.
        from generator.action.sweep import run_sweep

        return run_sweep(env, publish)
    inputs, errors = read_inputs()
    if inputs is None:
        for message in errors:
            annotate("error", message)
        return 1
    configure_git(inputs.workspace)
    notes = Annotations()
    if inputs.mode != "refresh":
        given = {"allow-minor": inputs.allow_minor, "pin-digest": inputs.pin_digest}
        given["registry"] = bool(inputs.registry)
        given["min-age-days"] = inputs.min_age_days > 0
        given["refresh-files"] = bool(inputs.refresh_files)
        for name, value in zip(
            ("registry-username", "registry-password", "registry-token"),
            inputs.registry_login,
            strict=True,
        ):
            given[name] = bool(value)
        for name in (n for n in REFRESH_ONLY if given[n]):
            notes.add("warning", f"Input '{name}' only applies to mode: refresh; ignored")
    if inputs.mode != "check" and not inputs.fail_on_drift:
        notes.add("warning", "Input 'fail-on-drift' only applies to mode: check; ignored")

    from generator.options import load_options
    from generator.plan import PlanError

    diags = Diagnostics()
    options = load_options(inputs.root, inputs.options, diags)  # each input validated already
    if options.name is None:
        # The checkout directory (/github/workspace) says nothing; the repository's name does.
        from generator.plan import safe_name

        repository = os.environ.get("GITHUB_REPOSITORY", "").rsplit("/", 1)[-1]
        options = replace(options, name=safe_name(repository) or None)
    try:
        outcome = MODE_RUNNERS[inputs.mode](inputs, core or default_core(), options, registry)
    except PlanError as exc:
        # Only a Django project gets as far as planning.
        outcome = Outcome(None, failed=f"no Dockerfile could be planned: {exc}", django=True)
    except UnsafePath as exc:
        # A path option leaving the repository, or naming a directory or FIFO: nothing written.
        outcome = Outcome(None, failed=str(exc), django=True)
    facts = outcome.facts
    warnings = [to_repo(d, inputs) for d in (*diags.items, *(facts.warnings if facts else ()))]
    warnings += outcome.warnings
    for w in warnings:
        notes.add("warning", w.message, w.file, w.line)
    for f in outcome.findings:
        notes.add(f.severity, f.message, f.file, f.line)

    outputs: dict[str, object] = {
        "django": outcome.django if outcome.django is not None else bool(facts and facts.django),
        "dockerfile": repo_path(options.dockerfile, inputs),
        "python-version": outcome.python_version
        or (facts.python.version if facts and facts.python else ""),
        "django-version": django_version(facts),
        "changed": bool(outcome.findings)
        or any(f.status in ("created", "updated", "outdated", "missing") for f in outcome.files),
        "pull-request-number": "",
        "pull-request-url": "",
        "pull-request-operation": "none",
        "pull-request-commits-verified": "",
    }
    link = linker(inputs, env)
    report = RunReport(
        mode=inputs.mode,
        project=project_rel(inputs),
        facts=facts,
        decisions=outcome.decisions,
        warnings=tuple(warnings),
        files=tuple(outcome.files),
        notes=(*(finding_note(f, link) for f in outcome.findings), *outcome.notes),
    )
    status = 0
    fork = fork_of(env) if inputs.create_pull_request and outcome.proposed else None
    own_branch = not inputs.base_given and inputs.base == inputs.branch
    if outcome.failed and outcome.drift and not inputs.fail_on_drift:
        notes.add("warning", f"{outcome.failed} (fail-on-drift is false)", keep=True)
    elif outcome.failed:
        notes.add("error", outcome.failed, keep=True)
        status = 1
    elif not (facts and facts.django):
        message = f"No Django project in {project_rel(inputs)}: {facts.reason if facts else ''}"
        if inputs.fail_if_not_django:
            notes.add("error", message + " (fail-if-not-django is true)", keep=True)
            status = 1
        else:
            notes.add("notice", message, keep=True)
    elif fork is not None:
        message = (
            f"No pull request: this run comes from a pull request opened from the fork {fork}, "
            "and GitHub gives runs from forks a read-only token. The files are in the workspace "
            "and the job summary; the workflow's push, schedule or workflow_dispatch runs "
            "propose them."
        )
        notes.add("notice", message, keep=True)
        report = replace(report, notes=(*report.notes, message))
    elif inputs.create_pull_request and outcome.proposed and own_branch:
        # A workflow on every push also runs on the pushes to our own branch: nothing to do.
        message = (
            f"No pull request: this run is on {inputs.branch}, the pull request's own branch; "
            "the run on its base branch proposes the files"
        )
        notes.add("notice", message, keep=True)
    elif inputs.create_pull_request and outcome.proposed:
        pull, error = open_pull_request(inputs, outcome, report, publish, env)
        if pull is None:
            notes.add("error", error or "the pull request could not be made", keep=True)
            status = 1
        else:
            report = replace(report, pull=pull)
            outputs["pull-request-number"] = str(pull.number or "")
            outputs["pull-request-url"] = pull.url or ""
            outputs["pull-request-operation"] = pull.operation
            if pull.verified is not None:
                outputs["pull-request-commits-verified"] = pull.verified
            for w in pull.warnings:
                notes.add("warning", w)
    notes.flush()
    set_outputs(outputs)
    append_summary(job_summary(report, link), env)
    return status


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
