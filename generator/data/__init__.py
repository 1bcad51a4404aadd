"""Tables as data: each TOML file here cites, per row, where its facts come from."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

_HERE = Path(__file__).parent


@cache
def load(name: str) -> dict[str, Any]:
    """The parsed table `name` ("tools.toml"), read once per process.

    A plain file read: importlib.resources would cost more start-up time than detection itself on
    a small project, and the package is always installed as files.
    """
    return tomllib.loads((_HERE / name).read_text(encoding="utf-8"))
