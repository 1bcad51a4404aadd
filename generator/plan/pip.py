"""pip installs: a requirements file, PEP 735 dependency groups (`pip install --group`), and
setuptools/Hatch projects (their declared dependencies first, then `pip install .`)."""

from __future__ import annotations

import re
import shlex
from pathlib import PurePosixPath

from packaging.version import Version

from generator.facts import Requirement
from generator.plan.context import _clean_path, _Context, _from_install_dir
from generator.plan.install import _inputs, _Install, _local_requirements
from generator.plan.model import PIP_CACHE, Instruction, PlanError, _run, _with_comment
from generator.plan.tools import _pin_and_log


def _pip(ctx: _Context, copy_inputs: tuple[Instruction, ...]) -> _Install:
    deps = ctx.facts.dependencies
    install_file = _clean_path(deps.install_file) if deps.install_file else None
    if install_file is None:
        if deps.installs_project:
            return _pip_project(ctx, copy_inputs)
        install_file = next((p for p in _inputs(ctx) if p.endswith(".txt")), "requirements.txt")
    if PurePosixPath(install_file).name == "pyproject.toml":
        return _pip_groups(ctx, install_file, copy_inputs)
    flags = "--require-hashes " if deps.hashes else ""
    command = f"pip install {flags}-r {_from_install_dir(ctx, install_file)}"
    why = f"pip installs {install_file}" + (
        " with --require-hashes (it carries hashes)" if flags else ""
    )
    ctx.decide("install", install_file, None, why)
    install = _run(command, mounts=(PIP_CACHE,))
    if _local_requirements(deps.requirements):
        ctx.decide(
            "install",
            install_file,
            None,
            "a requirement installs a local path (e.g. `-e .`), so the source is copied first",
        )
        return _Install((), None, (), (install,), True, deps.groups, deps.extras)
    steps = _with_comment(
        (*copy_inputs, install),
        "Only the requirement files first: a code change reuses the dependency layer.",
    )
    return _Install((), None, steps, (), False, deps.groups, deps.extras)


def _pip_groups(ctx: _Context, manifest: str, copy_inputs: tuple[Instruction, ...]) -> _Install:
    """PEP 735 dependency groups of a pyproject.toml with no [project]: `pip install --group`,
    which pip has since 25.1 (the image's own pip may be older, so a pinned pip comes first)."""
    deps = ctx.facts.dependencies
    if not deps.groups:
        raise PlanError(
            f"{manifest} declares only dependency groups, and none of them is a production set "
            "(development groups such as dev or test are not installed); put Django in a group "
            "named for production (e.g. prod) or in a [project] table"
        )
    names = ", ".join(deps.groups)
    pin = _pin_and_log(ctx, "pip")
    comment = "Only pyproject.toml first: a code change reuses the dependency layer."
    if Version(pin.version) >= Version("25.1"):
        # `--group=NAME`: hadolint would read a separate NAME as an unpinned package (DL3013).
        groups = " ".join(f"--group={shlex.quote(g)}" for g in deps.groups)
        ctx.decide(
            "install",
            manifest,
            None,
            f"pip installs the dependency group(s) {names} of {manifest} (PEP 735; "
            f"`pip install --group` needs pip >= 25.1, so {pin.requirement} is installed first)",
        )
        install = _run(
            f"pip install {pin.requirement}", f"pip install {groups}", mounts=(PIP_CACHE,)
        )
        return _Install(
            (), None, _with_comment((*copy_inputs, install), comment), (), False, deps.groups, ()
        )
    # No pip for this Python reads groups: name the group's requirements, as its table lists them.
    args, why_not = _declared_requirements(ctx)
    if not args:
        raise PlanError(
            f"{manifest}: the dependency group(s) {names} cannot be installed on Python "
            f"{ctx.minor} ({pin.requirement} is the newest pip there and has no --group; "
            f"{why_not}); choose Python 3.9 or newer (--python-version)"
        )
    ctx.decide(
        "install",
        manifest,
        None,
        f"pip installs the requirements of dependency group(s) {names} of {manifest}, named on "
        f"the command line: {pin.requirement}, the newest pip for Python {ctx.minor}, has no "
        "--group (pip >= 25.1)",
    )
    install = Instruction("RUN", (PIP_CACHE, "pip install", *args), (comment,))
    return _Install((), None, (install,), (), False, deps.groups, ())


