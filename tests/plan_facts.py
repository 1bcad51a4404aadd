"""Hand-built ProjectFacts for plan/render/CLI tests (no detection involved)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from generator.facts import (
    Dependencies,
    DjangoVersion,
    Frontend,
    ProjectFacts,
    PythonChoice,
    Requirement,
    SettingsFacts,
    SystemPackage,
)

MANAGER_FILES = {
    "pip": ("requirements.txt", None),
    "uv": ("pyproject.toml", "uv.lock"),
    "poetry": ("pyproject.toml", "poetry.lock"),
    "pipenv": ("Pipfile", "Pipfile.lock"),
    "pdm": ("pyproject.toml", "pdm.lock"),
    "hatch": ("pyproject.toml", None),
    "setuptools": ("setup.py", None),
}


def deps(manager: str = "pip", **kw: Any) -> Dependencies:
    manifest, lock = MANAGER_FILES[manager]
    reqs = kw.pop("requirements", (Requirement("django", ">=5.2,<6", file=manifest, line=1),))
    inputs = tuple(f for f in (manifest, lock) if f)
    base = Dependencies(
        manager=manager,
        files=(manifest,),
        lockfile=lock,
        requirements=reqs,
        install_file="requirements.txt" if manager == "pip" else None,
        install_inputs=inputs,
        installs_project=manager in ("hatch", "setuptools"),
    )
    return replace(base, **kw)


def facts(manager: str = "pip", **kw: Any) -> ProjectFacts:
    """A typical startproject layout at the repository root, overridable field by field."""
    settings = kw.pop(
        "settings",
        SettingsFacts(
            settings_module="mysite.settings",
            settings_files=("mysite/settings.py",),
            wsgi_application="mysite.wsgi.application",
            asgi_application="mysite.asgi.application",
            installed_apps=("django.contrib.staticfiles",),
            static_root='BASE_DIR / "staticfiles"',
            env_vars=("DJANGO_SECRET_KEY", "DEBUG"),
        ),
    )
    base = ProjectFacts(
        django=True,
        reason="manage.py runs Django",
        project_dir=".",
        manage_py="manage.py",
        settings=settings,
        dependencies=kw.pop("dependencies", None) or deps(manager),
        python=PythonChoice(version="3.12", source=".python-version:1"),
        django_version=DjangoVersion(spec=">=5.2,<6", resolved=None, source="requirements.txt:1"),
        server="gunicorn",
        server_declared=False,
        collectstatic=True,
    )
    return replace(base, **kw)


def psycopg2() -> tuple[SystemPackage, ...]:
    return (
        SystemPackage("gcc", "build", "psycopg2", "psycopg docs"),
        SystemPackage("libpq-dev", "build", "psycopg2", "psycopg docs"),
        SystemPackage("libpq5", "runtime", "psycopg2", "psycopg docs"),
    )


def frontend(directory: str = ".", manager: str = "npm", output: str | None = "static/dist"):
    lock = {"npm": "package-lock.json", "yarn": "yarn.lock", "pnpm": "pnpm-lock.yaml"}[manager]
    lockfile = lock if directory == "." else f"{directory}/{lock}"
    return Frontend(
        directory,
        manager,
        lockfile,
        "build",
        "20",
        ".nvmrc",
        output,
        outputs=(output,) if output else (),
    )
