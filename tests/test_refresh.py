"""Refreshing base images in Dockerfiles: golden shapes, byte preservation, choices, EOL."""

from __future__ import annotations

import hashlib
import re
import socket
import tomllib
from datetime import date
from pathlib import Path

import pytest
from fake_registry import FakeRegistry, fake_digest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet

from generator.cli import main
from generator.commands import refresh as refresh_command
from generator.refresh import (
    choose_tag,
    eol_warning,
    parse_tag,
    refresh_dockerfile,
    refresh_text,
    scan,
)
from generator.registry import RegistryClient

GOLDEN = tomllib.loads((Path(__file__).parent / "golden" / "from_lines.toml").read_text("utf-8"))
TAGS = GOLDEN["tags"]
TODAY = date(2026, 11, 24)


def digest_of(tag: str) -> str:
    return "sha256:" + hashlib.sha256(tag.encode()).hexdigest()


def expand(text: str) -> str:
    return re.sub(r"\{digest:([^}]+)\}", lambda m: digest_of(m.group(1)), text)


@pytest.mark.parametrize("case", GOLDEN["case"], ids=[c["name"] for c in GOLDEN["case"]])
def test_golden(case: dict) -> None:
    allowed = SpecifierSet(case["allowed"]) if "allowed" in case else None
    result = refresh_text(
        case["before"],
        TAGS,
        digest_of,
        allowed=allowed,
        allow_minor=case.get("allow_minor", False),
        pin_digest=case.get("pin_digest", False),
        today=TODAY,
    )
    expected = expand(case.get("after", case["before"]))
    assert result.new_text == expected
    assert result.changed == (expected != case["before"])
    for needle in case.get("warnings", []):
        assert any(needle in w for w in result.warnings), result.warnings
    for needle in case.get("notes", []):
        assert any(needle in n for n in result.notes), result.notes
    if "warnings" not in case:
        assert not result.warnings


def test_golden_table_is_large_enough() -> None:
    assert len(GOLDEN["case"]) >= 40


def test_change_report_names_old_new_line_and_changelog() -> None:
    text = "# base\nARG PYTHON_VERSION=3.12.7\nFROM python:${PYTHON_VERSION}-slim AS app\n"
    (change,) = refresh_text(text, TAGS, digest_of).changes
    assert (change.old, change.new, change.line, change.kind) == ("3.12.7", "3.12.15", 2, "arg")
    assert change.image_old == "python:3.12.7-slim"
    assert change.image_new == "python:3.12.15-slim"
    assert change.changelog == "https://docs.python.org/release/3.12.15/whatsnew/changelog.html"
    assert "`python:3.12.7-slim` → `python:3.12.15-slim`" in change.describe()
    assert "changelog" in change.describe()


def test_change_kinds_for_tag_and_digest() -> None:
    text = "FROM python:3.12.7-slim\nFROM python:3.12-slim@sha256:aa AS b\n"
    tag, digest = refresh_text(text, TAGS, digest_of).changes
    assert (tag.kind, tag.line, tag.old, tag.new) == (
        "tag",
        1,
        "python:3.12.7-slim",
        "python:3.12.15-slim",
    )
    assert (digest.kind, digest.line) == ("digest", 2)
    assert digest.new == f"python:3.12-slim@{digest_of('3.12-slim')}"
    assert digest.changelog is None


def test_digest_not_asked_for_unpinned_images() -> None:
    asked: list[str] = []
    refresh_text("FROM python:3.12.7\n", TAGS, lambda t: asked.append(t) or "sha256:x")
    assert asked == []


def test_scan_reports_every_from() -> None:
    images, args = scan(
        "ARG PY=3.12\nFROM node:20 AS assets\nFROM python:${PY}-slim AS base\nFROM base\n"
        "FROM scratch\nFROM $MISSING\n"
    )
    assert [(i.line, i.kind) for i in images] == [
        (2, "node"),
        (3, "python"),
        (4, "stage"),
        (5, "scratch"),
        (6, "unresolved"),
    ]
    assert images[1].image == "python:3.12-slim"
    assert images[1].stage == "base"
    assert args["PY"].value == "3.12"


