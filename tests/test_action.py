"""The action run as GitHub runs it: INPUT_* variables (hyphens kept), a workspace mount,
GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, GITHUB_API_URL at a local GitHub server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
from fake_github import TOKEN, FakeGitHub
from helpers import write_tree

from generator import action
from generator.facts import (
    Diagnostic,
    DjangoVersion,
    Evidence,
    ProjectFacts,
    PythonChoice,
)
from generator.publish import publish as real_publish
from generator.render import HEADER_MARK
from generator.write import write_one

REPO_ROOT = Path(__file__).resolve().parent.parent
PROJECT = {
    "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n",
    "shop/settings.py": "DEBUG = False\n",
    "requirements.txt": "Django==5.2.1\ngunicorn\n",
    ".python-version": "3.12\n",
}


class FakeCore:
    """Stands in for generator.core: a Dockerfile that depends on requirements.txt's content."""

    def generate(self, root: Path, options):
        if not (root / "manage.py").exists():
            facts = ProjectFacts(django=False, reason="no manage.py in the repository")
            return SimpleNamespace(facts=facts, plan=None, files={}, decisions=())
        facts = ProjectFacts(
            django=True,
            reason="manage.py and Django in requirements.txt",
            project_dir=".",
            python=PythonChoice("3.12", ".python-version:1"),
            django_version=DjangoVersion("==5.2.1", "5.2.1", "requirements.txt:1"),
            warnings=(
                Diagnostic("settings read DATABASE_URL at import time", "shop/settings.py", 1),
            ),
        )
        reqs = (root / "requirements.txt").read_text()
        dockerfile = (
            f"# {HEADER_MARK}\nFROM python:{options.python_version or '3.12'}-slim\n"
            f"# {len(reqs.splitlines())} requirements\n"
        )
        files = {options.dockerfile: dockerfile, options.dockerignore: ".git\n"}
        decisions = (
            Evidence("FROM python:3.12-slim", ".python-version", 1, "the project pins 3.12"),
            Evidence("CMD gunicorn", "requirements.txt", 2, "gunicorn is a dependency"),
        )
        return SimpleNamespace(facts=facts, plan=None, files=files, decisions=decisions)

    def write_files(self, root, generated, overwrite="generated", dry_run=False):
        return [
            write_one(Path(root), name, text, overwrite, dry_run)
            for name, text in generated.files.items()
        ]


def read_outputs(path: Path) -> dict[str, str]:
    """Parse GITHUB_OUTPUT's `name<<delimiter` blocks as the runner does."""
    out: dict[str, str] = {}
    lines = path.read_text().splitlines()
    i = 0
    while i < len(lines):
        name, _, delim = lines[i].partition("<<")
        j = lines.index(delim, i + 1)
        out[name] = "\n".join(lines[i + 1 : j])
        i = j + 1
    return out


class Run:
    def __init__(self, workspace: Path, output: Path, summary: Path):
        self.workspace, self.output, self.summary = workspace, output, summary

    @property
    def outputs(self) -> dict[str, str]:
        return read_outputs(self.output)


@pytest.fixture
def gha(tmp_path, monkeypatch):
    """A /github/workspace-style checkout with the project, and the runner's files."""
    for key in list(os.environ):
        if key.startswith(("INPUT_", "GITHUB_")):
            monkeypatch.delenv(key)
    workspace = write_tree(tmp_path / "github" / "workspace", PROJECT)
    output = tmp_path / "github_output"
    summary = tmp_path / "step_summary"
    output.touch()
    summary.touch()
    monkeypatch.setenv("GITHUB_WORKSPACE", str(workspace))
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_REPOSITORY", "octo/shop")
    monkeypatch.setenv("GITHUB_SHA", "a" * 40)
    monkeypatch.setenv("INPUT_GITHUB-TOKEN", TOKEN)
    return Run(workspace, output, summary)


def set_inputs(monkeypatch, **inputs: str) -> None:
    for name, value in inputs.items():
        monkeypatch.setenv(f"INPUT_{name.replace('_', '-').upper()}", value)


def test_generate_writes_files_outputs_summary_and_annotations(gha, capsys):
    assert action.run(core=FakeCore()) == 0
    stdout = capsys.readouterr().out
    dockerfile = gha.workspace / "Dockerfile"
    assert HEADER_MARK in dockerfile.read_text()
    assert (gha.workspace / ".dockerignore").read_text() == ".git\n"
    outputs = gha.outputs
    assert outputs["django"] == "true"
    assert outputs["dockerfile"] == "Dockerfile"
    assert outputs["python-version"] == "3.12"
    assert outputs["django-version"] == "5.2.1"
    assert outputs["changed"] == "true"
    assert outputs["pull-request-operation"] == "none"
    assert outputs["pull-request-number"] == ""
    assert "::warning file=shop/settings.py,line=1::settings read DATABASE_URL" in stdout
    summary = gha.summary.read_text()
    assert "| Python | 3.12 (.python-version:1) |" in summary
    # Each decision links the file and line that caused it.
    assert (
        f"[`requirements.txt:2`](https://github.com/octo/shop/blob/{'a' * 40}/requirements.txt#L2)"
        in summary
    )
    assert "```diff\n--- /dev/null\n+++ b/Dockerfile" in summary
    assert "settings read DATABASE_URL" in summary


