"""The Node toolchain of a frontend build: its package manager and lockfile (npm, Yarn classic or
Berry, pnpm; a workspace's root lockfile) and the Node major the project states (.nvmrc,
.node-version, volta, engines, devEngines). Read from files only."""

from __future__ import annotations

import fnmatch
import posixpath
import re
from datetime import date

from generator import data
from generator.detect._read import join, load_json, parent_dirs
from generator.facts import Diagnostics
from generator.guard import printable
from generator.source import SourceTree

# Lockfile -> manager, in the order a directory holding several is read.
LOCKFILES = (
    ("pnpm-lock.yaml", "pnpm"),
    ("yarn.lock", "yarn"),
    ("package-lock.json", "npm"),
    ("npm-shrinkwrap.json", "npm"),
)
# Files and directories beside package.json that the install step reads: registry and manager
# settings, Yarn Berry's release/plugins/patches, pnpm workspaces and hooks, patch-package patches.
INSTALL_FILES = (
    ".npmrc",
    ".yarnrc",
    ".yarnrc.yml",
    ".yarn/releases",
    ".yarn/plugins",
    ".yarn/patches",
    "pnpm-workspace.yaml",
    ".pnpmfile.cjs",
    "patches",
)


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


def workspace(tree: SourceTree, directory: str) -> tuple[str, tuple[str, str]] | None:
    """(root, its lockfile) of the npm/Yarn/pnpm workspace `directory` is a member of."""
    for parent in parent_dirs(directory)[1:]:
        lock = lockfile(tree, parent)
        if lock is None:
            continue
        rel = posixpath.relpath(directory, parent if parent != "." else "")
        patterns: list[str] = []
        root = load_json(tree, join(parent, "package.json"), Diagnostics())
        declared = root.get("workspaces") if isinstance(root, dict) else None
        if isinstance(declared, dict):
            declared = declared.get("packages")
        if isinstance(declared, list):
            patterns += [p for p in declared if isinstance(p, str)]
        pnpm = tree.read_text(join(parent, "pnpm-workspace.yaml")) or ""
        patterns += re.findall(r"^\s*-\s*['\"]?([^'\"\n#]+?)['\"]?\s*$", pnpm, re.MULTILINE)
        members = [p.strip().removeprefix("./").rstrip("/") for p in patterns]
        if any(fnmatch.fnmatchcase(rel, p) for p in members if not p.startswith("!")):
            return parent, lock
        return None  # the nearest lockfile belongs to another project
    return None


def lockfile(tree: SourceTree, directory: str) -> tuple[str, str] | None:
    """(path, manager) of the lockfile in `directory`, or None."""
    for name, manager in LOCKFILES:
        if tree.is_file(join(directory, name)):
            return join(directory, name), manager
    return None


def yarn_berry(tree: SourceTree, directory: str, version: str) -> bool:
    """Yarn 2+: a pinned release past 1.x, a .yarnrc.yml, or a lockfile in Berry's format."""
    if version:
        return not version.startswith("1.")
    if tree.is_file(join(directory, ".yarnrc.yml")):
        return True
    head = (tree.read_text(join(directory, "yarn.lock")) or "")[:400]
    return "__metadata:" in head


def pnpm_for_lockfile(text: str) -> str:
    """The pnpm major that reads `lockfileVersion` as written (data/frontend_tools.toml)."""
    match = re.search(r"^lockfileVersion:\s*['\"]?([0-9.]+)", text[:400], re.MULTILINE)
    table = data.load("frontend_tools.toml")["pnpm_lockfile"]
    return table.get(match.group(1), "") if match else ""


