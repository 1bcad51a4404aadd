"""The lockfile managers: uv, Poetry, Pipenv and PDM, each installing its lock as written by a
release that reads it."""

from __future__ import annotations

import shlex

from packaging.version import InvalidVersion, Version

from generator import data
from generator.facts import Requirement
from generator.plan.context import _Context
from generator.plan.install import _Install, _manager_install
from generator.plan.model import PIP_CACHE, VENV, Instruction, PlanError, _run, _with_comment
from generator.plan.pip import _pip
from generator.plan.tools import RELEASES_TABLE, _pin_and_log, _releases, _tool, tool_pin


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
    if deps.lockfile and deps.lock_format:
        _uv_lock_newer_than_pin(ctx, deps.lockfile, deps.lock_format)
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


def _uv_lock_newer_than_pin(ctx: _Context, lockfile: str, lock_format: str) -> None:
    """A warning when uv.lock was written in a newer format than the pinned uv release writes.

    A higher schema `version` stops `uv sync`; a higher `revision` is read, but what it added
    is ignored. data/uv_lock_formats.toml says which format each release writes.
    """
    pin = tool_pin("uv", ctx.minor)
    rows = data.load("uv_lock_formats.toml")["release"]
    known = [r for r in rows if Version(r) <= Version(pin.version)]
    if not known:
        return
    reads = rows[max(known, key=Version)]
    try:
        version, revision = (int(part) for part in lock_format.split("."))
    except ValueError:
        return
    line = next(
        (e.line for e in ctx.facts.dependencies.evidence if e.fact == "lockfile format"), None
    )
    fix = (
        f"update django-dockerfile (or refresh {RELEASES_TABLE} with "
        "`python -m generator.data.refresh_tools`) so the image installs a uv that reads it, or "
        f"rewrite the lock with uv {pin.version} (`uv lock`) and commit it"
    )
    if version > reads["version"]:
        why = (
            f"uv.lock schema version {version} is newer than uv {pin.version} reads "
            f"(version {reads['version']}), and uv {pin.version} is the release the image "
            'installs: `uv sync` will stop ("uses an unsupported schema version"). To fix: ' + fix
        )
    elif version == reads["version"] and revision > reads["revision"]:
        why = (
            f"uv.lock revision {revision} was written by a uv newer than uv "
            f"{pin.version}, the release the image installs (it writes revision "
            f"{reads['revision']}): it reads the lock, but ignores what revision {revision} "
            "added to the format. To install it exactly as written: " + fix
        )
    else:
        return
    ctx.decide("warning", lockfile, line, why)