@pytest.mark.parametrize(
    ("text", "version", "variant", "pre"),
    [
        ("3.12.7-slim-bookworm", (3, 12, 7), "slim-bookworm", False),
        ("3.12-slim", (3, 12), "slim", False),
        ("3", (3,), "", False),
        ("3-alpine3.20", (3,), "alpine3.20", False),
        ("3.15.0a1", (3, 15, 0), "", True),
        ("3.15.0rc2-slim", (3, 15, 0), "slim", True),
        ("3.15-rc-slim-trixie", (3, 15), "rc-slim-trixie", True),
    ],
)
def test_parse_tag(text: str, version: tuple, variant: str, pre: bool) -> None:
    tag = parse_tag(text)
    assert tag is not None
    assert (tag.version, tag.variant, tag.prerelease, tag.precision) == (
        version,
        variant,
        pre,
        len(version),
    )


@pytest.mark.parametrize("text", ["latest", "slim", "alpine", "slim-bookworm", "", "3.x"])
def test_parse_tag_without_version(text: str) -> None:
    assert parse_tag(text) is None


def test_choose_never_picks_prerelease_or_other_major() -> None:
    current = parse_tag("3.14.8-slim")
    assert current is not None
    tags = ["3.15.0rc2-slim", "4.0.0-slim", "3.15.0-slim-trixie"]
    assert choose_tag(current, tags, allow_minor=True).text == "3.14.8-slim"


def test_choose_sorts_numerically_not_as_text() -> None:
    current = parse_tag("3.12.9")
    assert current is not None
    assert choose_tag(current, ["3.12.10", "3.12.9", "3.12.11"]).text == "3.12.11"


def test_eol_warning_uses_dates_from_the_data_file() -> None:
    assert eol_warning("3.10", date(2026, 10, 31)) is None
    assert "3.10 reached end of life on 2026-10-31" in (eol_warning("3.10", TODAY) or "")
    assert eol_warning("3.14", TODAY) is None
    assert eol_warning("3.8", date(2024, 10, 8)) is not None


def test_eol_warning_only_with_a_date() -> None:
    assert refresh_text("FROM python:3.9-slim\n", TAGS).warnings == ()


# Pieces of Dockerfiles: instructions, comments, odd whitespace, CRLF, continuations, ARGs.
_PIECES = st.sampled_from(
    [
        "FROM python:3.12.7-slim AS build",
        "FROM python:3.12-slim@sha256:00",
        "from --platform=$BUILDPLATFORM python:3.11.9",
        "ARG PYTHON_VERSION=3.12.7",
        "ARG BASE=python:3.12.7-slim",
        "FROM python:${PYTHON_VERSION}-slim",
        "FROM ${BASE}",
        "FROM build AS final",
        "FROM node:20",
        "RUN pip install -r requirements.txt \\",
        "    && echo done",
        "# a comment with python:3.12.7 inside",
        "# syntax=docker/dockerfile:1",
        "",
        "   ",
        "\t",
        "FROM \\",
        "  python:3.12.7",
        "COPY . /app",
        'ARG X="a b"',
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(_PIECES, st.sampled_from(["\n", "\r\n"])), max_size=12),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20),
    st.booleans(),
    st.booleans(),
)
def test_no_byte_outside_rewritten_tokens_changes(pieces, noise, allow_minor, pin) -> None:
    text = "".join(p + eol for p, eol in pieces) + noise
    result = refresh_text(text, TAGS, digest_of, allow_minor=allow_minor, pin_digest=pin)
    # Undo every reported change at its place; what is left must be the original text exactly.
    lines_new = result.new_text.splitlines(keepends=True)
    lines_old = text.splitlines(keepends=True)
    assert len(lines_new) == len(lines_old)
    touched = {c.line for c in result.changes}
    for number, (old, new) in enumerate(zip(lines_old, lines_new, strict=True), start=1):
        if number not in touched:
            assert old == new
    for change in result.changes:
        old, new = lines_old[change.line - 1], lines_new[change.line - 1]
        assert old.count(change.old) >= 1
        assert new == old.replace(change.old, change.new, 1)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.booleans(), st.booleans())
def test_random_text_never_raises_and_is_kept(text: str, allow_minor: bool, pin: bool) -> None:
    result = refresh_text(text, TAGS, digest_of, allow_minor=allow_minor, pin_digest=pin)
    if not result.changes:
        assert result.new_text == text


# ---------------------------------------------------------------------------------------------
# The command and refresh_dockerfile, against the local fake registry


@pytest.fixture
def fake():
    with FakeRegistry(TAGS, page_size=50) as server:
        yield server


def run_cli(*argv: str) -> int:
    return main(["refresh", *argv])