def test_second_run_changes_nothing(gha):
    assert action.run(core=FakeCore()) == 0
    gha.output.write_text("")
    assert action.run(core=FakeCore()) == 0
    assert gha.outputs["changed"] == "false"


def test_token_is_masked_and_never_printed(gha, capsys):
    action.run(core=FakeCore())
    stdout = capsys.readouterr().out
    assert stdout.startswith(f"::add-mask::{TOKEN}\n")
    assert stdout.count(TOKEN) == 1
    assert TOKEN not in gha.summary.read_text() + gha.output.read_text()


def test_project_in_a_subdirectory(gha, monkeypatch, capsys):
    app = gha.workspace / "backend"
    app.mkdir()
    for name in PROJECT:
        (gha.workspace / name).rename(app / name) if "/" not in name else None
    (gha.workspace / "shop").rename(app / "shop")
    set_inputs(monkeypatch, path="backend", dockerfile="docker/Dockerfile")
    assert action.run(core=FakeCore()) == 0
    assert (app / "docker" / "Dockerfile").is_file()
    assert gha.outputs["dockerfile"] == "backend/docker/Dockerfile"
    # Annotations name files relative to the repository, where GitHub looks for them.
    assert "file=backend/shop/settings.py,line=1" in capsys.readouterr().out


def test_hand_written_dockerfile_is_kept(gha):
    (gha.workspace / "Dockerfile").write_text("FROM python:3.9\n")
    assert action.run(core=FakeCore()) == 0
    assert (gha.workspace / "Dockerfile").read_text() == "FROM python:3.9\n"
    assert "`Dockerfile`: skipped" in gha.summary.read_text()


def test_not_django_is_a_notice_unless_asked_to_fail(gha, monkeypatch, capsys):
    (gha.workspace / "manage.py").unlink()
    assert action.run(core=FakeCore()) == 0
    assert gha.outputs["django"] == "false"
    assert "::notice::No Django project in .: no manage.py" in capsys.readouterr().out
    assert not (gha.workspace / "Dockerfile").exists()

    gha.output.write_text("")
    set_inputs(monkeypatch, fail_if_not_django="true")
    assert action.run(core=FakeCore()) == 1
    assert gha.outputs["django"] == "false"
    assert "::error::No Django project" in capsys.readouterr().out


# --- check mode: generator.check through the action -------------------------------------------


def test_check_mode_fails_on_drift_and_writes_nothing(gha, monkeypatch, capsys):
    assert action.run() == 0  # the real generator writes the files
    (gha.workspace / ".python-version").write_text("3.13\n")
    before = (gha.workspace / "Dockerfile").read_text()
    gha.output.write_text("")
    set_inputs(monkeypatch, mode="check")
    assert action.run() == 1
    assert (gha.workspace / "Dockerfile").read_text() == before
    assert gha.outputs["changed"] == "true"
    assert "::error::Dockerfile no longer match the project" in capsys.readouterr().out
    summary = gha.summary.read_text()
    assert "- `Dockerfile`: outdated" in summary
    assert "-ARG PYTHON_VERSION=3.12." in summary and "+ARG PYTHON_VERSION=3.13." in summary


def test_check_mode_reports_drift_without_failing_when_fail_on_drift_is_false(
    gha, monkeypatch, capsys
):
    assert action.run() == 0
    (gha.workspace / ".python-version").write_text("3.13\n")
    gha.output.write_text("")
    set_inputs(monkeypatch, mode="check", fail_on_drift="false")
    assert action.run() == 0
    assert gha.outputs["changed"] == "true"
    stdout = capsys.readouterr().out
    assert "::warning::Dockerfile no longer match the project" in stdout
    assert "(fail-on-drift is false)" in stdout and "::error" not in stdout
    assert "- `Dockerfile`: outdated" in gha.summary.read_text()


def test_check_mode_passes_when_only_refresh_moved_the_patch_release(gha, monkeypatch, capsys):
    assert action.run() == 0
    dockerfile = gha.workspace / "Dockerfile"
    text = dockerfile.read_text()
    old = next(w for w in text.split() if w.startswith("PYTHON_VERSION=3.12."))
    dockerfile.write_text(text.replace(old, "PYTHON_VERSION=3.12.99"))  # what refresh would do
    gha.output.write_text("")
    capsys.readouterr()
    set_inputs(monkeypatch, mode="check")
    assert action.run() == 0
    assert gha.outputs["changed"] == "false"
    assert "::error" not in capsys.readouterr().out
    summary = gha.summary.read_text()
    assert "- `Dockerfile`: unchanged" in summary
    assert "which refresh maintains: not drift" in summary


HAND_WRITTEN = "FROM python:3.9\nCOPY . /app\nCMD python manage.py runserver\n"


