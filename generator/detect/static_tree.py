"""A collected STATIC_ROOT the repository commits, with the manifest its storage reads.

Some projects run collectstatic themselves, after an asset build the repository does not script
(a gulpfile that no package.json script runs), and commit the result: STATIC_ROOT with the
`staticfiles.json` a Manifest storage reads at run time. Their platform configurations then say
DISABLE_COLLECTSTATIC=1. Running collectstatic over that tree in an image rewrites the manifest
from the sources the image can find and drops every entry only the project's own build made:
Django answers 500 "Missing staticfiles manifest entry". This module finds such a tree and the
configurations that disable collectstatic; plan keeps the tree as it is. Nothing is executed.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re

from generator import data
from generator.detect._read import join, load_json
from generator.facts import CommittedStatic, Diagnostics, Evidence, SettingsFacts
from generator.source import SourceTree

# ManifestFilesMixin.manifest_name, also whitenoise's: docs.djangoproject.com/en/stable/ref/
# contrib/staticfiles/#manifeststaticfilesstorage
MANIFEST = "staticfiles.json"
# Storages that never read a manifest: one committed beside them is inert, and collectstatic
# over the tree loses nothing. Any other storage (a Manifest one, a project's subclass) may.
NO_MANIFEST_STORAGES = frozenset(
    {
        "django.contrib.staticfiles.storage.StaticFilesStorage",
        "whitenoise.storage.CompressedStaticFilesStorage",
    }
)
VARIABLE = "DISABLE_COLLECTSTATIC"
_TRUE = frozenset({"1", "true", "yes", "on"})
# The value on the variable's own line: `"DISABLE_COLLECTSTATIC": "1"`, `= "1"`, `{"value": "1"}`.
_SAME_LINE = re.compile(r"""^["']?\s*[:=]\s*(?:\{\s*["']?value["']?\s*[:=]\s*)?["']?(\w+)""")
# On a following line of the same entry (YAML `- key: X` then `value: "1"`).
_VALUE_LINE = re.compile(r"""^\s*["']?value["']?\s*[:=]\s*["']?(\w+)""")
_NEW_ENTRY = re.compile(r"""^\s*(?:-\s|["']?key["']?\s*[:=])""")
MAX_FOLLOWING = 4  # lines of one YAML entry after its key (scope, type, value)
MAX_CONFIG_FILES = 16


def committed_static(
    tree: SourceTree, project_dir: str, settings: SettingsFacts, diags: Diagnostics
) -> tuple[CommittedStatic | None, list[Evidence]]:
    """The committed STATIC_ROOT with its manifest, when the storage reads one; and evidence for
    the platform configurations that disable collectstatic (reported either way)."""
    disabled = disabling_configs(tree)
    evidence = list(disabled)
    root = _static_root(project_dir, settings.static_root)
    storage = settings.storage or "django.contrib.staticfiles.storage.StaticFilesStorage"
    manifest = join(root, MANIFEST) if root else None
    if manifest is None or not tree.is_file(manifest):
        if disabled:
            evidence.append(
                Evidence(
                    "static",
                    disabled[0].file,
                    disabled[0].line,
                    f"{VARIABLE} is set for a platform, but STATIC_ROOT is not committed with a "
                    f"{MANIFEST}: the image still runs collectstatic",
                )
            )
        return None, evidence
    if storage in NO_MANIFEST_STORAGES:
        evidence.append(
            Evidence(
                "static",
                manifest,
                None,
                f"{manifest} is committed, but {storage} reads no manifest: collectstatic runs",
            )
        )
        return None, evidence
    paths = _manifest_paths(tree, manifest, diags)
    if paths is None:
        return None, evidence
    found = CommittedStatic(root or ".", manifest, paths, storage, tuple(disabled))
    entries = f"{paths} entry" if paths == 1 else f"{paths} entries"
    why = (
        f"STATIC_ROOT {found.root}/ is committed with {manifest} ({entries}) and {storage} "
        "reads that manifest: the image serves the committed tree and does not run collectstatic "
        "over it"
    )
    if disabled:
        why += " (the project disables collectstatic too: " + ", ".join(
            f"{e.file}:{e.line}" for e in disabled
        )
        why += ")"
    evidence.append(Evidence("static", manifest, None, why))
    return found, evidence


def disabling_configs(tree: SourceTree) -> list[Evidence]:
    """Platform configurations (data/deploy_configs.toml) that set DISABLE_COLLECTSTATIC."""
    table = data.load("deploy_configs.toml")
    out: list[Evidence] = []
    for row in table["config"]:
        names = [
            n
            for n in tree.list_dir(row["directory"])
            if any(fnmatch.fnmatchcase(n, p) for p in row["names"])
        ]
        for name in names[:MAX_CONFIG_FILES]:
            path = join(row["directory"], name)
            line = _disables(tree.read_text(path) or "")
            if line is not None:
                out.append(
                    Evidence(
                        "static",
                        path,
                        line,
                        f"{VARIABLE} is set for {row['platform']} ({row['source']})",
                    )
                )
    for row in table["marker"]:
        if tree.is_file(row["path"]):
            out.append(
                Evidence(
                    "static",
                    row["path"],
                    None,
                    f"{row['path']} disables collectstatic on {row['platform']} ({row['source']})",
                )
            )
    return out


def _disables(text: str) -> int | None:
    """The line setting DISABLE_COLLECTSTATIC to a true value in a config file, read as text
    (JSON, YAML and TOML alike): the value on the same line, or on a `value:` line of the same
    YAML entry."""
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        at = line.find(VARIABLE)
        if at < 0:
            continue
        rest = line[at + len(VARIABLE) :]
        match = _SAME_LINE.match(rest)
        if match is None:
            for following in lines[number : number + MAX_FOLLOWING]:
                if _NEW_ENTRY.match(following):
                    break
                match = _VALUE_LINE.match(following)
                if match:
                    break
        if match and match.group(1).lower() in _TRUE:
            return number
    return None


def _static_root(project_dir: str, static_root: str | None) -> str | None:
    """STATIC_ROOT relative to the repository root, when it is a path inside the repository."""
    if not static_root or static_root.startswith("/") or " " in static_root:
        return None  # absolute, from the environment, or computed: not a committed directory
    path = posixpath.normpath(join(project_dir, static_root))
    if path == ".." or path.startswith("../") or path == ".":
        return None
    return path


def _manifest_paths(tree: SourceTree, manifest: str, diags: Diagnostics) -> int | None:
    """How many paths the manifest maps; None (with a warning) when it is not one."""
    parsed = load_json(tree, manifest, diags)
    paths = parsed.get("paths") if isinstance(parsed, dict) else None
    if not isinstance(paths, dict):
        if parsed is not None:
            diags.warn(
                'is not a staticfiles manifest (no "paths" mapping); collectstatic runs as usual',
                manifest,
            )
        return None
    return len(paths)
