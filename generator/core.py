"""The one core both front doors (CLI, action) call: detect -> plan -> render, then write."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.detect import detect
from generator.facts import Diagnostics, Evidence, ProjectFacts
from generator.options import Options
from generator.plan import BuildPlan, plan
from generator.render import HEADER_MARK, render_dockerfile, render_dockerignore
from generator.source import LocalTree
from generator.write import WriteResult, is_generated, write_one

__all__ = [
    "HEADER_MARK",
    "Generated",
    "WriteResult",
    "generate",
    "is_generated",
    "write_files",
]


@dataclass(frozen=True)
class Generated:
    facts: ProjectFacts
    plan: BuildPlan | None  # None when the tree is not a Django project
    files: dict[str, str]  # relative path -> content
    decisions: tuple[Evidence, ...]


def generate(root: Path, options: Options | None = None) -> Generated:
    """Detect the project under ROOT and render its files; nothing is written.

    Raises generator.plan.PlanError when the facts cannot give a working Dockerfile.
    """
    options = options or Options()
    facts = detect(LocalTree(root, Diagnostics()))
    if not facts.django:
        return Generated(facts, None, {}, facts.evidence)
    build_plan = plan(facts, options)
    files = {
        options.dockerfile: render_dockerfile(build_plan),
        options.dockerignore: render_dockerignore(build_plan),
    }
    return Generated(facts, build_plan, files, build_plan.decisions)


def write_files(
    root: Path, generated: Generated, overwrite: str = "generated", dry_run: bool = False
) -> list[WriteResult]:
    """Write each generated file under ROOT following the ownership rules.

    overwrite: "never" (keep any existing file), "generated" (replace only files carrying our
    header), "always" (replace anything). dry_run reports what would happen, with diffs.
    """
    return [
        write_one(Path(root), name, content, overwrite, dry_run)
        for name, content in generated.files.items()
    ]
