"""Shared test helpers: build small project trees from a dict of path -> content."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import write_tree


@pytest.fixture
def make_tree(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """make_tree({"manage.py": "...", ...}) -> the project root."""

    def make(files: dict[str, str | bytes]) -> Path:
        return write_tree(tmp_path / "project", files)

    return make


@pytest.fixture(autouse=True)
def no_package_index(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory):
    """Tests never reach PyPI: the index URL refuses connections and the cache starts empty, so
    wheel questions are answered by lockfiles and the recorded table (tests that need an index
    start a fake one and point DJANGO_DOCKERFILE_INDEX_URL at it)."""
    monkeypatch.setenv("DJANGO_DOCKERFILE_INDEX_URL", "http://127.0.0.1:9/simple/")
    monkeypatch.setenv("DJANGO_DOCKERFILE_CACHE", str(tmp_path_factory.mktemp("cache")))
