"""Installing the dependencies into the virtualenv, per package manager (pip, uv, Poetry, Pipenv,
PDM; hatch and setuptools projects through pip): which files are copied before the source, which
command installs them, and what is installed after the source (the project itself)."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from packaging.version import Version

from generator.facts import Dependencies, Requirement
from generator.plan.context import _clean_path, _Context, _from_install_dir
from generator.plan.model import PIP_CACHE, VENV, Instruction, PlanError, _run, _with_comment
from generator.plan.tools import _pin_and_log, _tool


@dataclass(frozen=True)
class _Install:
    env: tuple[tuple[str, str], ...]  # build-stage ENV for the manager
    tool: Instruction | None  # installs the manager itself (outside the venv)
    deps: tuple[Instruction, ...]  # COPY manifests + install, before the source
    project: tuple[Instruction, ...]  # after `COPY . .` in the build stage (may be empty)
    source_first: bool  # the install needs the whole source (setuptools/hatch builds)
    groups: tuple[str, ...]
    extras: tuple[str, ...]


def _install_steps(ctx: _Context, minimal: bool) -> _Install:
    # The groups and extras asked for in options join the detected ones; every builder below
    # reads them from the facts.
    ctx.facts = replace(ctx.facts, dependencies=_with_requested(ctx))
    deps = ctx.facts.dependencies
    manager = deps.manager
    groups, extras = deps.groups, deps.extras
    if groups:
        ctx.decide(
            "groups", deps.lockfile, None, f"dependency groups installed: {', '.join(groups)}"
        )
    if extras:
        ctx.decide("extras", None, None, f"extras of the project installed: {', '.join(extras)}")
    if ctx.install_dir != ".":
        ctx.decide(
            "install",
            deps.files[0] if deps.files else None,
            None,
            f"the installer runs in {ctx.install_workdir}, the directory that holds its manifest",
        )
    copy_inputs = _copy_inputs(ctx, _inputs(ctx))
    builders = {
        "pip": _pip,
        "uv": _uv,
        "poetry": _poetry,
        "pipenv": _pipenv,
        "pdm": _pdm,
        "hatch": _pip_project,
        "setuptools": _pip_project,
    }
    builder = builders.get(manager)
    if builder is None:
        raise PlanError(
            "no dependency manifest to install from (requirements.txt, pyproject.toml, Pipfile, "
            "setup.py); add one that declares Django"
        )
    return builder(ctx, copy_inputs)


def _with_requested(ctx: _Context) -> Dependencies:
    """The dependencies with the groups and extras of options install-groups/install-extras,
    checked against what the manifest declares (a typo fails here, not in the build)."""
    deps = ctx.facts.dependencies
    groups, extras = ctx.options.install_groups, ctx.options.install_extras
    for kind, asked, declared in (
        ("group", groups, deps.declared_groups),
        ("extra", extras, deps.declared_extras),
    ):
        unknown = [n for n in asked if declared is not None and n not in declared]
        if unknown:
            raise PlanError(
                f"install-{kind}s: {', '.join(unknown)} is not a dependency {kind} of "
                f"{deps.files[0] if deps.files else 'the project'} (it declares: "
                f"{', '.join(declared or ()) or 'none'})"
            )
    if groups and deps.manager == "pip" and deps.declared_groups is None:
        raise PlanError(
            f"install-groups: {deps.install_file or 'a requirements file'} has no dependency "
            "groups; add the packages to the requirements file the image installs"
        )
    for kind, asked in (("groups", groups), ("extras", extras)):
        if asked:
            ctx.decide(
                "install",
                None,
                None,
                f"{kind} {', '.join(asked)} installed too, as asked (option install-{kind}): "
                "their packages are in the image",
            )
    return replace(
        deps,
        groups=tuple(dict.fromkeys((*deps.groups, *groups))),
        extras=tuple(dict.fromkeys((*deps.extras, *extras))),
    )


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


def _uv(ctx: _Context, copy_inputs: tuple[Instruction, ...]) -> _Install:
    deps = ctx.facts.dependencies
    env = (
        ("UV_PROJECT_ENVIRONMENT", VENV),
        ("UV_COMPILE_BYTECODE", "1"),
        ("UV_LINK_MODE", "copy"),
        ("UV_PYTHON_DOWNLOADS", "never"),
        # The system trust store, as pip uses: builders behind a TLS-inspecting proxy still work.
        # UV_SYSTEM_CERTS (uv >= 0.11) replaces the deprecated UV_NATIVE_TLS.
        ("UV_SYSTEM_CERTS", "true"),
    )
    frozen = "--frozen " if deps.lockfile else ""
    # --no-default-groups: [tool.uv] default-groups often lists dev/lint/test groups.
    # --no-dev would win over an asked-for `--group dev` (install-groups).
    no_dev = "" if "dev" in deps.groups else "--no-dev "
    selection = f"{no_dev}--no-default-groups" + "".join(f" --group {g}" for g in deps.groups)
    selection += "".join(f" --extra {e}" for e in deps.extras)
    mounts = ("--mount=type=cache,target=/root/.cache/uv",)
    # --inexact: uv must not remove pip from the venv (it installs gunicorn when we add it).
    sync = _run(f"uv sync {frozen}{selection} --no-install-project --inexact", mounts=mounts)
    ctx.decide(
        "install",
        deps.lockfile or (deps.files[0] if deps.files else None),
        None,
        f"uv sync {frozen}{selection}: production dependencies from "
        + (deps.lockfile or "pyproject.toml (no uv.lock: resolved at build time)")
        + (
            f" (lock format {deps.lock_format}); --frozen installs the lock as written, never "
            "checking it against pyproject.toml, and uv reads the formats older releases wrote"
            if deps.lockfile and deps.lock_format
            else ""
        ),
    )
    # --inexact keeps gunicorn if we added it; --no-editable puts the package in the venv.
    return _manager_install(
        ctx,
        ("uv", "uv"),
        env,
        copy_inputs,
        sync,
        ("The manifests and lockfile first: a code change reuses the dependency layer.",),
        (f"uv sync {frozen}{selection} --no-editable --inexact", mounts),
        "Install the project itself into the virtualenv.",
    )


def _poetry(ctx: _Context, copy_inputs: tuple[Instruction, ...]) -> _Install:
    deps = ctx.facts.dependencies
    env = (
        ("POETRY_VIRTUALENVS_CREATE", "false"),
        ("POETRY_NO_INTERACTION", "1"),
        ("POETRY_CACHE_DIR", "/root/.cache/pypoetry"),
    )
    only = ",".join(("main", *deps.groups))
    selection = f"--only {only}"
    if deps.extras:
        selection += f" --extras {shlex.quote(' '.join(deps.extras))}"
    mounts = ("--mount=type=cache,target=/root/.cache/pypoetry",)
    why = f"poetry install {selection}: production dependencies"
    if deps.lockfile:
        why += f" from {deps.lockfile}"
    else:
        why += " (no poetry.lock: resolved at build time; commit poetry.lock)"
    if deps.manager_version == "1":
        why += "; the Poetry 1 layout ([tool.poetry.dev-dependencies]) is read by Poetry 2 too"
    ctx.decide("install", deps.lockfile or "pyproject.toml", None, why)
    return _manager_install(
        ctx,
        _poetry_release(ctx),
        env,
        copy_inputs,
        _run(f"poetry install {selection} --no-root", mounts=mounts),
        (
            "Poetry installs into the active virtualenv (POETRY_VIRTUALENVS_CREATE=false);",
            "the manifests first, so a code change reuses the dependency layer.",
        ),
        (f"poetry install {selection}", mounts),
        "Install the project itself (its dependencies are already there).",
    )


def _poetry_release(ctx: _Context) -> tuple[str, str]:
    """The Poetry line (tools.toml row, display name) that reads the lock as its writer did.

    poetry.lock names the release that wrote it in its `@generated` header; without one,
    lock-version 2.1 is Poetry 2's and older formats are Poetry 1's. Poetry 2 hashes a
    pyproject.toml that has a [project] table differently from Poetry 1, so it refuses a lock
    Poetry 1 wrote for the very same file ("pyproject.toml changed significantly since poetry.lock
    was last generated"); Poetry 1 checks its own hash and only warns.
    """
    deps = ctx.facts.dependencies
    if not deps.lockfile:
        return "poetry", "Poetry"
    if deps.lock_writer:
        release = deps.lock_writer.removeprefix("Poetry ")
        old = release.split(".")[0] == "1"
        said = f"its header says {deps.lock_writer} wrote it"
    elif deps.lock_format:
        old = _older(deps.lock_format, "2.1")
        said = f"lock-version {deps.lock_format} is " + ("Poetry 1's" if old else "Poetry 2's")
    else:
        return "poetry", "Poetry"
    if not old:
        return "poetry", "Poetry"
    ctx.decide(
        "install",
        deps.lockfile,
        None,
        f"{deps.lockfile} was written by Poetry 1 ({said}): Poetry 1 installs it, because "
        "Poetry 2 computes the lock's content hash differently and refuses such a lock "
        '("pyproject.toml changed significantly since poetry.lock was last generated")',
    )
    return "poetry-1", "Poetry 1"


def _older(version: str, than: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version) < Version(than)
    except InvalidVersion:
        return False


def _pipenv(ctx: _Context, copy_inputs: tuple[Instruction, ...]) -> _Install:
    deps = ctx.facts.dependencies
    if not deps.lockfile and deps.install_file:
        # No Pipfile.lock, but a pinned requirements file made from the Pipfile (`pipenv
        # requirements`): installing it is exact, where `pipenv install` would resolve anew.
        ctx.decide(
            "install",
            deps.install_file,
            None,
            f"no Pipfile.lock: the pinned {deps.install_file} is installed with pip instead of "
            "resolving the Pipfile at build time",
        )
        return _pip(ctx, copy_inputs)
    env = (("PIPENV_VERBOSITY", "-1"),)
    categories = ""
    if deps.groups:
        categories = f" --categories {shlex.quote(' '.join(('packages', *deps.groups)))}"
    if deps.lockfile:
        command = f"pipenv sync{categories}"
        why = (
            f"pipenv sync: exactly {deps.lockfile}, without re-hashing the Pipfile. pipenv "
            "releases hash the same Pipfile differently (recent ones normalise package names), "
            'so `pipenv install --deploy` refuses a lock an older release wrote ("Pipfile.lock '
            'is out of date"); run `pipenv lock` after editing the Pipfile'
        )
    else:
        command = f"pipenv install{categories}"
        why = (
            "pipenv install: there is no Pipfile.lock, so Pipfile is resolved at build time "
            "(pipenv removed --skip-lock); commit Pipfile.lock for reproducible builds"
        )
    ctx.decide("install", deps.lockfile or "Pipfile", None, why)
    mounts = (PIP_CACHE, "--mount=type=cache,target=/root/.cache/pipenv")
    return _manager_install(
        ctx,
        ("pipenv", "pipenv"),
        env,
        copy_inputs,
        _run(command, mounts=mounts),
        (
            "pipenv installs into the active virtualenv (VIRTUAL_ENV);",
            "Pipfile and Pipfile.lock first, so a code change reuses the dependency layer.",
        ),
    )


def _pdm(ctx: _Context, copy_inputs: tuple[Instruction, ...]) -> _Install:
    deps = ctx.facts.dependencies
    env = (("PDM_CHECK_UPDATE", "false"),)
    # PDM refuses --prod with a dependency group ("--prod is not allowed with dev groups"); with
    # groups named, only those (and the default set) are installed.
    prod = "" if deps.groups else "--prod"
    selection = (prod + "".join(f" -G {g}" for g in (*deps.groups, *deps.extras))).strip()
    mounts = ("--mount=type=cache,target=/root/.cache/pdm",)
    if deps.lockfile:
        # `pdm install --frozen-lockfile` resolves again (without writing) when the lock's
        # content hash differs from what this PDM computes; `pdm sync` installs the lock as is.
        command = f"pdm sync {selection}"
        why = (
            f"pdm sync {selection}: exactly {deps.lockfile}"
            + (f" (lock_version {deps.lock_format})" if deps.lock_format else "")
            + ", never resolving again, whichever PDM release wrote it"
        )
    else:
        command = f"pdm install {selection}"
        why = f"pdm install {selection}: production dependencies (no pdm.lock: resolved at build time)"
    ctx.decide("install", deps.lockfile or "pyproject.toml", None, why)
    tool = ("pdm", "PDM")
    if deps.lockfile and deps.lock_format and _older(deps.lock_format, "4"):
        ctx.decide(
            "install",
            deps.lockfile,
            None,
            f"lock_version {deps.lock_format} was written by PDM 1; PDM 2 reads only 4.x, so "
            "PDM 1 installs it",
        )
        tool = ("pdm-1", "PDM 1")
    return _manager_install(
        ctx,
        tool,
        env,
        copy_inputs,
        _run(f"{command} --no-self", mounts=mounts),
        (
            "PDM installs into the active virtualenv (VIRTUAL_ENV);",
            "the manifests first, so a code change reuses the dependency layer.",
        ),
        (f"{command} --no-editable", mounts),
        "Install the project itself into the virtualenv.",
    )


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
