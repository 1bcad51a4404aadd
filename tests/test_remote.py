"""GitHubTree: detection through the API sees exactly what a checkout of the same commit shows."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from fake_github import TOKEN, FakeGitHub

from generator.detect import detect
from generator.facts import Diagnostics
from generator.publish import make_client
from generator.remote import GitHubTree, PyGithubApi
from generator.source import LocalTree

FIXTURES = Path(__file__).parent / "fixtures"
NAMES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
TODAY = None


@pytest.fixture(scope="module")
def gh():
    with FakeGitHub() as server:
        yield server


def _remote(gh: FakeGitHub, name: str, directory: Path, **kw) -> GitHubTree:
    full_name = f"octo/{name}"
    repo = gh.add_repo_from_dir(full_name, directory)
    client = make_client(TOKEN, gh.api_url, retries=0, backoff=0.001)
    return GitHubTree(
        PyGithubApi(client.get_repo(full_name)), repo.refs["heads/main"], Diagnostics(), **kw
    )


def _facts_json(tree) -> str:
    return json.dumps(detect(tree).to_json(), indent=1, sort_keys=True)


@pytest.mark.parametrize("name", NAMES)
def test_facts_through_the_api_equal_the_checkout(gh: FakeGitHub, name: str) -> None:
    local = _facts_json(LocalTree(FIXTURES / name, Diagnostics()))
    remote = _facts_json(_remote(gh, name, FIXTURES / name))
    assert remote == local


def _linked_project(root: Path) -> Path:
    """A project whose manage.py is a symlink into src/, with a link loop and a link leaving it."""
    src = root / "src"
    (src / "shop").mkdir(parents=True)
    (src / "manage.py").write_text(
        "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n"
    )
    (src / "shop" / "__init__.py").write_text("")
    (src / "shop" / "settings.py").write_text("SECRET_KEY = 'x'\nINSTALLED_APPS = []\n")
    (src / "shop" / "wsgi.py").write_text("application = None\n")
    (root / "requirements.txt").write_text("django==5.2.8\ngunicorn\n")
    os.symlink("src/manage.py", root / "manage.py")
    os.symlink("loop-b", root / "loop-a")
    os.symlink("loop-a", root / "loop-b")
    os.symlink("/etc/passwd", root / "passwd")
    os.symlink("../../outside.txt", root / "src" / "escape.txt")
    os.symlink("src/shop", root / "shop-link")  # a directory link: never walked into
    return root


def test_symlinks_follow_the_checkout_rules(gh: FakeGitHub, tmp_path: Path) -> None:
    root = _linked_project(tmp_path / "linked")
    # Facts first, on fresh trees: the reads below add warnings of their own.
    assert _facts_json(_remote(gh, "linked", root)) == _facts_json(LocalTree(root, Diagnostics()))
    local_tree = LocalTree(root, Diagnostics())
    remote = _remote(gh, "linked", root)
    assert list(remote.walk_files()) == list(local_tree.walk_files())
    for path in (
        "manage.py",
        "loop-a",
        "passwd",
        "src/escape.txt",
        "shop-link",
        "shop-link/wsgi.py",
    ):
        assert remote.is_file(path) == local_tree.is_file(path), path
        assert remote.read_text(path) == local_tree.read_text(path), path
        assert remote.symlink_target(path) == local_tree.symlink_target(path), path
    assert remote.is_dir("shop-link") and remote.list_dir("shop-link") == local_tree.list_dir(
        "shop-link"
    )
    assert remote.symlink_target("manage.py") == "src/manage.py"
    assert remote.diagnostics.items == local_tree.diagnostics.items


def test_only_the_blobs_detection_asks_for_are_fetched(gh: FakeGitHub, tmp_path: Path) -> None:
    root = _linked_project(tmp_path / "few")
    for i in range(200):  # a big tree detection has no reason to read
        (root / "docs").mkdir(exist_ok=True)
        (root / "docs" / f"page{i}.md").write_text("# page\n" * 50)
    before = len(gh.requests)
    detect(_remote(gh, "few", root))
    blob_reads = [p for m, p in gh.requests[before:] if m == "GET" and "/git/blobs/" in p]
    listings = [p for m, p in gh.requests[before:] if "/git/trees/" in p]
    assert len(listings) == 1
    assert 0 < len(blob_reads) < 15
    assert not any("page" in p for p in blob_reads)


def test_the_byte_budget_stops_reading_and_says_so(gh: FakeGitHub, tmp_path: Path) -> None:
    root = _linked_project(tmp_path / "budget")
    (root / "requirements.txt").write_text("django==5.2.8\n" + "# padding\n" * 5000)
    tree = _remote(gh, "budget", root, byte_budget=10_000)
    assert tree.read_text("requirements.txt") is None
    assert tree.budget_exceeded
    assert any("more than" in d.message for d in tree.diagnostics.items)


def test_a_file_over_the_read_cap_is_not_fetched(gh: FakeGitHub, tmp_path: Path) -> None:
    root = tmp_path / "big"
    root.mkdir()
    (root / "huge.txt").write_bytes(b"x\n" * (1024 * 1024 + 10))
    tree = _remote(gh, "big", root)
    before = len(gh.requests)
    assert tree.read_text("huge.txt") is None
    assert len(gh.requests) == before
    assert any("larger than" in d.message for d in tree.diagnostics.items)
