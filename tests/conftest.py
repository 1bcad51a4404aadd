"""Shared test helpers: build small project trees from a dict of path -> content."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Create `files` under `root` (str content written as UTF-8, bytes as-is)."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def make_tree(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """make_tree({"manage.py": "...", ...}) -> the project root."""

    def make(files: dict[str, str | bytes]) -> Path:
        return write_tree(tmp_path / "project", files)

    return make
