"""Settings that fall back to SQLite: the image starts with no database at all (issue 10, class 6).

The database file's directory (read statically from the settings: BASE_DIR joins, the Path `/`
operator, an environment default) is created in the image, owned by the app user, so
`manage.py migrate` can create the database there; a database committed to the repository is kept
out of the build context whatever its name.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write_tree

from generator.core import generate
from generator.options import Options

MANAGE = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n"
HEAD = """\
import os
import dj_database_url
from pathlib import Path
BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = Path(__file__).resolve().parent.parent
WSGI_APPLICATION = 'shop.wsgi.application'
INSTALLED_APPS = ['django.contrib.contenttypes']
"""
# The shape seen in a real project: a URL when set, else an engine and a path from variables
# with defaults, under data/ (which the repository keeps with only a .gitignore in it).
IF_ELSE = """\
if os.getenv("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.config()}
else:
    config = {
        "ENGINE": os.getenv("DB_ENGINE") or "django.db.backends.sqlite3",
        "NAME": os.getenv("DB_NAME") or os.path.join(BASE_DIR, "data/db.sqlite3"),
    }
    DATABASES = {"default": config}
"""


def project(tmp_path: Path, databases: str, **extra: str) -> Path:
    return write_tree(
        tmp_path,
        {
            "manage.py": MANAGE,
            "shop/__init__.py": "",
            "shop/settings.py": HEAD + databases,
            "shop/wsgi.py": "application = None\n",
            "requirements.txt": "Django==5.2.1\ngunicorn==23.0.0\ndj-database-url==2.3.0\n",
            **extra,
        },
    )


@pytest.mark.parametrize(
    ("databases", "directory"),
    [
        (IF_ELSE, "/app/data"),
        (
            "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3',"
            " 'NAME': ROOT / 'var' / 'db.sqlite3'}}\n",
            "/app/var",
        ),
        (
            "DATABASES = {'default': {'ENGINE': os.environ.get('DB_ENGINE',"
            " 'django.db.backends.sqlite3'), 'NAME': os.environ.get('DB_NAME',"
            " os.path.join(BASE_DIR, 'db', 'app.db'))}}\n",
            "/app/db",
        ),
        (
            "DATABASES = {'default': dj_database_url.config("
            "default='sqlite:////data/site.sqlite3')}\n",
            "/data",
        ),
        (
            "DATABASES = {'default': dj_database_url.config("
            "default='sqlite:///state/site.sqlite3')}\n",
            "/app/state",
        ),
        (
            "DATABASES = {'default': dj_database_url.config("
            "default=f\"sqlite:///{ROOT / 'var' / 'site.sqlite3'}\")}\n",
            "/app/var",
        ),
        (
            "DATABASES = {'default': dj_database_url.config("
            "default='sqlite:///' + os.path.join(BASE_DIR, 'db', 'site.sqlite3'))}\n",
            "/app/db",
        ),
    ],
)
def test_the_sqlite_directory_is_made_for_the_app_user(
    tmp_path: Path, databases: str, directory: str
) -> None:
    text = generate(project(tmp_path, databases), Options(offline=True)).files["Dockerfile"]
    assert f"install -d -o app -g app {directory}" in text
    # Only that directory: the source stays root-owned.
    assert "chmod 1775" not in text


def test_the_decision_log_says_where_the_database_goes(tmp_path: Path) -> None:
    result = generate(project(tmp_path, IF_ELSE), Options(offline=True))
    said = [d.why for d in result.decisions if d.fact == "writable"]
    assert any(
        "/app/data (the directory of the SQLite database data/db.sqlite3)" in m for m in said
    )
    assert result.facts.settings.sqlite and result.facts.settings.database == "from environment"


def test_a_committed_database_never_reaches_the_image(tmp_path: Path) -> None:
    repo = project(
        tmp_path,
        IF_ELSE.replace("data/db.sqlite3", "data/baby.db3"),
        **{"data/.gitignore": "*\n!.gitignore\n", "data/baby.db3": "SQLite format 3\0"},
    )
    ignore = generate(repo, Options(offline=True)).files[".dockerignore"].splitlines()
    # The file and its -journal/-wal/-shm companions, not the directory that holds it.
    assert {"data/baby.db3", "data/baby.db3-*"} <= set(ignore)
    assert not {"data", "data/", "data/*"} & set(ignore)


@pytest.mark.parametrize("name", ["app", "db"])
def test_a_database_name_without_a_suffix_never_drops_a_source_directory(
    tmp_path: Path, name: str
) -> None:
    databases = (
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3',"
        f" 'NAME': os.path.join(BASE_DIR, '{name}')}}}}\n"
    )
    ignore = generate(project(tmp_path, databases), Options(offline=True)).files[".dockerignore"]
    assert not [line for line in ignore.splitlines() if line.startswith(name)]


def test_a_database_url_with_no_sqlite_default_makes_no_directory(tmp_path: Path) -> None:
    databases = "DATABASES = {'default': dj_database_url.config(default='postgres://u@h/db')}\n"
    text = generate(project(tmp_path, databases), Options(offline=True)).files["Dockerfile"]
    assert "install -d -o app -g app /app/media" not in text
    assert "chmod 1775" not in text and "install -d" not in text


def test_an_fstring_sqlite_url_in_the_project_directory_lets_the_app_write_there(
    tmp_path: Path,
) -> None:
    # The form hosting guides give: dj_database_url.config(default=f"sqlite:///{BASE_DIR / ...}").
    databases = (
        "DATABASES = {'default': dj_database_url.config("
        "default=f\"sqlite:///{ROOT / 'db.sqlite3'}\")}\n"
    )
    text = generate(project(tmp_path, databases), Options(offline=True)).files["Dockerfile"]
    assert "chown root:app /app" in text and "chmod 1775 /app" in text
