"""Finding the Django project and reading its settings, on small layouts written here.

Each fixture reproduces one pattern seen in real repositories (named in the test), built in
tmp_path so the test shows the whole input next to what a user gets back.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.detect.django_project import (
    ProjectCandidate,
    choice_reason,
    find_projects,
    read_settings,
)
from generator.facts import Diagnostics, SettingsFacts
from generator.source import LocalTree

MANAGE = """\
#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{module}")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
"""

WSGI = """\
import os
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{module}")
application = get_wsgi_application()
"""

ASGI = """\
import os
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{module}")
application = get_asgi_application()
"""

STARTPROJECT_SETTINGS = """\
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "django-insecure-x"
DEBUG = True
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.staticfiles",
]
ROOT_URLCONF = "mysite.urls"
WSGI_APPLICATION = "mysite.wsgi.application"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
    }
}
STATIC_URL = "static/"
"""


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def detect(root: Path) -> tuple[list[ProjectCandidate], SettingsFacts | None, Diagnostics]:
    diags = Diagnostics()
    tree = LocalTree(root, diags)
    candidates = find_projects(tree, diags)
    facts = read_settings(tree, candidates[0], diags) if candidates else None
    return candidates, facts, diags


def startproject(root: Path, name: str = "mysite", where: str = ".") -> None:
    prefix = "" if where == "." else where + "/"
    write(
        root,
        {
            f"{prefix}manage.py": MANAGE.format(module=f"{name}.settings"),
            f"{prefix}{name}/__init__.py": "",
            f"{prefix}{name}/settings.py": STARTPROJECT_SETTINGS.replace("mysite", name),
            f"{prefix}{name}/wsgi.py": WSGI.format(module=f"{name}.settings"),
            f"{prefix}{name}/asgi.py": ASGI.format(module=f"{name}.settings"),
            f"{prefix}{name}/urls.py": "urlpatterns = []\n",
        },
    )


# ----------------------------------------------------------------------------- find_projects


def test_startproject_layout(tmp_path: Path) -> None:
    startproject(tmp_path)
    candidates, facts, diags = detect(tmp_path)
    assert len(candidates) == 1
    c = candidates[0]
    assert (c.project_dir, c.manage_py, c.settings_module) == (".", "manage.py", "mysite.settings")
    assert not c.settings_from_env
    assert facts is not None
    assert facts.settings_module == "mysite.settings"
    assert facts.wsgi_application == "mysite.wsgi:application"
    # asgi.py exists in every startproject; it is reported, nothing more.
    assert facts.asgi_application == "mysite.asgi:application"
    assert facts.installed_apps[:2] == ("django.contrib.admin", "django.contrib.auth")
    assert facts.database == "sqlite3" and facts.sqlite
    assert facts.static_url == "static/"
    assert facts.static_root is None
    assert facts.production_settings_module is None
    assert facts.settings_files == ("mysite/settings.py",)
    assert not facts.channels_consumers and facts.celery_app is None
    assert diags.items == []
    assert any(e.fact == "wsgi_application" and e.line == 12 for e in facts.evidence)


@pytest.mark.parametrize("where", ["src", "backend"])
def test_manage_py_in_a_subdirectory(tmp_path: Path, where: str) -> None:
    startproject(tmp_path, "core", where)
    write(tmp_path, {"requirements.txt": "django\n"})
    candidates, facts, _ = detect(tmp_path)
    assert [c.project_dir for c in candidates] == [where]
    assert candidates[0].manage_py == f"{where}/manage.py"
    assert facts is not None and facts.wsgi_application == "core.wsgi:application"
    assert facts.settings_files == (f"{where}/core/settings.py",)


def test_cookiecutter_settings_package_with_production(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "manage.py": MANAGE.format(module="config.settings.local"),
            "config/__init__.py": "",
            "config/wsgi.py": WSGI.format(module="config.settings.production"),
            "config/settings/__init__.py": "",
            "config/settings/base.py": """\
                from pathlib import Path
                import environ

                BASE_DIR = Path(__file__).resolve(strict=True).parent.parent.parent
                APPS_DIR = BASE_DIR / "myapp"
                env = environ.Env()
                DEBUG = env.bool("DJANGO_DEBUG", False)
                DATABASES = {"default": env.db("DATABASE_URL")}
                DJANGO_APPS = ["django.contrib.auth", "django.contrib.staticfiles"]
                THIRD_PARTY_APPS = ["crispy_forms", "allauth"]
                LOCAL_APPS = ["myapp.users"]
                INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS
                STATIC_ROOT = str(BASE_DIR / "staticfiles")
                STATIC_URL = "/static/"
                MEDIA_ROOT = str(APPS_DIR / "media")
                WSGI_APPLICATION = "config.wsgi.application"
                """,
            "config/settings/local.py": """\
                from .base import *  # noqa
                from .base import env

                SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev")
                INSTALLED_APPS += ["debug_toolbar"]
                """,
            "config/settings/production.py": """\
                from .base import *  # noqa
                from .base import env

                SECRET_KEY = env("DJANGO_SECRET_KEY")
                ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["example.com"])
                INSTALLED_APPS += ["storages"]
                STORAGES = {
                    "default": {"BACKEND": "storages.backends.s3.S3Storage"},
                    "staticfiles": {"BACKEND": "storages.backends.s3.S3Storage"},
                }
                """,
        },
    )
    candidates, facts, diags = detect(tmp_path)
    assert candidates[0].settings_module == "config.settings.local"
    assert facts is not None
    assert facts.production_settings_module == "config.settings.production"
    assert facts.wsgi_application == "config.wsgi:application"
    # Facts come from production first (what the image runs): S3 storage, storages app.
    assert facts.storage == "storages.backends.s3.S3Storage"
    assert "storages" in facts.installed_apps
    assert "crispy_forms" in facts.installed_apps and "myapp.users" in facts.installed_apps
    assert facts.static_root == "staticfiles"
    assert facts.media_root == "myapp/media"
    assert facts.database == "from environment"
    assert not facts.sqlite
    for name in ("DJANGO_DEBUG", "DATABASE_URL", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"):
        assert name in facts.env_vars
    assert set(facts.settings_files) == {
        "config/settings/production.py",
        "config/settings/base.py",
        "config/settings/local.py",
    }
    assert diags.items == []


def test_hacksoftware_config_django_layout(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "manage.py": MANAGE.format(module="config.django.base"),
            "config/__init__.py": "",
            "config/wsgi.py": WSGI.format(module="config.django.base"),
            "config/asgi.py": ASGI.format(module="config.django.base"),
            "config/env.py": "import environ\nenv = environ.Env()\nBASE_DIR = environ.Path(__file__) - 2\n",
            "config/django/__init__.py": "",
            "config/django/base.py": """\
                import os
                from config.env import BASE_DIR, env

                INSTALLED_APPS = ["django.contrib.staticfiles", "styleguide_example.api"]
                STATIC_ROOT = os.path.join(BASE_DIR, "staticfiles")
                DATABASES = {"default": env.db("DATABASE_URL", default="postgres:///styleguide")}
                from config.settings.celery import *  # noqa
                """,
            "config/django/production.py": """\
                from .base import *  # noqa
                """,
            "config/settings/__init__.py": "",
            "config/settings/celery.py": """\
                from config.env import env
                CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="amqp://guest:guest@localhost//")
                """,
            "styleguide_example/__init__.py": "",
            "styleguide_example/tasks/__init__.py": "from .celery import app\n",
            "styleguide_example/tasks/celery.py": """\
                import os
                from celery import Celery

                os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.base")
                app = Celery("styleguide_example")
                """,
        },
    )
    _, facts, _ = detect(tmp_path)
    assert facts is not None
    assert facts.settings_module == "config.django.base"
    assert facts.production_settings_module == "config.django.production"
    assert facts.static_root == "staticfiles"
    assert facts.database == "from environment" and not facts.sqlite
    assert facts.celery_app == "styleguide_example.tasks.celery"
    assert "CELERY_BROKER_URL" in facts.env_vars
    assert facts.wsgi_application == "config.wsgi:application"


def test_symlinked_manage_py_with_top_level_settings(tmp_path: Path) -> None:
    # tabbycat: manage.py at the root is a symlink to tabbycat/manage.py; modules are top-level
    # inside tabbycat/, settings is a django-split-settings package choosing files by env.
    write(
        tmp_path,
        {
            "tabbycat/manage.py": MANAGE.format(module="settings"),
            "tabbycat/wsgi.py": WSGI.format(module="settings"),
            "tabbycat/asgi.py": """\
                import os
                from channels.routing import ProtocolTypeRouter, URLRouter
                from django.core.asgi import get_asgi_application

                os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
                django_asgi_app = get_asgi_application()
                from routing import websocket_urlpatterns

                application = ProtocolTypeRouter({
                    "http": django_asgi_app,
                    "websocket": URLRouter(websocket_urlpatterns),
                })
                """,
            "tabbycat/settings/__init__.py": """\
                from os import environ
                from split_settings.tools import include, optional

                base_settings = ["core.py", "channels.py"]
                if environ.get("IN_DOCKER", ""):
                    base_settings.append("docker.py")
                elif environ.get("ON_HEROKU", ""):
                    base_settings.append("heroku.py")
                else:
                    base_settings.append(optional("local.py"))
                include(*base_settings)
                """,
            "tabbycat/settings/core.py": """\
                import os
                BASE_DIR = os.path.dirname(os.path.abspath(os.path.join(__file__, os.pardir)))
                INSTALLED_APPS = ("daphne", "channels", "django.contrib.staticfiles")
                STATIC_ROOT = os.path.join(BASE_DIR, "staticfiles")
                WSGI_APPLICATION = "wsgi.application"
                ASGI_APPLICATION = "asgi.application"
                LOCALE_PATHS = [os.path.join(BASE_DIR, "locale")]
                SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
                ALLOWED_HOSTS = ["*"]
                """,
            "tabbycat/settings/channels.py": "CHANNEL_LAYERS = {}\n",
            "tabbycat/settings/heroku.py": """\
                import os
                import dj_database_url
                DATABASES = {"default": dj_database_url.config(default="postgres://localhost")}
                """,
            "tabbycat/settings/docker.py": "DEBUG = False\n",
            "tabbycat/locale/fr/LC_MESSAGES/django.po": 'msgid ""\n',
            "tabbycat/results/locale/es/LC_MESSAGES/django.po": 'msgid ""\n',
            "tabbycat/notifications/consumers.py": """\
                from channels.generic.websocket import AsyncJsonWebsocketConsumer

                class NotificationConsumer(AsyncJsonWebsocketConsumer):
                    pass
                """,
        },
    )
    os.symlink("tabbycat/manage.py", tmp_path / "manage.py")
    candidates, facts, diags = detect(tmp_path)
    assert len(candidates) == 1
    c = candidates[0]
    assert (c.project_dir, c.manage_py, c.settings_module) == (
        "tabbycat",
        "tabbycat/manage.py",
        "settings",
    )
    assert "symlink manage.py" in c.evidence[0].why
    assert facts is not None
    assert facts.wsgi_application == "wsgi:application"
    assert facts.asgi_application == "asgi:application"
    assert facts.static_root == "staticfiles"
    assert facts.installed_apps == ("daphne", "channels", "django.contrib.staticfiles")
    assert "tabbycat/settings/heroku.py" in facts.settings_files
    assert facts.database == "from environment" and not facts.sqlite
    assert facts.channels_consumers
    assert facts.locale_dirs == ("tabbycat/locale", "tabbycat/results/locale")
    assert "IN_DOCKER" in facts.env_vars and "DATABASE_URL" in facts.env_vars
    assert diags.items == []


def test_python_discord_dict_of_defaults_looped_over(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "manage.py": """\
                import os
                import sys
                import django
                from django.core.management import execute_from_command_line

                DEFAULT_ENVS = {
                    "DJANGO_SETTINGS_MODULE": "pydis_site.settings",
                    "SUPER_USERNAME": "admin",
                }
                for key, value in DEFAULT_ENVS.items():
                    os.environ.setdefault(key, value)

                if __name__ == "__main__":
                    execute_from_command_line(sys.argv)
                """,
            "pydis_site/__init__.py": "",
            "pydis_site/settings.py": """\
                import environ
                env = environ.Env(DEBUG=(bool, False))
                SECRET_KEY = env("SECRET_KEY")
                DATABASES = {
                    "default": env.db(),
                    "metricity": env.db("METRICITY_DB_URL"),
                }
                WSGI_APPLICATION = "pydis_site.wsgi.application"
                """,
            "pydis_site/wsgi.py": WSGI.format(module="pydis_site.settings"),
        },
    )
    candidates, facts, _ = detect(tmp_path)
    assert candidates[0].settings_module == "pydis_site.settings"
    assert candidates[0].evidence[1].line == 7
    assert facts is not None and facts.database == "from environment"
    assert set(facts.env_vars) >= {"SECRET_KEY", "DATABASE_URL", "METRICITY_DB_URL"}


@pytest.mark.parametrize(
    "body",
    [
        'os.environ["DJANGO_SETTINGS_MODULE"] = "app.settings"',
        'from os import environ\nenviron.setdefault("DJANGO_SETTINGS_MODULE", "app.settings")',
        'SETTINGS = "app.settings"\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)',
        'os.environ.update({"DJANGO_SETTINGS_MODULE": "app.settings"})',
        'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "app.settings_test" if "test" in sys.argv'
        ' else "app.settings")',
        'if "test" in sys.argv:\n'
        '    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "app.settings_test")\n'
        "else:\n"
        '    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "app.settings")',
    ],
)
def test_every_way_manage_py_sets_the_default(tmp_path: Path, body: str) -> None:
    manage = f"import os\nimport sys\n{body}\nfrom django.core.management import x\n"
    write(tmp_path, {"manage.py": manage, "app/__init__.py": "", "app/settings.py": "X = 1\n"})
    candidates, _, _ = detect(tmp_path)
    assert candidates[0].settings_module == "app.settings"


def test_conditional_default_prefers_production_and_records_the_other(tmp_path: Path) -> None:
    manage = """\
        import os
        from django.core.management import execute_from_command_line
        if os.environ.get("ENV") == "production":
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "app.settings.production")
        else:
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "app.settings.dev")
        """
    write(tmp_path, {"manage.py": manage})
    c = find_projects(LocalTree(tmp_path), Diagnostics())[0]
    assert c.settings_module == "app.settings.production"
    alt = [e for e in c.evidence if e.fact == "settings_module_alternative"]
    assert alt and "app.settings.dev" in alt[0].why and alt[0].line == 6


def test_babybuddy_no_default_reports_settings_package_found(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "manage.py": """\
                import os
                import sys
                from dotenv import load_dotenv, find_dotenv

                if __name__ == "__main__":
                    load_dotenv(find_dotenv())
                    from django.core.management import execute_from_command_line
                    execute_from_command_line(sys.argv)
                """,
            "babybuddy/__init__.py": "",
            "babybuddy/wsgi.py": """\
                from django.core.wsgi import get_wsgi_application
                application = get_wsgi_application()
                """,
            "babybuddy/settings/__init__.py": "",
            "babybuddy/settings/base.py": """\
                import os
                INSTALLED_APPS = ["babybuddy", "whitenoise.runserver_nostatic"]
                STORAGES = {"staticfiles": {
                    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
                STATIC_ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
                    os.path.abspath(__file__)))), "static")
                WSGI_APPLICATION = "babybuddy.wsgi.application"
                """,
        },
    )
    candidates, facts, _ = detect(tmp_path)
    c = candidates[0]
    assert c.settings_from_env and c.settings_module is None
    assert c.settings_guess == "babybuddy.settings.base"
    assert facts is not None
    assert facts.settings_module is None and facts.settings_from_env
    assert facts.wsgi_application == "babybuddy.wsgi:application"
    assert facts.storage == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert facts.static_root == "static"


def test_two_projects_both_reported_best_first(tmp_path: Path) -> None:
    startproject(tmp_path, "shop", "src")
    startproject(tmp_path, "demo_site", "examples/demo")
    startproject(tmp_path, "tests_project", "tests")
    candidates, facts, _ = detect(tmp_path)
    assert [c.project_dir for c in candidates] == ["src", "tests", "examples/demo"]
    assert facts is not None and facts.wsgi_application == "shop.wsgi:application"
    reason = choice_reason(candidates)
    assert reason.startswith("chose src/manage.py over tests/manage.py, examples/demo/manage.py")
    assert "example/test folders" in reason


def test_flask_script_manage_py_is_not_a_django_project(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "manage.py": "from flask_script import Manager\nfrom app import app\nManager(app).run()\n"
        },
    )
    assert detect(tmp_path)[0] == []


def test_project_without_manage_py_found_from_wsgi(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/proj/__init__.py": "",
            "app/proj/settings.py": "INSTALLED_APPS = ['django.contrib.auth']\n",
            "app/proj/wsgi.py": WSGI.format(module="proj.settings"),
        },
    )
    startproject(tmp_path, "other", "elsewhere/deeper")
    candidates, _, _ = detect(tmp_path)
    # A manage.py project outranks one found only through wsgi.py, even when deeper.
    assert [(c.project_dir, c.manage_py) for c in candidates] == [
        ("elsewhere/deeper", "elsewhere/deeper/manage.py"),
        ("app", None),
    ]
    assert candidates[1].settings_module == "proj.settings"


def test_manage_py_syntax_error_warns_and_keeps_nearby_settings(tmp_path: Path) -> None:
    startproject(tmp_path)
    write(tmp_path, {"manage.py": "import os\n\ndef main(:\n    pass\n"})
    candidates, facts, diags = detect(tmp_path)
    assert candidates[0].manage_py == "manage.py"
    assert candidates[0].settings_module == "mysite.settings"
    assert [str(d) for d in diags.items] == [
        "manage.py:3: has a Python syntax error (invalid syntax); not read"
    ]
    assert facts is not None and facts.wsgi_application == "mysite.wsgi:application"


def test_settings_module_that_does_not_exist_is_a_warning(tmp_path: Path) -> None:
    write(tmp_path, {"manage.py": MANAGE.format(module="missing.settings")})
    _, facts, diags = detect(tmp_path)
    assert facts is not None and facts.installed_apps == ()
    assert any("'missing.settings' was not found" in str(d) for d in diags.items)


# ----------------------------------------------------------------------------- read_settings


def test_channels_consumers_and_asgi_application(tmp_path: Path) -> None:
    startproject(tmp_path, "chat")
    write(
        tmp_path,
        {
            "chat/settings.py": STARTPROJECT_SETTINGS.replace("mysite", "chat")
            + 'INSTALLED_APPS += ["channels"]\nASGI_APPLICATION = "chat.asgi.application"\n',
            "rooms/__init__.py": "",
            "rooms/consumers.py": """\
                from channels.generic.websocket import WebsocketConsumer

                class RoomConsumer(WebsocketConsumer):
                    def connect(self):
                        self.accept()
                """,
        },
    )
    _, facts, _ = detect(tmp_path)
    assert facts is not None
    assert facts.channels_consumers
    assert facts.asgi_application == "chat.asgi:application"
    assert "channels" in facts.installed_apps
    ev = [e for e in facts.evidence if e.fact == "channels_consumers"]
    assert ev[0].file == "rooms/consumers.py" and ev[0].line == 3


def test_plain_asgi_file_is_not_channels(tmp_path: Path) -> None:
    startproject(tmp_path)
    _, facts, _ = detect(tmp_path)
    assert facts is not None and not facts.channels_consumers


@pytest.mark.parametrize(
    ("expr", "database", "sqlite"),
    [
        ('dj_database_url.config(default="sqlite:///db.sqlite3")', "from environment", True),
        ('dj_database_url.config(conn_max_age=600, default="postgres://u@h/db")', "from environment", False),
        ("dj_database_url.parse(os.environ['DATABASE_URL'])", "from environment", False),
        ('dj_database_url.parse("postgis://u@h/db")', "postgis", False),
        ('{"ENGINE": "django.contrib.gis.db.backends.postgis"}', "postgis", False),
        ('{"ENGINE": "django.db.backends.postgresql_psycopg2"}', "postgresql", False),
        ('{"ENGINE": "django.db.backends.mysql"}', "mysql", False),
        # With nothing set the container uses SQLite: the image must be ready for it.
        ('{"ENGINE": os.environ.get("DB_ENGINE", "django.db.backends.sqlite3")}', "from environment", True),
        ('{"ENGINE": os.getenv("DB_ENGINE") or "django.db.backends.postgresql"}', "from environment", False),
    ],
)  # fmt: skip
def test_database_engine(tmp_path: Path, expr: str, database: str, sqlite: bool) -> None:
    startproject(tmp_path)
    settings = f"import os\nimport dj_database_url\nDATABASES = {{'default': {expr}}}\n"
    write(tmp_path, {"mysite/settings.py": settings})
    _, facts, _ = detect(tmp_path)
    assert facts is not None
    assert (facts.database, facts.sqlite) == (database, sqlite)


@pytest.mark.parametrize(
    ("settings", "storage"),
    [
        (
            'STORAGES = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},'
            ' "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}',
            "whitenoise.storage.CompressedManifestStaticFilesStorage",
        ),
        (
            'STORAGES = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.'
            'StaticFilesStorage"}}\nSTORAGES["staticfiles"]["BACKEND"] = '
            '"storages.backends.s3boto3.S3StaticStorage"',
            "storages.backends.s3boto3.S3StaticStorage",
        ),
        (
            'STATICFILES_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"',
            "whitenoise.storage.CompressedManifestStaticFilesStorage",
        ),
        ('STATICFILES_STORAGE = env("STATIC_STORAGE")', "from environment"),
    ],
)
def test_static_storage_backend(tmp_path: Path, settings: str, storage: str) -> None:
    startproject(tmp_path)
    write(tmp_path, {"mysite/settings.py": "from environ import Env\nenv = Env()\n" + settings})
    _, facts, _ = detect(tmp_path)
    assert facts is not None and facts.storage == storage


@pytest.mark.parametrize(
    ("settings", "static_root"),
    [
        ('STATIC_ROOT = BASE_DIR / "staticfiles"', "staticfiles"),
        ('STATIC_ROOT = os.path.join(BASE_DIR, "static")', "static"),
        ('STATIC_ROOT = os.environ.get("STATIC_ROOT", "/srv/static")', "from environment"),
        ('STATIC_ROOT = "/var/www/static"', "/var/www/static"),
        ('STATIC_ROOT = BASE_DIR.parent / "public" / "static"', "../public/static"),
        ('STATIC_ROOT = f"{BASE_DIR}/collected"', "collected"),
        ('STATIC_ROOT = str(somewhere() / "assets")', "assets"),
    ],
)
def test_static_root_forms(tmp_path: Path, settings: str, static_root: str) -> None:
    startproject(tmp_path)
    head = (
        "import os\nfrom pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\n"
    )
    write(tmp_path, {"mysite/settings.py": head + settings + "\n"})
    _, facts, _ = detect(tmp_path)
    assert facts is not None and facts.static_root == static_root


def test_installed_apps_append_insert_and_tuples(tmp_path: Path) -> None:
    startproject(tmp_path)
    settings = """\
        DJANGO_APPS = ("django.contrib.auth",)
        INSTALLED_APPS = DJANGO_APPS + ("compressor",)
        INSTALLED_APPS = list(INSTALLED_APPS)
        INSTALLED_APPS.append("django.contrib.gis")
        INSTALLED_APPS.insert(0, "daphne")
        INSTALLED_APPS += [get_extra_app()]
        INSTALLED_APPS.extend(["storages"])
        """
    write(tmp_path, {"mysite/settings.py": settings})
    _, facts, _ = detect(tmp_path)
    assert facts is not None
    assert facts.installed_apps == (
        "daphne",
        "django.contrib.auth",
        "compressor",
        "django.contrib.gis",
        "storages",
    )


def test_production_module_chosen_by_env_in_package_init(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "manage.py": MANAGE.format(module="site_app.settings"),
            "site_app/__init__.py": "",
            "site_app/settings/__init__.py": """\
                import os
                if os.environ.get("ENVIRONMENT") == "production":
                    from .server import *
                else:
                    from .workstation import *
                """,
            "site_app/settings/server.py": "DEBUG = False\n",
            "site_app/settings/workstation.py": "DEBUG = True\n",
        },
    )
    _, facts, _ = detect(tmp_path)
    assert facts is not None
    assert facts.production_settings_module == "site_app.settings.server"


@pytest.mark.parametrize("name", ["settings_prod", "settings_production", "prod_settings"])
def test_production_sibling_of_plain_settings_file(tmp_path: Path, name: str) -> None:
    startproject(tmp_path)
    write(tmp_path, {f"mysite/{name}.py": "from .settings import *\nDEBUG = False\n"})
    _, facts, _ = detect(tmp_path)
    assert facts is not None and facts.production_settings_module == f"mysite.{name}"


def test_wsgi_application_found_from_wsgi_py_with_other_variable(tmp_path: Path) -> None:
    startproject(tmp_path)
    write(
        tmp_path,
        {
            "mysite/settings.py": "INSTALLED_APPS = []\n",
            "mysite/wsgi.py": """\
                from django.core.wsgi import get_wsgi_application
                from whitenoise import WhiteNoise
                app = WhiteNoise(get_wsgi_application())
                """,
        },
    )
    _, facts, _ = detect(tmp_path)
    assert facts is not None and facts.wsgi_application == "mysite.wsgi:app"


@pytest.mark.parametrize(
    "encode", [lambda s: s.encode("utf-16"), lambda s: s.encode("latin-1")], ids=["utf16", "latin1"]
)
def test_settings_in_utf16_or_latin1(tmp_path: Path, encode) -> None:
    startproject(tmp_path)
    text = (
        "# Réglages — café\nINSTALLED_APPS = ['café_app', 'whitenoise']\nSTATIC_ROOT = 'static'\n"
        "SECRET_KEY = 'x'\nALLOWED_HOSTS = ['*']\n"
    )
    text = text.replace("—", "-")  # latin-1 cannot encode an em dash
    write(tmp_path, {"mysite/settings.py": encode(text)})
    _, facts, diags = detect(tmp_path)
    assert facts is not None
    assert facts.installed_apps == ("café_app", "whitenoise")
    assert facts.static_root == "static"
    assert diags.items == []


def test_deep_star_import_cycle_is_read_once_with_a_warning(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "manage.py": MANAGE.format(module="proj.settings.s0"),
        "proj/__init__.py": "",
        "proj/settings/__init__.py": "",
    }
    for i in range(8):
        files[f"proj/settings/s{i}.py"] = (
            f"from .s{(i + 1) % 8} import *\nINSTALLED_APPS = ['app{i}']\n"
        )
    write(tmp_path, files)
    _, facts, diags = detect(tmp_path)
    assert facts is not None
    assert facts.installed_apps == ("app0",)  # s0's own assignment runs last
    assert len(facts.settings_files) == 8
    assert any("star-imports itself" in d.message for d in diags.items)


def test_env_vars_from_every_reader(tmp_path: Path) -> None:
    startproject(tmp_path)
    settings = """\
        import os
        from decouple import config
        from os import getenv
        A = os.environ["VAR_A"]
        B = os.environ.get("VAR_B", "x")
        C = os.getenv("VAR_C")
        D = config("VAR_D", default="d")
        E = getenv("VAR_E")
        """
    write(tmp_path, {"mysite/settings.py": settings})
    _, facts, _ = detect(tmp_path)
    assert facts is not None
    assert facts.env_vars == ("VAR_A", "VAR_B", "VAR_C", "VAR_D", "VAR_E")


def test_branches_chosen_by_environment_or_debug(tmp_path: Path) -> None:
    # bakerydemo: DATABASE_URL when set, else sqlite; S3 only when a bucket is configured;
    # a DEBUG branch is the development one.
    startproject(tmp_path)
    settings = """\
        import os
        import dj_database_url
        INSTALLED_APPS = ["django.contrib.staticfiles"]
        STORAGES = {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
        }
        if "DATABASE_URL" in os.environ:
            DATABASES = {"default": dj_database_url.config(conn_max_age=500)}
        else:
            DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db"}}
        if os.getenv("AWS_STORAGE_BUCKET_NAME"):
            INSTALLED_APPS.append("storages")
            STORAGES["default"]["BACKEND"] = "storages.backends.s3boto3.S3Boto3Storage"
        DEBUG = os.environ.get("DEBUG") == "1"
        if DEBUG:
            STATIC_ROOT = "dev-static"
        else:
            STATIC_ROOT = "/srv/static"
        """
    write(tmp_path, {"mysite/settings.py": settings})
    _, facts, _ = detect(tmp_path)
    assert facts is not None
    assert (facts.database, facts.sqlite) == ("from environment", True)
    assert facts.storage == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert facts.installed_apps == ("django.contrib.staticfiles", "storages")
    assert facts.static_root == "/srv/static"
    assert facts.env_vars == ("DATABASE_URL", "AWS_STORAGE_BUCKET_NAME", "DEBUG")


# ----------------------------------------------------------------------------- robustness


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    manage=st.text(max_size=400)
    | st.sampled_from(
        ["import django\n" + "x = " + "[" * 500, "import django\n" + "1+" * 5000 + "1"]
    ),
    settings_text=st.text(max_size=400)
    | st.sampled_from(["INSTALLED_APPS = " + "1 + " * 3000 + "1", "from . import *\n" * 3]),
)
def test_random_text_never_raises(tmp_path: Path, manage: str, settings_text: str) -> None:
    root = tmp_path / "fuzz"
    startproject(root)
    (root / "manage.py").write_text(
        "import django\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n"
        + manage,
        encoding="utf-8",
        errors="surrogatepass",
    )
    (root / "mysite/settings.py").write_text(
        settings_text, encoding="utf-8", errors="surrogatepass"
    )
    candidates, facts, _ = detect(root)
    assert candidates and facts is not None


def test_production_settings_without_secret_key_or_allowed_hosts_are_warned(tmp_path: Path) -> None:
    # wagtail start: production.py star-imports base and an optional local.py that is not in
    # the repository, so neither SECRET_KEY nor ALLOWED_HOSTS reaches the image.
    startproject(tmp_path)
    write(
        tmp_path,
        {
            "mysite/settings_production.py": (
                "from .settings import *\nDEBUG = False\n"
                "try:\n    from .local import *\nexcept ImportError:\n    pass\n"
            ),
            "mysite/settings.py": "INSTALLED_APPS = ['django.contrib.staticfiles']\nDEBUG = True\n",
        },
    )
    _, facts, diags = detect(tmp_path)
    assert facts is not None and facts.production_settings_module == "mysite.settings_production"
    messages = [(d.file, d.message) for d in diags.items]
    assert any(f == "mysite/settings_production.py" and "SECRET_KEY" in m for f, m in messages)
    assert any("ALLOWED_HOSTS" in m and "400" in m for _, m in messages)


def test_asgi_application_in_a_package(tmp_path: Path) -> None:
    # saleor: the ASGI stack lives in saleor/asgi/__init__.py, wrapped by middleware.
    startproject(tmp_path)
    (tmp_path / "mysite" / "asgi.py").unlink()
    write(
        tmp_path,
        {
            "mysite/asgi/__init__.py": (
                "from django.core.asgi import get_asgi_application\n"
                "application = get_asgi_application()\n"
                "application = wrap(application)\n"
            ),
        },
    )
    _, facts, _ = detect(tmp_path)
    assert facts is not None and facts.asgi_application == "mysite.asgi:application"


# ----------------------------------------------------------------------------- which WSGI module


def test_wsgi_of_a_sibling_celery_package_is_not_served_nor_taken_for_production(
    tmp_path: Path,
) -> None:
    # Issue 10, class 10: a Celery app package with its own wsgi.py (defaulting to its own
    # settings) sat next to the site; the image served it instead of the site's.
    startproject(tmp_path, name="shop")
    write(
        tmp_path,
        {
            "shop/settings.py": STARTPROJECT_SETTINGS.replace("mysite", "shop").replace(
                'WSGI_APPLICATION = "shop.wsgi.application"\n', ""
            ),
            "aaa_tasks/__init__.py": "",
            "aaa_tasks/celery.py": "from celery import Celery\napp = Celery('tasks')\n",
            "aaa_tasks/settings.py": "from shop.settings import *\n",
            "aaa_tasks/wsgi.py": WSGI.format(module="aaa_tasks.settings"),
        },
    )
    _, facts, _ = detect(tmp_path)
    assert facts is not None
    assert facts.production_settings_module is None
    assert facts.wsgi_application == "shop.wsgi:application"
    why = next(e.why for e in facts.evidence if e.fact == "wsgi_application")
    assert "beside the settings" in why and "aaa_tasks/wsgi.py" in why


def test_wsgi_application_setting_decides_over_the_file_beside_the_settings(
    tmp_path: Path,
) -> None:
    startproject(tmp_path)
    write(
        tmp_path,
        {
            "mysite/settings.py": STARTPROJECT_SETTINGS.replace(
                "mysite.wsgi.application", "frontdoor.wsgi.application"
            ),
            "frontdoor/__init__.py": "",
            "frontdoor/wsgi.py": WSGI.format(module="mysite.settings"),
        },
    )
    _, facts, _ = detect(tmp_path)
    assert facts is not None and facts.wsgi_application == "frontdoor.wsgi:application"
    why = next(e.why for e in facts.evidence if e.fact == "wsgi_application")
    assert "WSGI_APPLICATION" in why


def test_without_known_settings_the_celery_package_is_served_last(
    tmp_path: Path,
) -> None:
    # manage.py names no settings module and none is found: of two packages with a wsgi.py,
    # the Celery one is served last, whatever the names' order.
    write(
        tmp_path,
        {
            "manage.py": "import django\nfrom django.core.management import execute_from_command_line\n",
            "requirements.txt": "Django\n",
            "app_worker/__init__.py": "",
            "app_worker/celery.py": "from celery import Celery\napp = Celery('w')\n",
            "app_worker/wsgi.py": WSGI.format(module="site_pkg.conf"),
            "site_pkg/__init__.py": "",
            "site_pkg/conf.py": "INSTALLED_APPS = []\n",
            "site_pkg/wsgi.py": WSGI.format(module="site_pkg.conf"),
        },
    )
    _, facts, _ = detect(tmp_path)
    assert facts is not None and facts.wsgi_application == "site_pkg.wsgi:application"


@pytest.mark.parametrize(
    "module", ["{{ project_name }}.settings.dev", "{{ cookiecutter.project_slug }}.settings"]
)
def test_a_project_template_is_named_as_one(tmp_path: Path, module: str) -> None:
    """A `startproject --template` / cookiecutter template is not a project to containerise:
    the user is told to render it first, with the file and line, instead of a confusing error."""
    from generator.detect import detect as detect_project

    startproject(tmp_path, name="project_name")
    write(tmp_path, {"manage.py": MANAGE.format(module=module), "requirements.txt": "Django\n"})
    facts = detect_project(LocalTree(tmp_path, Diagnostics()))
    assert not facts.django
    assert facts.reason.startswith(f"manage.py:7 names the settings module {module!r}")
    assert "project template" in facts.reason
