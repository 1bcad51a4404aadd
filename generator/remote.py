"""A SourceTree read through the GitHub API: one recursive tree listing, then only the blobs asked for.

The organisation bot reads strangers' repositories without cloning them. Detection must see the
same thing it would see in a checkout of the same commit (same walk order, same skipped
directories, same symlink rules), so this mirrors `LocalTree` rule for rule, with two limits a
checkout does not need: a size cap per file and a byte budget per repository (each blob costs an
API call and its bytes travel over the network).
"""

from __future__ import annotations

import base64
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from generator.facts import Diagnostics
from generator.source import MAX_DEPTH, MAX_READ_BYTES, SKIP_DIRS, decode

# Bytes of blobs one repository may cost before further reads are refused (detection of a real
# project reads well under 1 MB: manifests, settings, a few modules).
DEFAULT_BYTE_BUDGET = 8 * 1024 * 1024
_SYMLINK = "120000"
_MAX_LINK_HOPS = 40  # as the kernel's ELOOP limit: more is a loop


class BudgetExceeded(RuntimeError):
    """The repository asked for more blob bytes than its budget allows."""


class GitApi(Protocol):
    """The two calls the tree needs (a PyGithub Repository satisfies it through `PyGithubApi`)."""

    def tree(self, sha: str) -> tuple[list[dict[str, Any]], bool]:
        """The recursive listing of a tree or commit: (entries, truncated)."""
        ...

    def blob(self, sha: str) -> bytes: ...


class PyGithubApi:
    """GitApi over a PyGithub Repository: one request per call."""

    def __init__(self, repo: Any):
        self.repo = repo

    def tree(self, sha: str) -> tuple[list[dict[str, Any]], bool]:
        tree = self.repo.get_git_tree(sha, recursive=True)
        entries = [
            {"path": e.path, "mode": e.mode, "type": e.type, "sha": e.sha, "size": e.size}
            for e in tree.tree
        ]
        return entries, bool(tree.raw_data.get("truncated"))

    def blob(self, sha: str) -> bytes:
        blob = self.repo.get_git_blob(sha)
        if blob.encoding == "base64":
            return base64.b64decode(blob.content)
        return (blob.content or "").encode()


@dataclass(frozen=True)
class _Entry:
    kind: str  # "blob", "tree" or "commit" (a submodule: never read)
    mode: str
    sha: str
    size: int | None


