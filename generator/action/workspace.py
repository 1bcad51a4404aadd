"""Paths between the project, the repository and the runner, and who owns what we write.

GitHub runs the container as root with the checkout mounted at GITHUB_WORKSPACE: files we write
are given back to the workspace's owner, and git needs the mount declared safe.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from generator.action.inputs import ActionInputs
from generator.facts import Diagnostic


def repo_path(path: str | os.PathLike[str], inputs: ActionInputs) -> str:
    """A path (absolute, or relative to the project) relative to the repository, POSIX style."""
    full = os.path.normpath(inputs.root / path)
    return Path(os.path.relpath(full, inputs.workspace)).as_posix()


def project_rel(inputs: ActionInputs) -> str:
    """The project directory relative to the repository ("." at its root)."""
    return inputs.root.relative_to(inputs.workspace).as_posix() or "."


def to_repo(diag: Diagnostic, inputs: ActionInputs) -> Diagnostic:
    """Warnings name files relative to the project; annotations need them relative to the repo."""
    if not diag.file:
        return diag
    prefix = project_rel(inputs)
    file = diag.file if prefix == "." else f"{prefix}/{diag.file}"
    return Diagnostic(diag.message, file, diag.line)


def workspace_owner(workspace: Path) -> tuple[int, int] | None:
    """(uid, gid) to give written files: the runner's user, when we run as root in a container."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    st = workspace.stat()
    return None if st.st_uid == 0 else (st.st_uid, st.st_gid)


def chown(path: Path, workspace: Path, owner: tuple[int, int] | None) -> None:
    """Give the file (and directories we may have created for it) to the workspace owner."""
    if owner is None:
        return
    path = path.resolve()
    while path != workspace and path.is_relative_to(workspace):
        st = path.stat()
        if (st.st_uid, st.st_gid) != owner and st.st_uid == 0:
            os.chown(path, *owner)
        path = path.parent


def configure_git(workspace: Path) -> None:
    """Let git run on the mounted checkout, which belongs to another user than the container's."""
    git = shutil.which("git")
    if git is None or not (workspace / ".git").exists():
        return
    subprocess.run(
        [git, "config", "--global", "--add", "safe.directory", str(workspace)],
        check=False,
        capture_output=True,
    )
