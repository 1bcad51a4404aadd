"""Installers run in the directory that holds their manifest, whatever symlinks lead there."""

from __future__ import annotations

import os
from pathlib import Path

from helpers import write_tree

from generator.core import generate

SETTINGS = """\
INSTALLED_APPS = ["django.contrib.staticfiles"]
WSGI_APPLICATION = "shop.wsgi.application"
STATIC_URL = "static/"
"""
MANAGE = 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")\n'
UV_PYPROJECT = """\
[project]
name = "shop"
version = "0.1.0"
requires-python = ">=3.12"
dependencies = ["django>=5.2,<6"]

[tool.uv]
package = false
"""
UV_LOCK = 'version = 1\n\n[[package]]\nname = "django"\nversion = "5.2.7"\n'


def backend(root: Path, **manifests: str) -> None:
    write_tree(
        root,
        {
            "backend/manage.py": MANAGE,
            "backend/shop/__init__.py": "",
            "backend/shop/settings.py": SETTINGS,
            "backend/shop/wsgi.py": "application = None\n",
            **manifests,
        },
    )


def build_stage(root: Path) -> str:
    text = generate(root).files["Dockerfile"]
    return text.split(" AS runtime")[0]


def test_root_symlinks_into_the_backend_run_uv_in_the_backend(tmp_path: Path):
    backend(tmp_path, **{"backend/pyproject.toml": UV_PYPROJECT, "backend/uv.lock": UV_LOCK})
    os.symlink("backend/pyproject.toml", tmp_path / "pyproject.toml")
    os.symlink("backend/uv.lock", tmp_path / "uv.lock")
    build = build_stage(tmp_path)
    assert "WORKDIR /app/backend\n" in build and "WORKDIR /app\n" not in build
    assert "COPY backend/pyproject.toml backend/uv.lock ./\n" in build
    assert build.index("WORKDIR /app/backend") < build.index("uv sync")


def test_backend_symlinks_to_root_manifests_copy_the_files_they_point_to(tmp_path: Path):
    write_tree(tmp_path, {"pyproject.toml": UV_PYPROJECT, "uv.lock": UV_LOCK})
    backend(tmp_path)
    os.symlink("../pyproject.toml", tmp_path / "backend/pyproject.toml")
    os.symlink("../uv.lock", tmp_path / "backend/uv.lock")
    generated = generate(tmp_path)
    build = generated.files["Dockerfile"].split(" AS runtime")[0]
    # The link may be copied as a link: what it points to is copied too, at its own path.
    assert "COPY backend/pyproject.toml backend/uv.lock ./\n" in build
    assert "COPY pyproject.toml uv.lock /app/\n" in build
    assert build.index("COPY pyproject.toml uv.lock /app/") < build.index("uv sync")
    symlinks = [e.why for e in generated.facts.dependencies.evidence if e.fact == "symlink"]
    assert symlinks == [
        "backend/pyproject.toml is a symlink to pyproject.toml: both are copied before the install",
        "backend/uv.lock is a symlink to uv.lock: both are copied before the install",
    ]


def test_a_link_out_of_the_repository_is_not_followed(tmp_path: Path):
    outside = tmp_path / "outside"
    write_tree(outside, {"requirements.txt": "django==5.2.7\n"})
    repo = tmp_path / "repo"
    backend(repo, **{"backend/requirements.txt": "django==5.2.7\n"})
    os.symlink(outside / "requirements.txt", repo / "requirements.txt")
    text = generate(repo).files["Dockerfile"]
    assert "/outside" not in text and "COPY requirements.txt" not in text


def test_pip_requirements_in_the_backend_install_from_there(tmp_path: Path):
    backend(tmp_path, **{"backend/requirements.txt": "django==5.2.7\n"})
    build = build_stage(tmp_path)
    assert "WORKDIR /app/backend\n" in build
    assert "COPY backend/requirements.txt ./\n" in build
    assert "pip install -r requirements.txt" in build


def test_a_setup_py_in_the_backend_is_installed_from_there_after_the_source(tmp_path: Path):
    backend(
        tmp_path,
        **{
            "backend/setup.py": 'from setuptools import setup\nsetup(name="shop", '
            'install_requires=["django==5.2.7"])\n'
        },
    )
    build = build_stage(tmp_path)
    assert "WORKDIR /app/backend\n" in build
    # The source goes to the repository root in the image, not into the working directory.
    assert "COPY . /app\n" in build
    assert build.index("COPY . /app") < build.index("pip install .")


def test_manifests_at_the_root_keep_the_root_working_directory(tmp_path: Path):
    write_tree(tmp_path, {"requirements/prod.txt": "django==5.2.7\n"})
    backend(tmp_path)
    build = build_stage(tmp_path)
    assert "WORKDIR /app\n" in build
    assert "pip install -r requirements/prod.txt" in build