def test_check_mode_reviews_a_hand_written_dockerfile(gha, monkeypatch, capsys):
    (gha.workspace / "Dockerfile").write_text(HAND_WRITTEN)
    set_inputs(monkeypatch, mode="check")
    assert action.run() == 1
    assert (gha.workspace / "Dockerfile").read_text() == HAND_WRITTEN  # never rewritten
    assert not (gha.workspace / ".dockerignore").exists()
    stdout = capsys.readouterr().out
    python = "::error file=Dockerfile,line=1::uses Python 3.9 but .python-version:1 says 3.12"
    assert python in stdout
    assert "::error file=Dockerfile,line=3::the image starts `manage.py runserver`" in stdout
    assert "::warning file=Dockerfile,line=1::the image runs as root" in stdout
    # The advice names the action, not only the CLI.
    assert "::warning file=.dockerignore::missing: " in stdout
    assert "(or this action with mode: generate)" in stdout
    assert "::error::4 thing(s) the project needs are missing" in stdout
    assert gha.outputs["changed"] == "true"
    summary = gha.summary.read_text()
    assert "- `Dockerfile`: reviewed: hand-written, never rewritten: 3 finding(s)" in summary
    link = f"https://github.com/octo/shop/blob/{'a' * 40}/Dockerfile#L1"
    assert f"**error** [`Dockerfile:1`]({link}): uses Python 3.9" in summary
    assert "```diff" not in summary  # a hand-written file is reviewed, not diffed


def test_check_mode_names_files_relative_to_the_repository(gha, monkeypatch, capsys):
    """A project in a subdirectory: annotations and the summary use repository paths."""
    from generator.check import CheckResult
    from generator.review import Finding

    app = gha.workspace / "backend"
    app.mkdir()
    for name in ("manage.py", "requirements.txt", ".python-version", "shop"):
        (gha.workspace / name).rename(app / name)
    (app / "Dockerfile").write_text("FROM python:3.12\n")
    diff = "--- /dev/null\n+++ b/.dockerignore\n@@ -0,0 +1 @@\n+.git\n"
    core = FakeCore()
    core.check = lambda root, options, generated=None: CheckResult(
        drift=True,
        diffs={".dockerignore": diff},
        findings=[Finding("Dockerfile", 1, "no USER", "warning")],
        handwritten=True,
        missing=[".dockerignore"],
    )
    set_inputs(monkeypatch, mode="check", path="backend")
    assert action.run(core=core) == 1
    stdout = capsys.readouterr().out
    assert "::warning file=backend/Dockerfile,line=1::no USER" in stdout
    assert "::error::backend/.dockerignore no longer match the project" in stdout
    summary = gha.summary.read_text()
    assert "- `backend/.dockerignore`: missing: mode: generate would create it" in summary
    assert "### Diff of `backend/.dockerignore`" in summary
    assert (
        "- `backend/Dockerfile`: reviewed: hand-written, never rewritten: 1 finding(s)" in summary
    )


def test_check_mode_opens_no_pull_request(gha, monkeypatch):
    def publish(**kw):
        raise AssertionError("check mode must not publish")

    (gha.workspace / ".dockerignore").write_text(".git\n")  # hand-written: kept
    set_inputs(monkeypatch, mode="check", create_pull_request="true")
    assert action.run(publish=publish) == 1  # no Dockerfile: drift
    assert gha.outputs["pull-request-operation"] == "none"
    assert "create-pull-request does nothing in check mode" in gha.summary.read_text()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_written_files_belong_to_the_workspace_owner(gha, monkeypatch):
    os.chown(gha.workspace, 4242, 4243)
    set_inputs(monkeypatch, dockerfile="deploy/Dockerfile")
    assert action.run(core=FakeCore()) == 0
    for path in (gha.workspace / "deploy", gha.workspace / "deploy/Dockerfile"):
        st = path.stat()
        assert (st.st_uid, st.st_gid) == (4242, 4243)
    assert (gha.workspace / "manage.py").stat().st_uid == 0  # untouched files stay as they were


# --- the pull request, through PyGithub, against the local GitHub server ---------------------


@pytest.fixture
def github(monkeypatch):
    with FakeGitHub(prefix="/api/v3") as server:
        server.add_repo("octo/shop", PROJECT)
        monkeypatch.setenv("GITHUB_API_URL", server.api_url)
        yield server


def fast_publish(**kw):
    return real_publish(**kw, backoff=0.001)


def test_pull_request_created_then_nothing_then_updated(gha, github, monkeypatch):
    set_inputs(
        monkeypatch,
        create_pull_request="true",
        labels="docker\nneeds review",
        reviewers="@bob, octo/platform",
        draft="true",
    )
    repo = github.repos["octo/shop"]

    assert action.run(core=FakeCore(), publish=fast_publish) == 0
    out = gha.outputs
    assert out["pull-request-operation"] == "created"
    assert out["pull-request-number"] == "1"
    assert out["pull-request-url"].endswith("/octo/shop/pull/1")
    pull = repo.pulls[0]
    assert pull["draft"] and pull["labels"] == ["docker", "needs review"]
    assert pull["reviewers"] == ["bob"] and pull["team_reviewers"] == ["platform"]
    assert "Why each line is there" in pull["body"]
    assert "gunicorn is a dependency" in pull["body"]
    assert set(repo.files_at("django-dockerfile/update")) >= {"Dockerfile", ".dockerignore"}
    assert "[#1](" in gha.summary.read_text()
    assert out["pull-request-commits-verified"] == "true"
    assert "The commit is verified" in gha.summary.read_text()
    commits = repo.commit_count()

    gha.output.write_text("")
    assert action.run(core=FakeCore(), publish=fast_publish) == 0
    assert gha.outputs["pull-request-operation"] == "none"
    assert gha.outputs["pull-request-number"] == "1"
    assert repo.commit_count() == commits  # no empty commit
    assert len(repo.pulls) == 1

    (gha.workspace / "requirements.txt").write_text("Django==5.2.1\ngunicorn\nwhitenoise\n")
    gha.output.write_text("")
    assert action.run(core=FakeCore(), publish=fast_publish) == 0
    assert gha.outputs["pull-request-operation"] == "updated"
    assert gha.outputs["pull-request-number"] == "1"
    assert len(repo.pulls) == 1
    assert "# 3 requirements" in repo.files_at("django-dockerfile/update")["Dockerfile"]
    # The workspace copy of requirements.txt is not proposed: only the generated files are.
    assert "whitenoise" not in repo.files_at("django-dockerfile/update")["requirements.txt"]


