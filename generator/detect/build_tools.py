"""Tools that building the project as a package runs (Node for a frontend compiled by a build hook).

Read statically: [build-system] requires, the build hooks' settings in pyproject.toml, and the
text of the build scripts (setup.py, hatch_build.py, pdm_build.py, a Poetry build script). Nothing
is run. The table of tools is data/build_tools.toml.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from generator import data
from generator.detect._read import join, load_toml, subtable
from generator.facts import Diagnostics, Evidence
from generator.source import SourceTree


@cache
def _tools() -> dict[str, dict[str, Any]]:
    return data.load("build_tools.toml")["tool"]


def _command(words: list[str]) -> re.Pattern[str]:
    # A command line that starts with the tool: "npm ci", "node build.js", ["yarn", "build"].
    alternatives = "|".join(map(re.escape, words))
    return re.compile(rf"^\s*(?:{alternatives})(?:\s|$)")


def build_tools(
    tree: SourceTree, directory: str, diags: Diagnostics
) -> tuple[tuple[str, ...], tuple[Evidence, ...]]:
    """(tool names, evidence) for building the package whose manifests are in `directory`."""
    found: dict[str, Evidence] = {}
    pyproject = join(directory, "pyproject.toml")
    config = load_toml(tree, pyproject, diags) if tree.is_file(pyproject) else None
    config = config or {}
    lines = (tree.read_text(pyproject) or "").splitlines()
    for name, row in _tools().items():
        requires = set(row.get("requires", ()))
        command = _command(list(row.get("commands", ())))
        evidence = _in_requires(config, requires, pyproject, lines, name) or _in_hooks(
            config, command, pyproject, lines, name
        )
        for script in _scripts(tree, directory, config):
            if evidence:
                break
            evidence = _in_script(tree, script, command, name)
        if evidence:
            found[name] = evidence
    return tuple(found), tuple(found.values())


def _in_requires(
    config: dict[str, Any], requires: set[str], path: str, lines: list[str], tool: str
) -> Evidence | None:
    entries = subtable(config, "build-system").get("requires")
    for entry in entries if isinstance(entries, list) else []:
        try:
            name = canonicalize_name(Requirement(str(entry)).name)
        except InvalidRequirement:
            continue
        if name in requires:
            return Evidence(
                "build tool",
                path,
                _line_of(lines, str(entry)),
                f"the build backend needs {tool}: [build-system] requires {name}, whose build "
                f"step runs {tool}",
            )
    return None


def _in_hooks(
    config: dict[str, Any], command: re.Pattern[str], path: str, lines: list[str], tool: str
) -> Evidence | None:
    """A hatch build hook (or a PDM/Poetry build setting) whose settings run the tool."""
    hatch = subtable(config, "tool", "hatch", "build")
    hooks = dict(subtable(hatch, "hooks"))
    for target, table in subtable(hatch, "targets").items():
        hooks.update({f"{target}.{k}": v for k, v in subtable(table, "hooks").items()})
    for hook, settings in hooks.items():
        for text in _strings(settings):
            if command.search(text):
                return Evidence(
                    "build tool",
                    path,
                    _line_of(lines, text),
                    f"the build hook {hook} runs `{text.strip()}`: the build stage needs {tool}",
                )
    return None


def _scripts(tree: SourceTree, directory: str, config: dict[str, Any]) -> list[str]:
    """Build scripts a backend runs: setup.py, hatch custom hooks, pdm_build.py, Poetry's."""
    names = ["setup.py", "pdm_build.py"]
    hooks = subtable(config, "tool", "hatch", "build", "hooks")
    for hook, settings in hooks.items():
        path = subtable(hooks, hook).get("path") if isinstance(settings, dict) else None
        if isinstance(path, str):
            names.append(path)
        elif hook == "custom":
            names.append("hatch_build.py")
    poetry = subtable(config, "tool", "poetry")
    script = subtable(poetry, "build").get("script") or poetry.get("build")
    if isinstance(script, str):
        names.append(script)
    paths = [join(directory, n) for n in names if ".." not in n.split("/")]
    return [p for p in dict.fromkeys(paths) if tree.is_file(p)]


def _in_script(tree: SourceTree, path: str, command: re.Pattern[str], tool: str) -> Evidence | None:
    text = tree.read_text(path) or ""
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("#"):
            continue
        for literal in re.findall(r"""["']([^"'\n]*)["']""", line):
            if command.search(literal):
                return Evidence(
                    "build tool",
                    path,
                    number,
                    f"{path} runs {literal.strip()!r} while the package is built: the build "
                    f"stage needs {tool}",
                )
    return None


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _line_of(lines: list[str], text: str) -> int | None:
    for number, line in enumerate(lines, 1):
        if text and text in line:
            return number
    return None