def test_cli_updates_the_dockerfile_and_keeps_crlf(tmp_path, fake, capsys) -> None:
    before = b"# syntax=docker/dockerfile:1\r\nFROM python:3.12.7-slim AS build\r\nRUN true\r\n"
    (tmp_path / "Dockerfile").write_bytes(before)
    code = run_cli(str(tmp_path), "--registry", fake.url, "--hub", fake.url)
    out = capsys.readouterr().out
    assert code == 0
    assert (tmp_path / "Dockerfile").read_bytes() == before.replace(b"3.12.7", b"3.12.15")
    assert "Dockerfile:2: python:3.12.7-slim -> python:3.12.15-slim" in out
    assert "https://docs.python.org/release/3.12.15/whatsnew/changelog.html" in out
    assert "updated Dockerfile (1 change)" in out


def test_cli_up_to_date(tmp_path, fake, capsys) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\nFROM node:20 AS assets\n")
    code = run_cli(str(tmp_path), "--registry", fake.url, "--hub", fake.url)
    out = capsys.readouterr().out
    assert code == 0
    assert "Dockerfile is up to date" in out
    assert "Dockerfile:2" not in out  # node:20 floats over its major: nothing to move
    assert (
        tmp_path / "Dockerfile"
    ).read_text() == "FROM python:3.12-slim\nFROM node:20 AS assets\n"


def test_cli_dry_run_writes_nothing(tmp_path, fake, capsys) -> None:
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "production.Dockerfile").write_text("FROM python:3.12.4\n")
    code = run_cli(
        str(tmp_path),
        "--dockerfile",
        "docker/production.Dockerfile",
        "--dry-run",
        "--registry",
        fake.url,
        "--hub",
        fake.url,
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "python:3.12.4 -> python:3.12.15" in out
    assert "--dry-run: not written" in out
    assert (tmp_path / "docker" / "production.Dockerfile").read_text() == "FROM python:3.12.4\n"


def test_cli_mirror_lists_tags_through_the_registry_api(tmp_path, fake, capsys) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.12.7-slim@sha256:00\n")
    assert run_cli(str(tmp_path), "--registry", fake.url) == 0
    expected = f"FROM python:3.12.15-slim@{fake_digest('3.12.15-slim')}\n"
    assert (tmp_path / "Dockerfile").read_text() == expected
    assert not any(p.startswith("/v2/repositories/") for p in fake.paths())
    assert any(p.startswith("/token") for p in fake.paths())


def test_cli_pin_digest(tmp_path, fake) -> None:
    (tmp_path / "Dockerfile").write_text("ARG PYTHON_VERSION=3.12\nFROM python:${PYTHON_VERSION}\n")
    assert run_cli(str(tmp_path), "--pin-digest", "--registry", fake.url, "--hub", fake.url) == 0
    assert (tmp_path / "Dockerfile").read_text() == (
        f"ARG PYTHON_VERSION=3.12\nFROM python:${{PYTHON_VERSION}}@{fake_digest('3.12')}\n"
    )


def test_cli_registry_unreachable_is_a_clear_failure(tmp_path, monkeypatch, capsys) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.12.7\n")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    quick = RegistryClient(registry=dead, hub=dead, timeout=2, retries=1, sleep=lambda s: None)
    monkeypatch.setattr(refresh_command, "client_from_args", lambda args: quick)
    code = run_cli(str(tmp_path), "--registry", dead)
    err = capsys.readouterr().err
    assert code == 1
    assert "could not reach registry 127.0.0.1" in err
    assert "--registry" in err
    assert (tmp_path / "Dockerfile").read_text() == "FROM python:3.12.7\n"


def test_cli_missing_dockerfile(tmp_path, capsys) -> None:
    assert run_cli(str(tmp_path), "--dockerfile", "Containerfile") == 1
    assert "no Dockerfile at" in capsys.readouterr().err


def test_cli_warns_about_end_of_life(tmp_path, fake, capsys) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.9.25-slim\n")
    assert run_cli(str(tmp_path), "--registry", fake.url, "--hub", fake.url) == 0
    assert "warning: Python 3.9 reached end of life on 2025-10-31" in capsys.readouterr().err


def test_refresh_dockerfile_allow_minor_stays_inside_requires_python(tmp_path, fake) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "site"\nversion = "1"\nrequires-python = ">=3.12,<3.14"\n'
    )
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\n")
    client = RegistryClient(registry=fake.url, hub=fake.url)
    result = refresh_dockerfile(tmp_path, "Dockerfile", client, allow_minor=True)
    assert result.new_text == "FROM python:3.13-slim\n"
    assert any("pyproject.toml" in note for note in result.notes)
    assert (tmp_path / "Dockerfile").read_text() == "FROM python:3.12-slim\n"  # caller writes


