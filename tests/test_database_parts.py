"""A default database assembled from separate environment variables (issue 10, classes 5 and 6).

The settings import without the variables (an `if` on them is the only place DATABASES["default"]
is set, or its entries are read with an empty default), so the build needs none of them and the
running container answers 500 on every page until it has them. The runtime contract names each
with the part of the connection it is (name, user, password, host, port) and where; a part the
settings cannot import without (`os.environ["DB_HOST"]`) keeps a build placeholder of its form.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import write_tree

from generator.core import generate
from generator.options import Options
from generator.plan.contract import run_command
from generator.summary import RunReport, job_summary

MANAGE = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_cfg.settings')\n"
HEAD = """\
import os
INSTALLED_APPS = ["django.contrib.staticfiles"]
STATIC_ROOT = "static"
SECRET_KEY = os.environ.get("SECRET_KEY", "dev")
"""
# The shape seen on a real project: the database exists only when three variables are set, built
# by a helper of the project's own (keyword arguments say which part each one is).
ONLY_IF_SET = """\
from site_cfg.dbconfig import PgConfig, parse_port

DATABASES = {}
PG_NAME = os.environ.get("PG_NAME", default=None)
PG_LOGIN = os.environ.get("PG_LOGIN", default=None)
PG_SERVER = os.environ.get("PG_SERVER", default=None)
PG_SECRET = os.environ.get("PG_SECRET", default=None)
PG_PORT = os.environ.get("PG_PORT", default=None)
PG_SSLMODE = os.environ.get("PG_SSLMODE", default="prefer")

if PG_NAME and PG_LOGIN and PG_SERVER:
    DATABASES["default"] = PgConfig(
        dbname=PG_NAME,
        host=PG_SERVER,
        port=parse_port(PG_PORT),
        role=PG_LOGIN,
        password=PG_SECRET,
        sslmode=PG_SSLMODE,
    ).to_django_dict()
    DATABASES["default"]["OPTIONS"] = {"application_name": "site"}
