"""Propose generated files as a pull request, the way peter-evans/create-pull-request does.

One branch (reset from the base branch head), one commit made with the Git Data API (blobs, tree,
commit, ref), one pull request that later runs update rather than duplicate. Nothing is committed
when the files already match the base branch or the branch, so running twice is always safe. A
pull request closed without merging is a "no": the same files are not proposed again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

DEFAULT_BRANCH = "django-dockerfile/update"
REFRESH_BRANCH = "django-dockerfile/refresh"
# How many recently closed pull requests from our branch are compared with a new proposal.
DECLINED_LOOKBACK = 10
# How often a 422 from labels, assignees or reviewers right after the PR was created is retried:
# GitHub answers those before the new pull request is visible to every endpoint.
DECORATE_ATTEMPTS = 4
DEFAULT_API_URL = "https://api.github.com"

SETTINGS_ADVICE = (
    'GitHub refused to let this workflow open a pull request. Enable "Allow GitHub Actions to '
    "create and approve pull requests\" in the repository's Settings > Actions > General > "
    "Workflow permissions (for an organisation, first allow it in the organisation's Settings > "
    "Actions > General), or pass a personal access token or GitHub App token as `github-token`."
)
PERMISSIONS_ADVICE = (
    "the workflow needs `permissions: contents: write` and `pull-requests: write` (add them to "
    "the job, or set Settings > Actions > General > Workflow permissions to read and write)."
)


class PublishError(Exception):
    """A pull request could not be made; the message tells the user what to change."""


@dataclass(frozen=True)
class PublishResult:
    operation: str  # created | updated | closed | none
    number: int | None
    url: str | None
    branch: str
    commit_sha: str | None  # the commit the branch points to (None when nothing was pushed)
    warnings: tuple[str, ...] = ()  # reviewers/assignees GitHub refused; the PR still exists
    # Whether GitHub verified (signed) the branch's commit; None when there is no branch commit.
    verified: bool | None = None
    declined: tuple[int, str, str] | None = None  # (number, url, title) of the closed PR that
    # proposed these same files, when nothing was proposed because of it


@dataclass(frozen=True)
class Identity:
    name: str
    email: str


def parse_identity(text: str) -> Identity:
    """Parse `Name <email>` (git's author format); raise ValueError naming the expected form."""
    m = re.fullmatch(r"\s*([^<>]+?)\s*<([^<>\s]+@[^<>\s]+)>\s*", text)
    if not m:
        raise ValueError(f"expected 'Name <email@example.com>', got {text!r}")
    return Identity(m[1], m[2])


def blob_sha(text: str) -> str:
    """The id git (and GitHub) gives a file with this content, to compare without uploading."""
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def make_client(
    token: str,
    api_url: str | None = None,
    retries: int = 5,
    backoff: float = 1.0,
    read_pause: float = 0.25,
):
    """A PyGithub client for github.com or GitHub Enterprise, retrying 5xx and rate limits.

    `backoff` scales every wait (retry backoff, rate-limit pauses, pacing between writes);
    `read_pause` is the pause between any two requests (the sweep reads serially without one:
    GitHub's secondary limits concern concurrent requests and writes).
    """
    from github import Auth, Github, GithubRetry

    retry = GithubRetry(
        total=retries,
        backoff_factor=backoff,
        # Secondary rate limits ask for a pause; GitHub suggests a minute, tests pass less.
        secondary_rate_wait=60 * backoff,
        # PATCH moves the branch and edits the PR: both are idempotent, so retry them too.
        allowed_methods={"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"},
        # After the last retry hand the response to PyGithub so the error names the endpoint.
        raise_on_status=False,
    )
    return Github(
        auth=Auth.Token(token),
        base_url=(api_url or DEFAULT_API_URL).rstrip("/"),
        retry=retry,
        timeout=30,
        # GitHub asks integrations to pace writes to avoid secondary rate limits; PyGithub's
        # pacing scales with `backoff` so tests against a local server run at full speed.
        seconds_between_requests=read_pause * backoff,
        seconds_between_writes=1.0 * backoff,
    )


def publish(
    repo_full_name: str,
    files: Mapping[str, str],
    base: str | None,
    branch: str,
    commit_message: str,
    title: str,
    body: str,
    labels: Sequence[str] = (),
    assignees: Sequence[str] = (),
    reviewers: Sequence[str] = (),
    draft: bool = False,
    token: str = "",
    api_url: str | None = None,
    author: str | None = None,
    delete_branch: bool = False,
    *,
    retries: int = 5,
    backoff: float = 1.0,
) -> PublishResult:
    """Commit `files` (repo-relative path -> text) to `branch` and open or update its PR.

    The branch is created or reset from the head of `base` (the default branch when None).
    Nothing is pushed when the files equal the base branch (operation "none", no PR) or when the
    branch already holds them (operation "none", the open PR, if any, is reported). When the
    base already has the files and a PR from `branch` is still open, it is closed with a comment
    (operation "closed"); `delete_branch` then deletes the branch too. Reviewers written
    `org/team` are requested as teams.
    """
    from github import GithubException

    if not token:
        raise PublishError("no GitHub token: pass `github-token` (the default is github.token).")
    # No author: GitHub makes the commit as the token's identity and signs it ("Verified"),
    # which branches protected by "Require signed commits" need. An author cannot be signed.
    who = parse_identity(author) if author else None
    gh = make_client(token, api_url, retries, backoff)
    try:
        return _publish(
            gh, repo_full_name, dict(files), base, branch, commit_message, title, body,
            labels, assignees, reviewers, draft, who, delete_branch, backoff,
        )  # fmt: skip
    except GithubException as exc:
        raise PublishError(_advice(exc, repo_full_name, api_url)) from exc
    finally:
        gh.close()


def _publish(
    gh: Any,
    full_name: str,
    files: dict[str, str],
    base: str | None,
    branch: str,
    commit_message: str,
    title: str,
    body: str,
    labels: Sequence[str],
    assignees: Sequence[str],
    reviewers: Sequence[str],
    draft: bool,
    who: Identity | None,
    delete_branch: bool,
    backoff: float,
) -> PublishResult:
    from github import GithubException, InputGitAuthor, InputGitTreeElement

    repo = gh.get_repo(full_name)
    base = base or repo.default_branch
    if base == branch:
        raise PublishError(
            f"the pull request branch and its base are both {branch!r}: set `branch` to a "
            "branch of its own (default django-dockerfile/update)."
        )
    try:
        base_sha = repo.get_git_ref(f"heads/{base}").object.sha
    except GithubException as exc:
        if exc.status == 404:
            raise PublishError(
                f"the base branch {base!r} does not exist in {full_name}; set `base` to an "
                "existing branch, or leave it empty for the default branch."
            ) from exc
        raise
    base_commit = repo.get_git_commit(base_sha)
    wanted = {path: blob_sha(text) for path, text in files.items()}

    base_entries = _entries(repo, base_commit.tree.sha, files)
    ref = _branch_ref(repo, branch)
    head = f"{repo.owner.login}:{branch}"
    if all(base_entries.get(p, ("", ""))[1] == sha for p, sha in wanted.items()):
        # The base branch already has these files (merged, or committed by hand): nothing to
        # propose, and an open pull request from our branch is stale.
        return _close_stale(repo, ref, head, base, branch, delete_branch)

    commit_sha: str | None = None
    verified: bool | None = None
    pushed = True
    pull = _open_pull(repo, head, base)
    if pull is None:
        declined = _declined(repo, head, base, wanted)
        if declined is not None:
            # Someone closed a pull request with exactly these files: that was an answer.
            return PublishResult("none", None, None, branch, None, declined=declined)
    if ref is not None:
        branch_commit = repo.get_git_commit(ref.object.sha)
        branch_entries = _entries(repo, branch_commit.tree.sha, files)
        # Up to date means the same files on top of today's base: when the base moved on, the
        # branch is reset onto it even though our files did not change.
        on_base = [p.sha for p in branch_commit.parents] == [base_sha]
        if on_base and all(branch_entries.get(p, ("", ""))[1] == sha for p, sha in wanted.items()):
            pushed = False
            commit_sha = branch_commit.sha
            verified = _verified(branch_commit)
    if pushed:
        changed = [p for p, sha in wanted.items() if base_entries.get(p, ("", ""))[1] != sha]
        elements = []
        for path in changed:
            blob = repo.create_git_blob(files[path], "utf-8")
            mode = base_entries.get(path, ("100644", ""))[0]
            elements.append(InputGitTreeElement(path, mode, "blob", sha=blob.sha))
        tree = repo.create_git_tree(elements, base_commit.tree)
        if who is None:
            commit = repo.create_git_commit(commit_message, tree, [base_commit])
        else:
            signature = InputGitAuthor(who.name, who.email)
            commit = repo.create_git_commit(
                commit_message, tree, [base_commit], author=signature, committer=signature
            )
        commit_sha = commit.sha
        verified = _verified(commit)
        if ref is None:
            repo.create_git_ref(f"refs/heads/{branch}", commit.sha)
        else:
            # Reset, not merge: the branch is ours and always one commit on top of base.
            ref.edit(commit.sha, force=True)

    if pull is None:
        try:
            pull = repo.create_pull(base=base, head=branch, title=title, body=body, draft=draft)
        except GithubException as exc:
            # Another run (or a retried POST) opened it meanwhile: use that one.
            if exc.status == 422 and "already exists" in str(exc.data):
                pull = _open_pull(repo, head, base)
            if pull is None:
                raise
            # It carries the other run's title and body; this run's files are on the branch.
            if pull.title != title or (pull.body or "") != body:
                pull.edit(title=title, body=body)
            operation = "updated"
        else:
            operation = "created"
    elif pushed or pull.title != title or (pull.body or "") != body:
        pull.edit(title=title, body=body)
        operation = "updated"
    else:
        operation = "none"

    warnings: list[str] = []
    if operation != "none":
        warnings = _decorate(pull, labels, assignees, reviewers, backoff)
    return PublishResult(
        operation, pull.number, pull.html_url, branch, commit_sha, tuple(warnings), verified
    )


def _verified(commit: Any) -> bool:
    """GitHub's verdict on the commit's signature (`verification.verified`)."""
    verification = commit.raw_data.get("verification") or {}
    return bool(verification.get("verified"))


def _close_stale(
    repo: Any, ref: Any, head: str, base: str, branch: str, delete_branch: bool
) -> PublishResult:
    """Close the open pull request from `branch` (the base has its files); delete the branch."""
    pull = _open_pull(repo, head, base)
    if pull is not None:
        pull.create_issue_comment(
            f"`{base}` already has these files, so this pull request is no longer needed: closing "
            "it. django-dockerfile opens a new one when the generated files change again."
        )
        pull.edit(state="closed")
    if delete_branch and ref is not None:
        ref.delete()
    if pull is None:
        return PublishResult("none", None, None, branch, None)
    return PublishResult("closed", pull.number, pull.html_url, branch, None)


def _declined(
    repo: Any, head: str, base: str, wanted: Mapping[str, str]
) -> tuple[int, str, str] | None:
    """(number, url, title) of a pull request from `head` closed unmerged with these files.

    The closed pull request keeps its head commit even when its branch is gone, so its tree is
    what was said no to; a different change (a newer patch, another Dockerfile) is proposed.
    """
    closed = repo.get_pulls(state="closed", head=head, base=base, sort="updated", direction="desc")
    for i, pull in enumerate(closed):
        if i >= DECLINED_LOOKBACK:
            break
        # merged_at, not merged: the list endpoint leaves `merged` out (PyGithub would fetch).
        if pull.merged_at is not None or not pull.head.sha:
            continue
        tree = repo.get_git_commit(pull.head.sha).tree.sha
        entries = _entries(repo, tree, wanted)
        if all(entries.get(p, ("", ""))[1] == sha for p, sha in wanted.items()):
            return pull.number, pull.html_url, pull.title
    return None


def _branch_ref(repo: Any, branch: str) -> Any:
    from github import GithubException

    try:
        ref = repo.get_git_ref(f"heads/{branch}")
        ref.object  # noqa: B018 - the ref is lazy; reading it is what asks GitHub
        return ref
    except GithubException as exc:
        if exc.status == 404:
            return None
        raise


def _open_pull(repo: Any, head: str, base: str) -> Any:
    for pull in repo.get_pulls(state="open", head=head, base=base):
        return pull
    return None


def _entries(repo: Any, tree_sha: str, files: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """{path: (mode, blob sha)} for those of `files` present in the tree.

    Walks only the directories on the way to the files, so a huge repository (whose recursive
    tree GitHub truncates) costs one request per directory level.
    """
    trees: dict[str, dict[str, tuple[str, str, str]]] = {}

    def listing(directory: str, sha: str) -> dict[str, tuple[str, str, str]]:
        if directory not in trees:
            tree = repo.get_git_tree(sha)
            trees[directory] = {e.path: (e.type, e.mode, e.sha) for e in tree.tree}
        return trees[directory]

    found: dict[str, tuple[str, str]] = {}
    for path in files:
        sha, directory = tree_sha, ""
        *dirs, name = path.split("/")
        for part in dirs:
            entry = listing(directory, sha).get(part)
            directory = f"{directory}{part}/"
            if entry is None or entry[0] != "tree":
                break
            sha = entry[2]
        else:
            entry = listing(directory, sha).get(name)
            if entry is not None and entry[0] == "blob":
                found[path] = (entry[1], entry[2])
    return found


def _decorate(
    pull: Any,
    labels: Sequence[str],
    assignees: Sequence[str],
    reviewers: Sequence[str],
    backoff: float,
) -> list[str]:
    """Labels, assignees and reviewers: a refusal is a warning, the pull request still stands."""
    warnings = []
    if labels:
        # e.g. a label the token may not create, or an archived repository's labels.
        why = _attempt(lambda: pull.add_to_labels(*labels), backoff)
        if why:
            warnings.append(f"could not add the labels {', '.join(labels)}: {why}")
    if assignees:
        why = _attempt(lambda: pull.add_to_assignees(*assignees), backoff)
        if why:
            warnings.append(f"could not assign {', '.join(assignees)}: {why}")
    users = [r for r in reviewers if "/" not in r]
    teams = [r.split("/", 1)[1] for r in reviewers if "/" in r]
    if users or teams:
        # e.g. "Review cannot be requested from pull request author."
        why = _attempt(
            lambda: pull.create_review_request(reviewers=users, team_reviewers=teams), backoff
        )
        if why:
            warnings.append(f"could not request reviews from {', '.join(reviewers)}: {why}")
    return warnings


def _attempt(call: Any, backoff: float) -> str | None:
    """Run `call`; None when it worked, else GitHub's reason. A 422 is retried a few times."""
    import time

    from github import GithubException

    for attempt in range(1, DECORATE_ATTEMPTS + 1):
        try:
            call()
            return None
        except GithubException as exc:
            # Right after creation GitHub may not yet see the pull request everywhere and
            # answers 422; the same call a moment later succeeds. Other refusals are final.
            if exc.status != 422 or attempt == DECORATE_ATTEMPTS:
                return _message(exc)
            time.sleep(backoff * attempt)
    return None


def _message(exc: Any) -> str:
    data = exc.data if isinstance(exc.data, dict) else {}
    parts = [str(data.get("message") or exc.data or "")]
    for err in data.get("errors") or []:
        if isinstance(err, dict) and err.get("message"):
            parts.append(str(err["message"]))
        elif isinstance(err, str):
            parts.append(err)
    return "; ".join(p for p in parts if p) or f"HTTP {exc.status}"


def _advice(exc: Any, full_name: str, api_url: str | None) -> str:
    """Turn a GitHub API failure into what the user should change."""
    message = _message(exc)
    where = api_url or DEFAULT_API_URL
    if exc.status == 403 and "not permitted to create or approve pull requests" in message:
        return f"{message.rstrip('.')}. {SETTINGS_ADVICE}"
    if exc.status == 401:
        return (
            f"GitHub at {where} rejected the token ({message}): check `github-token`; on GitHub "
            "Enterprise, GITHUB_API_URL must point at that server's API."
        )
    if exc.status in (403, 404):
        # GitHub answers 404 rather than 403 to writes a token may not make, to hide the repo.
        return f"GitHub refused access to {full_name} ({message}): {PERMISSIONS_ADVICE}"
    if exc.status >= 500:
        return f"GitHub at {where} kept failing ({message}, HTTP {exc.status}); try again later."
    return f"GitHub API error on {full_name}: {message} (HTTP {exc.status})."