def test_refresh_dockerfile_keeps_bytes_that_are_not_utf8(tmp_path, fake) -> None:
    before = b"# caf\xe9 latin-1 comment\nFROM python:3.11.9\n"
    (tmp_path / "Dockerfile").write_bytes(before)
    client = RegistryClient(registry=fake.url, hub=fake.url)
    result = refresh_dockerfile(tmp_path, "Dockerfile", client)
    written = result.new_text.encode("utf-8", "surrogateescape")
    assert written == before.replace(b"3.11.9", b"3.11.17")


def test_changelog_only_on_the_token_that_moved_the_version() -> None:
    text = "ARG PY=3.12.7\nFROM python:${PY}-slim\n"
    arg, digest = refresh_text(text, TAGS, digest_of, pin_digest=True).changes
    assert arg.kind == "arg" and arg.changelog is not None
    assert digest.kind == "digest" and digest.changelog is None


def test_pull_request_title_names_the_change():
    from generator.refresh import Change, title_for

    digest = "sha256:" + "1" * 64
    tag = Change("3.12.7", "3.12.9", 2, "arg", "python:3.12.7-slim", "python:3.12.9-slim")
    same = Change("python:3.12.7-slim", "python:3.12.9-slim", 4, "tag", "python:3.12.7-slim",
                  "python:3.12.9-slim")  # fmt: skip
    pin = Change("", digest, 6, "digest", "python:3.13.1-slim", f"python:3.13.1-slim@{digest}")
    assert title_for([tag, same]) == "python 3.12.7-slim → 3.12.9-slim"
    assert title_for([tag, pin]) == (
        "python 3.12.7-slim → 3.12.9-slim, python 3.13.1-slim: new digest"
    )
    node = Change("20", "22", 8, "tag", "node:20-slim", "node:22-slim")
    assert title_for([tag, pin, node]) == "python 3.12.7-slim → 3.12.9-slim and 2 more base images"


def test_a_debian_suite_that_stops_getting_patches_is_warned_about() -> None:
    tags = [
        "3.12.7-slim-bullseye",
        "3.12.8-slim-bullseye",
        "3.12.9-slim-bookworm",
        "3.12.10-slim-trixie",
        "3.12.11-bookworm",  # another flavour: not a sibling of -slim-*
    ]
    text = "FROM python:3.12.7-slim-bullseye AS app\n"
    result = refresh_text(text, tags, digest_of)
    assert result.new_text == "FROM python:3.12.8-slim-bullseye AS app\n"
    assert result.warnings == (
        "line 1: Python 3.12.10 is published as python:3.12.10-slim-trixie but the "
        "slim-bullseye variant stops at 3.12.8: the image no longer receives patches on "
        "bullseye; move to -slim-trixie to keep getting them",
    )
    # A suite still served, an alpine or suite-less variant: no warning.
    assert refresh_text("FROM python:3.12.9-slim-bookworm\n", tags[:3], digest_of).warnings == ()
    assert refresh_text("FROM python:3.12.7-slim\n", tags, digest_of).warnings == ()


def test_min_age_days_holds_back_young_tags_and_rebuilt_digests(tmp_path) -> None:
    from datetime import UTC, datetime, timedelta

    def ago(days: int) -> str:
        return (datetime.now(UTC) - timedelta(days=days)).isoformat().replace("+00:00", "Z")

    tags = ["3.12.7-slim", "3.12.8-slim", "3.12.9-slim", "3.12-slim"]
    pushed = {"3.12.7-slim": ago(90), "3.12.8-slim": ago(30), "3.12.9-slim": ago(2)}
    pushed["3.12-slim"] = ago(2)  # the floating tag was rebuilt with 3.12.9 two days ago
    old_pin = "sha256:" + "0" * 64
    (tmp_path / "Dockerfile").write_text(
        f"FROM python:3.12.7-slim AS build\nFROM python:3.12-slim@{old_pin}\n"
    )
    with FakeRegistry(tags, pushed=pushed) as fake:
        client = RegistryClient(registry=fake.url, hub=fake.url)
        result = refresh_dockerfile(tmp_path, "Dockerfile", client, min_age_days=7)
        assert result.new_text == (
            f"FROM python:3.12.8-slim AS build\nFROM python:3.12-slim@{old_pin}\n"
        )
        assert (
            "line 1: python:3.12.9-slim was pushed 2 day(s) ago, under the minimum age; "
            "moved to 3.12.8-slim" in result.notes
        )
        assert (
            "line 2: python:3.12-slim was rebuilt 2 day(s) ago, under the minimum age; "
            "its pinned digest is kept" in result.notes
        )

        # Without a minimum age the newest tag and the new digest are taken.
        result = refresh_dockerfile(tmp_path, "Dockerfile", client)
        assert "3.12.9-slim AS build" in result.new_text and old_pin not in result.new_text

    # A mirror's v2 API has no dates: said, not silently ignored.
    with FakeRegistry(tags, pushed=pushed) as fake:
        client = RegistryClient(registry=fake.url, hub=None)
        result = refresh_dockerfile(tmp_path, "Dockerfile", client, min_age_days=7)
        assert "3.12.9-slim AS build" in result.new_text
        assert any(n.startswith("min-age-days (7) not applied") for n in result.notes)


