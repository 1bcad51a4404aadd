"""What every installer shares: the install steps as data (_Install), the manifests copied before
the source, and the tail of a lockfile manager's install (its tool, manifests, then the project)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from generator.facts import Requirement
from generator.plan.context import _clean_path, _Context, _from_install_dir
from generator.plan.model import Instruction, _run, _with_comment
from generator.plan.tools import _tool


@dataclass(frozen=True)
class _Install:
    env: tuple[tuple[str, str], ...]  # build-stage ENV for the manager
    tool: Instruction | None  # installs the manager itself (outside the venv)
    deps: tuple[Instruction, ...]  # COPY manifests + install, before the source
    project: tuple[Instruction, ...]  # after `COPY . .` in the build stage (may be empty)
    source_first: bool  # the install needs the whole source (setuptools/hatch builds)
    groups: tuple[str, ...]
    extras: tuple[str, ...]


def _inputs(ctx: _Context) -> tuple[str, ...]:
    deps = ctx.facts.dependencies
    inputs = (
        deps.install_inputs
        or tuple(f for f in (deps.install_file, deps.lockfile) if f)
        or deps.files
    )
    return tuple(dict.fromkeys(_clean_path(p) for p in inputs if _clean_path(p)))


def _copy_inputs(ctx: _Context, paths: tuple[str, ...]) -> tuple[Instruction, ...]:
    """COPY instructions that keep each file's relative path (one COPY per directory), with
    destinations seen from the installer's working directory."""
    by_dir: dict[str, list[str]] = {}
    for path in paths:
        parent = str(PurePosixPath(path).parent)
        by_dir.setdefault(parent, []).append(path)
    steps = []
    for parent, files in by_dir.items():
        dest = _from_install_dir(ctx, parent)
        dest = "./" if dest == "." else f"{dest}/"
        steps.append(Instruction("COPY", (" ".join([*files, dest]),)))
    return tuple(steps)


def _local_requirements(reqs: tuple[Requirement, ...]) -> bool:
    """A requirement on a local path (`-e .`, `./pkg`) needs the source before installing."""
    for req in reqs:
        url = req.url or ""
        if url and not req.is_vcs and not re.match(r"^[a-z]+://", url):
            return True
        if url.startswith("file:"):
            return True
    return False


def _manager_install(
    ctx: _Context,
    tool: tuple[str, str],
    env: tuple[tuple[str, str], ...],
    copy_inputs: tuple[Instruction, ...],
    install: Instruction,
    comment: tuple[str, ...],
    project: tuple[str, tuple[str, ...]] | None = None,
    project_comment: str = "",
) -> _Install:
    """A lockfile manager's install: the tool (`tool` is its package and display name), the
    manifests and the dependency install before the source, and, when the project is a package,
    `project` (command, cache mounts) after it."""
    deps = ctx.facts.dependencies
    after: tuple[Instruction, ...] = ()
    if project and deps.installs_project:
        command, mounts = project
        after = (_run(command, mounts=mounts, comment=(project_comment,)),)
    return _Install(
        env,
        _tool(ctx, tool[0], f"{tool[1]} installs the locked dependencies"),
        _with_comment((*copy_inputs, install), *comment),
        after,
        False,
        deps.groups,
        deps.extras,
    )
