"""The plan's data: BuildPlan and its stages and instructions, the image layout, PlanError.

Also the small constructors every other module uses to build instructions (`_run`, `_env`).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator import guard
from generator.facts import Evidence

VENV = "/opt/venv"


APP = "/app"  # the repository root inside the image


UID = 10001  # fixed, so volumes and Kubernetes runAsUser can rely on it


USER = "app"


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
    # What `docker run` must give the image (comment lines), from plan.contract.
    runtime_contract: tuple[str, ...] = ()


def _run(*lines: str, mounts: tuple[str, ...] = (), comment: tuple[str, ...] = ()) -> Instruction:
    """A RUN with cache mounts; each command line after the first is joined with `&&`."""
    args = [*mounts, lines[0]] if mounts else [lines[0]]
    args.extend(f"&& {line}" for line in lines[1:])
    return Instruction("RUN", tuple(args), comment)


def _env(pairs: tuple[tuple[str, str], ...], comment: tuple[str, ...] = ()) -> Instruction:
    return Instruction("ENV", tuple(f"{k}={_env_value(v)}" for k, v in pairs), comment)


def _env_value(value: str) -> str:
    # Quoting for ENV lives with the other per-context rules in generator.guard.
    try:
        return guard.env_value(value)
    except guard.UnsafeValue as exc:
        raise PlanError(str(exc)) from None


def _with_comment(steps: tuple[Instruction, ...], *comment: str) -> tuple[Instruction, ...]:
    if not steps:
        return steps
    first = steps[0]
    return (Instruction(first.keyword, first.args, comment), *steps[1:])
