"""plan(facts, options) -> BuildPlan: every decision about the Dockerfile, as pure data.

Nothing here reads files or knows about GitHub; the templates only loop over what is decided here.
Each choice is recorded as an `Evidence` (fact, file, line, why) in `BuildPlan.decisions`, which the
CLI prints and the action puts in the job summary and the pull request.

Shape of the production image (multi-stage):
  assets  (only with a frontend build)  node:<major>-slim, npm ci / yarn / pnpm, build script
  build   python:<X.Y.Z>-slim-<suite>   compilers/-dev packages, a virtualenv at /opt/venv with the
                                        locked dependencies (installed before the source is copied)
  runtime python:<X.Y.Z>-slim-<suite>   runtime libraries only, the venv copied, root-owned source,
                                        collectstatic at build, non-root user 10001, server as PID 1
"""

from __future__ import annotations

import fnmatch
import re
import shlex
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath

from generator import __version__, data
from generator.facts import Evidence, ProjectFacts, Requirement, SystemPackage
from generator.options import Options

VENV = "/opt/venv"
APP = "/app"  # the repository root inside the image
UID = 10001  # fixed, so volumes and Kubernetes runAsUser can rely on it
USER = "app"
# One locked mount per RUN: it serialises apt across parallel stages (BuildKit), and buildah
# before 1.29 (Debian bookworm's podman) unlocks only one locked mount per RUN, so a second one
# would hang the next apt step (containers/buildah#4342, fixed by #4349).
APT_MOUNTS = (
    "--mount=type=cache,target=/var/cache/apt",
    "--mount=type=cache,target=/var/lib/apt,sharing=locked",
)
PIP_CACHE = "--mount=type=cache,target=/root/.cache/pip"


