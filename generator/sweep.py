"""The organisation bot: propose Dockerfiles across many repositories from one workflow, no checkout.

For each repository of an owner (organisation or user) that matches the filters, the default branch
is read through the API (`GitHubTree`), the same detect -> plan -> render core runs, and the
pull request is opened or updated by the same `publish` the single-repository action uses (same
branch, same body, same "closed means no"). Repositories that are not Django, carry a hand-written
Dockerfile or are already up to date are reported and left alone.

Scale: requests are made one at a time (GitHub asks integrations not to make concurrent calls to
avoid its secondary rate limits; PyGithub paces writes and honours Retry-After), the sweep stops
cleanly before the primary quota runs out, and the state it returns lets the next run skip
repositories nobody pushed to since (zero API calls for them) and resume where it stopped.
Large owners split the work over a matrix of jobs with `shard: i/n`.
"""

from __future__ import annotations

import fnmatch
import json
import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from generator.facts import Diagnostics
from generator.markdown import one_line
from generator.options import load_options
from generator.publish import DEFAULT_BRANCH
from generator.remote import DEFAULT_BYTE_BUDGET, GitHubTree, PyGithubApi
from generator.summary import RunReport, cell, pr_body

# What a sweep proposes: the same pull request the action's generate mode opens.
TITLE = "Add a production Dockerfile for the Django project"
INTRO = (
    "This pull request adds a Dockerfile and .dockerignore for the Django project, written by "
    "django-dockerfile from the repository's own files (read through the API by the "
    "organisation's sweep). Each line is explained below."
)
# Actions a repository can end in; the job summary and the outputs count them.
ACTIONS = (
    "created", "updated", "closed", "none", "declined", "would-propose", "up-to-date", "unchanged",
    "not-django", "hand-written", "skipped", "error",
)  # fmt: skip


class SweepError(ValueError):
    """A sweep input is wrong; the message names it and says what to write."""


@dataclass(frozen=True)
class SweepConfig:
    owner: str
    include: tuple[str, ...] = ("*",)
    exclude: tuple[str, ...] = ()
    include_archived: bool = False
    include_forks: bool = False
    include_empty: bool = False
    created_since: datetime | None = None
    shard: tuple[int, int] = (
        1,
        1,
    )  # (i, n): this job handles every repository whose hash % n == i-1
    dry_run: bool = False
    # The branch the action's generate mode uses: a repository that also runs the action in
    # its own workflow gets one pull request, not two.
    branch: str = DEFAULT_BRANCH
    byte_budget: int = DEFAULT_BYTE_BUDGET
    # Stop before the hourly quota is gone: what is left serves the rest of the workflow.
    min_remaining: int = 100
    options: Mapping[str, object] = field(default_factory=dict)  # generate's option values


@dataclass(frozen=True)
class RepoResult:
    repository: str
    action: str  # one of ACTIONS
    reason: str
    django: bool | None = None
    url: str | None = None  # the pull request, when there is one
    pushed_at: str | None = None