def test_pull_request_body_links_the_branch_so_new_commits_on_main_do_not_edit_it(
    gha, github, monkeypatch
):
    set_inputs(monkeypatch, create_pull_request="true")
    assert action.run(core=FakeCore(), publish=fast_publish) == 0
    body = github.repos["octo/shop"].pulls[0]["body"]
    assert "/octo/shop/blob/django-dockerfile/update/requirements.txt#L2" in body
    assert "a" * 40 not in body
    # The next run checks out another commit (GITHUB_SHA) of an unchanged base.
    monkeypatch.setenv("GITHUB_SHA", "b" * 40)
    gha.output.write_text("")
    assert action.run(core=FakeCore(), publish=fast_publish) == 0
    assert gha.outputs["pull-request-operation"] == "none"
    assert github.count("PATCH", r"/pulls/") == 0


def test_author_input_makes_the_commit_unsigned_and_says_so(gha, github, monkeypatch):
    set_inputs(monkeypatch, create_pull_request="true", author="Release Bot <bot@example.com>")
    assert action.run(core=FakeCore(), publish=fast_publish) == 0
    assert gha.outputs["pull-request-commits-verified"] == "false"
    summary = gha.summary.read_text()
    assert "The commit is not verified" in summary and "Require signed commits" in summary
    repo = github.repos["octo/shop"]
    head = repo.commits[repo.refs["heads/django-dockerfile/update"]]
    assert head["author"]["email"] == "bot@example.com"


def test_refused_label_still_sets_the_outputs(gha, github, monkeypatch, capsys):
    set_inputs(monkeypatch, create_pull_request="true", labels="docker", reviewers="bob")
    github.fail("POST", r"/issues/\d+/labels", 422, "Validation Failed", times=10)
    assert action.run(core=FakeCore(), publish=fast_publish) == 0
    out = gha.outputs
    assert out["pull-request-operation"] == "created"
    assert out["pull-request-number"] == "1"
    assert "::warning::could not add the labels docker" in capsys.readouterr().out
    assert github.repos["octo/shop"].pulls[0]["reviewers"] == ["bob"]


def test_refresh_and_generate_pull_requests_use_their_own_branches(
    gha, github, mirror, monkeypatch
):
    set_inputs(monkeypatch, create_pull_request="true")
    assert action.run(core=FakeCore(), publish=fast_publish) == 0
    repo = github.repos["octo/shop"]
    generate_head = repo.refs["heads/django-dockerfile/update"]

    (gha.workspace / "Dockerfile").write_text(OLD_DOCKERFILE)
    set_inputs(monkeypatch, mode="refresh", registry=mirror.url)
    assert action.run(publish=fast_publish) == 0
    assert gha.outputs["pull-request-operation"] == "created"
    assert [p["head"] for p in repo.open_pulls()] == [
        "django-dockerfile/update",
        "django-dockerfile/refresh",
    ]
    assert repo.refs["heads/django-dockerfile/update"] == generate_head  # left alone


@pytest.mark.parametrize(
    ("env", "base"),
    [
        ({"GITHUB_REF": "refs/heads/develop"}, "develop"),
        ({"GITHUB_REF": "refs/pull/7/merge", "GITHUB_HEAD_REF": "develop"}, "develop"),
        ({"GITHUB_REF": "refs/tags/v1.0"}, "main"),
        ({}, "main"),
    ],
)
def test_pull_request_goes_into_the_branch_the_workflow_checked_out(
    gha, github, monkeypatch, env, base
):
    repo = github.repos["octo/shop"]
    repo.refs["heads/develop"] = repo.refs["heads/main"]
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("GITHUB_BASE_REF", "main" if "GITHUB_HEAD_REF" in env else "")
    set_inputs(monkeypatch, create_pull_request="true")
    assert action.run(core=FakeCore(), publish=fast_publish) == 0
    assert repo.pulls[0]["base"] == base


def test_run_from_a_fork_skips_the_pull_request_with_a_notice_naming_forks(
    gha, github, monkeypatch, capsys, tmp_path
):
    event = tmp_path / "event.json"
    event.write_text(
        '{"pull_request": {"head": {"repo": {"full_name": "mallory/shop", "fork": true}},'
        ' "base": {"repo": {"full_name": "octo/shop", "fork": false}}}}'
    )
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    set_inputs(monkeypatch, create_pull_request="true")
    assert action.run(core=FakeCore(), publish=fast_publish) == 0
    stdout = capsys.readouterr().out
    assert (
        "::notice::No pull request: this run comes from a pull request opened from the fork "
        "mallory/shop" in stdout
    )
    assert "permissions" not in stdout
    assert github.requests == []  # not one API call with the read-only token
    assert gha.outputs["pull-request-operation"] == "none"
    assert (gha.workspace / "Dockerfile").exists()
    assert "fork mallory/shop" in gha.summary.read_text()