class PlanError(ValueError):
    """The facts cannot give a working Dockerfile; the message says what the user can do."""


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction, with the comment lines that explain it."""

    keyword: str  # RUN | COPY | ENV | WORKDIR | ARG | LABEL
    args: tuple[str, ...]  # continuation lines; the first follows the keyword
    comment: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stage:
    name: str | None  # "AS <name>", None for the single-stage minimal profile
    base: str
    comment: tuple[str, ...]
    steps: tuple[Instruction, ...]


@dataclass(frozen=True)
class BuildPlan:
    """Everything the templates render, decided."""

    tool_version: str
    profile: str
    python_version: str  # the ARG PYTHON_VERSION default (a patch release)
    python_comment: str
    base_image: str  # as it appears in FROM
    stages: tuple[Stage, ...]
    # Runtime trailer (production profile only; None/() in minimal).
    user: str | None
    expose: int | None
    healthcheck: tuple[str, ...] | None  # exec-form argv
    cmd: tuple[str, ...] | None
    cmd_comment: tuple[str, ...]
    dockerignore: tuple[tuple[str, tuple[str, ...]], ...]  # (comment, patterns) sections
    # Facts the summary lists (the decisions carry the reasons).
    manager: str
    server: str | None
    settings_module: str | None
    groups: tuple[str, ...]
    extras: tuple[str, ...]
    apt_build: tuple[str, ...]
    apt_runtime: tuple[str, ...]
    decisions: tuple[Evidence, ...]


# --- data -----------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _tools() -> dict:
    return data.load("tools.toml")


@lru_cache(maxsize=1)
def _build_env_rules() -> tuple[dict, ...]:
    return tuple(data.load("build_env.toml")["var"])


def tool_pin(name: str) -> str:
    """The pinned version of a tool the Dockerfile installs (data/tools.toml)."""
    tools = _tools()
    for table in ("pip_tools", "servers"):
        if name in tools.get(table, {}):
            return tools[table][name]
    raise KeyError(name)


# --- the plan -------------------------------------------------------------------------------------


def plan(facts: ProjectFacts, options: Options) -> BuildPlan:
    """Decide the whole Dockerfile for `facts`, honouring `options`.

    Raises PlanError (with advice) when no working Dockerfile can be planned.
    """
    if not facts.django:
        raise PlanError(f"not a Django project: {facts.reason}")
    ctx = _Context(facts, options)
    _broken_sources(ctx)  # first in the log: the build fails until these are fixed
    python_version, minor, python_comment = _python(ctx)
    variant = options.base_variant or f"slim-{_codename(minor)}"
    base = f"python:${{PYTHON_VERSION}}-{variant}"
    if options.digest:
        digest = options.digest if ":" in options.digest else f"sha256:{options.digest}"
        base += f"@{digest}"
        ctx.decide("base image", None, None, f"FROM is pinned to digest {digest}")
    ctx.decide(
        "base image",
        None,
        None,
        f"python:{python_version}-{variant}: the official slim image"
        + ("" if options.base_variant else f" on Debian {variant.removeprefix('slim-')}"),
    )

    settings_module = _settings_module(ctx)
    apt_build, apt_runtime = _apt_packages(ctx, _system_packages(ctx, minor, variant))
    install = _install_steps(ctx, minimal=options.profile == "minimal")
    ignore = _dockerignore(ctx)

    if options.profile == "minimal":
        stage = _minimal_stage(ctx, base, settings_module, apt_build, apt_runtime, install)
        return BuildPlan(
            tool_version=__version__,
            profile="minimal",
            python_version=python_version,
            python_comment=python_comment,
            base_image=base,
            stages=(stage,),
            user=None,
            expose=None,
            healthcheck=None,
            cmd=None,
            cmd_comment=(),
            dockerignore=ignore,
            manager=facts.dependencies.manager,
            server=None,
            settings_module=settings_module,
            groups=install.groups,
            extras=install.extras,
            apt_build=apt_build,
            apt_runtime=apt_runtime,
            decisions=tuple(ctx.decisions),
        )

    server = _server(ctx)
    stages: list[Stage] = []
    assets = _assets_stage(ctx)
    if assets:
        stages.append(assets)
    stages.append(_build_stage(ctx, base, apt_build, install, server, settings_module))
    stages.append(
        _runtime_stage(ctx, base, settings_module, apt_runtime, server, has_assets=bool(assets))
    )
    return BuildPlan(
        tool_version=__version__,
        profile="production",
        python_version=python_version,
        python_comment=python_comment,
        base_image=base,
        stages=tuple(stages),
        user=f"{UID}:{UID}",
        expose=options.port,
        healthcheck=_healthcheck(),
        cmd=server.cmd,
        cmd_comment=server.comment,
        dockerignore=ignore,
        manager=facts.dependencies.manager,
        server=server.name,
        settings_module=settings_module,
        groups=install.groups,
        extras=install.extras,
        apt_build=apt_build,
        apt_runtime=apt_runtime,
        decisions=tuple(ctx.decisions),
    )


class _Context:
    """The inputs plus the decision log (the only mutable state while planning)."""

    def __init__(self, facts: ProjectFacts, options: Options) -> None:
        self.facts = facts
        self.options = options
        self.decisions: list[Evidence] = []
        self.project_dir = _clean_dir(facts.project_dir)
        self.workdir = _in_app(self.project_dir)
        # Comment lines for the management-command steps a syntax error will break.
        self.broken: list[str] = []

    def decide(self, fact: str, file: str | None, line: int | None, why: str) -> None:
        evidence = Evidence(fact, file, line, why)
        if evidence not in self.decisions:
            self.decisions.append(evidence)


# --- input that breaks the build ------------------------------------------------------------------

# The message detect/_read.py gives a Python file that does not parse.
_SYNTAX_ERROR = "syntax error"


def _broken_sources(ctx: _Context) -> None:
    """Log, as "warning" decisions, Python files that do not parse and what that breaks.

    The Dockerfile is still written (it is right for the project once the file is fixed), but a
    manage.py or settings module with a syntax error makes the management commands run at build
    time (compilemessages, collectstatic) fail the build.
    """
    facts = ctx.facts
    production = ctx.options.profile == "production"
    commands = []
    if production and facts.compilemessages:
        commands.append("compilemessages")  # the build stage runs first
    if production and facts.collectstatic and not facts.remote_storage:
        commands.append("collectstatic")
    for warning in facts.warnings:
        if not (warning.file or "").endswith(".py") or _SYNTAX_ERROR not in warning.message:
            continue
        where = f"{warning.file} line {warning.line}" if warning.line else str(warning.file)
        detail = warning.message.removesuffix("; not read")
        if _loaded_by_manage(ctx, str(warning.file)) and commands:
            effect = (
                f"the build will fail at `{_manage(ctx)} {commands[0]}` until it is fixed "
                "(the Dockerfile is written for the fixed project)"
            )
            ctx.broken.append(f"{where} has a syntax error: this step fails until it is fixed.")
        elif _loaded_by_manage(ctx, str(warning.file)):
            effect = "the image builds, but Django will not start until it is fixed"
        else:
            effect = "the application fails where it imports this module until it is fixed"
        ctx.decide("warning", warning.file, warning.line, f"{where} {detail}: {effect}")


def _loaded_by_manage(ctx: _Context, path: str) -> bool:
    """manage.py itself, or a settings module it imports (read or not)."""
    s = ctx.facts.settings
    if path == ctx.facts.manage_py or path in s.settings_files:
        return True
    modules = (ctx.options.settings_module, s.production_settings_module, s.settings_module)
    return any(m and _module_file(m, (path,)) for m in modules)


# --- Python and base image ------------------------------------------------------------------------


def _python(ctx: _Context) -> tuple[str, str, str]:
    """(ARG default, minor, comment naming the source)."""
    from generator.detect.python_version import newest_patch

    chosen = ctx.options.python_version
    if chosen:
        source = "--python-version / [tool.django-dockerfile] python-version"
        _check_django_supports(ctx, ".".join(chosen.split(".")[:2]))
    elif ctx.facts.python:
        chosen, source = ctx.facts.python.version, ctx.facts.python.source
    else:
        raise PlanError(
            "no Python version could be chosen for this project; pass --python-version 3.12 "
            "(or set python-version in [tool.django-dockerfile])"
        )
    parts = chosen.split(".")
    minor = ".".join(parts[:2])
    if len(parts) >= 3 and ctx.options.python_version:
        # An explicit patch from the user is a deliberate choice: keep it.
        version = chosen
        why = f"Python {version} as configured ({source})"
    else:
        try:
            version = newest_patch(minor)
        except ValueError as exc:
            raise PlanError(f"Python {minor} from {source}: {exc}") from None
        why = f"Python {minor} from {source}; {version} is its newest patch release"
        if len(parts) >= 3 and chosen != version:
            why += f" (the project pins {chosen}: same minor, newer patch for security fixes)"
    ctx.decide("python", *_split_where(source), why)
    comment = f"Python {minor} from {source}; {version} is the newest {minor} patch release."
    return version, minor, comment


def _check_django_supports(ctx: _Context, minor: str) -> None:
    """A configured Python that no allowed Django release supports can only fail the build."""
    from generator.detect.python_version import django_allows

    if ctx.facts.django_version is None:
        return
    ok, label = django_allows(ctx.facts.django_version, minor)
    if not ok:
        raise PlanError(
            f"python-version {minor} was asked for, but {label}: pip would find no Django to "
            "install. Choose one of those Pythons, or change the Django requirement"
        )


def _codename(minor: str) -> str:
    from generator.detect.python_version import debian_codename

    try:
        return debian_codename(minor)
    except ValueError as exc:
        raise PlanError(str(exc)) from None


def _settings_module(ctx: _Context) -> str | None:
    s = ctx.facts.settings
    if ctx.options.settings_module:
        ctx.decide("settings", None, None, f"{ctx.options.settings_module} as configured")
        return ctx.options.settings_module
    if s.production_settings_module:
        ctx.decide(
            "settings",
            _module_file(s.production_settings_module, s.settings_files),
            None,
            f"DJANGO_SETTINGS_MODULE={s.production_settings_module}: the production settings "
            f"module (manage.py defaults to {s.settings_module or 'nothing'})",
        )
        return s.production_settings_module
    if s.settings_module:
        ctx.decide(
            "settings",
            ctx.facts.manage_py,
            None,
            f"DJANGO_SETTINGS_MODULE={s.settings_module}: the module manage.py uses "
            "(no separate production settings module was found)",
        )
        return s.settings_module
    ctx.decide(
        "settings",
        ctx.facts.manage_py,
        None,
        "no settings module found: set DJANGO_SETTINGS_MODULE at run time, or pass "
        "--settings-module and regenerate",
    )
    return None


def _system_packages(ctx: _Context, minor: str, variant: str) -> tuple[SystemPackage, ...]:
    """The detected system packages, looked up again when the image's Python or Debian release
    differs from the detected one: wheels exist per Python, and Debian renames libraries."""
    from generator.detect.system_packages import detect_system_packages

    facts = ctx.facts
    suite = next((s for s in ("trixie", "bookworm", "bullseye") if s in variant), None)
    suite = suite or _codename(minor)
    detected = facts.python.version if facts.python else None
    if detected == minor and suite == _safe_codename(detected):
        return facts.system_packages
    packages, _ = detect_system_packages(
        facts.dependencies, facts.settings, minor, suite, facts.compilemessages
    )
    ctx.decide(
        "apt",
        None,
        None,
        f"system packages looked up again for Python {minor} on Debian {suite} "
        f"(detection assumed Python {detected} on {_safe_codename(detected)})",
    )
    return packages


def _safe_codename(minor: str | None) -> str | None:
    from generator.detect.python_version import debian_codename

    try:
        return debian_codename(minor) if minor else None
    except ValueError:
        return None


def _apt_packages(
    ctx: _Context, packages: tuple[SystemPackage, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    options = ctx.options
    for pkg in packages:
        ctx.decide(f"apt {pkg.stage}", None, None, f"{pkg.name}: {pkg.because} ({pkg.source})")
    build = sorted({p.name for p in packages if p.stage == "build"})
    runtime = sorted({p.name for p in packages if p.stage == "runtime"})
    facts = ctx.facts
    if _compiles_messages(ctx) and "gettext" not in build:
        build.append("gettext")
        ctx.decide("apt build", None, None, "gettext: compilemessages runs msgfmt at build time")
    if _needs_git(facts) and "git" not in build:
        build.append("git")
        ctx.decide("apt build", None, None, "git: a requirement is installed from a VCS URL")
    for name in options.apt_build:
        ctx.decide("apt build", None, None, f"{name}: requested in options")
    for name in options.apt_runtime:
        ctx.decide("apt runtime", None, None, f"{name}: requested in options")
    return (
        tuple(sorted(set(build) | set(options.apt_build))),
        tuple(sorted(set(runtime) | set(options.apt_runtime))),
    )


def _needs_git(facts: ProjectFacts) -> bool:
    return any(req.is_vcs for req in facts.dependencies.requirements)


def _compiles_messages(ctx: _Context) -> bool:
    return ctx.facts.compilemessages and ctx.options.profile == "production"


# --- dependency install ---------------------------------------------------------------------------


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
    deps = ctx.facts.dependencies
    manager = deps.manager
    groups, extras = deps.groups, deps.extras
    if groups:
        ctx.decide(
            "groups", deps.lockfile, None, f"dependency groups installed: {', '.join(groups)}"
        )
    if extras:
        ctx.decide("extras", None, None, f"extras of the project installed: {', '.join(extras)}")
    copy_inputs = _copy_inputs(_inputs(ctx))
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


def _inputs(ctx: _Context) -> tuple[str, ...]:
    deps = ctx.facts.dependencies
    inputs = (
        deps.install_inputs
        or tuple(f for f in (deps.install_file, deps.lockfile) if f)
        or deps.files
    )
    return tuple(dict.fromkeys(_clean_path(p) for p in inputs if _clean_path(p)))


def _copy_inputs(paths: tuple[str, ...]) -> tuple[Instruction, ...]:
    """COPY instructions that keep each file's relative path (one COPY per directory)."""
    by_dir: dict[str, list[str]] = {}
    for path in paths:
        parent = str(PurePosixPath(path).parent)
        by_dir.setdefault(parent, []).append(path)
    steps = []
    for parent, files in by_dir.items():
        dest = "./" if parent == "." else f"{parent}/"
        steps.append(Instruction("COPY", (" ".join([*files, dest]),)))
    return tuple(steps)


