"""The driver of the database the settings default to is installed when the project declares it
only outside its production set (a per-database requirements file, an extra)."""

from __future__ import annotations

import pytest

from generator.core import generate
from generator.detect import detect_path

MANAGE = (
    'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site1.settings")\n'
    "from django.core.management import execute_from_command_line\n"
)
BASE = """\
SECRET_KEY = "x"
INSTALLED_APPS = ["django.contrib.staticfiles"]
ROOT_URLCONF = "site1.urls"
WSGI_APPLICATION = "site1.wsgi.application"
STATIC_URL = "/static/"
STATIC_ROOT = "staticfiles"
"""


def project(settings: str, **files: str) -> dict[str, str]:
    return {
        "manage.py": MANAGE,
        "site1/__init__.py": "",
        "site1/settings.py": BASE + settings,
        "site1/urls.py": "urlpatterns = []\n",
        "site1/wsgi.py": "application = None\n",
        **files,
    }


ENVIRON = 'import environ\nenv = environ.Env()\nDATABASES = {"default": env.db(default="mysql://app@db/app")}\n'
DJ_URL = (
    "import dj_database_url\n"
    'DATABASES = {"default": dj_database_url.config(default="postgres://app@db/app")}\n'
)
LITERAL = 'DATABASES = {"default": {"ENGINE": "django.db.backends.mysql", "NAME": "app"}}\n'


@pytest.mark.parametrize(
    ("settings", "files", "driver", "file"),
    [
        (
            ENVIRON,
            {"requirements/mysql.txt": "mysqlclient==2.2.6\n"},
            "mysqlclient==2.2.6",
            "requirements/mysql.txt",
        ),
        (
            DJ_URL,
            {"requirements/postgres.txt": "psycopg[binary]==3.2.10\n"},
            "'psycopg[binary]==3.2.10'",
            "requirements/postgres.txt",
        ),
        (
            LITERAL,
            {
                "pyproject.toml": '[project]\nname = "site1"\nversion = "1"\n'
                'dependencies = ["Django>=5.2"]\n'
                '[project.optional-dependencies]\nmysql = ["mysqlclient>=2.2"]\n'
            },
            "'mysqlclient>=2.2'",
            "pyproject.toml",
        ),
    ],
)
def test_driver_declared_elsewhere_is_installed_with_its_libraries(
    make_tree, settings, files, driver, file
):
    base_reqs = "Django==5.2.7\ndjango-environ==0.12.0\ndj-database-url==2.3.0\n"
    root = make_tree(project(settings, **{"requirements.txt": base_reqs, **files}))
    generated = generate(root)
    dockerfile = generated.files["Dockerfile"]
    build, runtime = dockerfile.split("AS runtime", 1)
    assert f"pip install \\\n    {driver}" in build
    assert f"outside its production set ({file})" in build
    if "mysqlclient" in driver:
        assert "default-libmysqlclient-dev" in build and "libmariadb3" in runtime
    log = [d for d in generated.decisions if d.fact == "install" and d.file == file]
    assert log and "database engine the settings default to" in log[0].why
    evidence = [e for e in generated.facts.evidence if e.fact == "database driver"]
    assert evidence and evidence[0].file == file


def test_driver_in_production_set_adds_nothing(make_tree):
    root = make_tree(
        project(
            LITERAL,
            **{
                "requirements.txt": "Django==5.2.7\nmysqlclient==2.2.6\n",
                "requirements/mysql.txt": "mysqlclient==2.2.6\n",
            },
        )
    )
    facts = detect_path(root)
    assert facts.dependencies.added == ()
    assert "outside its production set" not in generate(root).files["Dockerfile"]


def test_no_driver_anywhere_is_a_warning_naming_the_settings(make_tree):
    root = make_tree(project(DJ_URL, **{"requirements.txt": "Django==5.2.7\ndj-database-url\n"}))
    facts = detect_path(root)
    warning = next(w for w in facts.warnings if "driver" in w.message)
    assert warning.file == "site1/settings.py"
    assert "postgresql" in warning.message and "psycopg" in warning.message


def test_sqlite_default_needs_no_driver(make_tree):
    settings = 'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db"}}\n'
    root = make_tree(project(settings, **{"requirements.txt": "Django==5.2.7\n"}))
    facts = detect_path(root)
    assert facts.dependencies.added == ()
    assert not [w for w in facts.warnings if "driver" in w.message]


def test_default_engine_of_a_read_inside_an_environment_condition(make_tree):
    settings = (
        "import os\nimport environ\nenv = environ.Env()\n"
        'DATABASES = {"default": env.db("DATABASE_URL", default="mysql:///app")}\n'
        'if os.environ.get("CI"):\n'
        '    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "ci"}}\n'
    )
    root = make_tree(
        project(
            settings,
            **{
                "requirements.txt": "Django==5.2.7\ndjango-environ==0.12.0\n",
                "requirements/mysql.txt": "mysqlclient==2.2.6\n",
            },
        )
    )
    facts = detect_path(root)
    assert facts.settings.database_default == "mysql"
    assert [r.name for r in facts.dependencies.added] == ["mysqlclient"]