def test_same_repository_pull_request_run_still_proposes(gha, github, monkeypatch, tmp_path):
    event = tmp_path / "event.json"
    event.write_text(
        '{"pull_request": {"head": {"repo": {"full_name": "octo/shop", "fork": false}},'
        ' "base": {"repo": {"full_name": "octo/shop", "fork": false}}}}'
    )
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    set_inputs(monkeypatch, create_pull_request="true")
    assert action.run(core=FakeCore(), publish=fast_publish) == 0
    assert gha.outputs["pull-request-operation"] == "created"


def test_annotations_stop_at_githubs_ten_per_kind_with_a_note(gha, monkeypatch, capsys):
    many = tuple(Diagnostic(f"warning number {i}", "shop/settings.py", i) for i in range(1, 16))

    class Noisy(FakeCore):
        def generate(self, root, options):
            generated = super().generate(root, options)
            generated.facts = replace(generated.facts, warnings=many)
            return generated

    assert action.run(core=Noisy()) == 0
    warnings = [x for x in capsys.readouterr().out.splitlines() if x.startswith("::warning")]
    assert len(warnings) == 10
    assert "warning number 9" in warnings[8] and "warning number 10" not in "".join(warnings)
    assert warnings[-1].endswith(
        "::6 more warnings are not annotated (GitHub shows 10 per step); the job summary lists "
        "them all"
    )
    assert "warning number 15" in gha.summary.read_text()


