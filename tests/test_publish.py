"""publish(): the pull request a user sees, against a local GitHub REST server over real HTTP."""

from __future__ import annotations

import pytest
from fake_github import TOKEN, FakeGitHub

from generator.publish import PublishError, blob_sha, publish

REPO = "octo/shop"
DOCKERFILE = 'FROM python:3.12-slim\nCMD ["gunicorn"]\n'


@pytest.fixture
def gh():
    with FakeGitHub() as server:
        server.add_repo(REPO, {"manage.py": "print()\n", "shop/settings.py": "DEBUG = False\n"})
        yield server


def run(server: FakeGitHub, files: dict[str, str], **kw):
    args = dict(
        repo_full_name=REPO,
        files=files,
        base=None,
        branch="django-dockerfile/update",
        commit_message="Add a production Dockerfile",
        title="Add a production Dockerfile",
        body="Why each line is there.",
        token=TOKEN,
        api_url=server.api_url,
        backoff=0.001,
    )
    args.update(kw)
    return publish(**args)


def test_blob_sha_matches_git():
    # `printf 'hello\n' | git hash-object --stdin`
    assert blob_sha("hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"


def test_first_run_opens_pr_second_does_nothing_third_updates_same_pr(gh):
    repo = gh.repos[REPO]
    main_before = repo.refs["heads/main"]

    first = run(gh, {"Dockerfile": DOCKERFILE, ".dockerignore": ".git\n"})
    assert first.operation == "created"
    assert first.number == 1
    assert first.url.endswith("/octo/shop/pull/1")
    assert repo.refs["heads/main"] == main_before  # base untouched
    on_branch = repo.files_at("django-dockerfile/update")
    assert on_branch["Dockerfile"] == DOCKERFILE
    assert on_branch["manage.py"] == "print()\n"  # built on the base tree
    commit = repo.commits[repo.refs["heads/django-dockerfile/update"]]
    assert commit["parents"] == [main_before]
    # No author or committer sent: GitHub commits as the token's bot and signs the commit.
    assert commit["author"]["name"] == "github-actions[bot]"
    assert first.verified is True
    assert gh.requests_with_body("POST", r"/git/commits$")[0].keys() == {
        "message",
        "tree",
        "parents",
    }
    commits_after_first = repo.commit_count()

    second = run(gh, {"Dockerfile": DOCKERFILE, ".dockerignore": ".git\n"})
    assert second.operation == "none"
    assert second.number == 1  # the open PR is still reported
    assert repo.commit_count() == commits_after_first  # no empty commit
    assert len(repo.pulls) == 1
    assert gh.count("POST", r"/git/(blobs|commits)") == 3  # 2 blobs + 1 commit, first run only

    third = run(gh, {"Dockerfile": DOCKERFILE + "EXPOSE 8000\n", ".dockerignore": ".git\n"})
    assert third.operation == "updated"
    assert third.number == 1
    assert len(repo.pulls) == 1 and len(repo.open_pulls()) == 1
    assert repo.files_at("django-dockerfile/update")["Dockerfile"].endswith("EXPOSE 8000\n")
    assert repo.refs["heads/django-dockerfile/update"] == third.commit_sha
    # Still one commit on top of base (reset, not stacked).
    assert repo.commits[third.commit_sha]["parents"] == [main_before]


def test_no_diff_with_base_means_no_commit_and_no_pr(gh):
    repo = gh.repos[REPO]
    result = run(gh, {"manage.py": "print()\n"})
    assert result.operation == "none"
    assert result.number is None
    assert repo.pulls == []
    assert "heads/django-dockerfile/update" not in repo.refs
    assert repo.commit_count() == 1


def test_branch_is_reset_from_moved_base(gh):
    repo = gh.repos[REPO]
    run(gh, {"Dockerfile": DOCKERFILE})
    new_main = gh.push(REPO, "main", {"README.md": "hi\n"}, "docs")
    result = run(gh, {"Dockerfile": DOCKERFILE + "# v2\n"})
    assert result.operation == "updated"
    assert repo.commits[result.commit_sha]["parents"] == [new_main]
    assert repo.files_at("django-dockerfile/update")["README.md"] == "hi\n"


def test_branch_is_reset_from_moved_base_even_when_the_files_are_the_same(gh):
    # The README promises "reset from base on every run": a PR that stays on an old base
    # hides conflicts and runs CI against code that is no longer on main.
    repo = gh.repos[REPO]
    run(gh, {"Dockerfile": DOCKERFILE})
    new_main = gh.push(REPO, "main", {"README.md": "hi\n"}, "docs")
    result = run(gh, {"Dockerfile": DOCKERFILE})
    assert result.operation == "updated"
    assert repo.commits[result.commit_sha]["parents"] == [new_main]
    assert repo.files_at("django-dockerfile/update")["README.md"] == "hi\n"
    # And once on the new base, nothing more to do.
    assert run(gh, {"Dockerfile": DOCKERFILE}).operation == "none"


def test_race_with_another_run_leaves_our_title_and_body(gh):
    repo = gh.repos[REPO]

    def other_run_opens_it(server):
        repo.pulls.append(
            {
                "number": 1, "state": "open", "title": "theirs", "body": "their body",
                "draft": False, "head": "django-dockerfile/update", "base": "main",
                "labels": [], "assignees": [], "reviewers": [], "team_reviewers": [],
            }
        )  # fmt: skip

    gh.before("POST", r"/pulls$", other_run_opens_it)
    result = run(gh, {"Dockerfile": DOCKERFILE})
    assert result.operation == "updated" and result.number == 1
    assert len(repo.pulls) == 1
    assert repo.pulls[0]["title"] == "Add a production Dockerfile"
    assert repo.pulls[0]["body"] == "Why each line is there."


def test_refused_label_is_a_warning_and_reviewers_are_still_requested(gh):
    repo = gh.repos[REPO]
    gh.fail("POST", r"/issues/\d+/labels", 403, "Resource not accessible by integration")
    result = run(gh, {"Dockerfile": DOCKERFILE}, labels=["docker"], reviewers=["bob"])
    assert result.operation == "created" and result.number == 1
    assert result.warnings == (
        "could not add the labels docker: Resource not accessible by integration",
    )
    assert repo.pulls[0]["reviewers"] == ["bob"]


@pytest.mark.parametrize("delete_branch", [False, True])
def test_stale_pull_request_is_closed_when_the_base_has_the_files(gh, delete_branch):
    repo = gh.repos[REPO]
    run(gh, {"Dockerfile": DOCKERFILE})
    gh.push(REPO, "main", {"Dockerfile": DOCKERFILE}, "committed by hand")
    result = run(gh, {"Dockerfile": DOCKERFILE}, delete_branch=delete_branch)
    assert (result.operation, result.number) == ("closed", 1)
    pull = repo.pulls[0]
    assert pull["state"] == "closed" and not pull["merged"]
    assert "`main` already has these files" in pull["comments"][0]
    assert ("heads/django-dockerfile/update" in repo.refs) is not delete_branch
    # Nothing open any more: the next run has nothing to do.
    assert run(gh, {"Dockerfile": DOCKERFILE}).operation == "none"


def test_422_right_after_creating_the_pull_request_is_retried(gh):
    repo = gh.repos[REPO]
    gh.fail("POST", r"/issues/\d+/labels", 422, "Could not resolve to a node", times=2)
    gh.fail("POST", r"/requested_reviewers", 422, "Could not resolve to a node", times=1)
    result = run(gh, {"Dockerfile": DOCKERFILE}, labels=["docker"], reviewers=["bob"])
    assert result.operation == "created" and result.warnings == ()
    assert repo.pulls[0]["labels"] == ["docker"] and repo.pulls[0]["reviewers"] == ["bob"]
    assert gh.count("POST", r"/issues/\d+/labels") == 3


def test_nested_path_and_labels_assignees_reviewers_draft(gh):
    repo = gh.repos[REPO]
    result = run(
        gh,
        {"deploy/Dockerfile": DOCKERFILE},
        labels=["docker", "needs review"],
        assignees=["alice"],
        reviewers=["bob", "octo/platform"],
        draft=True,
        author="Release Bot <bot@example.com>",
        base="main",
        branch="bot/docker",
    )
    assert result.operation == "created"
    pull = repo.pulls[0]
    assert pull["draft"] is True
    assert pull["head"] == "bot/docker" and pull["base"] == "main"
    assert pull["labels"] == ["docker", "needs review"]
    assert pull["assignees"] == ["alice"]
    assert pull["reviewers"] == ["bob"] and pull["team_reviewers"] == ["platform"]
    assert repo.files_at("bot/docker")["deploy/Dockerfile"] == DOCKERFILE
    commit = repo.commits[result.commit_sha]
    assert commit["author"]["email"] == "bot@example.com"
    assert result.verified is False  # an author of one's own choosing cannot be signed


@pytest.mark.parametrize("delete_branch", [False, True])
def test_a_pr_closed_without_merging_is_a_no_until_the_change_differs(gh, delete_branch):
    repo = gh.repos[REPO]
    run(gh, {"Dockerfile": DOCKERFILE})
    repo.close_pull(1, delete_branch=delete_branch)
    gh.push(REPO, "main", {"README.md": "hi\n"}, "docs")  # the base moves on meanwhile
    commits = repo.commit_count()

    again = run(gh, {"Dockerfile": DOCKERFILE})
    assert again.operation == "none" and again.number is None
    assert again.declined[0] == 1 and again.declined[2] == "Add a production Dockerfile"
    assert repo.commit_count() == commits and len(repo.pulls) == 1

    different = run(gh, {"Dockerfile": DOCKERFILE + "EXPOSE 8000\n"})
    assert (different.operation, different.number, different.declined) == ("created", 2, None)
    assert len(repo.open_pulls()) == 1


def test_a_merged_pr_is_no_reason_to_hold_back(gh):
    repo = gh.repos[REPO]
    run(gh, {"Dockerfile": DOCKERFILE})
    repo.close_pull(1, merged=True)
    gh.push(REPO, "main", {"Dockerfile": "FROM python:3.11-slim\n"}, "someone reverts it")
    result = run(gh, {"Dockerfile": DOCKERFILE})
    assert (result.operation, result.number) == ("created", 2)


def test_actions_not_permitted_to_create_prs_says_which_setting(gh):
    gh.fail(
        "POST",
        r"/pulls$",
        403,
        "GitHub Actions is not permitted to create or approve pull requests.",
    )
    with pytest.raises(PublishError) as err:
        run(gh, {"Dockerfile": DOCKERFILE})
    text = str(err.value)
    assert "Allow GitHub Actions to create and approve pull requests" in text
    assert ".." not in text
    assert "Settings > Actions > General" in text


@pytest.mark.parametrize("status", [403, 404])
def test_read_only_token_says_which_permissions(gh, status):
    gh.fail("POST", r"/git/blobs", status, "Resource not accessible by integration")
    with pytest.raises(PublishError) as err:
        run(gh, {"Dockerfile": DOCKERFILE})
    assert "contents: write" in str(err.value)
    assert "pull-requests: write" in str(err.value)


def test_missing_base_branch(gh):
    with pytest.raises(PublishError, match="base branch 'develop' does not exist"):
        run(gh, {"Dockerfile": DOCKERFILE}, base="develop")


def test_server_errors_are_retried(gh):
    gh.fail("GET", r"^/repos/octo/shop$", 502, times=2)
    gh.fail("POST", r"/git/commits", 503, times=1)
    gh.fail("PATCH", r"/pulls/", 500, times=1)  # only hit on the update run below
    result = run(gh, {"Dockerfile": DOCKERFILE})
    assert result.operation == "created"
    assert gh.count("GET", r"^/repos/octo/shop$") == 3
    result = run(gh, {"Dockerfile": DOCKERFILE + "# v2\n"})
    assert result.operation == "updated"
    assert len(gh.repos[REPO].pulls) == 1


def test_secondary_rate_limit_is_retried(gh):
    gh.fail(
        "POST",
        r"/git/trees",
        403,
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
    )
    assert run(gh, {"Dockerfile": DOCKERFILE}).operation == "created"
    assert gh.count("POST", r"/git/trees") == 2


def test_persistent_server_error_is_reported_not_raised_raw(gh):
    gh.fail("GET", r"^/repos/octo/shop$", 500, times=100)
    with pytest.raises(PublishError, match="kept failing"):
        run(gh, {"Dockerfile": DOCKERFILE}, retries=2)


def test_bad_token(gh):
    with pytest.raises(PublishError, match="rejected the token"):
        run(gh, {"Dockerfile": DOCKERFILE}, token="wrong")


def test_github_enterprise_api_prefix():
    with FakeGitHub(prefix="/api/v3") as server:
        server.add_repo(REPO, {"manage.py": ""})
        result = run(server, {"Dockerfile": DOCKERFILE})
        assert result.operation == "created"
        assert server.api_url.endswith("/api/v3")
        assert server.requests  # every request reached the prefixed API (others are 404s)
        assert server.repos[REPO].pulls