def _pip_project(ctx: _Context, copy_inputs: tuple[Instruction, ...]) -> _Install:
    deps = ctx.facts.dependencies
    target = "." + (f"[{','.join(deps.extras)}]" if deps.extras else "")
    manifest = deps.files[0] if deps.files else None
    args, why_not = _declared_requirements(ctx)
    if not args:
        ctx.decide(
            "install",
            manifest,
            None,
            f"{deps.manager}: `pip install {target}` builds the project, which needs its source, "
            f"so dependencies are installed after the source is copied ({why_not}; the pip cache "
            "mount keeps a code-change rebuild fast)",
        )
        install = _run(f"pip install {shlex.quote(target)}", mounts=(PIP_CACHE,))
        return _Install(
            (), None, (), (install, *_requested_groups(ctx)), True, deps.groups, deps.extras
        )
    ctx.decide(
        "install",
        manifest,
        None,
        f"{deps.manager}: the {len(args)} declared dependencies of {manifest or 'the project'} "
        f"are installed before the source is copied, so a code change reuses that layer; then "
        f"`pip install {target}` builds the project (pip finds its dependencies already "
        "satisfied, and still installs any the manifest computes at build time)",
    )
    comment = ["The declared dependencies first, named here: a code change reuses this layer."]
    if any(not _pinned_for_hadolint(a) for a in args):
        # DL3013 wants versions; the project declares none for some, and `pip install .` would
        # resolve exactly the same, so pinning here would invent constraints the project lacks.
        comment.append("Versions are as the project declares them (no lockfile to pin from).")
        comment.append("hadolint ignore=DL3013")
    deps_step = Instruction("RUN", (PIP_CACHE, "pip install", *args), tuple(comment))
    project = _run(
        f"pip install {shlex.quote(target)}",
        mounts=(PIP_CACHE,),
        comment=("Then the project itself, from the source.",),
    )
    return _Install(
        (), None, (deps_step,), (project, *_requested_groups(ctx)), False, deps.groups, deps.extras
    )


def _requested_groups(ctx: _Context) -> tuple[Instruction, ...]:
    """`pip install --group` for the groups asked for in options (a pip-built project)."""
    groups = ctx.options.install_groups
    if not groups:
        return ()
    pin = _pin_and_log(ctx, "pip")
    if Version(pin.version) < Version("25.1"):
        raise PlanError(
            f"install-groups: {pin.requirement}, the newest pip for Python {ctx.minor}, cannot "
            "install dependency groups (pip >= 25.1); choose a newer Python (--python-version)"
        )
    flags = " ".join(f"--group={shlex.quote(g)}" for g in groups)
    return (
        _run(
            f"pip install {pin.requirement}",
            f"pip install {flags}",
            mounts=(PIP_CACHE,),
            comment=(
                "The dependency groups asked for (install-groups); --group needs pip >= 25.1.",
            ),
        ),
    )


def _declared_requirements(ctx: _Context) -> tuple[tuple[str, ...], str]:
    """Shell-quoted PEP 508 strings for the project's declared dependencies, or () and why not.

    Only the manifests' literal lists are used: a dependency list read from another file
    (setuptools `dynamic`), a local path, or anything that does not re-parse as a requirement
    sends the install back to `pip install .` after the source.
    """
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as Pep508

    deps = ctx.facts.dependencies
    if not deps.requirements:
        return (), "no dependency list could be read from the manifest"
    manifests = {_clean_path(f) for f in deps.files}
    extra_inputs = [p for p in deps.install_inputs if _clean_path(p) not in manifests]
    if extra_inputs:
        return (), f"the dependencies are read from {', '.join(extra_inputs)} at build time"
    if _local_requirements(deps.requirements):
        return (), "a dependency is a local path"
    out: list[str] = []
    for req in deps.requirements:
        text = _pep508(req)
        try:
            Pep508(text)
        except InvalidRequirement:
            return (), f"{req.name} ({req.file}:{req.line}) is not a plain requirement"
        if not text.isprintable():
            return (), f"{req.name} ({req.file}:{req.line}) is not a plain requirement"
        out.append(shlex.quote(text))
    return tuple(out), ""


def _pep508(req: Requirement) -> str:
    """The requirement as pip reads it on a command line: name[extras]spec; marker."""
    text = req.name + (f"[{','.join(req.extras)}]" if req.extras else "")
    text += f" @ {req.url}" if req.url else req.specifier
    if req.marker:
        text += f" ; {req.marker}" if req.url else f"; {req.marker}"
    return text


def _pinned_for_hadolint(arg: str) -> bool:
    # hadolint DL3013 accepts a requirement with any version operator; a bare name is "unpinned".
    return bool(re.search(r"[=<>~]|@", arg))