def _poetry(ctx: _Context, copy_inputs: tuple[Instruction, ...]) -> _Install:
    deps = ctx.facts.dependencies
    if not deps.lockfile:
        return _poetry_resolve(ctx, copy_inputs)
    groups = ",".join(("main", *deps.groups))
    selection = f"--only {groups}"
    if deps.extras:
        selection += f" --extras {shlex.quote(' '.join(deps.extras))}"
    direct = _poetry_direct(ctx)
    hashes = not direct
    export = f"poetry export {selection} --format requirements.txt --output {_EXPORTED}" + (
        "" if hashes else " --without-hashes"
    )
    pip = f"pip install --no-deps{' --require-hashes' if hashes else ''} -r {_EXPORTED}"
    ctx.decide(
        "install",
        deps.lockfile,
        None,
        f"poetry export {selection} then {pip}: exactly the packages, versions"
        + (" and hashes" if hashes else "")
        + f" of {deps.lockfile}, fetched by pip through the package index's simple API (PEP "
        "503/691), which PyPI and every mirror or proxy serve. `poetry export` reads only "
        "poetry.lock (no network); `poetry install` would ask PyPI's per-release JSON API "
        "(/pypi/NAME/VERSION/json), which mirrors that serve only the simple index answer with "
        '404 ("Unable to find installation candidates"). --no-deps: nothing outside the lock',
    )
    if direct:
        ctx.decide(
            "install",
            deps.lockfile,
            direct[0].line,
            f"{deps.lockfile} installs {', '.join(f'{r.name} from {r.url}' for r in direct)}: "
            "a direct reference has no hash in the exported file, and pip checks hashes for all "
            "requirements or none, so the export is --without-hashes (the versions stay pinned)",
        )
    release = _poetry_release(ctx)
    lines = [export]
    tool = None
    if ctx.options.profile == "minimal":
        # One stage: Poetry lives in a virtualenv of its own, removed in the same RUN, so no
        # layer of the image holds it.
        pin = _pin_and_log(ctx, release[0])
        wanted = " ".join(shlex.quote(r) for r in (pin.requirement, *pin.companions))
        lines = [
            f"python -m venv {_POETRY_VENV}",
            f"{_POETRY_VENV}/bin/pip install {wanted}",
            f"{_POETRY_VENV}/bin/{export}",
            f"rm -rf {_POETRY_VENV}",
        ]
    else:
        tool = _tool(ctx, release[0], f"{release[1]} exports {deps.lockfile} for pip")
    setuptools = _locked_setuptools(ctx)
    if setuptools:
        lines.append(f"echo setuptools=={setuptools} > {_BUILD_CONSTRAINTS}")
        constrained = (
            f"PIP_CONSTRAINT={_BUILD_CONSTRAINTS} PIP_BUILD_CONSTRAINT={_BUILD_CONSTRAINTS}"
        )
        pip = f"{constrained} " + pip.replace("pip install", "pip install --use-pep517", 1)
    install = _run(*lines, pip, mounts=(PIP_CACHE,))
    after: tuple[Instruction, ...] = ()
    if deps.installs_project:
        after = (
            _run(
                "pip install --no-deps .",
                mounts=(PIP_CACHE,),
                comment=(
                    "Install the project itself with pip (its dependencies are already there).",
                ),
            ),
        )
    paths = [
        r.name for r in direct if not r.is_vcs and not r.url.startswith(("http://", "https://"))
    ]
    if paths:
        # A path dependency is exported as file:///app/...: the source must be there first.
        ctx.decide(
            "install",
            deps.lockfile,
            None,
            f"path dependencies ({', '.join(paths)}): installed after the source is copied",
        )
        return _Install((), tool, (), (install, *after), True, deps.groups, deps.extras)
    comment = (
        (
            "Poetry writes the locked set, with hashes, as a requirements file; pip installs it",
            "into the virtualenv. The manifests first, so a code change reuses this layer.",
        )
        if hashes
        else (
            "Poetry writes the locked set as a requirements file; pip installs it into the",
            "virtualenv. The manifests first, so a code change reuses this layer.",
        )
    )
    return _Install(
        (),
        tool,
        _with_comment((*copy_inputs, install), *comment),
        after,
        False,
        deps.groups,
        deps.extras,
    )


_POETRY_VENV = "/tmp/poetry"
# Where the build stage keeps the exported lock (the runtime stage copies only the virtualenv).
_EXPORTED = "/tmp/poetry-requirements.txt"
_BUILD_CONSTRAINTS = "/tmp/build-constraints.txt"
# setuptools releases before 66.1 import pkgutil.ImpImporter, which Python 3.12 removed.
_SETUPTOOLS_FOR_312 = Version("66.1")


def _locked_setuptools(ctx: _Context) -> str | None:
    """The setuptools release the lock pins for production, when the sdists it installs should
    be built with it; None when it pins none or that release cannot run on the image's Python.

    pip builds an sdist with the newest setuptools (in isolation) or the venv's own; a lock
    made years ago holds sdists whose setup.py needs the setuptools of its day (`from setuptools
    import convert_path`, removed in setuptools 70: shynet's django-allauth 0.45.0). The
    setuptools the lock pins is the one its packages were installed with.
    """
    deps = ctx.facts.dependencies
    pin = next((r for r in deps.locked if r.name == "setuptools" and r.resolved), None)
    if pin is None or pin.resolved is None:
        return None
    try:
        version = Version(pin.resolved)
    except InvalidVersion:
        return None
    where = f"{pin.file}:{pin.line}" if pin.file and pin.line else (pin.file or deps.lockfile)
    if Version(f"{ctx.minor}.0") >= Version("3.12") and version < _SETUPTOOLS_FOR_312:
        ctx.decide(
            "install",
            pin.file,
            pin.line,
            f"{deps.lockfile} pins setuptools {pin.resolved} ({where}), which does not run on "
            f"Python {ctx.minor} (it imports pkgutil.ImpImporter): sdists build with pip's "
            "default setuptools",
        )
        return None
    ctx.decide(
        "install",
        pin.file,
        pin.line,
        f"sdists in the lock are built with the setuptools it pins, {pin.resolved} ({where}), "
        "through pip's build isolation (--use-pep517, PIP_CONSTRAINT/PIP_BUILD_CONSTRAINT on "
        "that RUN only): old setup.py files need the setuptools of their day (setuptools 70 "
        "removed `from setuptools import convert_path`), and pip would otherwise build them with "
        "the newest setuptools or the virtualenv's",
    )
    return pin.resolved


