"""The action's inputs: read from INPUT_* variables (hyphens kept) and validated one by one.

Every bad input is reported as a message naming the input and what it accepts, never a traceback;
all of them at once, so one run shows the user every mistake.
"""

from __future__ import annotations

import json
import os
import re
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from actions_toolkit import core as gha

from generator.facts import Diagnostics
from generator.publish import DEFAULT_BRANCH, REFRESH_BRANCH, parse_identity

MODES = ("generate", "refresh", "check", "sweep")
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
    "install-groups": "",
    "install-extras": "",
    "offline": "false",
    "overwrite": "generated",
    "mode": "generate",
    "create-pull-request": "false",
    "github-token": "",
    "branch": "",
    "delete-branch": "false",
    "base": "",
    "commit-message": "",
    "pr-title": "",
    "pr-body": "",
    "labels": "",
    "assignees": "",
    "reviewers": "",
    "draft": "false",
    "fail-if-not-django": "false",
    "author": "",
    "allow-minor": "false",
    "pin-digest": "false",
    "fail-on-drift": "true",
    "registry": "",
    "min-age-days": "0",
    "registry-username": "",
    "registry-password": "",
    "registry-token": "",
    "refresh-files": "",
    # mode: sweep (generator/action/sweep.py)
    "owner": "",
    "repositories": "*",
    "exclude": "",
    "include-archived": "false",
    "include-forks": "false",
    "created-since": "",
    "shard": "1/1",
    "dry-run": "false",
    "state-file": "",
    "min-remaining": "100",
}
# Input name -> Options field (validated by generator.options, whose flags share these names).
OPTION_INPUTS = {
    "python-version": "python_version",
    "profile": "profile",
    "server": "server",
    "settings-module": "settings_module",
    "project-dir": "project_dir",
    "install-groups": "install_groups",
    "install-extras": "install_extras",
    "offline": "offline",
    "dockerfile": "dockerfile",
    "dockerignore": "dockerignore",
}
# Check mode proposes nothing (it fails on drift; mode: generate brings the files up to date).
REFRESH_ONLY = (
    "refresh-files",
    "allow-minor",
    "pin-digest",
    "registry",
    "min-age-days",
    "registry-username",
    "registry-password",
    "registry-token",
)
# Inputs whose values are masked in the log before anything else is printed.
SECRETS = ("github-token", "registry-password", "registry-token")
# Each mode has its own branch, so a refresh run never resets an open generate pull request.
BRANCHES = {"generate": DEFAULT_BRANCH, "check": DEFAULT_BRANCH, "refresh": REFRESH_BRANCH}
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
    base: str | None  # None: the repository's default branch
    base_given: bool  # the `base` input was set (else: the branch the workflow checked out)
    delete_branch: bool  # delete the branch of a pull request closed as no longer needed
    fail_on_drift: bool  # check: drift fails the step (false: warnings, exit 0)
    commit_message: str
    pr_title: str
    pr_body: str
    labels: tuple[str, ...]
    assignees: tuple[str, ...]
    reviewers: tuple[str, ...]
    draft: bool
    fail_if_not_django: bool
    author: str  # "Name <email>", or empty: GitHub signs the commit as the token's identity
    repository: str | None  # owner/name from GITHUB_REPOSITORY
    allow_minor: bool  # refresh: may move to a newer Python minor the project allows
    pin_digest: bool  # refresh: add @sha256 digests to the python base images
    registry: str | None  # refresh: registry v2 base URL (a mirror); None: Docker Hub
    min_age_days: int  # refresh: tags and digests pushed more recently are held back
    refresh_files: tuple[str, ...]  # refresh: paths or globs under the project; () = dockerfile
    # refresh: (username, password, token) for a registry that needs a login; "" when not given
    registry_login: tuple[str, str, str] = field(default=("", "", ""), repr=False)


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


def _refresh_files() -> tuple[str, ...]:
    patterns = _items("refresh-files")
    for pattern in patterns:
        parts = pattern.replace("\\", "/").split("/")
        if pattern.startswith(("/", "~")) or ".." in parts:
            raise InputError(
                "refresh-files",
                f"{pattern!r} leaves the project; use paths or globs relative to `path` "
                "(Dockerfile*, services/*/Dockerfile, compose*.yaml)",
            )
    return tuple(dict.fromkeys(patterns))