def node_version(
    tree: SourceTree, directory: str, package: dict, diags: Diagnostics
) -> tuple[str, str] | None:
    """(major, file that states it), or None when the project states nothing usable."""
    path = join(directory, "package.json")
    volta = package.get("volta")
    if isinstance(volta, dict) and isinstance(volta.get("node"), str):
        match = re.match(r"[ \t]*v?([0-9]+)(?:\.[0-9]+){0,2}[ \t]*\Z", volta["node"])
        if match:
            return match.group(1), path
    for parent in parent_dirs(directory):
        for name in (".nvmrc", ".node-version"):
            text = tree.read_text(join(parent, name))
            if not text or not text.strip():
                continue
            # nvm reads the first "\n" line; any other break or control character in it makes
            # the value unusable (and is warned about), never part of a tag.
            value = text.strip(" \t\r\n").split("\n")[0].strip(" \t\r").lstrip("v")
            match = re.match(r"([0-9]+)(?:\.[0-9]+){0,2}\Z", value)
            if match:
                return match.group(1), join(parent, name)
            lts = _lts_alias(value)
            if lts:
                return lts, join(parent, name)
            diags.warn(
                f"node version {printable(value, 40)} is not a number; using the default",
                join(parent, name),
                1,
            )
    engines = package.get("engines")
    engines = dict(engines) if isinstance(engines, dict) else {}
    runtime = (
        package.get("devEngines", {}).get("runtime")
        if isinstance(package.get("devEngines"), dict)
        else None
    )
    if (
        "node" not in engines
        and isinstance(runtime, dict)
        and runtime.get("name") == "node"
        and isinstance(runtime.get("version"), str)
    ):
        engines["node"] = runtime["version"]  # npm's devEngines.runtime (npm 10.9+)
    if isinstance(engines.get("node"), str):
        # An exact major ("20", "20.x", "20.11.1") is a choice; a range picks the default LTS
        # when it allows it, else the newest LTS line it allows.
        match = re.match(r"[ \t]*v?([0-9]+)(?:\.[0-9x*]+){0,2}[ \t]*\Z", engines["node"])
        if match:
            return match.group(1), path
        major = _newest_lts_in(engines["node"])
        if major:
            return major, path
    return None


def _lts_alias(value: str) -> str | None:
    """`lts/*` and `node` mean the default line; `lts/iron` names one (nvm's aliases)."""
    names = data.load("frontend_tools.toml")["lts_names"]
    if value in ("lts/*", "node", "stable", "lts"):
        return None
    return (
        names.get(value.lower().removeprefix("lts/")) if value.lower().startswith("lts/") else None
    )


def _newest_lts_in(spec: str) -> str | None:
    default = data.load("tools.toml")["node"]["default_major"]
    lines = sorted(
        (int(m) for m in data.load("node_releases.toml")["eol"] if int(m) % 2 == 0), reverse=True
    )
    allowed = [m for m in lines if _allows(spec, m)]
    if not allowed:
        return None
    if int(default) in allowed:
        return None  # the default already satisfies it: no need to state a version
    return str(allowed[0])


def _allows(spec: str, major: int) -> bool:
    """Whether some release of `major` satisfies the npm semver range `spec` (majors only)."""
    for alternative in spec.split("||"):
        text = re.sub(r"\s*-\s*", " - ", alternative.strip())
        if " - " in text:
            low, _, high = text.partition(" - ")
            text = f">={low} <={high}"
        ok = True
        for comparator in text.split():
            match = re.match(
                r"(>=|<=|>|<|=|\^|~)?v?([0-9]+|[xX*])(?:\.([0-9]+|[xX*]))?", comparator
            )
            if not match:
                continue
            op, bound = match.group(1) or "=", match.group(2)
            if not bound.isdigit():
                continue
            n = int(bound)
            minor = match.group(3)
            exact_major = minor is None or not minor.isdigit() or int(minor) == 0
            ok = (
                ok
                and {
                    ">=": major >= n,
                    ">": major > n or (major == n and not exact_major),
                    "<=": major <= n,
                    "<": major < n or (major == n and not exact_major),
                    "=": major == n,
                    "^": major == n,
                    "~": major == n,
                }[op]
            )
        if ok:
            return True
    return False