def test_run_on_the_pull_requests_own_branch_proposes_nothing(gha, github, monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_REF", "refs/heads/django-dockerfile/update")
    set_inputs(monkeypatch, create_pull_request="true")
    assert action.run(core=FakeCore(), publish=fast_publish) == 0
    assert "::notice::No pull request: this run is on django-dockerfile/update" in (
        capsys.readouterr().out
    )
    assert github.requests == []


def test_pull_request_forbidden_says_which_setting(gha, github, monkeypatch, capsys):
    set_inputs(monkeypatch, create_pull_request="true")
    github.fail(
        "POST",
        r"/pulls$",
        403,
        "GitHub Actions is not permitted to create or approve pull requests.",
    )
    assert action.run(core=FakeCore(), publish=fast_publish) == 1
    stdout = capsys.readouterr().out
    assert "::error::" in stdout
    assert "Allow GitHub Actions to create and approve pull requests" in stdout
    assert ".." not in stdout
    assert gha.outputs["django"] == "true"  # outputs are still written


# --- refresh mode: a registry mirror on 127.0.0.1, the pull request on the fake GitHub ---------

OLD_DOCKERFILE = """\
# syntax=docker/dockerfile:1
ARG PYTHON_VERSION=3.12.7
FROM python:${PYTHON_VERSION}-slim-bookworm AS build
RUN pip install -r requirements.txt

# the runtime
FROM  python:3.12.7-slim-bookworm  AS runtime
CMD ["gunicorn", "shop.wsgi"]
"""
TAGS = [
    "3.12.7-slim-bookworm",
    "3.12.8-slim-bookworm",
    "3.12.9-slim-bookworm",
    "3.12.9-slim",
    "3.12.10rc1-slim-bookworm",
    "3.13.2-slim-bookworm",
]


@pytest.fixture
def mirror():
    from fake_registry import FakeRegistry

    with FakeRegistry(TAGS) as fake:
        yield fake


def test_refresh_opens_a_pull_request_then_finds_nothing_to_do(
    gha, github, mirror, monkeypatch, capsys
):
    from fake_registry import fake_digest

    (gha.workspace / "Dockerfile").write_text(OLD_DOCKERFILE)
    repo = github.repos["octo/shop"]
    github.push("octo/shop", "main", {"Dockerfile": OLD_DOCKERFILE}, "hand-written Dockerfile")
    set_inputs(
        monkeypatch,
        mode="refresh",
        registry=mirror.url,
        pin_digest="true",
        create_pull_request="true",
    )

    assert action.run(publish=fast_publish) == 0, capsys.readouterr().out
    digest = fake_digest("3.12.9-slim-bookworm")
    expected = (
        OLD_DOCKERFILE.replace("=3.12.7", "=3.12.9")
        .replace("-slim-bookworm AS build", f"-slim-bookworm@{digest} AS build")
        .replace("python:3.12.7-slim-bookworm ", f"python:3.12.9-slim-bookworm@{digest} ")
    )
    assert (gha.workspace / "Dockerfile").read_text() == expected
    # Tags were listed through the mirror's v2 API (token handshake and all), not Docker Hub.
    assert any(p.startswith("/v2/library/python/tags/list") for p in mirror.paths())
    out = gha.outputs
    assert out["changed"] == "true"
    assert out["pull-request-operation"] == "created"
    assert repo.files_at("django-dockerfile/refresh")["Dockerfile"] == expected
    pull = repo.pulls[0]
    assert pull["title"] == "python 3.12.7-slim-bookworm → 3.12.9-slim-bookworm"
    assert "`python:3.12.7-slim-bookworm` → `python:3.12.9-slim-bookworm" in pull["body"]
    assert "https://docs.python.org/release/3.12.9/whatsnew/changelog.html" in pull["body"]
    assert "```diff" in gha.summary.read_text()
    commits = repo.commit_count()

    # The next scheduled run checks out the base branch again: same change, the PR has it.
    (gha.workspace / "Dockerfile").write_text(OLD_DOCKERFILE)
    gha.output.write_text("")
    assert action.run(publish=fast_publish) == 0
    assert gha.outputs["pull-request-operation"] == "none"
    assert gha.outputs["pull-request-number"] == "1"
    assert repo.commit_count() == commits and len(repo.pulls) == 1

    # Once the PR is merged the base image is current: nothing changes, nothing is committed.
    repo.close_pull(1, merged=True)
    (gha.workspace / "Dockerfile").write_text(expected)
    commits = repo.commit_count()
    gha.summary.write_text("")
    gha.output.write_text("")
    assert action.run(publish=fast_publish) == 0
    assert (gha.workspace / "Dockerfile").read_text() == expected
    out = gha.outputs
    assert out["changed"] == "false"
    assert out["pull-request-operation"] == "none"
    assert out["pull-request-number"] == ""
    assert repo.commit_count() == commits and len(repo.pulls) == 1
    assert "- `Dockerfile`: unchanged: the base images are current" in gha.summary.read_text()


def test_refresh_declined_is_not_proposed_again_but_a_newer_patch_is(
    gha, github, mirror, monkeypatch
):
    github.push("octo/shop", "main", {"Dockerfile": OLD_DOCKERFILE}, "hand-written Dockerfile")
    repo = github.repos["octo/shop"]
    set_inputs(monkeypatch, mode="refresh", registry=mirror.url, create_pull_request="true")
    (gha.workspace / "Dockerfile").write_text(OLD_DOCKERFILE)
    assert action.run(publish=fast_publish) == 0
    assert repo.pulls[0]["title"] == "python 3.12.7-slim-bookworm → 3.12.9-slim-bookworm"
    repo.close_pull(1)  # "no, thanks"
    repo.pulls[0]["title"] = "@octo/everyone <img src=x> no"  # edited by anyone on GitHub

    (gha.workspace / "Dockerfile").write_text(OLD_DOCKERFILE)
    gha.summary.write_text("")
    assert action.run(publish=fast_publish) == 0
    assert gha.outputs["pull-request-operation"] == "none"
    assert len(repo.pulls) == 1
    summary = gha.summary.read_text()
    assert "not proposed again; [#1](" in summary
    assert "@octo/everyone" not in summary and "<img" not in summary

    # A week later Python 3.12.10 is out: a different change, proposed again.
    mirror.tags.append("3.12.10-slim-bookworm")
    (gha.workspace / "Dockerfile").write_text(OLD_DOCKERFILE)
    assert action.run(publish=fast_publish) == 0
    assert gha.outputs["pull-request-operation"] == "created"
    assert repo.pulls[1]["title"] == "python 3.12.7-slim-bookworm → 3.12.10-slim-bookworm"


def test_refresh_several_dockerfiles_and_a_compose_file_in_one_pull_request(
    gha, github, mirror, monkeypatch, capsys
):
    compose = "services:\n  web:\n    image: python:3.12.7-slim-bookworm\n"
    files = {
        "Dockerfile": OLD_DOCKERFILE,
        "services/api/Dockerfile": "FROM python:3.12.8-slim-bookworm\n",
        "services/worker/Dockerfile": "FROM python:3.12.9-slim-bookworm\n",
        "compose.yaml": compose,
    }
    write_tree(gha.workspace, files)
    github.push("octo/shop", "main", files, "four files with python images")
    set_inputs(
        monkeypatch,
        mode="refresh",
        registry=mirror.url,
        create_pull_request="true",
        refresh_files="Dockerfile, services/*/Dockerfile\ncompose*.yaml\nmissing/Dockerfile",
    )
    assert action.run(publish=fast_publish) == 0
    stdout = capsys.readouterr().out
    assert "'missing/Dockerfile' matches no file" in stdout
    branch = github.repos["octo/shop"].files_at("django-dockerfile/refresh")
    assert "ARG PYTHON_VERSION=3.12.9" in branch["Dockerfile"]
    assert branch["services/api/Dockerfile"] == "FROM python:3.12.9-slim-bookworm\n"
    assert branch["compose.yaml"] == compose.replace("3.12.7", "3.12.9")
    assert len(github.repos["octo/shop"].pulls) == 1
    summary = gha.summary.read_text()
    assert "- `services/worker/Dockerfile`: unchanged" in summary
    assert "- `compose.yaml`: updated" in summary


def test_refresh_through_a_private_registry_with_masked_credentials(gha, monkeypatch, capsys):
    from fake_registry import FakeRegistry

    (gha.workspace / "Dockerfile").write_text(OLD_DOCKERFILE)
    with FakeRegistry(TAGS, login=("robot", "s3cret-pw")) as private:
        set_inputs(
            monkeypatch,
            mode="refresh",
            registry=private.url,
            registry_username="robot",
            registry_password="s3cret-pw",
        )
        assert action.run() == 0
        stdout = capsys.readouterr().out
        masks = "::add-mask::ghs_fake_token_1234567890\n::add-mask::s3cret-pw\n"
        assert stdout.startswith(masks)  # before anything else is printed
        assert "s3cret-pw" not in stdout.removeprefix(masks)
        assert "s3cret-pw" not in gha.summary.read_text()
        assert "ARG PYTHON_VERSION=3.12.9" in (gha.workspace / "Dockerfile").read_text()

        set_inputs(monkeypatch, registry_password="wrong")
        (gha.workspace / "Dockerfile").write_text(OLD_DOCKERFILE)
        assert action.run() == 1
        assert "refused the credentials" in capsys.readouterr().out


def test_refresh_allow_minor_crosses_to_the_minor_the_project_allows(gha, mirror, monkeypatch):
    (gha.workspace / ".python-version").unlink()
    (gha.workspace / "pyproject.toml").write_text(
        '[project]\nname = "shop"\nrequires-python = ">=3.12,<3.14"\n'
    )
    (gha.workspace / "Dockerfile").write_text(OLD_DOCKERFILE)
    set_inputs(monkeypatch, mode="refresh", registry=mirror.url)
    assert action.run() == 0
    assert "ARG PYTHON_VERSION=3.12.9\n" in (gha.workspace / "Dockerfile").read_text()

    set_inputs(monkeypatch, allow_minor="true")
    assert action.run() == 0
    text = (gha.workspace / "Dockerfile").read_text()
    assert "ARG PYTHON_VERSION=3.13.2\n" in text
    assert "FROM  python:3.13.2-slim-bookworm  AS runtime\n" in text


def test_refresh_reports_an_unreachable_registry(gha, mirror, monkeypatch, capsys):
    (gha.workspace / "Dockerfile").write_text(OLD_DOCKERFILE)
    set_inputs(monkeypatch, mode="refresh", registry=mirror.url + "/nothing-here")
    assert action.run() == 1
    assert "::error::the image registry could not be read" in capsys.readouterr().out
    assert (gha.workspace / "Dockerfile").read_text() == OLD_DOCKERFILE


def test_refresh_inputs_outside_refresh_mode_are_flagged(gha, monkeypatch, capsys):
    set_inputs(monkeypatch, allow_minor="true", registry="https://mirror.gcr.io")
    assert action.run(core=FakeCore()) == 0
    stdout = capsys.readouterr().out
    assert "::warning::Input 'allow-minor' only applies to mode: refresh" in stdout
    assert "::warning::Input 'registry' only applies to mode: refresh" in stdout
    assert "pin-digest" not in stdout


# --- bad inputs: each one named, with what it accepts, and never a traceback -----------------

BAD_INPUTS = [
    ({"profile": "prod"}, "profile", "production, minimal"),
    ({"mode": "fix"}, "mode", "generate, refresh, check"),
    ({"overwrite": "sometimes"}, "overwrite", "never, generated, always"),
    ({"server": "apache"}, "server", "gunicorn"),
    ({"python-version": "three"}, "python-version", "3.12"),
    ({"settings-module": "my-site/settings"}, "settings-module", "dotted module"),
    ({"draft": "yes"}, "draft", "true or false"),
    ({"create-pull-request": "1"}, "create-pull-request", "true or false"),
    ({"fail-if-not-django": "maybe"}, "fail-if-not-django", "true or false"),
    ({"path": "../.."}, "path", "leaves the workspace"),
    ({"path": "missing"}, "path", "not a directory"),
    ({"dockerfile": "../Dockerfile"}, "dockerfile", "relative file name"),
    ({"assignees": "alice, not a login"}, "assignees", "GitHub login"),
    ({"reviewers": "bob;carol"}, "reviewers", "org/team-slug"),
    ({"labels": "x" * 60}, "labels", "50 characters"),
    ({"branch": "my branch"}, "branch", "valid branch name"),
    ({"base": "main..dev"}, "base", "valid branch name"),
    ({"author": "just a name"}, "author", "Name <email@example.com>"),
    ({"allow-minor": "y"}, "allow-minor", "true or false"),
    ({"pin-digest": "sha256:abc"}, "pin-digest", "true or false"),
    ({"registry": "mirror.gcr.io"}, "registry", "http(s)://host"),
    ({"registry": "https://user:pw@mirror.example"}, "registry", "no credentials"),
    ({"registry": "ftp://mirror.example"}, "registry", "http(s)://host"),
    ({"min-age-days": "a week"}, "min-age-days", "whole number"),
    ({"registry-password": "pw"}, "registry-password", "registry-username"),
    ({"refresh-files": "../other/Dockerfile"}, "refresh-files", "leaves the project"),
    ({"registry-username": "robot"}, "registry-username", "registry-password"),
    ({"fail-on-drift": "no"}, "fail-on-drift", "true or false"),
    ({"delete-branch": "always"}, "delete-branch", "true or false"),
]


def run_entrypoint(
    workspace: Path, tmp_path: Path, inputs: dict[str, str], extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """python entrypoint.py with the environment a runner gives a container action."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))}
    env.update({f"INPUT_{k.upper()}": v for k, v in inputs.items()})
    env.update(extra or {})
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "out").touch()
    env.update(
        GITHUB_WORKSPACE=str(workspace),
        GITHUB_OUTPUT=str(tmp_path / "out"),
        GITHUB_STEP_SUMMARY=str(tmp_path / "summary"),
        PYTHONPATH=str(REPO_ROOT),
    )
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "entrypoint.py")],
        env=env,
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(("inputs", "name", "accepted"), BAD_INPUTS)
def test_bad_input_is_named_without_traceback(tmp_path, inputs, name, accepted):
    workspace = write_tree(tmp_path / "workspace", PROJECT)
    proc = run_entrypoint(workspace, tmp_path, inputs)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    errors = [line for line in proc.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1, proc.stdout
    assert f"Input '{name}'" in errors[0]
    assert accepted in errors[0]
    assert not (workspace / "Dockerfile").exists()


def test_every_bad_input_is_reported_at_once(gha, monkeypatch, capsys):
    set_inputs(monkeypatch, profile="x", mode="y", draft="z")
    assert action.run(core=FakeCore()) == 1
    stdout = capsys.readouterr().out
    for name in ("profile", "mode", "draft"):
        assert f"::error::Input '{name}'" in stdout


def test_symlinked_paths_that_leave_the_workspace_are_refused(gha, tmp_path, monkeypatch, capsys):
    outside = tmp_path / "outside"
    outside.mkdir()
    (gha.workspace / "elsewhere").symlink_to(outside)
    (gha.workspace / "Dockerfile").symlink_to(outside / "Dockerfile")
    set_inputs(monkeypatch, path="elsewhere")
    assert action.run(core=FakeCore()) == 1
    assert "::error::Input 'path'" in capsys.readouterr().out

    set_inputs(monkeypatch, path=".")
    assert action.run(core=FakeCore()) == 1
    assert "::error::Input 'dockerfile'" in capsys.readouterr().out
    assert not (outside / "Dockerfile").exists()


def test_pull_request_needs_a_token(gha, monkeypatch, capsys):
    set_inputs(monkeypatch, create_pull_request="true", github_token="")
    assert action.run(core=FakeCore()) == 1
    assert "::error::Input 'github-token'" in capsys.readouterr().out


def test_action_yml_declares_exactly_the_inputs_the_code_reads():
    import yaml

    spec = yaml.safe_load((REPO_ROOT / "action.yml").read_text())
    assert set(spec["inputs"]) == set(action.DEFAULTS)
    for name, decl in spec["inputs"].items():
        assert decl.get("description"), name
        if name != "github-token":
            assert str(decl.get("default", "")) == action.DEFAULTS[name], name
    assert spec["inputs"]["github-token"]["default"] == "${{ github.token }}"
    assert set(spec["outputs"]) == {
        "django",
        "dockerfile",
        "python-version",
        "django-version",
        "changed",
        "pull-request-number",
        "pull-request-url",
        "pull-request-operation",
        "repositories",
        "django-repositories",
        "pull-requests-created",
        "pull-requests-updated",
        "sweep-errors",
        "sweep-stopped",
        "pull-request-commits-verified",
    }
    assert spec["runs"]["using"] == "docker"


# --- end to end: the real generator, the entrypoint in a subprocess, as the runner starts it ---


def test_end_to_end_real_project_and_pull_request(tmp_path):
    workspace = tmp_path / "github" / "workspace"
    shutil.copytree(REPO_ROOT / "examples" / "mysite", workspace)
    files = {
        str(p.relative_to(workspace)): p.read_text() for p in workspace.rglob("*") if p.is_file()
    }
    with FakeGitHub(prefix="/api/v3") as server:
        server.add_repo("octo/mysite", files)
        inputs = {
            "create-pull-request": "true",
            "github-token": TOKEN,
            "labels": "docker",
            "python-version": "3.12",
        }
        extra = {"GITHUB_API_URL": server.api_url, "GITHUB_REPOSITORY": "octo/mysite"}

        first = run_entrypoint(workspace, tmp_path / "first", inputs, extra)
        assert first.returncode == 0, first.stdout + first.stderr
        outputs = read_outputs(tmp_path / "first" / "out")
        assert outputs["django"] == "true"
        assert outputs["dockerfile"] == "Dockerfile"
        assert outputs["python-version"].startswith("3.12")
        assert outputs["changed"] == "true"
        assert outputs["pull-request-operation"] == "created"
        assert TOKEN not in first.stdout.replace(f"::add-mask::{TOKEN}", "")
        repo = server.repos["octo/mysite"]
        proposed = repo.files_at("django-dockerfile/update")
        assert proposed["Dockerfile"] == (workspace / "Dockerfile").read_text()
        assert "FROM python:" in proposed["Dockerfile"]
        assert "Why each line is there" in repo.pulls[0]["body"]
        summary = (tmp_path / "first" / "summary").read_text()
        assert "```diff" in summary and "[#1](" in summary
        commits = repo.commit_count()

        second = run_entrypoint(workspace, tmp_path / "second", inputs, extra)
        assert second.returncode == 0, second.stdout + second.stderr
        outputs = read_outputs(tmp_path / "second" / "out")
        assert outputs["changed"] == "false"
        assert outputs["pull-request-operation"] == "none"
        assert outputs["pull-request-number"] == "1"
        assert repo.commit_count() == commits
        assert len(repo.pulls) == 1
