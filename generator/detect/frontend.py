"""Frontend assets built by Node before collectstatic: package.json with a build script."""

from __future__ import annotations

import re
from datetime import date

from generator import data
from generator.detect._read import join, load_json, parent_dirs
from generator.facts import Diagnostics, Evidence, Frontend
from generator.source import SourceTree

# Scripts that produce assets, in order of preference; lint/format/test scripts do not.
BUILD_SCRIPTS = ("build", "build:prod", "build:production", "prod", "production", "compile")
LOCKFILES = (("pnpm-lock.yaml", "pnpm"), ("yarn.lock", "yarn"), ("package-lock.json", "npm"))
_OUTPUT_FLAG = re.compile(
    r"(?:--out-?dir|--output-path|--output|--dist-dir|-o|--outfile)[= ]+[\"']?([^\s\"']+)",
    re.IGNORECASE,
)


def detect_frontend(tree: SourceTree, project_dir: str, diags: Diagnostics) -> Frontend | None:
    """The nearest package.json (project dir, then parents) that has an asset build script."""
    for directory in parent_dirs(project_dir):
        path = join(directory, "package.json")
        if not tree.is_file(path):
            continue
        data = load_json(tree, path, diags)
        if not isinstance(data, dict):
            continue
        scripts = data.get("scripts")
        if not isinstance(scripts, dict):
            continue
        script = next((s for s in BUILD_SCRIPTS if isinstance(scripts.get(s), str)), None)
        if script is None:
            continue
        manager, lockfile = "npm", None
        for name, mgr in LOCKFILES:
            if tree.is_file(join(directory, name)):
                manager, lockfile = mgr, join(directory, name)
                break
        match = _OUTPUT_FLAG.search(scripts[script])
        output = match.group(1).rstrip("/") if match else None
        if output and match and "outfile" in match.group(0).lower():
            # A bundler's single output file has siblings (CSS, maps): keep its directory.
            output = output.rsplit("/", 1)[0] if "/" in output else None
        if output and (output.startswith("/") or ".." in output.split("/")):
            output = None
        node = _node_version(tree, directory, data, diags)
        return Frontend(
            directory=directory,
            manager=manager,
            lockfile=lockfile,
            build_script=script,
            node_version=node[0] if node else None,
            node_version_source=node[1] if node else None,
            output_dir=join(directory, output) if output else None,
            evidence=(
                Evidence(
                    "frontend",
                    path,
                    _line_of(tree, path, f'"{script}"'),
                    f"package.json script '{script}' builds assets: {scripts[script]}",
                ),
            ),
        )
    return None


def node_eol_warning(major: str | None, today: date) -> str | None:
    """A warning when Node `major` is past its end of life on `today` (data/node_releases.toml)."""
    if major is None:
        return None
    eol = data.load("node_releases.toml")["eol"].get(major)
    if eol is None or today <= date.fromisoformat(eol):
        return None
    return (
        f"Node {major} reached end of life on {eol} (nodejs.org/en/about/previous-releases): the "
        "asset stage builds with an unsupported Node; move the project to an LTS line"
    )


def _node_version(
    tree: SourceTree, directory: str, package: dict, diags: Diagnostics
) -> tuple[str, str] | None:
    """(major, file that states it), or None when the project states no exact major."""
    for name in (".nvmrc", ".node-version"):
        text = tree.read_text(join(directory, name))
        if text:
            value = text.strip().splitlines()[0].strip().lstrip("v") if text.strip() else ""
            match = re.match(r"^(\d+)(?:\.\d+){0,2}$", value)
            if match:
                return match.group(1), join(directory, name)
            if value:
                diags.warn(
                    f"node version {value!r} is not a number; using the default",
                    join(directory, name),
                    1,
                )
    engines = package.get("engines")
    if isinstance(engines, dict) and isinstance(engines.get("node"), str):
        # Only an exact major ("20", "20.x", "20.11.1") is a choice; a range like ">=18" is not.
        match = re.match(r"^\s*v?(\d+)(?:\.[\dx*]+){0,2}\s*$", engines["node"])
        if match:
            return match.group(1), join(directory, "package.json")
    return None


def _line_of(tree: SourceTree, path: str, needle: str) -> int | None:
    text = tree.read_text(path) or ""
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None
