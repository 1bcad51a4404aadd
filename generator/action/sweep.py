"""The action's `mode: sweep`: one workflow in a central repository proposes Dockerfiles across an
organisation (generator.sweep does the work; this reads the inputs and reports).

No checkout is needed: repositories are read through the API. The state file (optional) lives in
the workspace so `actions/cache` can carry it from one scheduled run to the next.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.action.inputs import InputError, _boolean, _input, _inside, _items, _ref
from generator.action.report import Annotations, annotate, append_summary, set_outputs

# Sweep inputs (the rest of the action's inputs do not apply to this mode).
SWEEP_INPUTS = (
    "owner", "repositories", "exclude", "include-archived", "include-forks", "created-since",
    "shard", "dry-run", "state-file", "min-remaining",
)  # fmt: skip


@dataclass(frozen=True)
class _Inputs:
    config: Any  # generator.sweep.SweepConfig
    token: str
    state_file: Path | None


def _read(env: Mapping[str, str]) -> tuple[_Inputs | None, list[str]]:
    from generator.sweep import SweepConfig, SweepError, parse_shard, parse_since

    errors: list[str] = []
    owner = _input("owner").strip() or env.get("GITHUB_REPOSITORY_OWNER", "")
    if not owner:
        errors.append("Input 'owner': name the organisation or user whose repositories to sweep")
    token = _input("github-token").strip()
    if not token:
        errors.append(
            "Input 'github-token': the sweep needs a token that can read the repositories and "
            "write contents and pull requests: a GitHub App installation token from "
            "actions/create-github-app-token, or a fine-grained token (the workflow's own "
            "github.token only reaches its own repository)"
        )
    values: dict[str, Any] = {}
    for key, read in (
        ("shard", lambda: parse_shard(_input("shard"))),
        ("created_since", lambda: parse_since(_input("created-since"))),
        ("include_archived", lambda: _boolean("include-archived")),
        ("include_forks", lambda: _boolean("include-forks")),
        ("dry_run", lambda: _boolean("dry-run")),
        ("branch", lambda: _ref("branch")),
        ("min_remaining", _min_remaining),
    ):
        try:
            values[key] = read()
        except InputError as exc:
            errors.append(str(exc))
        except SweepError as exc:  # "shard: ..." names the input
            name, _, why = str(exc).partition(": ")
            errors.append(f"Input '{name}': {why}")
    state_file = None
    if _input("state-file").strip():
        workspace = Path(env.get("GITHUB_WORKSPACE") or ".").resolve()
        try:
            state_file = _inside(workspace, workspace / _input("state-file").strip(), "state-file")
        except InputError as exc:
            errors.append(str(exc))
    if errors:
        return None, errors
    branch = values.pop("branch") or None
    config = SweepConfig(
        owner=owner,
        include=tuple(_items("repositories")) or ("*",),
        exclude=tuple(_items("exclude")),
        **values,
        **({"branch": branch} if branch else {}),
    )
    return _Inputs(config, token, state_file), []


def _min_remaining() -> int:
    raw = _input("min-remaining").strip()
    if not raw.isascii() or not raw.isdigit():
        raise InputError("min-remaining", f"{raw!r} is not a whole number of API calls")
    return int(raw)


def run_sweep(env: Mapping[str, str], publish: Callable[..., Any] | None = None) -> int:
    """Sweep the owner's repositories; the job summary holds the table. Returns the exit status."""
    from generator.publish import publish as real_publish
    from generator.sweep import progress_line, run_with_token, summary_table

    inputs, errors = _read(env)
    if inputs is None:
        for message in errors:
            annotate("error", message)
        return 1
    report = run_with_token(
        inputs.token,
        env.get("GITHUB_API_URL") or None,
        inputs.config,
        publish or real_publish,
        inputs.state_file,
        progress=lambda result: print(progress_line(result), flush=True),
        warn=lambda message: annotate("warning", message),
    )
    append_summary(summary_table(report), env)
    counts = report.counts()
    set_outputs(
        {
            "repositories": str(counts["repositories"]),
            "django-repositories": str(counts["django"]),
            "pull-requests-created": str(counts["created"]),
            "pull-requests-updated": str(counts["updated"]),
            "sweep-errors": str(counts["error"]),
            "sweep-stopped": report.stopped or "",
        }
    )
    # Within GitHub's 10 annotations per kind: a large organisation has many; the table has all.
    notes = Annotations()
    if report.stopped:
        notes.add("notice", report.stopped, keep=True)
    for r in report.results:
        if r.action == "error":
            notes.add("warning", f"{r.repository}: {r.reason}")
    notes.flush()
    return 0
