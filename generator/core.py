"""The one core both front doors (CLI, action) call: detect -> plan -> render, then write."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from generator.detect import detect
from generator.facts import Diagnostics, Evidence, ProjectFacts
from generator.guard import inside
from generator.options import Options
from generator.plan import BuildPlan, plan, safe_name
from generator.render import HEADER_MARK, render_dockerfile, render_dockerignore
from generator.source import LocalTree, SourceTree
from generator.wheels import Index
from generator.write import WriteResult, is_generated, write_one

__all__ = [
    "HEADER_MARK",
    "Generated",
    "WriteResult",
    "default_name",
    "generate",
    "generate_tree",
    "is_generated",
    "write_files",
]


@dataclass(frozen=True)
class Generated:
    facts: ProjectFacts
    plan: BuildPlan | None  # None when the tree is not a Django project
    files: dict[str, str]  # relative path -> content
    decisions: tuple[Evidence, ...]
    options: Options | None = None  # what the files were generated with (their paths' options)


def generate(root: Path, options: Options | None = None) -> Generated:
    """Detect the project under ROOT and render its files; nothing is written.

    Raises generator.plan.PlanError when the facts cannot give a working Dockerfile.
    """
    return generate_tree(LocalTree(root, Diagnostics()), Path(root).resolve().name, options)


def generate_tree(tree: SourceTree, repo_name: str, options: Options | None = None) -> Generated:
    """Detect the project in TREE (a checkout, or a repository read through the API) and render
    its files; REPO_NAME names the image when the project declares no name. Nothing is written."""
    options = options or Options()
    if options.name is None:
        options = replace(options, name=default_name(repo_name, tree))
    facts = detect(tree, options.project_dir, index=Index(offline=options.offline))
    if not facts.django:
        return Generated(facts, None, {}, facts.evidence, options)
    build_plan = plan(facts, options)
    files = {
        options.dockerfile: render_dockerfile(build_plan),
        options.dockerignore: render_dockerignore(build_plan),
    }
    return Generated(facts, build_plan, files, build_plan.decisions, options)


def default_name(root: Path | str, tree: SourceTree | None = None) -> str | None:
    """The image name when none is configured: the distribution name the root pyproject.toml
    declares, else the repository's name (ROOT: its directory, or the name itself); sanitised
    to [a-z0-9._-].

    The declared name comes first because it is the same in every clone (a CI checkout directory,
    e.g. /github/workspace in a container action, says nothing about the project).
    """
    if tree is None:
        tree = LocalTree(root, Diagnostics())
    text = tree.read_text("pyproject.toml")
    declared = None
    if text:
        try:
            data = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError, MemoryError):
            data = {}  # detection reports it, naming the line
        tool = data.get("tool")
        poetry = tool.get("poetry") if isinstance(tool, dict) else None
        for table in (data.get("project"), poetry):
            if isinstance(table, dict) and isinstance(table.get("name"), str):
                declared = table["name"]
                break
    fallback = root.resolve().name if isinstance(root, Path) else root
    for candidate in (declared, fallback):
        name = safe_name(candidate) if candidate else ""
        if name:
            return name
    return None


def write_files(
    root: Path, generated: Generated, overwrite: str = "generated", dry_run: bool = False
) -> list[WriteResult]:
    """Write each generated file under ROOT following the ownership rules.

    overwrite: "never" (keep any existing file), "generated" (replace only files carrying our
    header), "always" (replace anything). dry_run reports what would happen, with diffs.
    Every path is checked before anything is written: generator.guard.UnsafePath (naming the
    option) when one leaves ROOT or is not a regular file.
    """
    options = generated.options or Options()
    names = {options.dockerfile: "dockerfile", options.dockerignore: "dockerignore"}
    for name in generated.files:
        inside(Path(root), name, names.get(name, "dockerfile"))
    return [
        write_one(Path(root), name, content, overwrite, dry_run, names.get(name, "dockerfile"))
        for name, content in generated.files.items()
    ]