def _registry_login() -> tuple[str, str, str]:
    username = _input("registry-username").strip()
    password = _input("registry-password")
    token = _input("registry-token").strip()
    if password and not username:
        raise InputError("registry-password", "needs registry-username as well")
    if username and not (password or token):
        raise InputError(
            "registry-username", "needs registry-password (a password or an access token)"
        )
    return username, password, token


def _min_age() -> int:
    value = _input("min-age-days").strip() or "0"
    if not value.isascii() or not value.isdigit() or int(value) > 365:
        raise InputError(
            "min-age-days", f"{value!r} is not a number of days; use a whole number from 0 to 365"
        )
    return int(value)


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
    flags = ("create-pull-request", "draft", "fail-if-not-django", "allow-minor", "pin-digest")
    for flag in (*flags, "delete-branch", "fail-on-drift"):
        attempt(flag, lambda flag=flag: _boolean(flag))
    attempt(
        "branch", lambda: _ref("branch") or BRANCHES.get(values.get("mode", ""), DEFAULT_BRANCH)
    )
    attempt("base", lambda: _ref("base") or checked_out_branch(env))
    values["base-given"] = bool(_input("base"))
    attempt("labels", _labels)
    attempt("assignees", lambda: _people("assignees", teams=False))
    attempt("reviewers", lambda: _people("reviewers", teams=True))
    attempt("author", _author)
    attempt("registry", _registry)
    attempt("min-age-days", _min_age)
    attempt("registry-login", _registry_login)
    attempt("refresh-files", _refresh_files)
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
            base_given=values["base-given"],
            delete_branch=values["delete-branch"],
            fail_on_drift=values["fail-on-drift"],
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
            min_age_days=values["min-age-days"],
            registry_login=values["registry-login"],
            refresh_files=values["refresh-files"],
        ),
        [],
    )


def fork_of(env: Mapping[str, str]) -> str | None:
    """The fork a pull_request run comes from (owner/name), or None for any other run.

    GitHub gives such runs a read-only token whatever the workflow's permissions say, so no
    branch can be pushed there; the event payload (GITHUB_EVENT_PATH) names the head repository.
    """
    if env.get("GITHUB_EVENT_NAME") not in ("pull_request", "pull_request_review"):
        return None
    try:
        with open(env.get("GITHUB_EVENT_PATH") or "", encoding="utf-8") as fh:
            event = json.load(fh)
        head = event["pull_request"]["head"]["repo"]
        base = event["pull_request"]["base"]["repo"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(head, dict):  # the fork was deleted since
        return "a deleted fork"
    name = str(head.get("full_name") or "")
    if head.get("fork") or (name and name != (base or {}).get("full_name")):
        return name or "a fork"
    return None


def checked_out_branch(env: Mapping[str, str]) -> str | None:
    """The branch the workflow checked out, the default base of the pull request.

    push, schedule, workflow_dispatch and pull_request_target runs check out a branch
    (GITHUB_REF refs/heads/NAME). A pull_request run checks out refs/pull/N/merge, the head
    branch (GITHUB_HEAD_REF) merged into its target (GITHUB_BASE_REF): the files belong to the
    head branch, so the proposal goes there. Tags and anything else: None, the default branch.
    """
    ref = env.get("GITHUB_REF", "")
    if ref.startswith("refs/heads/"):
        return ref.removeprefix("refs/heads/")
    if ref.startswith("refs/pull/") and env.get("GITHUB_HEAD_REF"):
        return env["GITHUB_HEAD_REF"]
    return None


def _project_root(workspace: Path) -> Path:
    if not workspace.is_dir():
        raise InputError(
            "path",
            f"the workspace {str(workspace)!r} (GITHUB_WORKSPACE) is not a directory: run "
            "actions/checkout before this step",
        )
    raw = _input("path") or "."
    root = _inside(workspace, workspace / raw, "path")
    if not root.is_dir():
        raise InputError("path", f"{raw!r} is not a directory in the workspace")
    return root


def _author() -> str:
    value = _input("author").strip()
    if not value:
        return ""
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
