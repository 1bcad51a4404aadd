"""The driver of the database the settings default to, when the production set lacks it.

Django imports the backend's driver as it starts, so an image without it fails at run time, and
already at build time where a management command runs (compilemessages: "Error loading MySQLdb
module"). Projects often keep the driver in a per-database requirements file or an extra: that
declaration (its own version, or the lockfile's) is what the image installs.
"""

from __future__ import annotations

import posixpath
from dataclasses import replace
from functools import cache

from generator import data
from generator.detect.manifests import declared_anywhere
from generator.detect.manifests_declared import lock_versions
from generator.detect.settings import FROM_ENV
from generator.detect.wheels import for_linux
from generator.facts import Dependencies, Diagnostics, Evidence, Requirement, SettingsFacts
from generator.source import SourceTree

TABLE = "generator/data/database_drivers.toml"


@cache
def _drivers() -> dict[str, tuple[tuple[str, ...], str]]:
    """Engine -> (driver distributions in order of preference, source)."""
    out = {}
    for row in data.load("database_drivers.toml")["engine"]:
        for engine in row["engines"]:
            out[engine] = (tuple(row["drivers"]), row["source"])
    return out


def default_engine(settings: SettingsFacts) -> str | None:
    """The engine Django uses when nothing is configured (a literal ENGINE, or the default of a
    database read from the environment), or None when it cannot be read."""
    if settings.database_default:
        return settings.database_default
    return settings.database if settings.database != FROM_ENV else None


def add_database_driver(
    tree: SourceTree, deps: Dependencies, settings: SettingsFacts, diags: Diagnostics
) -> tuple[Dependencies, tuple[Evidence, ...]]:
    """`deps` with the default engine's driver added when only a manifest outside the production
    set declares it; a warning when none declares one."""
    engine = default_engine(settings)
    if engine not in _drivers():
        return deps, ()
    drivers, source = _drivers()[engine]
    # A driver the lockfile holds as a dependency of a dependency counts as installed.
    locked = lock_versions(tree, deps.lockfile, diags) if deps.lockfile else {}
    if (deps.names() | set(locked) | {r.name for r in deps.added}) & set(drivers):
        return deps, ()
    settings_file = settings.settings_files[0] if settings.settings_files else None
    found = [
        r
        for r in declared_anywhere(tree, diags)
        if r.name in drivers and not r.url and for_linux(r.marker)
    ]
    if not found:
        diags.warn(
            f"the settings default to the {engine} database engine, but no manifest declares its "
            f"driver ({' or '.join(drivers[:2])}): Django fails to start without it; add one "
            "to the production dependencies",
            settings_file,
        )
        return deps, ()
    words = {engine, engine.removesuffix("gis"), "postgres", "mysql", "db", "database"}

    def rank(req: Requirement) -> tuple[int, int]:
        stem = posixpath.basename(req.file or "").lower()
        named = any(word in stem for word in words) or "pyproject" in stem or "setup" in stem
        return (0 if named else 1, drivers.index(req.name))

    chosen = min(found, key=rank)
    version = locked.get(chosen.name)
    if version:
        chosen = replace(chosen, specifier=f"=={version}", resolved=version, marker=None)
    where = f"{chosen.file}:{chosen.line}" if chosen.line else str(chosen.file)
    evidence = Evidence(
        "database driver",
        chosen.file,
        chosen.line,
        f"the settings default to the {engine} engine, whose driver ({chosen.name}) is only "
        f"declared in {where}, outside the production set: installed too"
        + (f" at {version}, the version {deps.lockfile} locks" if version else "")
        + f" ({source})",
    )
    return replace(deps, added=(*deps.added, chosen)), (evidence,)
