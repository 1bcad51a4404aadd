"""The projects the e2e suite builds: made by the real tools (startproject, wagtail start, uv lock,
poetry lock, pipenv lock, pdm lock, npm), then edited the way their users edit them.

Each maker returns a `Project`: where it is, the env its container needs at run time (only what a
production Django needs: SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL) and what to probe.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from tools import run_tool, tool

RUNTIME_ENV = {"SECRET_KEY": "e2e-not-secret-" + "x" * 40, "ALLOWED_HOSTS": "127.0.0.1,localhost"}
STATIC_BODY = "body { color: rebeccapurple; }\n"


@dataclass(frozen=True)
class Project:
    root: Path
    env: dict[str, str] = field(default_factory=dict)
    page: str = "/"
    static: str | None = None  # a URL path whitenoise must serve, with STATIC_BODY
    # The page must reference at least this many /static/ URLs (script src, link href), each
    # answering 200: the frontend builds and asset steps reached the image.
    page_assets: int = 0
    asset_text: str | None = None  # text one of those assets must contain (what was compiled)
    built_static: tuple[str, ...] = ()  # URL paths of files a build step wrote, STATIC_BODY each
    # (URL path, text its body contains): files served from elsewhere than the project's own
    # tree (node_modules installed by the image build).
    served_static: tuple[tuple[str, str], ...] = ()
    release: tuple[str, ...] = ()  # a command run in the container before probing (migrate)
    imports: tuple[str, ...] = ()  # modules that must import in the runtime image (C extensions)
    # --python-version / --base-variant: a Python a stand-in provides: 3.8-3.13 with slim-bookworm
    # (pyenv look-alikes, preferred), 3.13 with slim-trixie (Debian's python3); None: the
    # generator chooses the Python itself
    python: tuple[str | None, str] = ("3.11", "slim-bookworm")


def startproject(root: Path, subdir: str = "") -> Path:
    """`django-admin startproject mysite` into ROOT/SUBDIR; return the directory of manage.py."""
    target = root / subdir if subdir else root
    target.mkdir(parents=True, exist_ok=True)
    run_tool(tool("django-admin"), "startproject", "mysite", str(target), cwd=root)
    return target


def production_settings(site: Path, *, whitenoise: bool = False, locale: bool = False) -> None:
    """Edit mysite/settings.py as a deployment guide says: secrets and hosts from the env."""
    settings = site / "mysite/settings.py"
    text = settings.read_text()
    middleware = "    'django.middleware.security.SecurityMiddleware',\n"
    if middleware not in text:  # newer templates use double quotes
        middleware = middleware.replace("'", '"')
    extra = ""
    if whitenoise:
        extra += middleware.replace("django.middleware.security.SecurityMiddleware",
                                    "whitenoise.middleware.WhiteNoiseMiddleware")  # fmt: skip
    if locale:
        extra += middleware.replace("django.middleware.security.SecurityMiddleware",
                                    "django.middleware.locale.LocaleMiddleware")  # fmt: skip
    text = text.replace(middleware, middleware + extra)
    text += textwrap.dedent(
        """
        import os

        SECRET_KEY = os.environ["SECRET_KEY"]
        DEBUG = False
        ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "").split(",")
        STATIC_ROOT = BASE_DIR / "staticfiles"
        STATICFILES_DIRS = [BASE_DIR / "assets"]
        """
    )
    if locale:
        text += 'LOCALE_PATHS = [BASE_DIR / "locale"]\nLANGUAGES = [("en", "English"), ("fr", "French")]\n'
    settings.write_text(text)
    (site / "assets").mkdir(exist_ok=True)
    (site / "assets/site.css").write_text(STATIC_BODY)
    # A page that answers 200 with DEBUG off (the welcome page only shows with DEBUG on).
    (site / "mysite/views.py").write_text(
        "from django.http import HttpResponse\n"
        "from django.utils.translation import gettext as _\n\n\n"
        "def hello(request):\n"
        '    return HttpResponse(_("Hello from the container"))\n'
    )
    urls = site / "mysite/urls.py"
    urls.write_text(
        urls.read_text()
        .replace(
            "from django.urls import path", "from django.urls import path\n\nfrom . import views"
        )
        .replace("urlpatterns = [", "urlpatterns = [\n    path('', views.hello),")
    )


def write_po(site: Path) -> None:
    """A French catalogue for the hello page (compiled by compilemessages in the image)."""
    po = site / "locale/fr/LC_MESSAGES/django.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Hello from the container"\nmsgstr "Bonjour depuis le conteneur"\n'
    )


# The web dependencies most fixtures declare: Django, whitenoise for static files, a server.
WEB_DEPENDENCIES = ("django>=5.2,<6", "whitenoise>=6.7", "gunicorn")


def pep621_pyproject(
    directory: Path,
    tables: str,
    *,
    requires_python: str = ">=3.11",
    dependencies: tuple[str, ...] = WEB_DEPENDENCIES,
) -> None:
    """DIRECTORY/pyproject.toml: a PEP 621 [project] "mysite" declaring DEPENDENCIES, followed by
    TABLES (the manager's own tables, as TOML text)."""
    listed = ", ".join(f'"{d}"' for d in dependencies)
    (directory / "pyproject.toml").write_text(
        f'[project]\nname = "mysite"\nversion = "0.1.0"\nrequires-python = "{requires_python}"\n'
        f"dependencies = [{listed}]\n\n" + textwrap.dedent(tables).lstrip()
    )


def pip_startproject(root: Path) -> Project:
    """`django-admin startproject` with a one-line requirements.txt, nothing else touched."""
    startproject(root)
    (root / "requirements.txt").write_text("Django>=5.2,<6\n")
    return Project(root)


def example_project(root: Path) -> Project:
    """examples/mysite, the project the README's first command runs on, as shipped."""
    shutil.copytree(Path(__file__).resolve().parents[2] / "examples" / "mysite", root)
    return Project(root, env=RUNTIME_ENV)


def wagtail_project(root: Path) -> Project:
    """`wagtail start mysite`, with its own Dockerfile removed (we write ours)."""
    root.mkdir(parents=True)
    run_tool(tool("wagtail"), "start", "mysite", str(root), cwd=root.parent)
    (root / "Dockerfile").unlink(missing_ok=True)
    (root / ".dockerignore").unlink(missing_ok=True)
    # The template's production.py sets neither SECRET_KEY nor ALLOWED_HOSTS (it expects a
    # local.py); Wagtail's deployment docs have users read them from the environment.
    production = root / "mysite/settings/production.py"
    production.write_text(
        production.read_text() + '\nimport os\n\nSECRET_KEY = os.environ["SECRET_KEY"]\n'
        'ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "").split(",")\n'
    )
    # The template pins the newest Django (6.1 needs Python >= 3.12): trixie's 3.13 stand-in.
    return Project(
        root,
        env=RUNTIME_ENV,
        release=("python", "manage.py", "migrate", "--noinput"),
        python=("3.13", "slim-trixie"),
    )


# This network's PyPI proxy answers 404 on per-release JSON (/pypi/NAME/VER/json), which Poetry's
# default PyPI repository needs; the simple index works everywhere.
POETRY_SIMPLE_SOURCE = """
[[tool.poetry.source]]
name = "pypi-simple"
url = "https://pypi.org/simple/"
priority = "primary"
"""


def poetry_project(root: Path) -> Project:
    """Poetry (package-mode off) with whitenoise; static files collected at build."""
    site = startproject(root)
    production_settings(site, whitenoise=True)
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [tool.poetry]
            name = "mysite"
            version = "0.1.0"
            description = "e2e"
            authors = ["e2e <e2e@example.com>"]
            package-mode = false

            [tool.poetry.dependencies]
            python = "^3.11"
            django = ">=5.2,<6"
            whitenoise = "^6.7"
            gunicorn = "*"

            [tool.poetry.group.dev.dependencies]
            django-debug-toolbar = "*"
            """
        ).lstrip()
        + POETRY_SIMPLE_SOURCE
    )
    run_tool(tool("poetry"), "lock", cwd=root)
    return Project(root, env=RUNTIME_ENV, static="/static/site.css")


def poetry1_lock_project(root: Path) -> Project:
    """A poetry.lock written by Poetry 1.8.5 for a pyproject.toml that also has a [project] table
    (name, version, requires-python): Poetry 2 hashes that table too and refuses the lock
    ("pyproject.toml changed significantly"); the image must install it with Poetry 1."""
    site = startproject(root)
    production_settings(site, whitenoise=True)
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [project]
            name = "mysite"
            version = "0.1.0"
            requires-python = ">=3.10"

            [tool.poetry]
            package-mode = false

            [tool.poetry.dependencies]
            python = "^3.10"
            django = ">=5.2,<6"
            whitenoise = "^6.7"
            gunicorn = "*"
            """
        ).lstrip()
        + POETRY_SIMPLE_SOURCE
    )
    run_tool(tool("poetry@1.8.5"), "lock", cwd=root)
    return Project(root, env=RUNTIME_ENV, static="/static/site.css")


