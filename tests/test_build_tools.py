"""A project whose package build runs Node gets Node in the build stage, and only there."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write_tree

from generator.core import generate
from generator.options import Options

APP = {
    "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")\n',
    "site/__init__.py": "",
    "site/settings.py": 'INSTALLED_APPS = []\nWSGI_APPLICATION = "site.wsgi.application"\n',
    "site/wsgi.py": "application = None\n",
    "gallery/__init__.py": "",
}
HATCH = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "gallery"
version = "1"
dependencies = ["django>=5.2,<6"]
"""
SETUP_PY = """\
import subprocess
from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithAssets(build_py):
    def run(self):
        subprocess.check_call(["npm", "ci"])  # the bundle ships in the package
        super().run()


setup(name="gallery", install_requires=["django>=5.2,<6"], cmdclass={"build_py": BuildWithAssets})
"""


def stages(root: Path) -> tuple[str, str]:
    text = generate(root, Options(python_version="3.12")).files["Dockerfile"]
    build, runtime = text.split(" AS runtime")
    return build, runtime


@pytest.mark.parametrize(
    "files",
    [
        pytest.param({"setup.py": SETUP_PY}, id="setuptools build_py step"),
        pytest.param(
            {
                "pyproject.toml": HATCH
                + '\n[tool.hatch.build.hooks.build-scripts]\nscripts = [{commands = ["yarn install", "yarn build"], artifacts = ["gallery/static"]}]\n'
            },
            id="hatch build-scripts hook",
        ),
        pytest.param(
            {
                "pyproject.toml": HATCH.replace(
                    '"hatchling"]', '"hatchling", "hatch-jupyter-builder>=0.9"]'
                )
                + '\n[tool.hatch.build.hooks.jupyter-builder]\nbuild-function = "hatch_jupyter_builder.npm_builder"\n'
            },
            id="hatch-jupyter-builder",
        ),
        pytest.param(
            {
                "pyproject.toml": HATCH + "\n[tool.hatch.build.hooks.custom]\n",
                "hatch_build.py": 'import subprocess\n\nsubprocess.run("npm run build", shell=True, check=True)\n',
            },
            id="hatch custom hook",
        ),
    ],
)
def test_a_package_build_that_runs_node_gets_node_in_the_build_stage(tmp_path: Path, files):
    write_tree(tmp_path, {**APP, **files})
    build, runtime = stages(tmp_path)
    assert "apt-get install -y --no-install-recommends nodejs npm" in build
    assert "nodejs" not in runtime
    assert build.index("nodejs npm") < build.index("pip install .")


def test_the_decision_log_names_the_file_and_line_that_runs_node(tmp_path: Path):
    write_tree(tmp_path, {**APP, "setup.py": SETUP_PY})
    evidence = [e for e in generate(tmp_path).facts.dependencies.evidence if e.fact == "build tool"]
    assert [(e.file, e.line) for e in evidence] == [("setup.py", 8)]
    assert "'npm'" in evidence[0].why and "needs node" in evidence[0].why


@pytest.mark.parametrize(
    "files",
    [
        pytest.param({"pyproject.toml": HATCH}, id="plain hatchling"),
        pytest.param(
            {
                "setup.py": "# assets are built with npm in CI, not here\nfrom setuptools import setup\nsetup(name='gallery', install_requires=['django'])\n"
            },
            id="npm only in a comment",
        ),
        pytest.param(
            {
                "pyproject.toml": HATCH
                + '\n[tool.hatch.build.hooks.custom]\npath = "../outside/hook.py"\n'
            },
            id="a hook path outside the project is not read",
        ),
    ],
)
def test_no_node_when_the_build_does_not_run_it(tmp_path: Path, files):
    write_tree(tmp_path, {**APP, **files})
    build, _ = stages(tmp_path)
    assert "nodejs" not in build


def test_no_node_when_the_project_is_not_installed_as_a_package(tmp_path: Path):
    pyproject = (
        HATCH
        + '\n[tool.hatch.build.hooks.build-scripts]\nscripts = [{commands = ["npm run build"]}]\n'
    )
    write_tree(
        tmp_path,
        {
            **APP,
            "pyproject.toml": pyproject.replace("gallery", "other"),
            "requirements.txt": "django==5.2.7\n",
        },
    )
    build, _ = stages(tmp_path)
    assert "nodejs" not in build
