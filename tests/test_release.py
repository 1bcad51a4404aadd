"""A release's names agree: pyproject.toml's version, the image action.yml runs, the tags the
release workflow pushes and moves, and the references the README and the example workflows show
(`uses: django-dockerfile/django-dockerfile@v0` exists only once the workflow has moved v0)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

import generator

REPO = Path(__file__).resolve().parents[1]
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
IMAGE = "ghcr.io/django-dockerfile/django-dockerfile"
RELEASE = REPO / ".github" / "workflows" / "release.yml"


def _release_outputs() -> dict[str, str]:
    """The outputs of the release workflow's version step: its own Python, run on this tree."""
    steps = yaml.safe_load(RELEASE.read_text())["jobs"]["release"]["steps"]
    run = next(step for step in steps if step.get("id") == "version")["run"]
    script = run.split("\n", 1)[1].split("\nPY\n", 1)[0]  # the here-document after `<<'PY'`
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    return dict(line.split("=", 1) for line in out.splitlines())


def _references() -> list[tuple[str, str, str]]:
    """(file, kind, tag) for every reference to the action or its image in the documentation."""
    files = [
        REPO / "README.md",
        *sorted((REPO / "docs").rglob("*.md")),
        *sorted((REPO / ".github" / "workflows" / "examples").glob("*.yml")),
    ]
    found = []
    for path in files:
        text = path.read_text()
        rel = str(path.relative_to(REPO))
        found += [
            (rel, "uses", m)
            for m in re.findall(r"django-dockerfile/django-dockerfile@([\w.-]+)", text)
        ]
        found += [(rel, "image", m) for m in re.findall(rf"{re.escape(IMAGE)}:(v[\w.]+)", text)]
    return found


def test_action_runs_the_prebuilt_image_of_its_own_version():
    """A release whose action.yml names another version's image would run other code."""
    image = yaml.safe_load((REPO / "action.yml").read_text())["runs"]["image"]
    assert image == f"docker://{IMAGE}:v{VERSION}", (
        f"action.yml runs {image} but pyproject.toml's version is {VERSION}: change both"
    )
    assert generator.__version__ == VERSION


def test_the_release_workflow_tags_that_version_and_moves_its_major_tag():
    outputs = _release_outputs()
    major = VERSION.split(".")[0]
    assert outputs["tag"] == f"v{VERSION}"
    assert outputs["image"] == f"{IMAGE}:v{VERSION}"
    assert outputs["major-tag"] == f"v{major}"
    assert outputs["major"] == f"{IMAGE}:v{major}"
    release = RELEASE.read_text()
    # The image is pushed (and pulled back) before any tag exists that names it.
    assert release.index("docker/build-push-action") < release.index('git tag "$TAG"')
    assert release.index("docker pull") < release.index('git tag "$TAG"')
    assert 'git push -f origin "refs/tags/$MAJOR"' in release


def test_the_documentation_uses_tags_a_release_creates():
    outputs = _release_outputs()
    git_tags = {outputs["tag"], outputs["major-tag"]}
    image_tags = {outputs[k].rsplit(":", 1)[1] for k in ("image", "minor", "major")}
    references = _references()
    assert any(kind == "uses" for _, kind, _ in references)
    wrong = [
        f"{file}: {kind} {tag}"
        for file, kind, tag in references
        if tag not in (git_tags if kind == "uses" else image_tags | {"vX.Y.Z"})
    ]
    assert not wrong, f"version {VERSION} releases {sorted(git_tags)}; these name others: {wrong}"