def _poetry_direct(ctx: _Context) -> tuple[Requirement, ...]:
    """The lock's direct references (git, path, URL) that this install exports: those in the
    production set, or all of them when groups or extras were asked for (the production set
    was followed from the main requirements only)."""
    deps = ctx.facts.dependencies
    if ctx.options.install_groups or ctx.options.install_extras or not deps.locked:
        return deps.lock_direct
    production = {r.name for r in deps.locked}
    return tuple(r for r in deps.lock_direct if r.name in production)


def _poetry_resolve(ctx: _Context, copy_inputs: tuple[Instruction, ...]) -> _Install:
    """No poetry.lock: Poetry resolves pyproject.toml at build time and installs the result."""
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
    why = (
        f"poetry install {selection}: production dependencies (no poetry.lock: resolved at build "
        "time; commit poetry.lock)"
    )
    if deps.manager_version == "1":
        why += "; the Poetry 1 layout ([tool.poetry.dev-dependencies]) is read by Poetry 2 too"
    ctx.decide("install", "pyproject.toml", None, why)
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
    """The Poetry line (tools.toml row, display name) to install: the one that reads the lock
    (_poetry_line), unless its release for the image's Python is a Poetry 1 and the dependencies
    are declared only in [project], which Poetry 1 does not read: then a PlanError, since no
    Poetry release would install them (Poetry 2 refuses a Poetry 1 lock of such a file, and
    installs on no Python before 3.9)."""
    line = _poetry_line(ctx)
    unread = ctx.facts.dependencies.poetry1_unread
    pin = tool_pin(line[0], ctx.minor)
    if unread and _major(pin.version) < 2:
        raise PlanError(_poetry1_unread(ctx, line[0], pin.version, unread))
    return line


def _poetry_line(ctx: _Context) -> tuple[str, str]:
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
        f"{deps.lockfile} was written by Poetry 1 ({said}): Poetry 1 reads it, because "
        "Poetry 2 computes the lock's content hash differently and refuses such a lock "
        '("pyproject.toml changed significantly since poetry.lock was last generated")',
    )
    return "poetry-1", "Poetry 1"


def _poetry1_unread(ctx: _Context, line: str, release: str, unread: tuple[Requirement, ...]) -> str:
    """What to do when the Poetry the image would install is a Poetry 1 that reads none of
    `unread` (declared only in [project])."""
    deps = ctx.facts.dependencies
    first = unread[0]
    where = f"{first.file}:{first.line}" if first.line else str(first.file)
    names = ", ".join(r.name for r in unread[:5]) + (", ..." if len(unread) > 5 else "")
    if line == "poetry-1":
        written = deps.lock_writer or f"lock-version {deps.lock_format}"
        cause = (
            f"{deps.lockfile} was written by Poetry 1 ({written}), so the image would install "
            f"it with Poetry {release}; Poetry 2 reads [project] but refuses a lock Poetry 1 "
            'wrote for this file ("pyproject.toml changed significantly since poetry.lock was '
            'last generated")'
        )
        fix = "run `poetry lock` with Poetry 2 and commit poetry.lock"
    else:
        cause = (
            f"No Poetry 2 release installs on Python {ctx.minor}, so the image would install "
            f"Poetry {release} ({RELEASES_TABLE})"
        )
        poetry2 = [m for m, p in _releases()["tool"]["poetry"].items() if _major(p["version"]) > 1]
        oldest = min(poetry2, key=Version, default="a newer one")
        fix = (
            f"choose Python {oldest} or newer (requires-python, .python-version or "
            "--python-version)"
        )
    return (
        f"{where}: the dependencies ({names}) are declared only in the PEP 621 [project] table, "
        f"which Poetry 1 does not read: it would install none of them. {cause}. To fix: {fix}; "
        "or repeat the dependencies in [tool.poetry.dependencies], which Poetry 1 reads"
    )


def _major(version: str) -> int:
    return Version(version).major


def _older(version: str, than: str) -> bool:
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