"""


def project(tmp_path: Path, settings: str, requirements: str = "") -> Path:
    return write_tree(
        tmp_path,
        {
            "manage.py": MANAGE,
            "site_cfg/__init__.py": "",
            "site_cfg/settings.py": HEAD + textwrap.dedent(settings),
            "site_cfg/dbconfig.py": "def parse_port(p):\n    return p\n",
            "site_cfg/wsgi.py": "from django.core.wsgi import get_wsgi_application\n"
            "application = get_wsgi_application()\n",
            "requirements.txt": "Django==5.2.1\ngunicorn==23.0.0\npsycopg[binary]==3.2.9\n"
            + requirements,
        },
    )


def collectstatic_line(text: str) -> str:
    return next(ln for ln in text.splitlines() if "collectstatic --noinput" in ln)


def test_a_database_set_only_under_an_if_names_each_part_for_the_container(
    tmp_path: Path,
) -> None:
    result = generate(project(tmp_path, ONLY_IF_SET), Options(offline=True))
    needs = {n.name: n for n in result.facts.settings.env_needs}
    assert {name: (n.kind, n.form) for name, n in needs.items()} == {
        "PG_NAME": ("db_runtime", "name"),
        "PG_LOGIN": ("db_runtime", "user"),
        "PG_SERVER": ("db_runtime", "host"),
        "PG_PORT": ("db_runtime", "port"),
        "PG_SECRET": ("db_runtime", "password"),
    }
    assert {(n.file, n.line) for n in needs.values()} == {("site_cfg/settings.py", 15)}
    text = result.files["Dockerfile"]
    # The settings import without them: the build's commands run as they would unset.
    assert "PG_" not in collectstatic_line(text)
    assert (
        "#   PG_SERVER (database host): handed to host= under `if PG_NAME and PG_LOGIN and "
        "PG_SERVER:`, the only place DATABASES['default'] is set (no else, nothing before): "
        "unset, there is no database and every page answers 500 (settings.DATABASES is "
        "improperly configured) [site_cfg/settings.py:15]"
    ) in text
    logged = [d.why for d in result.decisions if d.fact == "runtime env"]
    assert any(
        w.startswith("PG_LOGIN (database user) must be set when the container starts")
        and w.endswith("the build gives it nothing: its commands import the settings without it")
        for w in logged
    )
    assert run_command(result.facts, "site") == (
        "docker run --rm -p 8000:8000 -e PG_NAME=NAME -e PG_LOGIN=USER -e PG_SERVER=HOST "
        "-e PG_PORT=5432 -e PG_SECRET=change-me site"
    )
    summary = job_summary(RunReport(mode="generate", project=".", facts=result.facts))
    assert "| `PG_SECRET` | database password | handed to password= under" in summary


def test_the_cli_run_line_carries_the_parts(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "generator", "detect", "--offline", "--run-command",
         str(project(tmp_path, ONLY_IF_SET))],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "-e PG_SERVER=HOST" in out and "-e PG_SSLMODE" not in out


# Entries read straight from the environment: with no default the settings cannot import (the
# build needs a value of that part's form), with an empty one they import (the container's only).
DICT_ENTRIES = """\
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": os.environ["DB_HOST"],
        "NAME": os.environ.get("DB_NAME"),
        "USER": os.environ.get("DB_USER", ""),
        "PASSWORD": os.getenv("DB_PASSWORD", ""),
        "PORT": os.environ["DB_PORT"],
        "CONN_MAX_AGE": 60,
    }
}
"""


def test_dict_entries_read_from_the_environment_are_named_by_their_key(tmp_path: Path) -> None:
    result = generate(project(tmp_path, DICT_ENTRIES), Options(offline=True))
    needs = {n.name: n for n in result.facts.settings.env_needs}
    assert {name: (n.kind, n.form, n.line) for name, n in needs.items()} == {
        "DB_HOST": ("db_part", "host", 8),
        "DB_PORT": ("db_part", "port", 12),
        "DB_NAME": ("db_runtime", "name", 9),
        "DB_USER": ("db_runtime", "user", 10),
        "DB_PASSWORD": ("db_runtime", "password", 11),
    }
    assert needs["DB_HOST"].why == (
        "os.environ['DB_HOST'] has no default; it is the database host "
        "(DATABASES['default']['HOST'])"
    )
    line = collectstatic_line(result.files["Dockerfile"])
    assert "DB_HOST=localhost" in line and "DB_PORT=5432" in line
    assert "DB_NAME" not in line and "DB_USER" not in line and "DB_PASSWORD" not in line
    text = result.files["Dockerfile"]
    assert "#   DB_PASSWORD (database password): DATABASES['default']['PASSWORD']" in text
    assert "-e DB_USER=USER" in run_command(result.facts)


@pytest.mark.parametrize(
    ("head", "read", "requirement"),
    [
        ("import environ\nenv = environ.Env()\n", "env('DB_NAME')", "django-environ==0.12.0\n"),
        ("from decouple import config\n", "config('DB_NAME')", "python-decouple==3.8\n"),
    ],
)
def test_library_reads_with_no_default_are_parts_with_a_build_value(
    tmp_path: Path, head: str, read: str, requirement: str
) -> None:
    settings = head + (
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql',\n"
        f"    'NAME': {read}, 'HOST': 'db'}}}}\n"
    )
    result = generate(project(tmp_path, settings, requirement), Options(offline=True))
    [need] = result.facts.settings.env_needs
    assert (need.name, need.kind, need.form) == ("DB_NAME", "db_part", "name")
    assert "DB_NAME=build" in collectstatic_line(result.files["Dockerfile"])


@pytest.mark.parametrize(
    "settings",
    [
        # An else supplies SQLite: the image starts with no database server at all.
        ONLY_IF_SET.replace(
            '    DATABASES["default"]["OPTIONS"] = {"application_name": "site"}\n',
            '    DATABASES["default"]["OPTIONS"] = {"application_name": "site"}\n'
            "else:\n"
            '    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3",'
            ' "NAME": "db.sqlite3"}\n',
        ),
        # A default set before the `if`: the variables only switch to another server.
        ONLY_IF_SET.replace(
            "DATABASES = {}\n",
            'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db"}}\n',
        ),
        # A later assignment decides the database whatever the `if` did.
        ONLY_IF_SET
        + 'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db"}}\n',
        # Empty entries of a SQLite database: a file, nothing to reach.
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3',"
        " 'NAME': 'db.sqlite3', 'HOST': os.environ.get('DB_HOST', '')}}\n",
        # A test on DEBUG is not a database switch.
        "DATABASES = {}\nDEBUG = os.environ.get('DEBUG') == '1'\nif DEBUG:\n"
        "    DATABASES['default'] = {'ENGINE': 'django.db.backends.sqlite3', 'NAME': 'x'}\n",
    ],
)
def test_nothing_is_needed_when_a_database_is_there_unset(tmp_path: Path, settings: str) -> None:
    result = generate(project(tmp_path, settings), Options(offline=True))
    assert result.facts.settings.env_needs == ()
    assert "Runtime contract" not in result.files["Dockerfile"]


def test_a_url_switched_on_by_its_own_if_is_the_database_url(tmp_path: Path) -> None:
    settings = (
        "import dj_database_url\nDATABASES = {}\nURL = os.environ.get('DATABASE_URL')\n"
        "if URL:\n    DATABASES['default'] = dj_database_url.parse(URL)\n"
    )
    result = generate(
        project(tmp_path, settings, "dj-database-url==2.3.0\n"), Options(offline=True)
    )
    [need] = result.facts.settings.env_needs
    assert (need.name, need.kind, need.form) == ("DATABASE_URL", "db_runtime", "url")
    assert "-e DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/NAME" in run_command(result.facts)
    # The build's usual SQLite placeholder for DATABASE_URL would change what the settings do.
    assert "DATABASE_URL" not in collectstatic_line(result.files["Dockerfile"])


# A switch for SQLite, then PostgreSQL from separate variables, then a database URL that replaces
# both when it is set: a container started with nothing uses the PostgreSQL parts.
SWITCHED = """\
if os.getenv("USE_SQLITE", "False") == "True":
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                             "NAME": os.environ.get("DB_NAME", "/var/db/db.sqlite3")}}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("DB_NAME"),
            "USER": os.environ.get("DB_USER"),
            "HOST": os.environ.get("DB_HOST"),
        }
    }
if "DATABASE_URL" in os.environ:
    import dj_database_url
    DATABASES["default"] = dj_database_url.parse(os.environ["DATABASE_URL"])
"""


def test_parts_under_a_switch_and_a_url_override_are_named_with_the_other_ways(
    tmp_path: Path,
) -> None:
    """The else side's parts are what the container needs unset; the switches are named as the
    other ways to choose a database (before, the URL override hid every part: 500 at start)."""
    result = generate(project(tmp_path, SWITCHED), Options(offline=True))
    needs = {n.name: n for n in result.facts.settings.env_needs}
    assert {name: (n.kind, n.form) for name, n in needs.items()} == {
        "DB_NAME": ("db_runtime", "name"),
        "DB_USER": ("db_runtime", "user"),
        "DB_HOST": ("db_runtime", "host"),
    }
    assert needs["DB_NAME"].why.endswith(
        "(unless the database is chosen another way: DATABASE_URL, USE_SQLITE)"
    )
    assert needs["DB_HOST"].why.endswith(
        "(unless the database is chosen another way: DATABASE_URL)"
    )
    assert "DB_" not in collectstatic_line(result.files["Dockerfile"])