def test_node_stage_moves_inside_its_major_with_its_own_changelog() -> None:
    from generator.refresh import Catalog

    node = Catalog(("20.11.0-slim", "20.18.1-slim", "22.12.0-slim", "20-slim"), digest_of)
    text = "FROM node:20.11.0-slim AS assets\nFROM node:20-slim AS b\nFROM python:3.12.7-slim\n"
    result = refresh_text(text, TAGS, digest_of, others={"node": node})
    assert result.new_text == (
        "FROM node:20.18.1-slim AS assets\nFROM node:20-slim AS b\nFROM python:3.12.15-slim\n"
    )
    first = result.changes[0]
    assert first.changelog == "https://github.com/nodejs/node/releases/tag/v20.18.1"
    # With pin_digest the floating node:20-slim gets its digest from the node catalog.
    pinned = refresh_text(text, TAGS, digest_of, others={"node": node}, pin_digest=True)
    assert f"FROM node:20-slim@{digest_of('20-slim')} AS b" in pinned.new_text


def test_generated_node_stage_is_digest_pinned_through_the_registry(tmp_path) -> None:
    from fake_registry import fake_digest

    (tmp_path / "Dockerfile").write_text(
        "FROM node:22-slim AS assets\nFROM python:3.12.7-slim-bookworm\n"
    )
    with FakeRegistry(["3.12.9-slim-bookworm"], node_tags=["22-slim", "22.12.0-slim"]) as fake:
        client = RegistryClient(registry=fake.url, hub=None)
        result = refresh_dockerfile(tmp_path, "Dockerfile", client, pin_digest=True)
        assert result.new_text == (
            f"FROM node:22-slim@{fake_digest('node:22-slim')} AS assets\n"
            f"FROM python:3.12.9-slim-bookworm@{fake_digest('3.12.9-slim-bookworm')}\n"
        )
        assert any("/v2/library/node/manifests/22-slim" in p for p in fake.paths("HEAD"))


def test_compose_file_images_are_refreshed_in_place(tmp_path) -> None:
    from fake_registry import fake_digest

    compose = (
        "services:\n"
        "  web:\n"
        "    build: .\n"
        '    image: "python:3.12.7-slim"  # the app\n'
        "  worker:\n"
        "    image: python:${PY:-3.12}-slim\n"
        "  db:\n"
        "    image: postgres:16\n"
        "  assets:\n"
        f"    image: node:22-slim@{fake_digest('node:20-slim')}\n"
    )
    (tmp_path / "docker-compose.prod.yml").write_text(compose)
    with FakeRegistry(["3.12.9-slim"], node_tags=["22-slim"]) as fake:
        client = RegistryClient(registry=fake.url, hub=None)
        result = refresh_dockerfile(tmp_path, "docker-compose.prod.yml", client)
    assert result.new_text == compose.replace(
        '"python:3.12.7-slim"', '"python:3.12.9-slim"'
    ).replace(fake_digest("node:20-slim"), fake_digest("node:22-slim"))
    assert [(c.line, c.kind) for c in result.changes] == [(4, "tag"), (10, "digest")]
    assert any(n.startswith("line 8: postgres:16") for n in result.notes)


def test_cli_logs_in_with_credentials_from_the_environment(tmp_path, monkeypatch, capsys) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.12.7-slim\n")
    with FakeRegistry(["3.12.9-slim"], login=("robot", "pw")) as private:
        assert run_cli(str(tmp_path), "--registry", private.url) == 1  # anonymous: refused
        monkeypatch.setenv("REGISTRY_USERNAME", "robot")
        monkeypatch.setenv("REGISTRY_PASSWORD", "pw")
        assert run_cli(str(tmp_path), "--registry", private.url) == 0
    assert (tmp_path / "Dockerfile").read_text() == "FROM python:3.12.9-slim\n"
