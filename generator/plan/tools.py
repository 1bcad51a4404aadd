"""The tools the Dockerfile installs (package managers, servers) and their pins.

tools.toml lists the tools; tool_releases.toml (written by `python -m generator.data.refresh_tools`
from PyPI) holds, per tool, the newest release that installs on each Python minor, so a Python 3.8
image never asks for a release whose Requires-Python leaves 3.8 out.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from functools import lru_cache

from generator import data
from generator.plan.context import _Context
from generator.plan.model import PIP_CACHE, Instruction, PlanError, _run

RELEASES_TABLE = "generator/data/tool_releases.toml"


@dataclass(frozen=True)
class ToolPin:
    """A tool's release for one Python minor, and the companions installed with it."""

    package: str  # the PyPI name ("poetry" for the "poetry-1" line)
    version: str
    date: str  # when that release was made
    companions: tuple[str, ...]  # pinned requirements ("hishel==1.4.0")

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


@lru_cache(maxsize=1)
def _tools() -> dict:
    return data.load("tools.toml")


@lru_cache(maxsize=1)
def _releases() -> dict:
    return data.load("tool_releases.toml")


def tool_pin(name: str, minor: str) -> ToolPin:
    """The release of tool `name` (a row of tools.toml) for Python `minor` ("3.8").

    Raises PlanError when no release of the tool installs on that Python.
    """
    row = _tools()["tools"][name]
    pins = _releases()["tool"].get(name, {})
    if minor not in pins:
        known = ", ".join(pins) or "none"
        raise PlanError(
            f"no release of {row.get('package', name)} installs on Python {minor} "
            f"({RELEASES_TABLE} has {known}); choose another Python (--python-version), or "
            "refresh the table with `python -m generator.data.refresh_tools`"
        )
    pin = pins[minor]
    return ToolPin(
        row.get("package", name), pin["version"], pin["date"], tuple(pin.get("with", ()))
    )


def _pin_and_log(ctx: _Context, name: str) -> ToolPin:
    """The pin for the image's Python, with a line in the decision log saying why that release."""
    pin = tool_pin(name, ctx.minor)
    why = (
        f"{pin.requirement}: the newest release that installs on Python {ctx.minor} "
        f"(made {pin.date}; {RELEASES_TABLE}, refreshed {_releases().get('refreshed', '?')})"
    )
    if pin.companions:
        why += f"; with {', '.join(pin.companions)}, which that release needs to work"
    ctx.decide("tools", None, None, why)
    return pin


def _added(ctx: _Context, name: str) -> tuple[str, ...]:
    """Requirements that add tool `name` (and its companions) to the virtualenv."""
    pin = _pin_and_log(ctx, name)
    return (pin.requirement, *pin.companions)


def _tool(ctx: _Context, name: str, why: str) -> Instruction:
    """The build-stage RUN that installs tool `name` outside the virtualenv."""
    pin = _pin_and_log(ctx, name)
    companions = "".join(f" {shlex.quote(c)}" for c in pin.companions)
    return _run(
        f"pip install {pin.requirement}{companions}",
        mounts=(PIP_CACHE,),
        comment=(f"{why}; {_where_it_stays(ctx)}",),
    )


def _where_it_stays(ctx: _Context) -> str:
    """Where a tool installed outside the virtualenv ends up: the production profile leaves the
    build stage behind; the minimal profile has one stage, so the image keeps it."""
    if ctx.options.profile == "minimal":
        return "the minimal profile's one stage keeps it in the image (production leaves it out)."
    return "it stays in this stage, out of the image."
