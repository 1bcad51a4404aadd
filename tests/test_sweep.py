"""The organisation sweep against the fake GitHub server: what each kind of repository gets."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fake_github import TOKEN, FakeGitHub

from generator.publish import make_client, publish
from generator.sweep import (
    SweepConfig,
    SweepError,
    in_shard,
    parse_shard,
    parse_since,
    summary_table,
    sweep,
)

FIXTURES = Path(__file__).parent / "fixtures"
ORG = "octo"


def _publish(gh: FakeGitHub):
    def call(**kw):
        return publish(token=TOKEN, api_url=gh.api_url, backoff=0.001, **kw)

    return call


def _org(server: FakeGitHub, tmp_path: Path) -> FakeGitHub:
    server.orgs.add(ORG)
    server.add_repo_from_dir(f"{ORG}/shop", FIXTURES / "startproject_pip")
    server.add_repo_from_dir(f"{ORG}/flask-app", FIXTURES / "flask_not_django")
    server.add_repo_from_dir(f"{ORG}/old", FIXTURES / "startproject_pip").archived = True
    server.add_repo_from_dir(f"{ORG}/forked", FIXTURES / "startproject_pip").fork = True
    handmade = tmp_path / "handmade"
    handmade.mkdir()
    for item in (FIXTURES / "startproject_pip").rglob("*"):
        if item.is_file():
            target = handmade / item.relative_to(FIXTURES / "startproject_pip")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(item.read_bytes())
    (handmade / "Dockerfile").write_text("FROM python:3.12\nCOPY . /app\n")
    server.add_repo_from_dir(f"{ORG}/handmade", handmade)
    server.add_repo_from_dir(f"{ORG}/locked", FIXTURES / "poetry2").writable = False
    server.add_repo_from_dir(f"{ORG}/secret", FIXTURES / "uv_groups").unreadable = 403
    big = tmp_path / "big"
    big.mkdir()
    (big / "manage.py").write_text((FIXTURES / "startproject_pip" / "manage.py").read_text())
    (big / "requirements.txt").write_text("django==5.2.8\n" + "# padding line\n" * 40_000)
    server.add_repo_from_dir(f"{ORG}/big", big)
    for i, repo in enumerate(sorted(server.repos.values(), key=lambda r: r.name)):
        repo.created_at = f"2026-11-{10 + i:02d}T00:00:00Z"
    # A person's repository outside the organisation is never listed.
    server.add_repo_from_dir("someone/shop", FIXTURES / "startproject_pip")
    # Were a write tried in `locked`, it would be refused, as for a token without contents: write.
    server.fail(
        "POST", rf"^/repos/{ORG}/locked/", 403, "Resource not accessible by integration", times=99
    )
    return server


@pytest.fixture
def gh(tmp_path: Path):
    with FakeGitHub() as server:
        yield _org(server, tmp_path)


def _run(gh: FakeGitHub, state=None, **kw):
    config = SweepConfig(owner=ORG, byte_budget=300_000, **kw)
    client = make_client(TOKEN, gh.api_url, retries=0, backoff=0.001)
    client.per_page = 100
    return sweep(client, config, _publish(gh), state=state)


def _by_repo(report) -> dict[str, tuple[str, str]]:
    return {r.repository.split("/")[1]: (r.action, r.reason) for r in report.results}


def test_each_kind_of_repository_is_handled_and_reported(gh: FakeGitHub) -> None:
    report = _run(gh)
    got = _by_repo(report)
    assert set(got) == {"shop", "flask-app", "old", "forked", "handmade", "locked", "secret", "big"}
    assert got["shop"][0] == "created"
    assert got["flask-app"][0] == "not-django"
    assert got["old"] == ("skipped", "archived (include-archived: true to sweep it)")
    assert got["forked"][0] == "skipped" and "fork" in got["forked"][1]
    assert got["handmade"][0] == "hand-written" and "Dockerfile" in got["handmade"][1]
    assert got["locked"][0] == "error" and "cannot write" in got["locked"][1]
    assert got["secret"][0] == "error" and "cannot read" in got["secret"][1]
    assert got["big"] == ("skipped", "needed more than 292 KB of files")
    # The pull request holds exactly what `generate` writes for a checkout of the same files.
    from generator.core import generate

    shop = gh.repos[f"{ORG}/shop"]
    [pull] = shop.pulls
    files = shop.files_at(pull["head"])
    local = generate(FIXTURES / "startproject_pip")
    for name, text in local.files.items():
        assert files[name] == text.replace("startproject_pip", "shop") or files[name] == text
    assert "Why each line is there" in pull["body"]
    # Nothing was written anywhere but the one new Django repository; none tried in `locked`.
    writes = {p.split("/")[3] for m, p in gh.requests if m in ("POST", "PATCH", "DELETE")}
    assert writes == {"shop"}
    counts = report.counts()
    assert counts["repositories"] == 8 and counts["created"] == 1 and counts["error"] == 2


def test_a_second_sweep_writes_nothing(gh: FakeGitHub) -> None:
    first = _run(gh)
    before = len(gh.requests)
    second = _run(gh, state=first.state())
    writes = [(m, p) for m, p in gh.requests[before:] if m != "GET"]
    assert writes == []
    got = _by_repo(second)
    assert got["shop"][0] == "unchanged" and got["flask-app"][0] == "unchanged"
    # Without the state, the same: the open PR already holds the files.
    before = len(gh.requests)
    third = _run(gh)
    assert [(m, p) for m, p in gh.requests[before:] if m != "GET"] == []
    assert _by_repo(third)["shop"][0] == "none"


def test_dry_run_reports_without_writing(gh: FakeGitHub) -> None:
    report = _run(gh, dry_run=True)
    assert _by_repo(report)["shop"][0] == "would-propose"
    assert all(m == "GET" for m, _ in gh.requests)


def test_a_pull_request_closed_by_a_person_is_not_proposed_again(gh: FakeGitHub) -> None:
    _run(gh)
    shop = gh.repos[f"{ORG}/shop"]
    shop.pulls[0]["state"] = "closed"
    shop.pushed_at = "2026-11-29T00:00:00Z"  # someone pushed: the sweep looks again
    again = _run(gh)
    assert len(shop.pulls) == 1 and shop.pulls[0]["state"] == "closed"
    assert _by_repo(again)["shop"] == (
        "declined",
        "pull request #1 with these files was closed without merging: not proposed again",
    )


def test_the_rate_limit_stops_the_sweep_and_the_next_run_resumes(gh: FakeGitHub) -> None:
    gh.rate_remaining = 30  # a full sweep here costs about 33 calls
    first = _run(gh, min_remaining=10)
    assert first.stopped and "API calls left" in first.stopped
    done_first = {r.repository for r in first.results}
    assert f"{ORG}/shop" in done_first and len(done_first) < 8
    gh.rate_remaining = 5000
    second = _run(gh, state=first.state())
    redone = {r.repository for r in second.results if r.action not in ("unchanged", "skipped")}
    assert not (
        redone & {r.repository for r in first.results if r.action not in ("error", "skipped")}
    )
    assert second.stopped is None
    assert {r.repository for r in second.results} == {f"{ORG}/{n}" for n in _by_repo(_run(gh))}


def test_filters_created_since_globs_and_shards(gh: FakeGitHub) -> None:
    since = datetime(2026, 11, 15, tzinfo=UTC)
    recent = _run(gh, created_since=since, dry_run=True)
    assert {r.repository for r in recent.results} == {
        f"{ORG}/{r.name}"
        for r in gh.repos.values()
        if r.owner == ORG and r.created_at >= "2026-11-15"
    }
    only = _run(gh, include=("sh*",), exclude=("*old*",), dry_run=True)
    assert [r.repository for r in only.results] == [f"{ORG}/shop"]
    names = [f"{ORG}/{n}" for n in ("shop", "flask-app", "old", "forked", "handmade", "locked")]
    shards = [{n for n in names if in_shard(n, (i, 3))} for i in (1, 2, 3)]
    assert set().union(*shards) == set(names) and sum(map(len, shards)) == len(names)


def test_a_user_account_is_swept_like_an_organisation(gh: FakeGitHub) -> None:
    client = make_client(TOKEN, gh.api_url, retries=0, backoff=0.001)
    report = sweep(client, SweepConfig(owner="someone", dry_run=True), _publish(gh))
    assert [(r.repository, r.action) for r in report.results] == [("someone/shop", "would-propose")]


def test_inputs_are_checked_with_advice() -> None:
    assert parse_shard("2/4") == (2, 4)
    for bad in ("0/2", "3/2", "x", "1/0"):
        with pytest.raises(SweepError, match="shard"):
            parse_shard(bad)
    now = datetime(2026, 11, 30, tzinfo=UTC)
    assert parse_since("7d", now) == datetime(2026, 11, 23, tzinfo=UTC)
    assert parse_since("2026-11-01", now) == datetime(2026, 11, 1, tzinfo=UTC)
    assert parse_since("", now) is None
    with pytest.raises(SweepError, match="created-since"):
        parse_since("last week", now)


def test_summary_table_escapes_repository_text(gh: FakeGitHub) -> None:
    report = _run(gh, dry_run=True)
    table = summary_table(report)
    assert "| octo/shop | yes | would-propose |" in table
    assert table.count("\n| octo/") == 8
    state = report.state()
    json.dumps(state)
    assert state["repositories"][f"{ORG}/shop"]["action"] == "would-propose"


def test_cli_sweeps_with_a_state_file(
    gh: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from generator.cli import main

    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    state = tmp_path / "sweep-state.json"
    argv = ["sweep", ORG, "--dry-run", "--state", str(state), "--api-url", gh.api_url]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert "| octo/shop | yes | would-propose |" in out
    assert "octo/flask-app: not-django:" in err
    assert json.loads(state.read_text())["repositories"]["octo/shop"]["action"] == "would-propose"
    assert main([*argv, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["unchanged"] >= 3
    assert {r["repository"]: r["action"] for r in report["results"]}["octo/shop"] == "unchanged"


def test_cli_without_a_token_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from generator.cli import main

    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    assert main(["sweep", ORG]) == 1
    assert "GITHUB_TOKEN is not set" in capsys.readouterr().err
    monkeypatch.setenv("GITHUB_TOKEN", "x")
    assert main(["sweep", ORG, "--shard", "3/2"]) == 1
    assert "shard: expected i/n" in capsys.readouterr().err


def _action_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, gh: FakeGitHub, **inputs: str):
    for key in list(__import__("os").environ):
        if key.startswith(("INPUT_", "GITHUB_")):
            monkeypatch.delenv(key)
    workspace = tmp_path / "workspace"
    workspace.mkdir(exist_ok=True)
    (tmp_path / "out").write_text("")
    (tmp_path / "summary").write_text("")
    env = {
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(tmp_path / "out"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
        "GITHUB_API_URL": gh.api_url,
        "GITHUB_REPOSITORY_OWNER": ORG,
        "INPUT_MODE": "sweep",
        "INPUT_GITHUB-TOKEN": TOKEN,
    }
    env.update({f"INPUT_{k.replace('_', '-').upper()}": v for k, v in inputs.items()})
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return workspace


def test_action_mode_sweep_reports_in_the_summary_and_outputs(
    gh: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from test_action import read_outputs

    from generator import action

    workspace = _action_env(monkeypatch, tmp_path, gh, state_file=".sweep/state.json")
    assert action.run(publish=lambda **kw: publish(backoff=0.001, **kw)) == 0
    out = capsys.readouterr().out
    outputs = read_outputs(tmp_path / "out")
    # `big` fits the default byte budget here: two pull requests.
    assert outputs["repositories"] == "8" and outputs["pull-requests-created"] == "2", out
    assert outputs["sweep-errors"] == "2" and outputs["sweep-stopped"] == ""
    summary = (tmp_path / "summary").read_text()
    assert (
        "| octo/shop | yes | created | [#1](https://github.example/octo/shop/pull/1) |" in summary
    )
    assert "::warning::octo/locked: the token cannot write" in out
    assert (workspace / ".sweep" / "state.json").is_file()
    assert TOKEN not in summary and TOKEN not in out.replace(f"::add-mask::{TOKEN}", "")


def test_action_mode_sweep_input_errors_name_the_input(
    gh: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from generator import action

    _action_env(
        monkeypatch, tmp_path, gh, shard="5/2", created_since="yesterday",
        state_file="../outside.json", min_remaining="lots",
    )  # fmt: skip
    monkeypatch.setenv("INPUT_GITHUB-TOKEN", "")
    assert action.run(publish=_publish(gh)) == 1
    out = capsys.readouterr().out
    for name in ("shard", "created-since", "state-file", "min-remaining", "github-token"):
        assert f"::error::Input '{name}':" in out, name
    assert gh.requests == []


def test_an_unreadable_state_file_is_a_warning_and_the_sweep_starts_over(
    gh: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from generator.cli import main

    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    state = tmp_path / "state.json"
    state.write_text("{not json")
    argv = ["sweep", ORG, "--dry-run", "--state", str(state), "--api-url", gh.api_url]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "warning: state.json: the sweep state could not be read" in err
    assert "octo/shop: would-propose" in err
    assert json.loads(state.read_text())["version"] == 1


def test_the_sweep_and_the_action_share_one_pull_request_branch(gh: FakeGitHub) -> None:
    from generator.action.inputs import DEFAULTS
    from generator.publish import DEFAULT_BRANCH

    _run(gh)
    [pull] = gh.repos[f"{ORG}/shop"].pulls
    assert pull["head"] == DEFAULT_BRANCH
    assert DEFAULTS["branch"] in ("", DEFAULT_BRANCH)  # empty: the mode's default, generate's


def test_action_mode_sweep_annotates_at_most_ten_errors(
    gh: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from generator import action

    for i in range(12):
        gh.add_repo(f"{ORG}/locked{i:02d}", {"manage.py": "x = 1\n"}).writable = False
    _action_env(monkeypatch, tmp_path, gh)
    assert action.run(publish=lambda **kw: publish(backoff=0.001, **kw)) == 0
    out = capsys.readouterr().out
    warnings = [line for line in out.splitlines() if line.startswith("::warning")]
    assert len(warnings) == 10
    assert "5 more warnings are not annotated" in warnings[-1]  # 14: these, locked, secret
    summary = (tmp_path / "summary").read_text()
    assert summary.count("the token cannot write") == 13  # all twelve and `locked`
