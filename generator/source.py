"""The source tree detection reads: an interface, so a remote repository can stand in for a directory.

Everything here is read-only and defensive: the tree may be a stranger's repository with hostile
content (symlinks out of the tree, symlink loops, binary or huge files, odd encodings).
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Protocol

from generator.facts import Diagnostics

# Directories never worth descending into: VCS data, dependencies, caches and build output.
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "bower_components",
        "site-packages",
        "__pycache__",
        ".venv",
        "venv",
        ".virtualenv",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".cache",
        ".idea",
        ".vscode",
        "build",
        "dist",
        ".eggs",
        "htmlcov",
        ".next",
        ".nuxt",
        ".parcel-cache",
        ".terraform",
        ".direnv",
        ".hypothesis",
        "staticfiles",
        "static_root",
        "collected_static",
    }
)
# A file bigger than this is read only up to the limit (a 50 MB requirements file is hostile).
MAX_READ_BYTES = 2 * 1024 * 1024
# Manifests and settings live near the top; deeper levels are vendored or generated code.
MAX_DEPTH = 6


class SourceTree(Protocol):
    """Read access to a repository. Paths are POSIX, relative to the root, never leaving it."""

    def read_text(self, path: str) -> str | None:
        """The decoded text of a file, or None if it is missing or not text (a warning is kept)."""
        ...

    def is_file(self, path: str) -> bool: ...

    def is_dir(self, path: str) -> bool: ...

    def list_dir(self, path: str) -> list[str]:
        """Names of entries in a directory, sorted; [] when it does not exist."""
        ...

    def walk_files(self, max_depth: int = MAX_DEPTH) -> Iterator[str]:
        """Every file path below the root, skipping SKIP_DIRS and virtualenvs, sorted by depth."""
        ...

    def symlink_target(self, path: str) -> str | None:
        """Where a symlink at PATH leads, relative to the root; None when PATH is no symlink or
        its target leaves the tree."""
        ...


def decode(data: bytes) -> str | None:
    """Decode file content as a text editor would: BOM-aware, UTF-8 first. None for binary."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    if b"\x00" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Legacy single-byte files (latin-1 comments in an old settings.py) are still readable.
        return data.decode("latin-1")


class LocalTree:
    """A directory on disk."""

    def __init__(self, root: str | os.PathLike[str], diagnostics: Diagnostics | None = None):
        self.root = Path(root).resolve()
        self.diagnostics = diagnostics if diagnostics is not None else Diagnostics()
        self._text_cache: dict[str, str | None] = {}
        self._walk_cache: dict[int, tuple[str, ...]] = {}

    def _resolve(self, path: str) -> Path | None:
        """The real path of `path`, or None if it (or a symlink in it) leaves the tree."""
        rel = PurePosixPath(path)
        if rel.is_absolute() or ".." in rel.parts:
            return None
        full = self.root.joinpath(*rel.parts) if rel.parts else self.root
        try:
            real = full.resolve(strict=True)
        except (OSError, RuntimeError):  # missing, or a symlink loop
            return None
        if real != self.root and self.root not in real.parents:
            return None
        return real

    def is_file(self, path: str) -> bool:
        real = self._resolve(path)
        return real is not None and real.is_file()

    def is_dir(self, path: str) -> bool:
        real = self._resolve(path)
        return real is not None and real.is_dir()

    def list_dir(self, path: str) -> list[str]:
        real = self._resolve(path)
        if real is None or not real.is_dir():
            return []
        try:
            return sorted(os.listdir(real))
        except OSError:
            return []

    def symlink_target(self, path: str) -> str | None:
        if not os.path.islink(self.root.joinpath(*PurePosixPath(path).parts)):
            return None
        real = self._resolve(path)
        return None if real is None else real.relative_to(self.root).as_posix()

    def read_text(self, path: str) -> str | None:
        if path in self._text_cache:
            return self._text_cache[path]
        text = self._read_text(path)
        self._text_cache[path] = text
        return text

    def _read_text(self, path: str) -> str | None:
        real = self._resolve(path)
        if real is None:
            if os.path.islink(self.root / path):
                self.diagnostics.warn(
                    "is a symlink that points outside the repository or loops; not read", path
                )
            return None
        try:
            st = real.stat()
            if not stat.S_ISREG(st.st_mode):
                return None
            with open(real, "rb") as fh:
                data = fh.read(MAX_READ_BYTES + 1)
        except OSError as exc:
            self.diagnostics.warn(f"cannot be read: {exc.strerror or exc}", path)
            return None
        if len(data) > MAX_READ_BYTES:
            self.diagnostics.warn(
                f"is larger than {MAX_READ_BYTES // (1024 * 1024)} MB; only the first part was read",
                path,
            )
            data = data[:MAX_READ_BYTES]
            # Do not end in the middle of a line: the last partial line would be misread.
            cut = data.rfind(b"\n")
            if cut > 0:
                data = data[: cut + 1]
        text = decode(data)
        if text is None:
            self.diagnostics.warn("is not a text file (binary content); ignored", path)
        return text

    def walk_files(self, max_depth: int = MAX_DEPTH) -> Iterator[str]:
        # Several detectors walk the tree; the listing is made once (the tree is read-only).
        if max_depth not in self._walk_cache:
            self._walk_cache[max_depth] = tuple(self._walk(max_depth))
        return iter(self._walk_cache[max_depth])

    def _walk(self, max_depth: int) -> Iterator[str]:
        # Breadth-first with os.scandir: cheap on huge trees because skipped directories are
        # never listed, and symlinked directories are never followed (no loops, no escapes).
        level: list[str] = [""]
        depth = 0
        while level and depth <= max_depth:
            next_level: list[str] = []
            for rel_dir in level:
                directory = self.root / rel_dir if rel_dir else self.root
                try:
                    entries = sorted(os.scandir(directory), key=lambda e: e.name)
                except OSError:
                    continue
                subdirs: list[str] = []
                for entry in entries:
                    rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            if _skip_dir(entry):
                                continue
                            subdirs.append(rel)
                        elif entry.is_file(follow_symlinks=False) or (
                            entry.is_symlink()
                            and self._resolve(rel) is not None
                            and (self.root / rel).is_file()
                        ):
                            yield rel
                    except OSError:
                        continue
                next_level.extend(subdirs)
            level = next_level
            depth += 1


def _skip_dir(entry: os.DirEntry[str]) -> bool:
    name = entry.name
    if name in SKIP_DIRS or name.endswith((".egg-info", ".dist-info")):
        return True
    # Any virtualenv, whatever its name.
    return os.path.exists(os.path.join(entry.path, "pyvenv.cfg")) or os.path.exists(
        os.path.join(entry.path, "bin", "activate")
    )
