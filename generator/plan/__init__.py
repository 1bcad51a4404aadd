"""plan(facts, options) -> BuildPlan: every decision about the Dockerfile, as pure data.

Nothing here reads files or knows about GitHub; the templates only loop over what is decided here.
Each choice is recorded as an `Evidence` (fact, file, line, why) in `BuildPlan.decisions`, which the
CLI prints and the action puts in the job summary and the pull request.

One module per concern: model (the data), context (inputs and decision log), python (base image,
settings module), system_packages (apt), installers (which installer, groups asked for) with
install (what they share), pip (requirements, groups, setuptools/Hatch) and lockfiles (uv, Poetry,
Pipenv, PDM), server, management (build-time Django commands), contract (runtime environment),
assets (Node stage), stages (build/runtime/minimal), dockerignore, tools (pins). Names with a
leading underscore are private to this package.

Shape of the production image (multi-stage):
  assets  (one per frontend build)      node:<major>-slim, npm ci / yarn / pnpm, build script
  build   python:<X.Y.Z>-slim-<suite>   compilers/-dev packages, a virtualenv at /opt/venv with the
                                        locked dependencies (installed before the source is copied)
  runtime python:<X.Y.Z>-slim-<suite>   runtime libraries only, the venv copied, root-owned source,
                                        collectstatic at build, non-root user 10001, server as PID 1
"""

from __future__ import annotations

from generator import __version__
from generator.facts import ProjectFacts
from generator.options import Options
from generator.plan.assets import _assets_stages
from generator.plan.context import _Context
from generator.plan.contract import comment_lines, contract
from generator.plan.dockerignore import _dockerignore
from generator.plan.installers import _install_steps
from generator.plan.management import _broken_sources
from generator.plan.model import UID, BuildPlan, Instruction, PlanError, Stage
from generator.plan.python import _base_image, _python, _settings_module
from generator.plan.server import _Server, _server
from generator.plan.stages import (
    _build_stage,
    _healthcheck,
    _minimal_stage,
    _runtime_stage,
    safe_name,
)
from generator.plan.system_packages import _apt_packages, _system_packages
from generator.plan.tools import tool_pin

__all__ = ["BuildPlan", "Instruction", "PlanError", "Stage", "plan", "safe_name", "tool_pin"]


def plan(facts: ProjectFacts, options: Options) -> BuildPlan:
    """Decide the whole Dockerfile for `facts`, honouring `options`.

    Raises PlanError (with advice) when no working Dockerfile can be planned.
    """
    if not facts.django:
        raise PlanError(f"not a Django project: {facts.reason}")
    ctx = _Context(facts, options)
    _broken_sources(ctx)  # first in the log: the build fails until these are fixed
    python_version, minor, python_comment = _python(ctx)
    ctx.minor = minor
    base, variant = _base_image(ctx, python_version, minor)

    settings_module = _settings_module(ctx)
    apt_build, apt_runtime = _apt_packages(ctx, _system_packages(ctx, minor, variant))
    minimal = options.profile == "minimal"
    install = _install_steps(ctx, minimal=minimal)
    ignore = _dockerignore(ctx)

    # What differs between the profiles: the stages, and the runtime trailer (USER, EXPOSE,
    # HEALTHCHECK, CMD), which the minimal profile leaves to whoever runs its single stage.
    server: _Server | None = None
    if minimal:
        # The frontends too: their output is part of the application (the platform's release
        # step runs collectstatic over it), and only a Node stage can build it.
        stages: tuple[Stage, ...] = (
            *_assets_stages(ctx),
            _minimal_stage(ctx, base, settings_module, apt_build, apt_runtime, install),
        )
    else:
        server = _server(ctx)
        assets = _assets_stages(ctx)
        stages = (
            *assets,
            _build_stage(ctx, base, apt_build, install, server, settings_module),
            _runtime_stage(
                ctx, base, settings_module, apt_runtime, server, has_assets=bool(assets)
            ),
        )
    runtime_contract = _runtime_contract(ctx)  # logged after the stages' own decisions
    return BuildPlan(
        runtime_contract=runtime_contract,
        tool_version=__version__,
        profile="minimal" if minimal else "production",
        python_version=python_version,
        python_comment=python_comment,
        base_image=base,
        stages=stages,
        user=None if minimal else f"{UID}:{UID}",
        expose=None if minimal else options.port,
        healthcheck=None if minimal else _healthcheck(),
        cmd=server.cmd if server else None,
        cmd_comment=server.comment if server else (),
        dockerignore=ignore,
        manager=facts.dependencies.manager,
        server=server.name if server else None,
        settings_module=settings_module,
        groups=install.groups,
        extras=install.extras,
        apt_build=apt_build,
        apt_runtime=apt_runtime,
        decisions=tuple(ctx.decisions),
    )


def _runtime_contract(ctx: _Context) -> tuple[str, ...]:
    """Log each variable the container needs at start; the Dockerfile's comment block."""
    c = contract(ctx.facts)
    for var in c.variables:
        if var.kind == "choice":
            continue  # the image sets it with ENV (plan/stages.py logs that)
        build = (
            f"the build gives it {var.placeholder!r} on its management-command RUN lines only"
            if var.build
            else "the build gives it nothing: its commands import the settings without it"
        )
        ctx.decide(
            "runtime env",
            var.file,
            var.line,
            f"{var.name} ({var.label}) must be set when the container starts: {var.why}; {build}",
        )
    for h in c.hosts:
        ctx.decide(
            "runtime host",
            h.file,
            h.line,
            f"the settings connect to {h.what} at the bare host name {h.host} (a Compose "
            f"service): the container must resolve it (docker run --add-host {h.host}:IP); "
            "the build's commands never connect",
        )
    return comment_lines(c)