def _with_comment(steps: tuple[Instruction, ...], *comment: str) -> tuple[Instruction, ...]:
    if not steps:
        return steps
    first = steps[0]
    return (Instruction(first.keyword, first.args, comment), *steps[1:])


def _run(*lines: str, mounts: tuple[str, ...] = (), comment: tuple[str, ...] = ()) -> Instruction:
    """A RUN with cache mounts; each command line after the first is joined with `&&`."""
    args = [*mounts, lines[0]] if mounts else [lines[0]]
    args.extend(f"&& {line}" for line in lines[1:])
    return Instruction("RUN", tuple(args), comment)


def _tool(name: str, why: str) -> Instruction:
    pin = tool_pin(name)
    companions = "".join(f" {shlex.quote(c)}" for c in _tools().get("companions", {}).get(name, ()))
    return _run(
        f"pip install {name}=={pin}{companions}",
        mounts=(PIP_CACHE,),
        comment=(f"{why}; it stays in this stage, out of the image.",),
    )


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
    flags = "--require-hashes " if deps.hashes else ""
    command = f"pip install {flags}-r {install_file}"
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
        return _Install((), None, (), (install,), True, deps.groups, deps.extras)
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
    return _Install((), None, (deps_step,), (project,), False, deps.groups, deps.extras)


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
        ("UV_NATIVE_TLS", "1"),
    )
    frozen = "--frozen " if deps.lockfile else ""
    # --no-default-groups: [tool.uv] default-groups often lists dev/lint/test groups.
    selection = "--no-dev --no-default-groups" + "".join(f" --group {g}" for g in deps.groups)
    selection += "".join(f" --extra {e}" for e in deps.extras)
    mounts = ("--mount=type=cache,target=/root/.cache/uv",)
    # --inexact: uv must not remove pip from the venv (it installs gunicorn when we add it).
    sync = _run(f"uv sync {frozen}{selection} --no-install-project --inexact", mounts=mounts)
    ctx.decide(
        "install",
        deps.lockfile or (deps.files[0] if deps.files else None),
        None,
        f"uv sync {frozen}{selection}: production dependencies from "
        + (deps.lockfile or "pyproject.toml (no uv.lock: resolved at build time)"),
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
        ("poetry", "Poetry"),
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
        command = f"pipenv install --deploy{categories}"
        why = f"pipenv install --deploy: exactly {deps.lockfile} (fails if it is out of date)"
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
    selection = "--prod" + "".join(f" -G {g}" for g in (*deps.groups, *deps.extras))
    frozen = " --frozen-lockfile" if deps.lockfile else ""
    mounts = ("--mount=type=cache,target=/root/.cache/pdm",)
    ctx.decide(
        "install",
        deps.lockfile or "pyproject.toml",
        None,
        f"pdm install {selection}{frozen}: production dependencies"
        + (f" from {deps.lockfile}" if deps.lockfile else " (no pdm.lock: resolved at build time)"),
    )
    return _manager_install(
        ctx,
        ("pdm", "PDM"),
        env,
        copy_inputs,
        _run(f"pdm install {selection}{frozen} --no-self", mounts=mounts),
        (
            "PDM installs into the active virtualenv (VIRTUAL_ENV);",
            "the manifests first, so a code change reuses the dependency layer.",
        ),
        (f"pdm install {selection}{frozen} --no-editable", mounts),
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
        _tool(tool[0], f"{tool[1]} installs the locked dependencies"),
        _with_comment((*copy_inputs, install), *comment),
        after,
        False,
        deps.groups,
        deps.extras,
    )


# --- application server ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Server:
    name: str
    cmd: tuple[str, ...]
    comment: tuple[str, ...]
    add_packages: tuple[str, ...]  # pinned requirements we add to the venv ("gunicorn==23.0.0")


def _server(ctx: _Context) -> _Server:
    facts, options = ctx.facts, ctx.options
    deps = facts.dependencies
    asgi = facts.asgi_required
    name = options.server or facts.server or "gunicorn"
    declared = bool(deps.find(name) or (name == "uwsgi" and deps.find("pyuwsgi")))
    if name == "daphne" and not declared and facts.server == "daphne":
        declared = facts.server_declared
    add: list[str] = []
    if not declared:
        if name not in ("gunicorn",):
            raise PlanError(
                f"--server {name}: {name} is not among the project's dependencies; add it to "
                f"{deps.files[0] if deps.files else 'the manifest'} and regenerate"
            )
        add.append(f"gunicorn=={tool_pin('gunicorn')}")
    app = _application(ctx, asgi or name in ("daphne", "uvicorn", "hypercorn"))
    port_sh = '"${PORT:-8000}"'
    workers_sh = '"${WEB_CONCURRENCY:-1}"'
    comment: tuple[str, ...]
    if name == "gunicorn":
        cmd: tuple[str, ...] = ("gunicorn",)
        if asgi:
            if deps.find("uvicorn-worker"):
                worker = "uvicorn_worker.UvicornWorker"
            elif deps.find("uvicorn"):
                # uvicorn still ships its worker class (deprecated in favour of uvicorn-worker).
                worker = "uvicorn.workers.UvicornWorker"
            else:
                worker = "uvicorn_worker.UvicornWorker"
                add.append(f"uvicorn-worker=={tool_pin('uvicorn-worker')}")
            cmd += ("--worker-class", worker)
        cmd += (app,)
        comment = (
            "gunicorn binds 0.0.0.0:$PORT when PORT is set and runs $WEB_CONCURRENCY workers;",
            "it is PID 1 (exec form), so docker stop reaches it and it shuts down gracefully.",
        )
    elif name == "uvicorn":
        cmd = _sh(f"exec uvicorn {app} --host 0.0.0.0 --port {port_sh}")
        comment = ("uvicorn reads $WEB_CONCURRENCY itself; `exec` makes it PID 1 for signals.",)
    elif name == "daphne":
        cmd = _sh(f"exec daphne -b 0.0.0.0 -p {port_sh} {app}")
        comment = ("daphne needs module:application; `exec` makes it PID 1 for signals.",)
    elif name == "hypercorn":
        cmd = _sh(f"exec hypercorn --bind 0.0.0.0:{port_sh} --workers {workers_sh} {app}")
        comment = ("`exec` makes hypercorn PID 1 so it receives SIGTERM.",)
    elif name == "granian":
        interface = "asgi" if asgi else "wsgi"
        cmd = _sh(
            f"exec granian --interface {interface} --host 0.0.0.0 --port {port_sh} "
            f"--workers {workers_sh} {app}"
        )
        comment = ("`exec` makes granian PID 1 so it receives SIGTERM.",)
    elif name == "uwsgi":
        module = app  # uwsgi --module accepts module:callable
        cmd = _sh(
            f"exec uwsgi --http-socket :{port_sh.strip(chr(34))} --module {module} --master "
            f"--processes {workers_sh} --die-on-term --need-app --strict"
        )
        comment = (
            "uWSGI speaks HTTP itself (--http-socket); --die-on-term makes SIGTERM stop it",
            "and `exec` makes it PID 1.",
        )
    elif name == "waitress":
        cmd = _sh(f"exec waitress-serve --listen=*:{port_sh.strip(chr(34))} {app}")
        comment = ("`exec` makes waitress PID 1 so it receives SIGTERM.",)
    else:  # pragma: no cover - options validate the name
        raise PlanError(f"unknown server {name!r}")
    why = f"{name} serves {app}"
    if add:
        why += f"; the project declares no server, so {', '.join(add)} is added to the image"
    elif options.server:
        why += " (chosen in options)"
    ctx.decide("server", None, None, why)
    return _Server(name, cmd, comment, tuple(add))


def _sh(command: str) -> tuple[str, ...]:
    # A shell only to expand $PORT; `exec` replaces it, so the server is still PID 1.
    return ("sh", "-c", command)


def _application(ctx: _Context, asgi: bool) -> str:
    s = ctx.facts.settings
    value = s.asgi_application if asgi else s.wsgi_application
    kind = "ASGI" if asgi else "WSGI"
    if value is None and asgi and s.wsgi_application and not ctx.facts.asgi_required:
        value = s.wsgi_application
    if value is None:
        package = (ctx.options.settings_module or s.settings_module or "").split(".")[0]
        if not package:
            raise PlanError(
                f"no {kind} application was found (no {kind.upper()}_APPLICATION setting or "
                f"{kind.lower()}.py); add one and regenerate"
            )
        value = f"{package}.{kind.lower()}:application"
        ctx.decide(
            "server",
            None,
            None,
            f"no {kind} application declared; assuming {value} next to the settings package",
        )
    if ":" not in value:
        module, _, attr = value.rpartition(".")
        value = f"{module}:{attr}" if module else f"{value}:application"
    return value


# --- stages ---------------------------------------------------------------------------------------


def _apt_install(packages: tuple[str, ...], comment: tuple[str, ...]) -> Instruction:
    return _run(
        "rm -f /etc/apt/apt.conf.d/docker-clean",
        "apt-get update",
        "apt-get install -y --no-install-recommends " + " ".join(packages),
        mounts=APT_MOUNTS,
        comment=(
            *comment,
            "The apt cache mounts keep package lists and .debs out of the image layers.",
            "hadolint ignore=DL3008",
        ),
    )


def _env(pairs: tuple[tuple[str, str], ...], comment: tuple[str, ...] = ()) -> Instruction:
    return Instruction("ENV", tuple(f"{k}={_env_value(v)}" for k, v in pairs), comment)


def _env_value(value: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_./:,@+-]*(\$PATH)?[A-Za-z0-9_./:,@+-]*", value) and value:
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{escaped}"'


def _build_stage(
    ctx: _Context,
    base: str,
    apt_build: tuple[str, ...],
    install: _Install,
    server: _Server,
    settings_module: str | None,
) -> Stage:
    steps: list[Instruction] = [
        _env(
            (("PIP_DISABLE_PIP_VERSION_CHECK", "1"), ("PIP_ROOT_USER_ACTION", "ignore")),
        )
    ]
    if apt_build:
        steps.append(
            _apt_install(apt_build, ("Compilers and headers for dependencies built from source.",))
        )
    steps.append(Instruction("WORKDIR", (APP,)))
    if install.tool:
        steps.append(install.tool)
    steps.append(
        _run(
            f"python -m venv {VENV}",
            comment=(
                "The virtualenv the runtime stage copies: dependencies only, no build tools.",
            ),
        )
    )
    steps.append(_env((("VIRTUAL_ENV", VENV), ("PATH", f"{VENV}/bin:$PATH"), *install.env)))
    source_copy = Instruction("COPY", (". .",), ("The source, for the steps that need it.",))
    if install.source_first:
        steps.append(source_copy)
        steps.extend(install.project)
    else:
        steps.extend(install.deps)
    if server.add_packages:
        ctx.decide(
            "server", None, None, f"added to the virtualenv: {', '.join(server.add_packages)}"
        )
        steps.append(
            _run(
                "pip install " + " ".join(server.add_packages),
                mounts=(PIP_CACHE,),
                comment=("The project declares no application server: add a pinned one.",),
            )
        )
    compile_messages = _compiles_messages(ctx)
    if not install.source_first and (install.project or compile_messages):
        steps.append(source_copy)
        steps.extend(install.project)
    if compile_messages:
        if ctx.workdir != APP:
            steps.append(Instruction("WORKDIR", (ctx.workdir,)))
        steps.append(_compilemessages(ctx, settings_module))
    return Stage(
        "build",
        base,
        ("build: compile and install the dependencies into a virtualenv",),
        tuple(steps),
    )


def _compilemessages(ctx: _Context, settings_module: str | None) -> Instruction:
    locales = ", ".join(ctx.facts.settings.locale_dirs) or "the locale directories"
    ctx.decide(
        "compilemessages",
        ctx.facts.settings.locale_dirs[0] if ctx.facts.settings.locale_dirs else None,
        None,
        f"translations found ({locales}): compiled in the build stage, which has gettext; "
        "the runtime stage copies the source with the .mo files and needs no gettext",
    )
    # The production settings: the default module may import dev-only packages not installed here.
    settings = f"DJANGO_SETTINGS_MODULE={settings_module} " if settings_module else ""
    return Instruction(
        "RUN",
        (f"{settings}{_dummy_env_prefix(ctx)}{_manage(ctx)} compilemessages",),
        ("Compile translations (.po -> .mo) here, where gettext is installed.", *ctx.broken),
    )


def _manage(ctx: _Context) -> str:
    """How to run Django management commands from WORKDIR."""
    manage = ctx.facts.manage_py
    if manage and _clean_dir(str(PurePosixPath(manage).parent)) == ctx.project_dir:
        return f"python {PurePosixPath(manage).name}"
    if manage:
        return f"python {APP}/{_clean_path(manage)}"
    return "python -m django"


def _dummy_env(ctx: _Context) -> list[tuple[str, str]]:
    """Build-only placeholder values for the env vars the settings need at import time."""
    names = [n.upper() for n in ctx.facts.settings.env_vars]
    out: dict[str, str] = {}
    for rule in _build_env_rules():
        if rule.get("always"):
            out.setdefault(rule["pattern"], rule["value"])
    for name in names:
        if name in out:
            continue
        for rule in _build_env_rules():
            if fnmatch.fnmatchcase(name, rule["pattern"]):
                out[name] = rule["value"]
                break
    return list(out.items())


def _dummy_env_prefix(ctx: _Context) -> str:
    return "".join(f"{k}={shlex.quote(v)} " for k, v in _dummy_env(ctx))


def _runtime_stage(
    ctx: _Context,
    base: str,
    settings_module: str | None,
    apt_runtime: tuple[str, ...],
    server: _Server,
    has_assets: bool,
) -> Stage:
    facts, options = ctx.facts, ctx.options
    title = _title(ctx, settings_module)
    steps: list[Instruction] = [
        Instruction(
            "ARG",
            ('IMAGE_SOURCE=""',),
            (
                "OCI labels; pass --build-arg IMAGE_SOURCE=<repository URL> (and the others)",
                "to fill them.",
            ),
        ),
        Instruction("ARG", ('IMAGE_REVISION=""',)),
        Instruction("ARG", ('IMAGE_VERSION=""',)),
        Instruction("ARG", ('IMAGE_LICENSES=""',)),
        Instruction(
            "LABEL",
            (
                f'org.opencontainers.image.title="{title}"',
                f'org.opencontainers.image.description="Django application {title} '
                f'(generated by django-dockerfile)"',
                'org.opencontainers.image.source="${IMAGE_SOURCE}"',
                'org.opencontainers.image.revision="${IMAGE_REVISION}"',
                'org.opencontainers.image.version="${IMAGE_VERSION}"',
                'org.opencontainers.image.licenses="${IMAGE_LICENSES}"',
            ),
        ),
    ]
    env: list[tuple[str, str]] = [
        ("PYTHONUNBUFFERED", "1"),
        ("PYTHONDONTWRITEBYTECODE", "1"),
        ("VIRTUAL_ENV", VENV),
        ("PATH", f"{VENV}/bin:$PATH"),
        ("PYTHONPATH", ctx.workdir),
    ]
    if settings_module:
        env.append(("DJANGO_SETTINGS_MODULE", settings_module))
    env.append(("PORT", str(options.port)))
    env.extend(options.env)
    for key, _ in options.env:
        ctx.decide("env", None, None, f"ENV {key} requested in options")
    steps.append(
        _env(
            tuple(env),
            ("Logs straight to stdout; no .pyc writes into the read-only source.",),
        )
    )
    if apt_runtime:
        steps.append(
            _apt_install(apt_runtime, ("Shared libraries the dependencies load at run time.",))
        )
    steps.append(
        _run(
            f"groupadd --system --gid {UID} {USER}",
            f"useradd --system --no-log-init --uid {UID} --gid {USER} --create-home "
            f"--home-dir /home/{USER} --shell /usr/sbin/nologin {USER}",
            comment=(
                f"An unprivileged user with a fixed UID/GID ({UID}) to run the server; its home is",
                "writable for servers that keep a control socket or cache there.",
            ),
        )
    )
    steps.append(Instruction("COPY", (f"--from=build {VENV} {VENV}",)))
    steps.append(Instruction("WORKDIR", (ctx.workdir,)))
    if _compiles_messages(ctx):
        steps.append(
            Instruction(
                "COPY",
                (f"--from=build --chown=root:root {APP} {APP}",),
                ("The source with compiled translations, owned by root: read-only to the app.",),
            )
        )
    else:
        steps.append(
            Instruction(
                "COPY",
                (f"--chown=root:root . {APP}",),
                ("The source, owned by root: the app user can read it but not change it.",),
            )
        )
    if has_assets and facts.frontend:
        src, dest = _asset_paths(ctx)
        steps.append(
            Instruction(
                "COPY",
                (f"--from=assets {src} {dest}",),
                ("Frontend assets built by the assets stage, before collectstatic.",),
            )
        )
    writable = _writable_dirs(ctx)
    if writable:
        steps.append(writable)
    steps.append(_collectstatic(ctx))
    return Stage(
        "runtime",
        base,
        ("runtime: only what the application needs to run",),
        tuple(steps),
    )


def _title(ctx: _Context, settings_module: str | None) -> str:
    """The image title: the configured name, else the project directory, else the settings package.

    The settings package is the last resort: layouts such as cookiecutter-django call it `config`.
    """
    if ctx.options.name:
        name, why = ctx.options.name, "the project name (option `name`, or the repository name)"
    elif ctx.project_dir != ".":
        name, why = PurePosixPath(ctx.project_dir).name, "the project directory"
    elif settings_module:
        name, why = settings_module.split(".")[0], "the settings package"
    else:
        name, why = "django-app", "no project name is known"
    title = safe_name(name) or "django-app"
    ctx.decide("title", None, None, f'org.opencontainers.image.title="{title}": {why}')
    return title


def safe_name(text: str) -> str:
    """`text` as an image name: lower case, runs of other characters as '-', at most 128 long."""
    name = re.sub(r"[^a-z0-9._-]+", "-", text.lower())
    return name.lstrip("._-")[:128].rstrip("-")


def _collectstatic(ctx: _Context) -> Instruction:
    facts = ctx.facts
    s = facts.settings
    if not facts.collectstatic:
        ctx.decide(
            "static", None, None, "collectstatic is not run: static files are not configured"
        )
        return _noop_collectstatic(ctx)
    if facts.remote_storage:
        ctx.decide(
            "static",
            None,
            None,
            f"collectstatic is skipped at build: static files go to {s.storage}, which needs "
            "credentials; run it at release time",
        )
        return _noop_collectstatic(ctx, remote=True)
    dummies = _dummy_env(ctx)
    ctx.decide(
        "static",
        None,
        None,
        "collectstatic --noinput at build time with build-only placeholders for "
        + ", ".join(k for k, _ in dummies)
        + " given to that RUN only (nothing persists in the image)",
    )
    return Instruction(
        "RUN",
        (f"{_dummy_env_prefix(ctx)}{_manage(ctx)} collectstatic --noinput",),
        (
            "Collect static files into the image. The values on this line are placeholders",
            "that let the settings import; they exist only for this command.",
            *ctx.broken,
        ),
    )


def _noop_collectstatic(ctx: _Context, remote: bool = False) -> Instruction:
    # Keep a visible note in the Dockerfile instead of a silent omission.
    if remote:
        why = (
            "collectstatic is not run here: STORAGES sends static files to a remote backend that",
            "needs credentials. Run `python manage.py collectstatic --noinput` at release time.",
        )
    else:
        why = ("collectstatic is not run: django.contrib.staticfiles/STATIC_ROOT are not set up.",)
    return Instruction("", (), why)  # a comment only: the template prints no instruction


def _writable_dirs(ctx: _Context) -> Instruction | None:
    s = ctx.facts.settings
    dirs: list[str] = []
    media = _settings_path(s.media_root, ctx.workdir)
    if media:
        dirs.append(media)
        ctx.decide("writable", None, None, f"{media} (MEDIA_ROOT) is writable by the app user")
    lines: list[str] = []
    db_dir = _sqlite_dir(s.sqlite_path, ctx.workdir) if s.sqlite else None
    if db_dir and db_dir != ctx.workdir:
        ctx.decide(
            "writable",
            None,
            None,
            f"{db_dir} (the directory of the SQLite database {s.sqlite_path}) is writable by the "
            "app user; mount a volume there to keep the data",
        )
        dirs.append(db_dir)
    if dirs:
        lines.append(f"install -d -o {USER} -g {USER} " + " ".join(dirs))
    if s.sqlite and (db_dir is None or db_dir == ctx.workdir):
        ctx.decide(
            "writable",
            None,
            None,
            f"SQLite: {ctx.workdir} is group-writable with the sticky bit, so the database and its "
            "journal can be created while the source files stay root-owned and undeletable",
        )
        lines.append(f"chown root:{USER} {ctx.workdir}")
        lines.append(f"chmod 1775 {ctx.workdir}")
    if not lines:
        return None
    return _run(
        *lines,
        comment=("Only these paths are writable by the app user (uploads, SQLite).",),
    )


def _sqlite_dir(name: str | None, workdir: str) -> str | None:
    """The in-image directory holding the SQLite database file, or None when unknown."""
    path = _settings_path(name, workdir)
    if path is None or ":memory:" in (name or ""):
        return None
    return path.rsplit("/", 1)[0] or "/"


def _settings_path(value: str | None, workdir: str) -> str | None:
    """An in-image absolute path for a settings value like BASE_DIR / "media", or None."""
    if not value or value == "from environment":
        return None
    text = value.strip()
    if re.fullmatch(r"/[\w./-]+", text):
        return text.rstrip("/")
    if re.fullmatch(r"[\w.-][\w./-]*", text) and ".." not in text.split("/"):
        return f"{workdir}/{text.strip('/')}".replace("/./", "/")
    if "BASE_DIR" in text or "PROJECT_DIR" in text:
        parts = re.findall(r"[\"']([\w.-][\w./-]*)[\"']", text)
        if parts and all(".." not in p.split("/") for p in parts):
            return f"{workdir}/" + "/".join(p.strip("/") for p in parts)
    return None


def _assets_stage(ctx: _Context) -> Stage | None:
    fe = ctx.facts.frontend
    if fe is None:
        return None
    major = fe.node_version or _tools()["node"]["default_major"]
    directory = _clean_dir(fe.directory)
    workdir = "/src" if directory == "." else f"/src/{directory}"
    manifest = [f for f in ("package.json", fe.lockfile) if f]
    files = [
        _clean_path(p if p.startswith(directory + "/") or directory == "." else f"{directory}/{p}")
        for p in manifest
    ]
    if fe.manager == "yarn":
        install = "yarn install --frozen-lockfile"
        mount = "--mount=type=cache,target=/usr/local/share/.cache/yarn"
    elif fe.manager == "pnpm":
        install = "corepack enable pnpm && pnpm install --frozen-lockfile"
        mount = "--mount=type=cache,target=/root/.local/share/pnpm/store"
    else:
        install = "npm ci" if fe.lockfile else "npm install"
        mount = "--mount=type=cache,target=/root/.npm"
    build = (
        f"npm run {fe.build_script}"
        if fe.manager == "npm"
        else f"{fe.manager} run {fe.build_script}"
    )
    ctx.decide(
        "frontend",
        f"{directory}/package.json" if directory != "." else "package.json",
        None,
        f"node:{major}-slim stage: {install.split('&& ')[-1]} then {build}"
        + ("" if fe.node_version else f" (Node {major}: no version stated, the default LTS)"),
    )
    steps = [
        Instruction("WORKDIR", (workdir,)),
        Instruction(
            "COPY",
            (" ".join([*files, "./"]),),
            ("The package manifests first: a code change reuses the node_modules layer.",),
        ),
        _run(install, mounts=(mount,)),
        Instruction("COPY", (". /src",)),
    ]
    if fe.output_dir:
        steps.append(_run(build))
    else:
        # Unknown output: ship the whole frontend directory, minus the installed packages.
        steps.append(_run(build, "rm -rf node_modules"))
    return Stage(
        "assets",
        f"node:{major}-slim",
        ("assets: build the frontend with Node; only the output reaches the image",),
        tuple(steps),
    )


def _asset_paths(ctx: _Context) -> tuple[str, str]:
    fe = ctx.facts.frontend
    assert fe is not None
    path = _clean_path(fe.output_dir) if fe.output_dir else _clean_dir(fe.directory)
    if path in ("", "."):
        return "/src", APP
    return f"/src/{path}", f"{APP}/{path}"


def _minimal_stage(
    ctx: _Context,
    base: str,
    settings_module: str | None,
    apt_build: tuple[str, ...],
    apt_runtime: tuple[str, ...],
    install: _Install,
) -> Stage:
    env: list[tuple[str, str]] = [
        ("PYTHONUNBUFFERED", "1"),
        ("PYTHONDONTWRITEBYTECODE", "1"),
        ("PIP_DISABLE_PIP_VERSION_CHECK", "1"),
        ("PIP_ROOT_USER_ACTION", "ignore"),
    ]
    if settings_module:
        env.append(("DJANGO_SETTINGS_MODULE", settings_module))
    env.extend(ctx.options.env)
    steps: list[Instruction] = [_env(tuple(env)), Instruction("WORKDIR", (APP,))]
    packages = tuple(sorted(set(apt_build) | set(apt_runtime)))
    if packages:
        steps.append(
            _apt_install(
                packages, ("System packages the dependencies need (one stage: build and run).",)
            )
        )
    if install.tool:
        steps.append(install.tool)
    steps.append(_run(f"python -m venv {VENV}"))
    steps.append(_env((("VIRTUAL_ENV", VENV), ("PATH", f"{VENV}/bin:$PATH"), *install.env)))
    source = Instruction("COPY", (f". {APP}",), ("The source.",))
    if install.source_first:
        steps.append(source)
        steps.extend(install.project)
    else:
        steps.extend(install.deps)
        steps.append(source)
        steps.extend(install.project)
    ctx.decide(
        "profile",
        None,
        None,
        "minimal profile: one stage, no EXPOSE/CMD/USER (the platform supplies the server)",
    )
    return Stage(None, base, (), tuple(steps))


def _healthcheck() -> tuple[str, ...]:
    # http.client does not follow redirects, so SECURE_SSL_REDIRECT (301) and DisallowedHost
    # (400) both count as "the server answers"; only 5xx or no answer is unhealthy. No curl needed.
    code = (
        "import http.client, os; "
        "c = http.client.HTTPConnection("
        "'127.0.0.1', int(os.environ.get('PORT', '8000')), timeout=4); "
        "c.request('GET', '/'); "
        "raise SystemExit(c.getresponse().status >= 500)"
    )
    return ("python", "-c", code)


# --- .dockerignore --------------------------------------------------------------------------------


def _dockerignore(ctx: _Context) -> tuple[tuple[str, tuple[str, ...]], ...]:
    facts = ctx.facts
    prefix = "" if ctx.project_dir == "." else f"{ctx.project_dir}/"
    sections: list[tuple[str, tuple[str, ...]]] = [
        ("Version control and CI", (".git", ".gitignore", ".github", ".gitlab-ci.yml")),
        (
            "This file and the Dockerfile: editing them must not invalidate the source layer",
            (
                ctx.options.dockerfile,
                ctx.options.dockerignore,
                "docker-compose*.yml",
                "compose*.yml",
            ),
        ),
        (
            "Virtualenvs and Python caches (the image builds its own)",
            (
                ".venv",
                "**/.venv",
                "venv",
                "**/venv",
                "**/__pycache__",
                "**/*.py[cod]",
                "*.egg-info",
                ".tox",
                ".nox",
                ".mypy_cache",
                ".pytest_cache",
                ".ruff_cache",
                ".coverage",
                "htmlcov",
            ),
        ),
        (
            "Secrets and local settings: configure the container with environment variables",
            (".env", ".env.*", "**/.env", "**/local_settings.py", "**/settings_local.py"),
        ),
        ("Local databases", ("*.sqlite3", "**/*.sqlite3", "*.db")),
        (
            "Node packages: the assets stage installs its own"
            if facts.frontend
            else "Node packages",
            ("node_modules", "**/node_modules"),
        ),
        ("Editors and OS files", (".idea", ".vscode", "*.swp", ".DS_Store")),
    ]
    generated: list[str] = []
    media = _settings_path(facts.settings.media_root, ctx.workdir)
    if media and media.startswith(f"{APP}/"):
        generated.append(media.removeprefix(f"{APP}/"))
    elif facts.settings.media_root is not None:
        generated.append(f"{prefix}media")
    if facts.collectstatic and not facts.remote_storage:
        static = _settings_path(facts.settings.static_root, ctx.workdir)
        if static and static.startswith(f"{APP}/") and static != ctx.workdir:
            generated.append(static.removeprefix(f"{APP}/"))
    if generated:
        sections.append(
            (
                "User uploads and collected static files (collectstatic runs in the image)",
                tuple(dict.fromkeys(generated)),
            )
        )
    ctx.decide(
        "dockerignore",
        None,
        None,
        "keeps .git, virtualenvs, caches, .env files, local databases and node_modules out of "
        "the build context",
    )
    return tuple(sections)


# --- helpers --------------------------------------------------------------------------------------


def _clean_dir(directory: str | None) -> str:
    if not directory or directory in (".", "./"):
        return "."
    return _clean_path(directory) or "."


def _clean_path(path: str | None) -> str:
    """A relative POSIX path safe to put in a Dockerfile (no spaces, no escape from the context)."""
    if not path:
        return ""
    pure = PurePosixPath(path.replace("\\", "/"))
    parts = [p for p in pure.parts if p not in (".", "")]
    if pure.is_absolute() or ".." in parts:
        raise PlanError(f"{path}: a path outside the repository cannot be copied into the image")
    text = "/".join(parts)
    if not re.fullmatch(r"[\w@+.,=-][\w@+.,=/-]*", text or "x"):
        raise PlanError(
            f"{path!r}: file names with spaces or special characters cannot be copied safely; "
            "rename it"
        )
    return text


def _in_app(directory: str) -> str:
    return APP if directory == "." else f"{APP}/{directory}"


def _module_file(module: str, files: tuple[str, ...]) -> str | None:
    tail = module.replace(".", "/")
    for path in files:
        if path.endswith(f"{tail}.py") or path.endswith(f"{tail}/__init__.py"):
            return path
    return None


def _split_where(source: str) -> tuple[str | None, int | None]:
    """ "runtime.txt:1" -> ("runtime.txt", 1); free text -> (None, None)."""
    match = re.fullmatch(r"([\w./-]+):(\d+)", source.strip())
    if match:
        return match.group(1), int(match.group(2))
    if re.fullmatch(r"[\w./-]+\.\w+", source.strip()):
        return source.strip(), None
    return None, None
