"""Installing the dependencies into the virtualenv, per package manager: which builder plans the
install (plan/pip.py for pip, setuptools and Hatch; plan/lockfiles.py for uv, Poetry, Pipenv and
PDM), with the groups and extras asked for in options joined to the detected ones."""

from __future__ import annotations

from dataclasses import replace

from generator.facts import Dependencies
from generator.plan.context import _Context
from generator.plan.install import _copy_inputs, _inputs, _Install
from generator.plan.lockfiles import _pdm, _pipenv, _poetry, _uv
from generator.plan.model import PlanError
from generator.plan.pip import _pip, _pip_project


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
