"""Choosing among several Django projects: --project-dir on detect and generate, and the config."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "two_projects"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], capture_output=True, text=True, check=False
    )


def test_default_choice_is_explained_and_the_option_is_named():
    result = run("detect", str(FIXTURE))
    assert result.returncode == 0
    assert "several Django projects found (backoffice, storefront)" in result.stdout
    assert "--project-dir" in result.stdout


def test_project_dir_flag_chooses_the_other_project():
    result = run("generate", str(FIXTURE), "--project-dir", "storefront", "--stdout")
    assert result.returncode == 0, result.stderr
    assert "WORKDIR /app/storefront" in result.stdout
    assert 'CMD ["gunicorn", "storefront.wsgi:application"]' in result.stdout
    assert "several Django projects" not in result.stderr


def test_project_dir_in_pyproject_is_used(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    (root / "pyproject.toml").write_text('[tool.django-dockerfile]\nproject-dir = "storefront"\n')
    result = run("generate", str(root), "--stdout")
    assert "storefront.wsgi:application" in result.stdout


def test_unknown_project_dir_is_an_error_listing_the_projects():
    result = run("detect", str(FIXTURE), "--project-dir", "nope")
    assert result.returncode == 2
    assert "no Django project in 'nope' (projects found: backoffice, storefront)" in result.stdout


def test_project_dir_leaving_the_repository_is_refused():
    result = run("generate", str(FIXTURE), "--project-dir", "../etc", "--stdout")
    assert result.returncode == 1
    assert "--project-dir" in result.stderr and "'../etc' is not valid" in result.stderr


def test_name_flag_sets_the_image_title():
    result = run("generate", str(FIXTURE), "--name", "shop", "--stdout")
    assert 'org.opencontainers.image.title="shop"' in result.stdout
