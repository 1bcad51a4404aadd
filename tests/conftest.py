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
