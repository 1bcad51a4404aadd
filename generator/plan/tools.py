"""The tools the Dockerfile installs (package managers, servers) and their pins (data/tools.toml)."""

from __future__ import annotations

import shlex
from functools import lru_cache

from generator import data
from generator.plan.model import PIP_CACHE, Instruction, _run


@lru_cache(maxsize=1)
def _tools() -> dict:
    return data.load("tools.toml")


def tool_pin(name: str) -> str:
    """The pinned version of a tool the Dockerfile installs (data/tools.toml)."""
    tools = _tools()
    for table in ("pip_tools", "servers"):
        if name in tools.get(table, {}):
            return tools[table][name]
    raise KeyError(name)


def _tool(name: str, why: str) -> Instruction:
    pin = tool_pin(name)
    companions = "".join(f" {shlex.quote(c)}" for c in _tools().get("companions", {}).get(name, ()))
    return _run(
        f"pip install {name}=={pin}{companions}",
        mounts=(PIP_CACHE,),
        comment=(f"{why}; it stays in this stage, out of the image.",),
    )