class GitHubTree:
    """A repository at one commit, read through the API. Paths are POSIX, relative to the root."""

    def __init__(
        self,
        api: GitApi,
        sha: str,
        diagnostics: Diagnostics | None = None,
        byte_budget: int = DEFAULT_BYTE_BUDGET,
    ):
        self.api = api
        self.sha = sha
        self.diagnostics = diagnostics if diagnostics is not None else Diagnostics()
        self.byte_budget = byte_budget
        self.bytes_read = 0
        self.budget_exceeded = False
        self._text_cache: dict[str, str | None] = {}
        self._link_cache: dict[str, str | None] = {}
        self._walk_cache: dict[int, tuple[str, ...]] = {}
        raw, truncated = api.tree(sha)
        if truncated:
            self.diagnostics.warn(
                "the repository's file listing is larger than the API returns in one call; "
                "files past the cut are not seen",
                ".",
            )
        self._entries: dict[str, _Entry] = {}
        self._children: dict[str, list[str]] = {"": []}
        for item in raw:
            path = str(item.get("path") or "")
            parts = path.split("/")
            if not path or any(p in ("", ".", "..") for p in parts):
                continue  # git never stores these; a hostile server might
            self._add_dirs(parts[:-1])
            kind = str(item.get("type") or "blob")
            if path in self._entries and kind == "tree":
                continue  # already added as a parent of an earlier blob
            self._entries[path] = _Entry(
                kind, str(item.get("mode") or ""), str(item["sha"]), _size(item)
            )
            parent = "/".join(parts[:-1])
            if parts[-1] not in self._children.setdefault(parent, []):
                self._children[parent].append(parts[-1])
            if kind == "tree":
                self._children.setdefault(path, [])
        for names in self._children.values():
            names.sort()

    def _add_dirs(self, parts: list[str]) -> None:
        for i in range(len(parts)):
            path = "/".join(parts[: i + 1])
            if path not in self._entries:
                self._entries[path] = _Entry("tree", "040000", "", None)
                parent = "/".join(parts[:i])
                self._children.setdefault(parent, []).append(parts[i])
                self._children.setdefault(path, [])

    # --- the SourceTree interface ----------------------------------------------------------

    def is_file(self, path: str) -> bool:
        real = self._resolve(path)
        return real is not None and self._kind(real) == "blob"

    def is_dir(self, path: str) -> bool:
        real = self._resolve(path)
        return real is not None and self._kind(real) == "tree"

    def list_dir(self, path: str) -> list[str]:
        real = self._resolve(path)
        if real is None or self._kind(real) != "tree":
            return []
        return list(self._children.get(real, []))

    def read_text(self, path: str) -> str | None:
        if path not in self._text_cache:
            self._text_cache[path] = self._read_text(path)
        return self._text_cache[path]

    def symlink_target(self, path: str) -> str | None:
        """The tree-relative path a symlink at PATH resolves to, or None (not a link, or escapes)."""
        entry = self._entries.get(path)
        if entry is None or entry.mode != _SYMLINK:
            return None
        return self._resolve(path)

    def walk_files(self, max_depth: int = MAX_DEPTH) -> Iterator[str]:
        if max_depth not in self._walk_cache:
            self._walk_cache[max_depth] = tuple(self._walk(max_depth))
        return iter(self._walk_cache[max_depth])

    # --- internals -------------------------------------------------------------------------

    def _kind(self, real: str) -> str | None:
        if real == "":
            return "tree"
        entry = self._entries.get(real)
        return entry.kind if entry else None

    def _walk(self, max_depth: int) -> Iterator[str]:
        # The same breadth-first order as LocalTree._walk: per level, each directory's files by
        # name; symlinked directories never followed, symlinked files kept when they resolve.
        level = [""]
        depth = 0
        while level and depth <= max_depth:
            next_level: list[str] = []
            for rel_dir in level:
                for name in self._children.get(rel_dir, []):
                    rel = f"{rel_dir}/{name}" if rel_dir else name
                    entry = self._entries[rel]
                    if entry.kind == "tree":
                        if not self._skip_dir(rel, name):
                            next_level.append(rel)
                    elif entry.kind == "blob" and (entry.mode != _SYMLINK or self.is_file(rel)):
                        yield rel
            level = next_level
            depth += 1

    def _skip_dir(self, rel: str, name: str) -> bool:
        if name in SKIP_DIRS or name.endswith((".egg-info", ".dist-info")):
            return True
        return f"{rel}/pyvenv.cfg" in self._entries or f"{rel}/bin/activate" in self._entries

    def _resolve(self, path: str, hops: int = 0) -> str | None:
        """The real tree path of PATH with every symlink followed, or None when missing, when a
        link leaves the repository (absolute, or too many ..), or when links loop."""
        if path in ("", "."):
            return ""
        if path.startswith("/"):
            return None
        current: list[str] = []
        parts = path.split("/")
        for i, part in enumerate(parts):
            if part in ("", "."):
                continue
            if part == "..":
                if not current:
                    return None
                current.pop()
                continue
            candidate = "/".join([*current, part])
            entry = self._entries.get(candidate)
            if entry is None or entry.kind == "commit":
                return None
            if entry.mode == _SYMLINK:
                if hops >= _MAX_LINK_HOPS:
                    return None
                target = self._link(candidate)
                if target is None or target.startswith("/"):
                    return None
                joined = posixpath.join("/".join(current), target)
                resolved = self._resolve(joined, hops + 1)
                if resolved is None:
                    return None
                current = resolved.split("/") if resolved else []
                continue
            if entry.kind == "blob" and i < len(parts) - 1:
                return None  # a file used as a directory
            current.append(part)
        return "/".join(current)

    def _link(self, path: str) -> str | None:
        if path not in self._link_cache:
            data = self._fetch(self._entries[path])
            self._link_cache[path] = None if data is None else data.decode("utf-8", "replace")
        return self._link_cache[path]

    def _fetch(self, entry: _Entry) -> bytes | None:
        size = entry.size or 0
        if self.bytes_read + size > self.byte_budget:
            self._over_budget()
            return None
        data = self.api.blob(entry.sha)
        self.bytes_read += len(data)
        if self.bytes_read > self.byte_budget:
            self._over_budget()
        return data

    def _over_budget(self) -> None:
        if not self.budget_exceeded:
            self.budget_exceeded = True
            self.diagnostics.warn(
                f"reading this repository through the API needed more than "
                f"{self.byte_budget // (1024 * 1024)} MB of files; the rest was not read",
                ".",
            )

    def _read_text(self, path: str) -> str | None:
        real = self._resolve(path)
        if real is None:
            entry = self._entries.get(path)
            if entry is not None and entry.mode == _SYMLINK:
                self.diagnostics.warn(
                    "is a symlink that points outside the repository or loops; not read", path
                )
            return None
        entry = self._entries.get(real)
        if entry is None or entry.kind != "blob":
            return None
        if entry.size is not None and entry.size > MAX_READ_BYTES:
            self.diagnostics.warn(
                f"is larger than {MAX_READ_BYTES // (1024 * 1024)} MB; not read through the API",
                path,
            )
            return None
        data = self._fetch(entry)
        if data is None:
            return None
        if len(data) > MAX_READ_BYTES:  # the listing did not say its size
            self.diagnostics.warn(
                f"is larger than {MAX_READ_BYTES // (1024 * 1024)} MB; not read through the API",
                path,
            )
            return None
        text = decode(data)
        if text is None:
            self.diagnostics.warn("is not a text file (binary content); ignored", path)
        return text


def _size(item: dict[str, Any]) -> int | None:
    size = item.get("size")
    return size if isinstance(size, int) and size >= 0 else None