@dataclass
class SweepReport:
    results: list[RepoResult] = field(default_factory=list)
    stopped: str | None = None  # why the sweep ended early; the state lets the next run resume

    def counts(self) -> dict[str, int]:
        seen = Counter(r.action for r in self.results)
        out = {
            "repositories": len(self.results),
            "django": sum(bool(r.django) for r in self.results),
        }
        out.update({action: seen.get(action, 0) for action in ACTIONS})
        return out

    def state(self, previous: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """What the next sweep needs: per repository, the push it last saw and what it did.

        Errors and repositories stopped by the quota are not recorded, so they are tried again."""
        repos = dict((previous or {}).get("repositories", {}))
        for r in self.results:
            if r.action not in ("error", "skipped") and r.pushed_at:
                repos[r.repository] = {"pushed_at": r.pushed_at, "action": r.action}
        return {"version": 1, "repositories": repos}


def parse_shard(text: str) -> tuple[int, int]:
    """`i/n` with 1 <= i <= n."""
    m = re.fullmatch(r"\s*([0-9]+)\s*/\s*([0-9]+)\s*", text or "1/1")
    if not m or not (1 <= int(m[1]) <= int(m[2])):
        raise SweepError(f"shard: expected i/n with 1 <= i <= n (e.g. 2/4), got {text!r}")
    return int(m[1]), int(m[2])


def parse_since(text: str, now: datetime | None = None) -> datetime | None:
    """`7d`, `12h`, `2w` before now, or an ISO date (`2026-11-01`); empty means no limit."""
    text = (text or "").strip()
    if not text:
        return None
    now = now or datetime.now(UTC)
    m = re.fullmatch(r"([0-9]+)\s*([hdw])", text)
    if m:
        unit = {"h": "hours", "d": "days", "w": "weeks"}[m[2]]
        return now - timedelta(**{unit: int(m[1])})
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise SweepError(
            f"created-since: expected a duration such as 7d, 12h, 2w or a date such as "
            f"2026-11-01, got {text!r}"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def in_shard(full_name: str, shard: tuple[int, int]) -> bool:
    """A stable split: the same repository always falls in the same shard, on every runner."""
    index, count = shard
    return zlib.crc32(full_name.lower().encode()) % count == index - 1


def list_repositories(gh: Any, owner: str) -> Iterable[Any]:
    """The owner's repositories, newest first (so `created-since` can stop the listing early)."""
    from github import UnknownObjectException

    try:
        org = gh.get_organization(owner)
    except UnknownObjectException:
        return gh.get_user(owner).get_repos(type="owner", sort="created", direction="desc")
    return org.get_repos(type="all", sort="created", direction="desc")


def _matches(name: str, full_name: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(n, p) for p in patterns for n in (name, full_name))


def _filtered(repos: Iterable[Any], config: SweepConfig) -> Iterator[tuple[Any, str | None]]:
    """(repository, why it is left out or None), stopping at the first one created too early."""
    for repo in repos:
        created = repo.created_at
        if config.created_since and created and _aware(created) < config.created_since:
            return  # the listing is newest first: every later one is older still
        if not in_shard(repo.full_name, config.shard):
            continue
        if not _matches(repo.name, repo.full_name, config.include) or _matches(
            repo.name, repo.full_name, config.exclude
        ):
            continue
        if repo.archived and not config.include_archived:
            yield repo, "archived (include-archived: true to sweep it)"
        elif repo.fork and not config.include_forks:
            yield repo, "a fork (include-forks: true to sweep it)"
        elif not repo.size and not config.include_empty:
            yield repo, "empty repository"
        else:
            yield repo, None


def sweep(
    gh: Any,
    config: SweepConfig,
    publish: Callable[..., Any],
    state: Mapping[str, Any] | None = None,
    progress: Callable[[RepoResult], None] | None = None,
) -> SweepReport:
    """Run the sweep with client GH; PUBLISH is generator.publish.publish (or a stand-in)."""
    report = SweepReport()
    seen_before = (state or {}).get("repositories", {})
    for repo, skip in _filtered(list_repositories(gh, config.owner), config):
        if skip is not None:
            result = RepoResult(repo.full_name, "skipped", skip)
        else:
            remaining, _ = gh.requester.rate_limiting
            if 0 <= remaining < config.min_remaining:
                report.stopped = (
                    f"stopped before {repo.full_name}: {remaining} API calls left this hour "
                    f"(min-remaining {config.min_remaining}); the next run resumes here"
                )
                break
            result = _one(repo, config, publish, seen_before.get(repo.full_name))
        report.results.append(result)
        if progress:
            progress(result)
    return report


def run_with_token(
    token: str,
    api_url: str | None,
    config: SweepConfig,
    publish: Callable[..., Any],
    state_file: Path | None = None,
    progress: Callable[[RepoResult], None] | None = None,
    warn: Callable[[str], None] = lambda message: None,
) -> SweepReport:
    """What both front doors do: a client for TOKEN (reads unpaced, writes paced), the state
    file read before and written after, PUBLISH (generator.publish.publish) given the token."""
    from generator.publish import make_client

    state: dict[str, Any] = {}
    if state_file is not None and state_file.is_file():
        try:
            loaded = json.loads(state_file.read_text())
            state = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError) as exc:
            warn(f"{state_file.name}: the sweep state could not be read ({exc}); starting over")
    gh = make_client(token, api_url, read_pause=0.0)
    gh.per_page = 100

    def open_pr(**kw: Any) -> Any:
        return publish(token=token, api_url=api_url, **kw)

    report = sweep(gh, config, open_pr, state=state, progress=progress)
    if state_file is not None:
        state_file.parent.mkdir(parents=True, exist_ok=True)
        state_file.write_text(json.dumps(report.state(state), indent=1, sort_keys=True) + "\n")
    return report


def progress_line(result: RepoResult) -> str:
    """One line of the log per repository, as it is done.

    One line whatever the reason quotes from the repository: a line of the log that starts with
    `::` is a workflow command to the runner.
    """
    return one_line(f"{result.repository}: {result.action}: {result.reason}")


def _one(repo: Any, config: SweepConfig, publish: Callable[..., Any], before: Any) -> RepoResult:
    from github import GithubException

    from generator.plan import PlanError

    pushed = _aware(repo.pushed_at).isoformat() if repo.pushed_at else None
    done = partial(RepoResult, repo.full_name, pushed_at=pushed)
    if isinstance(before, dict) and pushed and before.get("pushed_at") == pushed:
        return done("unchanged", f"nothing pushed since the last sweep ({before.get('action')})")
    permissions = getattr(repo, "permissions", None)
    if not config.dry_run and permissions is not None and permissions.push is False:
        return done(
            "error",
            "the token cannot write to this repository: give the app or token contents: write "
            "and pull-requests: write on it",
        )
    try:
        tree = GitHubTree(PyGithubApi(repo), repo.default_branch, Diagnostics(), config.byte_budget)
        generated = _generate(tree, repo, config)
    except PlanError as exc:
        return done("skipped", f"no Dockerfile could be planned: {exc}", django=True)
    except GithubException as exc:
        return done("error", _api_reason(exc, "read"))
    if tree.budget_exceeded:
        return done("skipped", f"needed more than {_size(config.byte_budget)} of files")
    facts = generated.facts
    if not facts.django:
        return done("not-django", facts.reason or "not a Django project", django=False)
    existing = {name: tree.read_text(name) for name in generated.files}
    from generator.core import is_generated

    handwritten = [n for n, text in existing.items() if text is not None and not is_generated(text)]
    if handwritten:
        return done(
            "hand-written", f"{', '.join(handwritten)} written by hand: left alone", django=True
        )
    if all(existing[n] == text for n, text in generated.files.items()):
        return done("up-to-date", "the default branch holds the generated files", django=True)
    if config.dry_run:
        return done(
            "would-propose", "dry run: a pull request would be opened or updated", django=True
        )
    body = pr_body(
        INTRO,
        RunReport(
            mode="generate",
            project=facts.project_dir or ".",
            facts=facts,
            decisions=tuple(generated.decisions),
            warnings=tuple(facts.warnings) + tuple(tree.diagnostics.items),
        ),
    )
    try:
        result = publish(
            repo_full_name=repo.full_name,
            files=generated.files,
            base=repo.default_branch,
            branch=config.branch,
            commit_message=TITLE,
            title=TITLE,
            body=body,
        )
    except Exception as exc:  # PublishError: its message already says what to change
        return done("error", str(exc), django=True)
    if getattr(result, "declined", None):
        number, url, _ = result.declined
        return done(
            "declined",
            f"pull request #{number} with these files was closed without merging: not proposed again",
            django=True,
            url=url,
        )
    reason = {
        "created": "pull request opened",
        "updated": "pull request updated",
        "closed": "pull request closed: the default branch already has the files",
        "none": "nothing new to propose",
    }.get(result.operation, result.operation)
    return done(result.operation, reason, django=True, url=result.url)


def _generate(tree: GitHubTree, repo: Any, config: SweepConfig) -> Any:
    """generate's core on the tree, with the repository's own [tool.django-dockerfile] choices."""
    from generator.core import generate_tree

    return generate_tree(tree, repo.name, load_options(tree, config.options, tree.diagnostics))


def _api_reason(exc: Any, verb: str) -> str:
    status = getattr(exc, "status", None)
    message = (
        (getattr(exc, "data", None) or {}).get("message")
        if isinstance(getattr(exc, "data", None), dict)
        else None
    )
    if status in (403, 404):
        return f"the token cannot {verb} this repository ({status} {message or ''}); grant it contents: read".strip()
    if status == 409:
        return "empty repository"
    return f"GitHub answered {status}: {message or exc}"


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def summary_table(report: SweepReport) -> str:
    """Markdown for the job summary: every repository seen, what was done and why."""
    counts = report.counts()
    lines = [
        "## django-dockerfile sweep",
        "",
        ", ".join(f"{k}: {v}" for k, v in counts.items() if v or k in ("repositories", "django")),
        "",
    ]
    if report.stopped:
        lines += [f"> **Stopped early:** {cell(report.stopped)}", ""]
    lines += [
        "| repository | Django | action | pull request | reason |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in report.results:
        django = {True: "yes", False: "no", None: "?"}[r.django]
        pull = f"[#{r.url.rsplit('/', 1)[-1]}]({r.url})" if r.url and _safe_url(r.url) else ""
        lines.append(
            f"| {cell(r.repository)} | {django} | {r.action} | {pull} | {cell(r.reason)} |"
        )
    return "\n".join(lines) + "\n"


def _safe_url(url: str) -> bool:
    return re.fullmatch(r"https?://[A-Za-z0-9.:-]+/[A-Za-z0-9._/-]+/pull/[0-9]+", url) is not None
