"""What `django-dockerfile detect --json` reports for each fixture project under tests/fixtures/.

One row per project shape of issue 2. Each row lists the JSON facts an expert reads in that
project (dotted keys address nested values: "python.version", "static.collectstatic") and the
warnings that must appear, as (file, words) pairs. A fact left out of a row is not asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from generator.detect import detect_path

# End-of-life warnings depend on the date: judge them on a fixed one.
TODAY = date(2026, 11, 24)
FIXTURES = Path(__file__).parent / "fixtures"


# Settings/WSGI of a project made by `django-admin startproject NAME` (files written by hand).
def _startproject(name: str) -> dict[str, Any]:
    return {
        "django": True,
        "project_dir": ".",
        "manage_py": "manage.py",
        "settings_module": f"{name}.settings",
        "production_settings_module": None,
        "wsgi_application": f"{name}.wsgi:application",
        "asgi_application": f"{name}.asgi:application",
    }


PIP = {"package_manager": "pip", "lockfile": None}
NO_SYSTEM_PACKAGES = {"system_packages.build": [], "system_packages.runtime": []}
COLLECTSTATIC = {"static.collectstatic": True, "static.static_root": "staticfiles"}
LIBPQ_SOURCE = {
    "system_packages.build": ["gcc", "libc6-dev", "libpq-dev"],
    "system_packages.runtime": ["libpq5"],
}

CASES: dict[str, dict[str, Any]] = {
    "startproject_pip": {
        **_startproject("mysite"),
        **PIP,
        **NO_SYSTEM_PACKAGES,
        **COLLECTSTATIC,
        "dependency_files": ["requirements.txt"],
        "install_file": "requirements.txt",
        "django_version.spec": ">=5.2,<6.0",
        "django_version.resolved": None,
        "django_version.source": "requirements.txt:1",
        # No version anywhere: the newest Python that Django 5.2 supports (3.14 from 5.2.8).
        "python.version": "3.14",
        # Nothing declared: gunicorn is added, and the JSON says it was not the project's choice.
        "server": "gunicorn",
        "server_declared": False,
        "asgi_required": False,
        "static.whitenoise": False,
        "database": "sqlite3",
        "node": None,
        "warnings": [],
    },
    "split_settings_prod": {
        "django": True,
        "project_dir": ".",
        "settings_module": "blog.settings.development",
        "production_settings_module": "blog.settings.production",
        "wsgi_application": "blog.wsgi:application",
        "asgi_application": None,
        **PIP,
        # The root requirements.txt is only "-r requirements/production.txt": Django is found
        # through the include, and the production file is what the image installs.
        "install_file": "requirements/production.txt",
        "django_version.spec": "==5.2.7",
        "django_version.resolved": "5.2.7",
        "django_version.source": "requirements/base.txt:1",
        "python.version": "3.12",
        "python.source": "runtime.txt:1",
        "server": "gunicorn",
        "server_declared": True,
        **NO_SYSTEM_PACKAGES,
        **COLLECTSTATIC,
        "static.whitenoise": True,
        "static.storage": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        # production.py replaces DATABASES with dj_database_url.config().
        "database": "from environment",
        "warnings": [],
    },
    "src_layout": {
        "django": True,
        "project_dir": "src",
        "manage_py": "src/manage.py",
        "settings_module": "inventory.settings",
        "wsgi_application": "inventory.wsgi:application",
        **PIP,
        "dependency_files": ["requirements.txt"],
        "django_version.spec": "~=5.1.0",
        "python.version": "3.12",
        "python.source": ".python-version:1",
        "server": "gunicorn",
        "server_declared": True,
        **COLLECTSTATIC,
        "warnings": [],
    },
    "backend_subdir": {
        "django": True,
        "project_dir": "backend",
        "manage_py": "backend/manage.py",
        "settings_module": "config.settings",
        "wsgi_application": "config.wsgi:application",
        "asgi_application": None,
        **PIP,
        "dependency_files": ["requirements.txt"],
        "django_version.resolved": "4.2.16",
        "python.version": "3.11",
        "python.source": "runtime.txt:1",
        "server": "gunicorn",
        **COLLECTSTATIC,
        "warnings": [],
    },
    "hatch_npm_build": {
        "django": True,
        "project_dir": ".",
        "settings_module": "site.settings",
        "package_manager": "hatch",
        # hatch-jupyter-builder runs npm while the wheel is built: Node in the build stage.
        "build_tools": ["node"],
        "system_packages.build": ["nodejs", "npm"],
        "system_packages.runtime": [],
        "node": None,
        "python.version": "3.14",
        "server": "gunicorn",
        "warnings": [],
    },
    "dependency_groups_only": {
        "django": True,
        "project_dir": ".",
        "settings_module": "blog.settings",
        # No [project]: the PEP 735 group that declares Django is the production set.
        "package_manager": "pip",
        "install_file": "pyproject.toml",
        "groups": ["web"],
        "dependency_files": ["pyproject.toml"],
        "django_version.spec": ">=5.2,<6",
        "python.version": "3.14",
        "server": "gunicorn",
        "warnings": [],
    },
    "symlinked_manifests": {
        "django": True,
        "project_dir": "backend",
        "manage_py": "backend/manage.py",
        "settings_module": "shop.settings",
        "package_manager": "uv",
        # The root pyproject.toml and uv.lock are links to these: uv runs in backend/.
        "lockfile": "backend/uv.lock",
        "install_directory": "backend",
        "django_version.resolved": "5.2.7",
        "python.version": "3.13",
        "server": "gunicorn",
        "warnings": [],
    },
    "poetry1": {
        **_startproject("analytics"),
        "package_manager": "poetry",
        "lockfile": "poetry.lock",
        "dependency_files": ["pyproject.toml", "poetry.lock"],
        # Poetry's caret becomes a PEP 440 range; the exact version comes from the lockfile.
        "django_version.spec": ">=4.2,<5.0",
        "django_version.resolved": "4.2.16",
        # ^3.11 intersected with Django 4.2.16 (3.8-3.12: 3.12 from 4.2.8).
        "python.version": "3.12",
        "server": "gunicorn",
        "server_declared": True,
        # psycopg2-binary has a manylinux wheel for 3.12: nothing to compile.
        **NO_SYSTEM_PACKAGES,
        "warnings": [],
    },
    "poetry2": {
        **_startproject("newsroom"),
        "package_manager": "poetry",
        "lockfile": "poetry.lock",
        "django_version.spec": ">=5.1,<5.2",
        "django_version.resolved": "5.1.4",
        # requires-python >=3.12 within Django 5.1 (3.10-3.13).
        "python.version": "3.13",
        "server": "gunicorn",
        "warnings": [],
    },
    "uv_groups": {
        **_startproject("tracker"),
        "package_manager": "uv",
        "lockfile": "uv.lock",
        "dependency_files": ["pyproject.toml", "uv.lock"],
        # The "prod" dependency group carries the server and the database driver.
        "groups": ["prod"],
        "django_version.spec": ">=5.2,<6",
        "django_version.resolved": "5.2.7",
        "python.version": "3.13",
        "server": "gunicorn",
        "server_declared": True,
        # psycopg[c] compiles against libpq.
        **LIBPQ_SOURCE,
        "database": "postgresql",
        "warnings": [],
    },
    "pipenv_lock": {
        **_startproject("recipes"),
        "package_manager": "pipenv",
        "lockfile": "Pipfile.lock",
        "dependency_files": ["Pipfile", "Pipfile.lock"],
        "django_version.spec": "~=5.1",
        "django_version.resolved": "5.1.3",
        "python.version": "3.12",
        "python.source": "Pipfile:14",
        "server": "gunicorn",
        **NO_SYSTEM_PACKAGES,
        "warnings": [],
    },
    "pdm": {
        **_startproject("library"),
        "package_manager": "pdm",
        "lockfile": "pdm.lock",
        "django_version.spec": ">=5.1,<5.2",
        "django_version.resolved": "5.1.4",
        "python.version": "3.13",
        "server": "gunicorn",
        "warnings": [],
    },
    "hatch": {
        **_startproject("shopfront"),
        "package_manager": "hatch",
        "lockfile": None,
        "dependency_files": ["pyproject.toml"],
        "django_version.spec": ">=5.1,<6",
        "django_version.resolved": None,
        # >=3.11,<3.14 caps the version below what Django 5.2 would allow.
        "python.version": "3.13",
        "server": "gunicorn",
        "static.whitenoise": True,
        "warnings": [],
    },
    "setuptools_setup_py": {
        **_startproject("bookstore"),
        "package_manager": "setuptools",
        "lockfile": None,
        "dependency_files": ["setup.py"],
        "django_version.spec": ">=4.2,<5.0",
        "django_version.source": "setup.py:10",
        # python_requires >=3.10 within Django 4.2 (up to 3.12).
        "python.version": "3.12",
        "server": "gunicorn",
        "warnings": [],
    },
    "pip_tools": {
        **_startproject("shop"),
        **PIP,
        # The compiled file is installed, not the .in source.
        "install_file": "requirements.txt",
        "django_version.resolved": "4.2.16",
        "django_version.source": "requirements.txt:11",
        "python.version": "3.12",
        "server": "gunicorn",
        "server_declared": True,
        "warnings": [],
    },
    "celery_sibling_wsgi": {
        # Issue 10, class 10: tasks/ (a Celery app package) has a wsgi.py of its own defaulting to
        # tasks.settings; the site's shop/wsgi.py, beside the settings, is served, and tasks.settings
        # is not mistaken for the production settings.
        **_startproject("shop"),
        "asgi_application": None,
        **PIP,
        "celery": "tasks.celery",
        "python.version": "3.12",
        "server": "gunicorn",
        **COLLECTSTATIC,
        "warnings": [],
    },
    "config_example": {
        # Issue 10, class 5: settings import inventory/configuration.py (importlib, a handler that
        # raises ImproperlyConfigured when it is missing); the repository ships only
        # configuration_example.py.
        **_startproject("inventory"),
        "asgi_application": None,
        **PIP,
        "python.version": "3.12",
        "example_modules": [
            {
                "path": "inventory/configuration.py",
                "example": "inventory/configuration_example.py",
                "file": "inventory/settings.py",
                "line": 13,
                # The example leaves SECRET_KEY empty and the settings refuse a short one.
                "blanks": ["SECRET_KEY"],
            }
        ],
        "runtime_env": [],
        "warnings": [],
    },
    "env_required": {
        # Issue 10, classes 5 and 6: env.bool("DEBUG") with no default, DATABASE_URL matched by
        # the settings' own PostgreSQL regex; TIME_ZONE has a default in environ.Env's scheme and
        # CONN_MAX_AGE one in the call.
        **_startproject("config"),
        "asgi_application": None,
        **PIP,
        "python.version": "3.11",
        "database": "postgresql",
        "runtime_env": [
            {
                "name": "DEBUG",
                "kind": "bool",
                "form": None,
                "file": "config/settings.py",
                "line": 17,
                "why": "env.bool('DEBUG') has no default",
            },
            {
                "name": "DJANGO_SECRET_KEY",
                "kind": "str",
                "form": None,
                "file": "config/settings.py",
                "line": 18,
                "why": "env('DJANGO_SECRET_KEY') has no default",
            },
            {
                "name": "ALLOWED_HOSTS",
                "kind": "list",
                "form": None,
                "file": "config/settings.py",
                "line": 19,
                "why": "env.list('ALLOWED_HOSTS') has no default",
            },
            {
                "name": "DATABASE_URL",
                "kind": "str",
                "form": "postgres",
                "file": "config/settings.py",
                "line": 26,
                "why": "env.str('DATABASE_URL') must match the regular expression at line 26, "
                "which expects a postgres:// URL",
            },
        ],
        "warnings": [],
    },
    "channels_asgi": {
        **_startproject("chat"),
        **PIP,
        "asgi_required": True,
        "server": "daphne",
        "server_declared": True,
        "python.version": "3.12",
        "django_version.spec": ">=5.1,<5.2",
        **COLLECTSTATIC,
        "warnings": [],
    },
    "uvicorn_asgi": {
        **_startproject("feeds"),
        **PIP,
        "server": "uvicorn",
        "server_declared": True,
        "python.version": "3.13",
        "warnings": [],
    },
    "uwsgi_server": {
        **_startproject("portal"),
        **PIP,
        "server": "uwsgi",
        "server_declared": True,
        # uWSGI ships no wheels: it is compiled.
        "system_packages.build": ["gcc", "libc6-dev"],
        "python.version": "3.12",
        "warnings": [],
    },
    "waitress_server": {
        **_startproject("intranet"),
        **PIP,
        "server": "waitress",
        "server_declared": True,
        **NO_SYSTEM_PACKAGES,
        "warnings": [],
    },
    "psycopg2_source": {
        **_startproject("ledger"),
        **PIP,
        **LIBPQ_SOURCE,
        "database": "postgresql",
        "warnings": [],
    },
    "mysqlclient": {
        **_startproject("crm"),
        **PIP,
        "system_packages.build": ["default-libmysqlclient-dev", "gcc", "libc6-dev", "pkg-config"],
        "system_packages.runtime": ["libmariadb3"],
        "database": "mysql",
        "warnings": [],
    },
    "mysql_driver_file": {
        **_startproject("crm"),
        **PIP,
        # dj-database-url's default URL is mysql://; the driver is only in requirements/mysql.txt.
        "database": "from environment",
        "database_default": "mysql",
        "added_requirements.0.name": "mysqlclient",
        "added_requirements.0.file": "requirements/mysql.txt",
        "system_packages.build": ["default-libmysqlclient-dev", "gcc", "libc6-dev", "pkg-config"],
        "system_packages.runtime": ["libmariadb3"],
        "warnings": [],
    },
    "mysql_driver_extra": {
        **_startproject("crm"),
        "package_manager": "setuptools",
        # The `mysql` extra is not a production extra; the default ENGINE needs it anyway.
        "extras": [],
        "database": "mysql",
        "added_requirements.0.specifier": ">=2.2",
        "added_requirements.0.file": "pyproject.toml",
        "system_packages.runtime": ["libmariadb3"],
    },
    "old_psycopg2_binary": {
        **_startproject("crm"),
        **PIP,
        # psycopg2-binary 2.8.6 has Linux x86_64 wheels up to CPython 3.9 (recorded table: no
        # network in tests); Django 3.2 allows up to 3.10: 3.9 is chosen so nothing compiles on
        # linux/amd64. It has no aarch64 wheel at all (the first is 2.9): a linux/arm64 build
        # compiles it, so the build stage gets libpq-dev and the final stage libpq5.
        "python.version": "3.9",
        "python.source~": ["psycopg2-binary", "3.9", "wheels.toml"],
        "wheels.0.name": "psycopg2-binary",
        "wheels.0.wheels_for": ["3.8", "3.9"],
        "wheels.0.wheels_for_arm64": [],
        **LIBPQ_SOURCE,
    },
    "netifaces_lock": {
        **_startproject("crm"),
        "package_manager": "poetry",
        # .python-version says 3.12; poetry.lock lists netifaces 0.11.0 wheels up to cp39 only.
        "python.version": "3.12",
        "wheels.0.name": "netifaces",
        "wheels.0.source": "poetry.lock",
        "system_packages.build": ["gcc", "libc6-dev"],
        "system_packages.runtime": [],
        "warnings": [],
    },
    "geodjango": {
        **_startproject("maps"),
        **PIP,
        "database": "postgis",
        # GeoDjango loads GDAL/GEOS/PROJ with ctypes: the three libraries (trixie's names), not
        # gdal-bin (it pulls in Debian's python3); psycopg[binary] needs no libpq.
        "system_packages.build": [],
        "system_packages.runtime": ["libgdal36", "libgeos-c1t64", "libproj25"],
        "warnings": [],
    },
    "translations": {
        **_startproject("polyglot"),
        **PIP,
        "compilemessages": True,
        "locale_dirs": ["locale"],
        "system_packages.build": ["gettext"],
        "system_packages.runtime": [],
        "warnings": [],
    },
    # A collected static/ committed with the Manifest storage's staticfiles.json, built by a
    # gulpfile no package.json script runs; SQLite in data/ when no variable is set.
    "committed_static_sqlite": {
        "django": True,
        "settings_module": "site1.settings",
        **PIP,
        "static.collectstatic": False,
        "static.static_root": "static",
        "static.committed.root": "static",
        "static.committed.manifest": "static/staticfiles.json",
        "static.committed.entries": 1,
        "frontends": [],
        "database": "from environment",
        "database_default": "sqlite3",
        "warnings": [],
    },
    # Two frontends beside a lint-only root package.json and a docs site (skipped): Vite with Yarn
    # Berry writing into STATICFILES_DIRS, Angular with pnpm (packageManager) writing into an app's
    # static/; django-compressor offline and django-sass-processor on the Python side.
    "frontends": {
        **PIP,
        **COLLECTSTATIC,
        "settings_module": "config.settings",
        "frontends.0.directory": "admin",
        "frontends.0.manager": "yarn",
        "frontends.0.yarn_berry": True,
        "frontends.0.node_version": None,
        "frontends.0.outputs": ["assets/admin"],
        "frontends.0.install_inputs": [
            "admin/package.json",
            "admin/yarn.lock",
            "admin/.yarnrc.yml",
        ],
        "frontends.1.directory": "src-ui",
        "frontends.1.manager": "pnpm",
        "frontends.1.manager_version": "9.15.9",
        "frontends.1.manager_pinned_by": "packageManager",
        "frontends.1.node_version": "22",
        "frontends.1.outputs": ["shop/static/shop/frontend"],
        "frontends.1.served_by~": ["static directory of the app 'shop'"],
        "warnings": [],
    },
    "node_frontend": {
        **_startproject("dashboard"),
        **PIP,
        **COLLECTSTATIC,
        "node.directory": ".",
        "node.manager": "npm",
        "node.lockfile": "package-lock.json",
        "node.build_script": "build",
        "node.node_version": "20",
        # esbuild --outfile=static/dist/main.js also writes main.css beside it: the directory.
        "node.output_dir": "static/dist",
        # .nvmrc says 20, past its end of life in April 2026.
        "warnings": [(".nvmrc", ["Node 20", "end of life"])],
    },
    "s3_storage": {
        **_startproject("media_site"),
        **PIP,
        "static.storage": "storages.backends.s3.S3Storage",
        # Remote static storage needs credentials: the image must not run collectstatic.
        "static.remote_storage": True,
        "static.collectstatic": False,
        "warnings": [],
    },
    "cookiecutter_style": {
        "django": True,
        "project_dir": ".",
        "settings_module": "config.settings.local",
        # config/wsgi.py defaults to production, and config/settings/production.py exists.
        "production_settings_module": "config.settings.production",
        "wsgi_application": "config.wsgi:application",
        "asgi_application": None,
        **PIP,
        # A pyproject.toml holding only pytest/coverage/ruff tables is not a package manager.
        "dependency_files": [
            "requirements/production.txt",
            "requirements/base.txt",
            "requirements/local.txt",
        ],
        "install_file": "requirements/production.txt",
        "django_version.spec": "==5.0.9",
        "django_version.resolved": "5.0.9",
        "django_version.source": "requirements/base.txt:8",
        "python.version": "3.12",
        "server": "gunicorn",
        "server_declared": True,
        # psycopg[c] (production.txt) is compiled; gettext for the locale/ .po files.
        "system_packages.build": ["gcc", "gettext", "libc6-dev", "libpq-dev"],
        "system_packages.runtime": ["libpq5"],
        "compilemessages": True,
        **COLLECTSTATIC,
        "static.whitenoise": True,
        "database": "from environment",
        "warnings": [],
    },
    "runtime_txt_old_patch": {
        **_startproject("locallibrary"),
        **PIP,
        # python-3.10.2 is an outdated patch: the image uses the 3.10 line (newest patch).
        "python.version": "3.10",
        "python.source": "runtime.txt:1",
        "django_version.resolved": "4.2.16",
        "server": "gunicorn",
        **NO_SYSTEM_PACKAGES,
        # 3.10 reached end of life in October 2026: said, naming the file that pins it.
        "warnings": [("runtime.txt", ["3.10", "end of life"])],
    },
    "python_version_conflict": {
        **_startproject("agenda"),
        "package_manager": "setuptools",
        "warnings": [("pyproject.toml", [">=3.12", ".python-version", "3.10"])],
    },
    "flask_not_django": {
        "django": False,
        "project_dir": None,
        "settings_module": None,
        "server": None,
        "reason~": ["manage.py", "flask"],
    },
    "two_projects": {
        "django": True,
        "project_dir": "backoffice",
        "settings_module": "backoffice.settings",
        "wsgi_application": "backoffice.wsgi:application",
        "other_projects": ["storefront"],
        **PIP,
        "warnings": [("backoffice/manage.py", ["backoffice", "storefront"])],
    },
    "broken_inputs": {
        # manage.py does not parse, but survey/settings.py is found on its own.
        "django": True,
        "project_dir": ".",
        "settings_module": "survey.settings",
        "wsgi_application": "survey.wsgi:application",
        **PIP,
        "install_file": "requirements.txt",
        "django_version.resolved": "5.2.7",
        "server": "gunicorn",
        "warnings": [
            ("manage.py", ["syntax error"]),
            ("pyproject.toml", ["not valid TOML"]),
            ("requirements-dev.txt", ["binary"]),
        ],
    },
}

# Warnings each fixture must have, with the line where the problem is.
WARNING_LINES = {
    "broken_inputs": {"manage.py": 6, "pyproject.toml": 6},
}


def _facts(name: str) -> dict[str, Any]:
    return detect_path(FIXTURES / name, today=TODAY).to_json()


def _get(data: dict[str, Any], dotted: str) -> Any:
    value: Any = data
    for part in dotted.split("."):
        if isinstance(value, list) and part.isdigit():  # "frontends.1.outputs"
            value = value[int(part)]
            continue
        assert isinstance(value, dict), f"{dotted}: {part} of a non-object"
        value = value[part]
    return value


def _check(name: str, facts: dict[str, Any], expected: dict[str, Any]) -> None:
    for key, want in expected.items():
        if key == "warnings":
            _check_warnings(facts["warnings"], want)
        elif key.endswith("~"):  # every word appears in the (lower-cased) text
            text = str(_get(facts, key[:-1])).lower()
            missing = [w for w in want if w.lower() not in text]
            assert not missing, f"{name}: {key[:-1]} {text!r} lacks {missing}"
        else:
            got = _get(facts, key)
            assert got == want, f"{name}: {key} is {got!r}, expected {want!r}"


def _check_warnings(got: list[dict[str, Any]], want: list[tuple[str, list[str]]]) -> None:
    if not want:
        assert got == [], f"unexpected warnings: {got}"
        return
    for file, words in want:
        hits = [w for w in got if w["file"] == file and all(x in w["message"] for x in words)]
        assert hits, f"no warning on {file} with {words}; warnings: {got}"


def test_every_fixture_has_a_row():
    on_disk = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert on_disk == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_detect_fixture(name: str):
    _check(name, _facts(name), CASES[name])


@pytest.mark.parametrize("name", sorted(WARNING_LINES))
def test_warnings_name_the_line(name: str):
    warnings = _facts(name)["warnings"]
    for file, line in WARNING_LINES[name].items():
        assert any(w["file"] == file and w["line"] == line for w in warnings), (file, warnings)


def test_every_warning_names_a_file():
    for name in sorted(CASES):
        for warning in _facts(name)["warnings"]:
            assert warning["file"], f"{name}: warning without a file: {warning}"


def test_not_django_exits_with_the_reason():
    """The CLI says why a Flask repository is not taken for Django, and fails."""
    result = subprocess.run(
        [sys.executable, "-m", "generator", "detect", str(FIXTURES / "flask_not_django")],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent.parent,
    )
    assert result.returncode != 0
    assert "Not a Django project" in result.stdout + result.stderr


def test_cli_json_is_the_facts_contract():
    """`detect --json` prints the same document the library returns."""
    result = subprocess.run(
        [sys.executable, "-m", "generator", "detect", str(FIXTURES / "uv_groups"), "--json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    assert json.loads(result.stdout) == _facts("uv_groups")
