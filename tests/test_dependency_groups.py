"""PEP 735 dependency groups: a pyproject.toml whose only dependencies are groups still installs."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write_tree

from generator.core import generate
from generator.options import Options
from generator.plan import PlanError

SETTINGS = """\
INSTALLED_APPS = ["django.contrib.staticfiles"]
WSGI_APPLICATION = "blog.wsgi.application"
"""
APP = {
    "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "blog.settings")\n',
    "blog/__init__.py": "",
    "blog/settings.py": SETTINGS,
    "blog/wsgi.py": "application = None\n",
}
GROUPS_ONLY = """\
[dependency-groups]
web = ["django>=4.2,<5", "gunicorn>=23"]
dev = [{include-group = "web"}, "pytest-django"]
"""


def dockerfile(root: Path, **options) -> str:
    generated = generate(root, Options(**options))
    return generated.files["Dockerfile"]


def decisions(root: Path, **options) -> list[str]:
    return [d.why for d in generate(root, Options(**options)).plan.decisions]


def test_groups_only_pyproject_installs_the_group_that_declares_django(tmp_path: Path):
    write_tree(tmp_path, {**APP, "pyproject.toml": GROUPS_ONLY})
    text = dockerfile(tmp_path, python_version="3.12")
    build = text.split(" AS runtime")[0]
    assert "COPY pyproject.toml ./" in build
    assert "pip install pip==" in build and "&& pip install --group=web\n" in build
    assert "--group=dev" not in build and "-r requirements.txt" not in build
    assert build.index("COPY pyproject.toml ./") < build.index("--group=web")
    why = decisions(tmp_path, python_version="3.12")
    assert any("dependency group(s) web of pyproject.toml (PEP 735" in w for w in why)


def test_groups_on_a_python_whose_newest_pip_has_no_group_flag_are_named(tmp_path: Path):
    write_tree(tmp_path, {**APP, "pyproject.toml": GROUPS_ONLY})
    text = dockerfile(tmp_path, python_version="3.8")
    assert "--group" not in text
    assert "'django>=4.2,<5'" in text and "'gunicorn>=23'" in text
    assert any("has no --group" in w for w in decisions(tmp_path, python_version="3.8"))


def test_groups_only_with_uv_lock_sync_that_group_with_uv(tmp_path: Path):
    lock = 'version = 1\nrequires-python = ">=3.12"\n\n[[package]]\nname = "django"\nversion = "4.2.20"\n'
    write_tree(tmp_path, {**APP, "pyproject.toml": GROUPS_ONLY, "uv.lock": lock})
    text = dockerfile(tmp_path, python_version="3.12")
    assert "uv sync --frozen --no-dev --no-default-groups --group web --no-install-project" in text
    assert "pip install --group" not in text


def test_an_empty_project_list_takes_the_group_that_declares_django(tmp_path: Path):
    pyproject = '[project]\nname = "blog"\nversion = "1"\ndependencies = []\n\n[tool.uv]\npackage = false\n\n'
    write_tree(tmp_path, {**APP, "pyproject.toml": pyproject + GROUPS_ONLY})
    assert "--group web" in dockerfile(tmp_path, python_version="3.12")


def test_django_only_in_a_development_group_is_refused_with_advice(tmp_path: Path):
    write_tree(tmp_path, {**APP, "pyproject.toml": '[dependency-groups]\ndev = ["django"]\n'})
    with pytest.raises(PlanError, match="none of them is a production set"):
        generate(tmp_path, Options(python_version="3.12"))