def uv_subdir_project(root: Path) -> Project:
    """uv with uv.lock at the root and manage.py in src/, as many monorepos lay it out."""
    site = startproject(root, "src")
    production_settings(site, whitenoise=True)
    pep621_pyproject(
        root,
        """
        [dependency-groups]
        dev = ["pytest"]

        [tool.uv]
        package = false
        """,
    )
    run_tool(tool("uv"), "lock", cwd=root, env={"UV_PYTHON": "3.11"})
    return Project(root, env=RUNTIME_ENV, static="/static/site.css")


def uv_symlinked_backend_project(root: Path) -> Project:
    """uv in backend/ beside manage.py; the root pyproject.toml and uv.lock are symlinks to it."""
    site = startproject(root, "backend")
    production_settings(site, whitenoise=True)
    pep621_pyproject(
        site,
        """
        [tool.uv]
        package = false
        """,
    )
    run_tool(tool("uv"), "lock", cwd=site, env={"UV_PYTHON": "3.11"})
    (root / "pyproject.toml").symlink_to("backend/pyproject.toml")
    (root / "uv.lock").symlink_to("backend/uv.lock")
    return Project(root, env=RUNTIME_ENV, static="/static/site.css")


def dependency_groups_project(root: Path) -> Project:
    """A pyproject.toml with only PEP 735 [dependency-groups] (no [project]), no lockfile."""
    site = startproject(root)
    production_settings(site, whitenoise=True)
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [dependency-groups]
            web = ["django>=5.2,<6", "whitenoise>=6.7", "gunicorn"]
            dev = [{include-group = "web"}, "pytest"]
            """
        ).lstrip()
    )
    return Project(root, env=RUNTIME_ENV, static="/static/site.css")


def pipenv_translations_project(root: Path) -> Project:
    """Pipenv with Pipfile.lock; a French catalogue compiled at build (compilemessages)."""
    site = startproject(root)
    production_settings(site, whitenoise=True, locale=True)
    write_po(site)
    (root / "Pipfile").write_text(
        textwrap.dedent(
            """
            [[source]]
            url = "https://pypi.org/simple"
            verify_ssl = true
            name = "pypi"

            [packages]
            django = ">=5.2,<6"
            whitenoise = "*"
            gunicorn = "*"

            [dev-packages]
            pytest = "*"

            [requires]
            python_version = "3.11"
            """
        ).lstrip()
    )
    run_tool(tool("pipenv"), "lock", cwd=root, env={"PIPENV_VENV_IN_PROJECT": "1"})
    shutil.rmtree(root / ".venv", ignore_errors=True)
    return Project(root, env=RUNTIME_ENV, static="/static/site.css")


def pipenv_old_lock_project(root: Path) -> Project:
    """Pipenv with a Pipfile.lock written by pipenv 2023.12.1 for package names spelled as users
    spell them (Django, django_environ): current pipenv normalises names before hashing the
    Pipfile, so `pipenv install --deploy` calls this lock out of date; `pipenv sync` installs it."""
    site = startproject(root)
    production_settings(site, whitenoise=True)
    (root / "Pipfile").write_text(
        textwrap.dedent(
            """
            [[source]]
            url = "https://pypi.org/simple"
            verify_ssl = true
            name = "pypi"

            [packages]
            Django = ">=5.2,<6"
            whitenoise = "*"
            gunicorn = "*"
            django_environ = "*"

            [requires]
            python_version = "3.11"
            """
        ).lstrip()
    )
    old = tool("pipenv@2023.12.1")
    run_tool(old, "lock", cwd=root, env={"PIPENV_VENV_IN_PROJECT": "1"})
    shutil.rmtree(root / ".venv", ignore_errors=True)
    return Project(root, env=RUNTIME_ENV, static="/static/site.css", imports=("environ",))


def pdm_project(root: Path) -> Project:
    """PDM (distribution off) with pdm.lock and whitenoise."""
    site = startproject(root)
    production_settings(site, whitenoise=True)
    pep621_pyproject(
        root,
        """
        [tool.pdm]
        distribution = false
        """,
    )
    run_tool(tool("pdm"), "lock", cwd=root, env={"PDM_CHECK_UPDATE": "false"})
    return Project(root, env=RUNTIME_ENV, static="/static/site.css")


def pdm_python38_project(root: Path) -> Project:
    """PDM on Python 3.8 with no server declared (issue 10, class 1): the tools the Dockerfile
    installs (pdm, its hishel companion, gunicorn) must be releases that still install on 3.8."""
    site = startproject(root)
    production_settings(site, whitenoise=True)
    pep621_pyproject(
        root,
        """
        [tool.pdm]
        distribution = false
        """,
        requires_python=">=3.8",
        dependencies=("django>=4.2,<4.3", "whitenoise>=6.5,<6.8"),
    )
    run_tool(tool("pdm"), "lock", cwd=root, env={"PDM_CHECK_UPDATE": "false"})
    shutil.rmtree(root / ".venv", ignore_errors=True)
    (root / ".pdm-python").unlink(missing_ok=True)
    return Project(
        root, env=RUNTIME_ENV, static="/static/site.css", python=("3.8", "slim-bookworm")
    )


def source_builds_project(root: Path) -> Project:
    """pip with psycopg2 (not -binary, built against libpq) and mysqlclient (no Linux wheels:
    pkg-config and libmariadb): both compile at build and must load at run time."""
    site = startproject(root)
    production_settings(site)
    settings = site / "mysite/settings.py"
    settings.write_text(
        settings.read_text()
        + textwrap.dedent(
            """
            from urllib.parse import urlsplit

            _db = urlsplit(os.environ["DATABASE_URL"])
            DATABASES = {
                "default": {
                    "ENGINE": "django.db.backends.postgresql",
                    "NAME": _db.path.lstrip("/"),
                    "USER": _db.username,
                    "PASSWORD": _db.password,
                    "HOST": _db.hostname,
                    "PORT": _db.port or 5432,
                },
                "legacy": {"ENGINE": "django.db.backends.mysql", "NAME": "legacy"},
            }
            """
        )
    )
    (root / "requirements.txt").write_text(
        "Django>=5.2,<6\npsycopg2>=2.9\nmysqlclient>=2.2\ngunicorn\n"
    )
    return Project(
        root,
        env={**RUNTIME_ENV, "DATABASE_URL": "postgres://app:pw@127.0.0.1:1/app"},
        imports=("psycopg2", "MySQLdb"),
    )


def channels_project(root: Path) -> Project:
    """An ASGI project with Channels and daphne (daphne first in INSTALLED_APPS, as documented)."""
    site = startproject(root)
    production_settings(site)
    settings = site / "mysite/settings.py"
    text = settings.read_text()
    apps = "INSTALLED_APPS = [\n"
    text = text.replace(apps, apps + "    'daphne',\n    'channels',\n", 1)
    text += 'ASGI_APPLICATION = "mysite.asgi.application"\n'
    text += 'CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}\n'
    settings.write_text(text)
    (site / "mysite/asgi.py").write_text(
        textwrap.dedent(
            """
            import os

            from channels.routing import ProtocolTypeRouter
            from django.core.asgi import get_asgi_application

            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")

            application = ProtocolTypeRouter({"http": get_asgi_application()})
            """
        ).lstrip()
    )
    (root / "requirements.txt").write_text("Django>=5.2,<6\nchannels>=4\ndaphne>=4\n")
    return Project(root, env=RUNTIME_ENV)


def npm_frontend_project(root: Path) -> Project:
    """A package.json whose build script writes assets collectstatic then picks up."""
    site = startproject(root)
    production_settings(site, whitenoise=True)
    (root / "requirements.txt").write_text("Django>=5.2,<6\nwhitenoise>=6.7\ngunicorn\n")
    (root / "frontend").mkdir()
    (root / "frontend/build.js").write_text(
        "const fs = require('fs');\n"
        "const out = process.argv[process.argv.indexOf('--outdir') + 1];\n"
        "fs.mkdirSync(out, { recursive: true });\n"
        "fs.writeFileSync(out + '/bundle.css', 'body { color: rebeccapurple; }\\n');\n"
    )
    package = {
        "name": "mysite-frontend",
        "private": True,
        "version": "1.0.0",
        "scripts": {"build": "node frontend/build.js --outdir assets/dist"},
        # Served straight out of node_modules (STATICFILES_DIRS below), no build involved.
        "dependencies": {"htmx.org": "2.0.4"},
    }
    (root / "package.json").write_text(json.dumps(package, indent=2) + "\n")
    run_tool("npm", "install", "--package-lock-only", "--no-audit", "--no-fund", cwd=root)
    # A static-build step of the project's own, documented in its Procfile release line beside
    # migrate (never run at build) and collectstatic: it must run at build, before collectstatic.
    commands = site / "stamp/management/commands"
    commands.mkdir(parents=True)
    for package_dir in (site / "stamp", site / "stamp/management", commands):
        (package_dir / "__init__.py").write_text("")
    (commands / "stamp_css.py").write_text(
        textwrap.dedent(
            f"""
            from django.conf import settings
            from django.core.management.base import BaseCommand


            class Command(BaseCommand):
                def handle(self, *args, **options):
                    (settings.STATICFILES_DIRS[0] / "stamp.css").write_text({STATIC_BODY!r})
            """
        ).lstrip()
    )
    settings = site / "mysite/settings.py"
    settings.write_text(
        settings.read_text()
        + 'INSTALLED_APPS += ["stamp"]\n'
        + 'STATICFILES_DIRS += [("vendor", BASE_DIR / "node_modules/htmx.org/dist")]\n'
    )
    (root / "Procfile").write_text(
        "web: gunicorn mysite.wsgi\n"
        "release: python manage.py migrate --noinput && python manage.py stamp_css"
        " && python manage.py collectstatic --noinput\n"
    )
    return Project(
        root,
        env=RUNTIME_ENV,
        static="/static/dist/bundle.css",
        built_static=("/static/stamp.css",),
        served_static=(("/static/vendor/htmx.min.js", "htmx"),),
    )


MINIMAL_SITE = {
    "manage.py": """\
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site1.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
""",
    "site1/__init__.py": "",
    "site1/wsgi.py": """\
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site1.settings")
application = get_wsgi_application()
""",
    "site1/urls.py": """\
from django.urls import path

from site1.views import hello

urlpatterns = [path("", hello)]
""",
}
MINIMAL_SETTINGS = """\
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "").split(",")
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.staticfiles"{apps}]
ROOT_URLCONF = "site1.urls"
WSGI_APPLICATION = "site1.wsgi.application"
DATABASES = {{"default": {{"ENGINE": "{engine}", "NAME": "app", "HOST": "127.0.0.1", "PORT": 1}}}}
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
"""


def _minimal_site(root: Path, engine: str, view: str, apps: str = "") -> None:
    for rel, text in MINIMAL_SITE.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / "site1/settings.py").write_text(MINIMAL_SETTINGS.format(engine=engine, apps=apps))
    (root / "site1/views.py").write_text(view)


def old_psycopg2_binary_project(root: Path) -> Project:
    """States no Python; pins psycopg2-binary 2.8.6, whose newest Linux wheels are for CPython 3.9.
    The generator must choose 3.9 (not 3.10, which Django 3.2 also supports): on 3.10 pip would
    compile it without pg_config and fail."""
    _minimal_site(
        root,
        "django.db.backends.postgresql",
        "import psycopg2\nfrom django.http import HttpResponse\n\n\n"
        "def hello(request):\n    return HttpResponse(psycopg2.__version__)\n",
    )
    (root / "requirements.txt").write_text("Django==3.2.25\npsycopg2-binary==2.8.6\n")
    return Project(root, env=RUNTIME_ENV, imports=("psycopg2",), python=(None, "slim-bookworm"))


def geodjango_project(root: Path) -> Project:
    """GeoDjango: a model with a PointField imports GDAL when Django starts, so collectstatic at
    build time needs GDAL, GEOS and PROJ in the image, and the page uses GEOS and GDAL."""
    _minimal_site(
        root,
        "django.contrib.gis.db.backends.postgis",
        "from django.contrib.gis.gdal import gdal_version\n"
        "from django.contrib.gis.geos import Point\n"
        "from django.http import HttpResponse\n\n\n"
        "def hello(request):\n"
        "    return HttpResponse(f'{Point(1, 2).wkt} GDAL {gdal_version().decode()}')\n",
        apps=', "django.contrib.gis", "places"',
    )
    (root / "places").mkdir()
    (root / "places/__init__.py").write_text("")
    (root / "places/models.py").write_text(
        "from django.contrib.gis.db import models\n\n\n"
        "class Place(models.Model):\n    location = models.PointField()\n"
    )
    (root / "requirements.txt").write_text("Django==5.2.7\npsycopg[binary]==3.2.10\n")
    return Project(root, env=RUNTIME_ENV, imports=("django.contrib.gis.gdal.libgdal",))


# Frontend builds (issue 11). Each project is small: one bundler and its few dependencies, the
# lockfile written by the project's own manager (through corepack, as its users do).
COREPACK_ENV = {
    "COREPACK_ENABLE_DOWNLOAD_PROMPT": "0",
    # This network's registry has no signatures and repo.yarnpkg.com is unreachable (standin.py).
    "COREPACK_NPM_REGISTRY": "https://registry.npmjs.org",
    "COREPACK_INTEGRITY_KEYS": "0",
}


def _add_app(site: Path, name: str, apps: tuple[str, ...], settings: str, template: str) -> None:
    """An app NAME with one template served at /, plus INSTALLED_APPS and settings lines."""
    (site / name / "templates" / name).mkdir(parents=True)
    (site / name / "__init__.py").write_text("")
    (site / name / "templates" / name / "index.html").write_text(template)
    path = site / "mysite/settings.py"
    text = path.read_text()
    start = "INSTALLED_APPS = [\n"
    text = text.replace(start, start + "".join(f"    '{a}',\n" for a in (*apps, name)), 1)
    path.write_text(text + settings)
    (site / "mysite/views.py").write_text(
        "from django.shortcuts import render\n\n\n"
        "def hello(request):\n"
        f'    return render(request, "{name}/index.html")\n'
    )


def vite_pnpm_compressor_project(root: Path) -> Project:
    """Vite + Vue in frontend/ (a .vue single-file component compiled by @vitejs/plugin-vue;
    pnpm through corepack and packageManager) writing into an app's static/dist, read through
    django-vite's manifest; django-compressor offline and django-sass-processor on the Python
    side."""
    site = startproject(root)
    production_settings(site, whitenoise=True)
    (root / "requirements.txt").write_text(
        "Django>=5.2,<6\nwhitenoise>=6.7\ngunicorn\ndjango-vite>=3.1\n"
        "django-compressor>=4.5\ndjango-sass-processor>=1.4\nlibsass>=0.23\n"
    )
    _add_app(
        site,
        "shop",
        ("django_vite", "compressor", "sass_processor"),
        textwrap.dedent(
            """
            STATICFILES_FINDERS = [
                "django.contrib.staticfiles.finders.FileSystemFinder",
                "django.contrib.staticfiles.finders.AppDirectoriesFinder",
                "compressor.finders.CompressorFinder",
                "sass_processor.finders.CssFinder",
            ]
            COMPRESS_OFFLINE = True
            DJANGO_VITE = {"default": {"dev_mode": False, "static_url_prefix": "dist"}}
            """
        ),
        "{% load static compress sass_tags django_vite %}<!doctype html>\n"
        '<link rel="stylesheet" href="{% sass_src \'shop/theme.scss\' %}">\n'
        '{% compress css %}<link rel="stylesheet" href="{% static \'site.css\' %}">'
        "{% endcompress %}\n"
        "{% vite_asset 'src/main.js' %}\n<div id='app'></div><p>Hello from the container</p>\n",
    )
    (site / "shop/static/shop").mkdir(parents=True)
    (site / "shop/static/shop/theme.scss").write_text("$c: #639;\nbody { color: $c; }\n")
    front = root / "frontend"
    (front / "src").mkdir(parents=True)
    (front / "src/main.js").write_text(
        'import { createApp } from "vue";\nimport App from "./App.vue";\n\n'
        'createApp(App).mount("#app");\n'
    )
    # The template and the scoped style reach the page only if the SFC compiler ran: the
    # template text in the JavaScript bundle, the style in a CSS file django-vite links.
    (front / "src/App.vue").write_text(
        textwrap.dedent(
            """
            <script setup>
            import { ref } from "vue";
            const count = ref(0);
            </script>

            <template>
              <button @click="count++">Compiled from App.vue: {{ count }}</button>
            </template>

            <style scoped>
            button { color: rebeccapurple; }
            </style>
            """
        ).lstrip()
    )
    (front / "vite.config.js").write_text(
        textwrap.dedent(
            """
            import { defineConfig } from "vite";
            import vue from "@vitejs/plugin-vue";

            export default defineConfig({
              plugins: [vue()],
              base: "/static/dist/",
              build: {
                outDir: "../shop/static/dist",
                emptyOutDir: true,
                manifest: "manifest.json",
                rollupOptions: { input: "src/main.js" },
              },
            });
            """
        ).lstrip()
    )
    package = {
        "name": "shop-frontend",
        "private": True,
        "type": "module",
        "packageManager": "pnpm@9.15.9",
        "scripts": {"dev": "vite", "build": "vite build"},
        "dependencies": {"vue": "3.5.13"},
        "devDependencies": {"vite": "5.4.11", "@vitejs/plugin-vue": "5.2.1"},
    }
    (front / "package.json").write_text(json.dumps(package, indent=2) + "\n")
    run_tool("corepack", "pnpm", "install", "--lockfile-only", cwd=front, env=COREPACK_ENV)
    # scss, compressed css, the Vue bundle and the SFC's extracted style.
    return Project(root, env=RUNTIME_ENV, page_assets=4, asset_text="Compiled from App.vue: ")


def webpack_berry_and_gulp_project(root: Path) -> Project:
    """Two frontends: webpack with django-webpack-loader built with Yarn Berry in bundles/, and
    gulp (npm) at the root writing static/local, a STATICFILES_DIRS entry only the build makes."""
    site = startproject(root)
    production_settings(site, whitenoise=True)
    (root / "requirements.txt").write_text(
        "Django>=5.2,<6\nwhitenoise>=6.7\ngunicorn\ndjango-webpack-loader>=3.1\n"
    )
    _add_app(
        site,
        "pages",
        ("webpack_loader",),
        textwrap.dedent(
            """
            STATICFILES_DIRS += [BASE_DIR / "static" / "local"]
            WEBPACK_LOADER = {
                "DEFAULT": {
                    "BUNDLE_DIR_NAME": "bundles/",
                    "STATS_FILE": BASE_DIR / "webpack-stats.json",
                }
            }
            """
        ),
        "{% load static %}{% load render_bundle from webpack_loader %}<!doctype html>\n"
        '<link rel="stylesheet" href="{% static \'app.css\' %}">\n'
        "{% render_bundle 'main' 'js' %}\n<p>Hello from the container</p>\n",
    )
    bundles = root / "bundles"
    (bundles / "src").mkdir(parents=True)
    (bundles / "src/index.js").write_text("document.body.dataset.built = 'webpack';\n")
    (bundles / "webpack.config.js").write_text(
        textwrap.dedent(
            """
            const path = require("path");
            const BundleTracker = require("webpack-bundle-tracker");

            module.exports = {
              mode: "production",
              entry: { main: "./src/index.js" },
              output: {
                path: path.resolve(__dirname, "../assets/bundles"),
                publicPath: "/static/bundles/",
                filename: "[name]-[contenthash].js",
              },
              plugins: [
                new BundleTracker({ path: path.resolve(__dirname, ".."), filename: "webpack-stats.json" }),
              ],
            };
            """
        ).lstrip()
    )
    (bundles / ".yarnrc.yml").write_text("nodeLinker: node-modules\nenableTelemetry: false\n")
    package = {
        "name": "bundles",
        "private": True,
        "scripts": {"build": "webpack --config webpack.config.js"},
        "devDependencies": {
            "webpack": "5.96.1",
            "webpack-cli": "5.1.4",
            "webpack-bundle-tracker": "3.1.1",
        },
    }
    (bundles / "package.json").write_text(json.dumps(package, indent=2) + "\n")
    (bundles / "yarn.lock").write_text("")
    run_tool("corepack", "yarn@4.18.1", "install", "--mode=update-lockfile", cwd=bundles,
             env={**COREPACK_ENV, "YARN_ENABLE_TELEMETRY": "0"})  # fmt: skip
    (root / "styles").mkdir()
    (root / "styles/app.css").write_text(STATIC_BODY)
    (root / "gulpfile.js").write_text(
        'const { src, dest } = require("gulp");\n\n'
        'exports.build = () => src("styles/*.css").pipe(dest("static/local"));\n'
    )
    package = {
        "name": "site-styles",
        "private": True,
        "scripts": {"build": "gulp build", "lint": "eslint ."},
        "devDependencies": {"gulp": "5.0.0"},
    }
    (root / "package.json").write_text(json.dumps(package, indent=2) + "\n")
    run_tool("npm", "install", "--package-lock-only", "--no-audit", "--no-fund", cwd=root)
    return Project(root, env=RUNTIME_ENV, static="/static/app.css", page_assets=2)


# Angular 18 with the esbuild-only @angular/build: the smallest workspace `ng build` accepts
# (no webpack, no test runner). Its package-lock.json (~470 packages, ~190 kB) is written by npm
# when the test runs, as the other fixtures' lockfiles are, rather than committed: every version
# the project names is pinned and npm's cache makes the resolution seconds on a warm machine.
ANGULAR = "18.2.9"  # supports the Node 18.19+ of the node stand-in (Debian bookworm's nodejs)


def angular_project(root: Path) -> Project:
    """An Angular app in src-ui/ whose angular.json outputPath is the static directory of the
    app that serves the page (paperless-ngx's layout): ng build must run before collectstatic."""
    site = startproject(root)
    production_settings(site, whitenoise=True)
    (root / "requirements.txt").write_text("Django>=5.2,<6\nwhitenoise>=6.7\ngunicorn\n")
    _add_app(
        site,
        "pages",
        (),
        "",
        "{% load static %}<!doctype html>\n"
        '<link rel="stylesheet" href="{% static \'ui/styles.css\' %}">\n'
        "<app-root>Hello from the container</app-root>\n"
        '<script src="{% static \'ui/polyfills.js\' %}" type="module"></script>\n'
        '<script src="{% static \'ui/main.js\' %}" type="module"></script>\n',
    )
    ui = root / "src-ui"
    (ui / "src").mkdir(parents=True)
    (ui / "src/main.ts").write_text(
        textwrap.dedent(
            """
            import { Component } from "@angular/core";
            import { bootstrapApplication } from "@angular/platform-browser";

            @Component({ selector: "app-root", standalone: true, template: "<p>Built by ng</p>" })
            class AppComponent {}

            bootstrapApplication(AppComponent).catch((err) => console.error(err));
            """
        ).lstrip()
    )
    # ng build inserts its tags into <head> and <body>: both must be there.
    (ui / "src/index.html").write_text(
        "<!doctype html>\n<html><head><title>ui</title></head>"
        "<body><app-root></app-root></body></html>\n"
    )
    (ui / "src/styles.css").write_text("app-root { color: rebeccapurple; }\n")
    tsconfig = {
        "compilerOptions": {
            "strict": True,
            "target": "ES2022",
            "module": "ES2022",
            "moduleResolution": "bundler",
            "lib": ["ES2022", "dom"],
            "skipLibCheck": True,
        },
        "files": ["src/main.ts"],
    }
    (ui / "tsconfig.json").write_text(json.dumps(tsconfig, indent=2) + "\n")
    build = {
        "builder": "@angular/build:application",
        "options": {
            # "browser": "" puts the bundle in base itself, not in base/browser.
            "outputPath": {"base": "../pages/static/ui", "browser": ""},
            "index": "src/index.html",
            "browser": "src/main.ts",
            "polyfills": ["zone.js"],
            "tsConfig": "tsconfig.json",
            "styles": ["src/styles.css"],
            # Names the Django template can load with {% static %}.
            "outputHashing": "none",
        },
    }
    workspace = {
        "version": 1,
        "cli": {"analytics": False},
        "projects": {
            "ui": {
                "projectType": "application",
                "root": "",
                "sourceRoot": "src",
                "architect": {"build": build},
            }
        },
    }
    (ui / "angular.json").write_text(json.dumps(workspace, indent=2) + "\n")
    angular = ("common", "compiler", "core", "platform-browser")
    package = {
        "name": "ui",
        "private": True,
        "scripts": {"ng": "ng", "start": "ng serve", "build": "ng build"},
        "dependencies": {
            **{f"@angular/{name}": ANGULAR for name in angular},
            "rxjs": "7.8.1",
            "tslib": "2.8.1",
            "zone.js": "0.14.10",
        },
        "devDependencies": {
            **{f"@angular/{name}": ANGULAR for name in ("build", "cli", "compiler-cli")},
            "typescript": "5.5.4",
        },
    }
    (ui / "package.json").write_text(json.dumps(package, indent=2) + "\n")
    run_tool("npm", "install", "--package-lock-only", "--no-audit", "--no-fund", cwd=ui)
    # The component's template, compiled ahead of time into main.js.
    return Project(root, env=RUNTIME_ENV, page_assets=3, asset_text="Built by ng")


def driver_elsewhere_project(root: Path) -> Project:
    """Settings default to PostgreSQL through dj-database-url, and the driver sits only in
    requirements/postgres.txt: Django imports it when the page touches the database backend, so
    the image must install it (the container gets no DATABASE_URL: the default applies)."""
    _minimal_site(
        root,
        "django.db.backends.sqlite3",
        "from django.db import connection\nfrom django.http import HttpResponse\n\n\n"
        "def hello(request):\n    return HttpResponse(connection.vendor + ' ' + connection.Database.__name__)\n",
    )
    settings = root / "site1/settings.py"
    settings.write_text(
        settings.read_text().replace(
            'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "app", '
            '"HOST": "127.0.0.1", "PORT": 1}}',
            "import dj_database_url\n\n"
            'DATABASES = {"default": dj_database_url.config(default="postgres://app@127.0.0.1:1/app")}',
        )
    )
    (root / "requirements.txt").write_text("Django==5.2.7\ndj-database-url==2.3.0\n")
    (root / "requirements").mkdir()
    (root / "requirements/postgres.txt").write_text("psycopg[binary]==3.2.10\n")
    return Project(root, env=RUNTIME_ENV, imports=("psycopg",))


COMMITTED_MANIFEST = {"paths": {"site1/app.css": "site1/app.5e1f2c3d4b6a.css"}, "version": "1.1"}


def committed_static_sqlite_project(root: Path) -> Project:
    """Two things a real project does at once (issue 10 class 6): it commits its collected
    STATIC_ROOT (static/, with the staticfiles.json a Manifest storage reads) built by a gulpfile
    no package.json script runs, so nothing in the image can collect site1/app.css again; and with
    no variables set it uses SQLite in data/, a directory holding only a .gitignore. The page
    references the hashed CSS (a 500 "Missing staticfiles manifest entry" if collectstatic ran
    over the tree) and writes a session row after `migrate` (data/ must be the app user's)."""
    _minimal_site(
        root,
        "django.db.backends.sqlite3",
        "from django.http import HttpResponse\nfrom django.templatetags.static import static\n\n\n"
        "def hello(request):\n"
        "    request.session['seen'] = True  # saved in the database by the middleware\n"
        '    return HttpResponse(f\'<link rel="stylesheet" href="{static("site1/app.css")}">\')\n',
        apps=', "django.contrib.sessions"',
    )
    settings = root / "site1/settings.py"
    settings.write_text(
        settings.read_text()
        .replace(
            'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "app", '
            '"HOST": "127.0.0.1", "PORT": 1}}',
            "DATABASES = {\n"
            '    "default": {\n'
            '        "ENGINE": os.getenv("DB_ENGINE") or "django.db.backends.sqlite3",\n'
            '        "NAME": os.getenv("DB_NAME") or os.path.join(BASE_DIR, "data/db.sqlite3"),\n'
            "    }\n"
            "}\n"
            'MIDDLEWARE = ["whitenoise.middleware.WhiteNoiseMiddleware",\n'
            '              "django.contrib.sessions.middleware.SessionMiddleware"]\n'
            'STORAGES = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},\n'
            '            "staticfiles": {"BACKEND": '
            '"whitenoise.storage.CompressedManifestStaticFilesStorage"}}',
        )
        .replace('STATIC_ROOT = BASE_DIR / "staticfiles"', 'STATIC_ROOT = BASE_DIR / "static"')
    )
    (root / "site1/static_src").mkdir()
    (root / "site1/static_src/app.scss").write_text("$c: rebeccapurple;\nbody { color: $c; }\n")
    (root / "static/site1").mkdir(parents=True)
    for name in ("app.css", "app.5e1f2c3d4b6a.css"):
        (root / "static/site1" / name).write_text(STATIC_BODY)
    (root / "static/staticfiles.json").write_text(json.dumps(COMMITTED_MANIFEST))
    (root / "gulpfile.js").write_text(
        "const gulp = require('gulp');\nconst sass = require('gulp-sass')(require('sass'));\n"
        "exports.build = () => gulp.src('site1/static_src/*.scss').pipe(sass())"
        ".pipe(gulp.dest('static/site1'));\n"
    )
    package = {"name": "site1", "devDependencies": {"gulp": "^5.0.1", "gulp-sass": "^6.0.1"}}
    (root / "package.json").write_text(json.dumps(package, indent=2) + "\n")
    (root / "data").mkdir()
    (root / "data/.gitignore").write_text("*\n!.gitignore\n")
    (root / "requirements.txt").write_text("Django>=5.2,<6\nwhitenoise>=6.7\ngunicorn\n")
    return Project(
        root,
        env=RUNTIME_ENV,
        static="/static/site1/app.5e1f2c3d4b6a.css",
        page_assets=1,
        release=("python", "manage.py", "migrate", "--noinput"),
    )
