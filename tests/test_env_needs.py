"""The runtime contract read from settings: environment variables with no default, statically.

Issue 10, classes 5 and 6. Each case is a settings module written here; the assertions are on the
facts a user sees (`detect --json` "runtime_env"/"example_modules", warnings).
"""

from __future__ import annotations

import ast
import subprocess
import textwrap
from pathlib import Path

import pytest

from generator.core import generate
from generator.detect import detect
from generator.facts import Diagnostics, EnvNeed
from generator.plan.contract import run_command
from generator.source import LocalTree

MANAGE = """\
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{module}")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
"""


def project(root: Path, settings: str, extra: dict[str, str] | None = None) -> Path:
    files = {
        "manage.py": MANAGE.format(module="proj.settings"),
        "requirements.txt": "Django>=5.2\n",
        "proj/__init__.py": "",
        "proj/settings.py": textwrap.dedent(settings),
        **(extra or {}),
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def needs(root: Path) -> dict[str, EnvNeed]:
    facts = detect(LocalTree(root, Diagnostics()))
    return {n.name: n for n in facts.settings.env_needs}


@pytest.mark.parametrize(
    ("line", "name", "kind"),
    [
        ('X = os.environ["VAR"]', "VAR", "str"),
        ('X = int(os.environ.get("VAR"))', "VAR", "int"),
        ('X = os.getenv("VAR").split(",")', "VAR", "list"),
        ('X = env("VAR")', "VAR", "str"),
        ('X = env.bool("VAR")', "VAR", "bool"),
        ('X = env.int("VAR")', "VAR", "int"),
        ('X = env.list("VAR")', "VAR", "list"),
        ('X = env.list("VAR", str)', "VAR", "list"),  # django-environ: the 2nd arg is a cast
        ('X = env.json("VAR")', "VAR", "json"),
        ('X = env.url("VAR")', "VAR", "url"),
        ('X = env.path("VAR")', "VAR", "path"),
        ("X = env.db()", "DATABASE_URL", "db"),
        ('X = env.db_url("OTHER_DB")', "OTHER_DB", "db"),
        ("X = env.cache()", "CACHE_URL", "cache"),
        ('X = env.cache_url("REDIS")', "REDIS", "cache"),
        ("X = env.email_url()", "EMAIL_URL", "email"),
        ('X = env.dj_db_url("VAR")', "VAR", "db"),  # environs
        ('X = config("VAR")', "VAR", "str"),  # python-decouple
        ('X = config("VAR", cast=bool)', "VAR", "bool"),
        ('X = config("VAR", cast=Csv())', "VAR", "list"),
        ('X = config("VAR", cast=db_url)', "VAR", "db"),
        ("X = dj_database_url.config()", "DATABASE_URL", "db"),
        ('X = dj_database_url.parse(os.environ["VAR"])', "VAR", "db"),
        ('X = json.loads(os.environ.get("VAR"))', "VAR", "json"),
        ('X = urlparse(os.getenv("VAR"))', "VAR", "url"),
    ],
)
def test_reads_without_default_are_needed_with_their_kind(
    tmp_path: Path, line: str, name: str, kind: str
) -> None:
    header = "import os, json\nimport environ\nimport dj_database_url\n"
    header += "from decouple import config, Csv\nfrom dj_database_url import parse as db_url\n"
    header += "from urllib.parse import urlparse\nenv = environ.Env()\n"
    found = needs(project(tmp_path, header + line + "\nINSTALLED_APPS = []\n"))
    assert name in found, found
    assert found[name].kind == kind
    assert found[name].file == "proj/settings.py" and found[name].line == 8


@pytest.mark.parametrize(
    "line",
    [
        'X = os.environ.get("VAR")',  # None is a fine value
        'X = os.getenv("VAR")',
        'X = os.environ.get("VAR", "x").split(",")',
        'X = env("VAR", default=None)',
        'X = env.bool("VAR", default=False)',
        'X = env.bool("VAR", False)',  # environs: the 2nd argument is the default
        'X = config("VAR", default="")',
        'X = dj_database_url.config(default="sqlite:///db.sqlite3")',
        'X = "VAR" in os.environ',
        'os.environ["VAR"] = "set here"',
        'os.environ.setdefault("VAR", "1")\nX = os.environ["VAR"]',
        'if "VAR" in os.environ:\n    X = os.environ["VAR"]',
        'if os.environ.get("VAR"):\n    X = int(os.environ["VAR"])',
        'try:\n    X = os.environ["VAR"]\nexcept KeyError:\n    X = None',
        'try:\n    X = env("VAR")\nexcept ImproperlyConfigured:\n    X = None',
        'def later():\n    return os.environ["VAR"]',
        'X = os.environ.get("VAR", "").split(",")',  # "" splits fine
        'X = os.environ.get("VAR", "") and bool(int(os.environ["VAR"]))',  # tabbycat
        'X = int(os.environ["VAR"]) if "VAR" in os.environ else 0',
        'if USE_S3:\n    X = env("VAR")',  # an optional feature, off unless configured
        'if DEBUG:\n    X = env("VAR")',  # the development side
        'if not DEBUG:\n    pass\nelse:\n    X = env("VAR")',
        'with open("f") as fh:\n    X = 1',
        'f = lambda: os.environ["VAR"]',
    ],
)
def test_reads_with_a_default_or_a_guard_are_not_needed(tmp_path: Path, line: str) -> None:
    header = "import os\nimport environ\nimport dj_database_url\nfrom decouple import config\n"
    header += "env = environ.Env()\nUSE_S3 = env.bool('USE_S3', default=False)\nDEBUG = False\n"
    assert "VAR" not in needs(project(tmp_path, header + line + "\nINSTALLED_APPS = []\n"))


def test_django_environ_scheme_gives_kind_and_default(tmp_path: Path) -> None:
    found = needs(
        project(
            tmp_path,
            """\
            import environ
            env = environ.Env(DEBUG=(bool, False), HOSTS=(list,))
            DEBUG = env("DEBUG")
            ALLOWED_HOSTS = env("HOSTS")
            """,
        )
    )
    assert "DEBUG" not in found
    assert found["HOSTS"].kind == "list"


@pytest.mark.parametrize(
    "defined",
    [
        # a dict literal in another module of the project, imported under another name
        {"proj/envschema.py": 'SCHEMA = {"BATCH": (int, 100), "HOSTS": (list,)}\n'},
        # dict(...) bound in the settings module itself
        {},
    ],
)
def test_django_environ_scheme_spread_from_a_dict_is_read(
    tmp_path: Path, defined: dict[str, str]
) -> None:
    """`environ.Env(**OTHER)`: the spread dict's defaults count (DefectDojo spreads one imported
    from another module; reading it as "no default" put four variables in the contract)."""
    where = (
        "from proj.envschema import SCHEMA as SPREAD\n"
        if defined
        else "SPREAD = dict(BATCH=(int, 100), HOSTS=(list,))\n"
    )
    settings = (
        "import environ\n" + where + "env = environ.Env(DEBUG=(bool, False), **SPREAD)\n"
        'BATCH = env("BATCH")\nALLOWED_HOSTS = env("HOSTS")\n'
    )
    found = needs(project(tmp_path, settings, defined))
    assert "BATCH" not in found
    assert found["HOSTS"].kind == "list"


def test_star_imported_base_settings_count_and_production_chain_is_read(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "",
        {
            "manage.py": MANAGE.format(module="proj.settings.local"),
            "proj/settings.py": "",
            "proj/settings/__init__.py": "",
            "proj/settings/base.py": 'import environ\nenv = environ.Env()\nDEBUG = env.bool("DEBUG")\n',
            "proj/settings/local.py": 'from .base import *\nLOCAL_ONLY = env("LOCAL_ONLY")\n',
            "proj/settings/production.py": (
                'from .base import *\nSECRET_KEY = env("DJANGO_SECRET_KEY")\n'
            ),
        },
    )
    (root / "proj/settings.py").unlink()
    found = needs(root)
    # The image runs production: its chain is the contract, not local.py's.
    assert set(found) == {"DEBUG", "DJANGO_SECRET_KEY"}
    assert found["DEBUG"].file == "proj/settings/base.py"


def test_postgres_regex_gives_the_url_form_even_over_a_sqlite_default(tmp_path: Path) -> None:
    found = needs(
        project(
            tmp_path,
            """\
            import os, re
            PATTERN = r"^postgres://(?P<user>.+):(?P<pw>.*)@(?P<host>.+):(?P<port>\\d+)/(?P<db>.+)$"
            URL = os.environ.get("DATABASE_URL", "sqlite:///db.sqlite3")
            DB = re.match(PATTERN, URL).groupdict()
            OTHER = re.compile(r"redis://(.+)").match(os.environ.get("REDIS", "redis://x")).group(1)
            """,
        )
    )
    assert found["DATABASE_URL"].form == "postgres"
    assert "regular expression" in found["DATABASE_URL"].why
    assert "REDIS" not in found  # its default matches its own pattern


def test_database_url_takes_the_engine_the_settings_name(tmp_path: Path) -> None:
    found = needs(
        project(
            tmp_path,
            """\
            import os
            from urllib.parse import urlparse
            url = urlparse(os.environ["DATABASE_URL"])
            DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": url.path}}
            """,
        )
    )
    assert found["DATABASE_URL"].form == "postgres"


def test_manage_py_main_and_the_served_wsgi_module_count(tmp_path: Path) -> None:
    manage = MANAGE.replace('"{module}"', '"proj." + os.environ["SITE_FLAVOUR"]').format()
    found = needs(
        project(
            tmp_path,
            'INSTALLED_APPS = []\nWSGI_APPLICATION = "proj.wsgi.application"\n',
            {
                "manage.py": manage,
                "proj/wsgi.py": (
                    "import os\nfrom django.core.wsgi import get_wsgi_application\n"
                    'REGION = os.environ["REGION"]\napplication = get_wsgi_application()\n'
                ),
            },
        )
    )
    assert found["SITE_FLAVOUR"].file == "manage.py"
    assert found["REGION"].file == "proj/wsgi.py"


def test_settings_chosen_by_a_variable_need_the_production_value(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "",
        {
            "proj/settings/__init__.py": """\
                import os
                ENVIRONMENT = os.environ["DJANGO_ENV"]
                if ENVIRONMENT == "production":
                    from .production import *
                else:
                    from .development import *
                """,
            "proj/settings/production.py": "INSTALLED_APPS = []\nDEBUG = False\n",
            "proj/settings/development.py": "INSTALLED_APPS = []\nDEBUG = True\n",
        },
    )
    (root / "proj/settings.py").unlink()
    facts = detect(LocalTree(root, Diagnostics()))
    assert facts.settings.production_settings_module == "proj.settings.production"
    need = next(n for n in facts.settings.env_needs if n.name == "DJANGO_ENV")
    assert (need.kind, need.form) == ("choice", "production")


def test_hostile_variable_names_are_dropped_with_a_warning(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        """\
        import os
        A = os.environ["GOOD_NAME"]
        B = os.environ["BAD; rm -rf / #"]
        C = os.environ["NEW\\nLINE"]
        D = os.environ["1STARTS_WITH_DIGIT"]
        """,
    )
    facts = detect(LocalTree(root, Diagnostics()))
    assert [n.name for n in facts.settings.env_needs] == ["GOOD_NAME"]
    bad = [w for w in facts.warnings if "not a valid name" in w.message]
    assert len(bad) == 3 and all(w.file == "proj/settings.py" and w.line for w in bad)


@pytest.mark.parametrize(
    ("example", "importer"),
    [
        ("proj/configuration_example.py", "from proj import configuration\n"),
        ("proj/configuration.example.py", "from .configuration import *\n"),
        ("proj/configuration.py.example", "from proj.configuration import SECRET_KEY\n"),
        (
            "proj/configuration_example.py",
            "import importlib, os\n"
            'cfg = importlib.import_module(os.environ.get("CFG", "proj.configuration"))\n',
        ),
        (
            # NetBox: a helper of its own imports the module; the settings only name it.
            "proj/configuration_example.py",
            "from proj.utils import load_configuration\n"
            "configuration = load_configuration(environ=os.environ)\n",
        ),
        (
            "proj/configuration_example.py",
            "try:\n    from proj import configuration\nexcept ModuleNotFoundError:\n"
            '    raise ImproperlyConfigured("copy configuration_example.py")\n',
        ),
    ],
)
def test_a_module_shipped_only_as_an_example_is_named(
    tmp_path: Path, example: str, importer: str
) -> None:
    root = project(
        tmp_path,
        importer + "INSTALLED_APPS = []\n",
        {example: 'SECRET_KEY = "change-me"\nALLOWED_HOSTS = []\n'},
    )
    facts = detect(LocalTree(root, Diagnostics()))
    [module] = facts.settings.example_modules
    assert (module.path, module.example, module.file) == (
        "proj/configuration.py",
        example,
        "proj/settings.py",
    )


@pytest.mark.parametrize(
    "guarded",
    [
        "try:\n    from .local_settings import *\nexcept ImportError:\n    pass\n",
        # healthchecks: `if (BASE_DIR / "hc/local_settings.py").exists(): from .local_settings...`
        'if (BASE_DIR / "proj/local_settings.py").exists():\n    from .local_settings import *\n',
        "if os.path.isfile(os.path.join(BASE_DIR, 'proj', 'local_settings.py')):\n"
        "    from proj.local_settings import *\n",
        "if importlib.util.find_spec('proj.local_settings'):\n    from .local_settings import *\n",
    ],
)
def test_an_optional_local_settings_import_is_not_a_need(tmp_path: Path, guarded: str) -> None:
    header = (
        "import os, importlib.util\nfrom pathlib import Path\nBASE_DIR = Path(__file__).parent\n"
    )
    root = project(
        tmp_path,
        header + "INSTALLED_APPS = []\n" + guarded,
        {"proj/local_settings.py.example": "DEBUG = True\n"},
    )
    facts = detect(LocalTree(root, Diagnostics()))
    assert facts.settings.example_modules == ()


@pytest.mark.parametrize(
    "block",
    [
        'if not DEBUG:\n    X = env("VAR")',
        'if DEBUG:\n    X = 1\nelse:\n    X = env("VAR")',
        # python-discord/site: the production secret sits in the final else of an elif chain.
        'if DEBUG:\n    X = 1\nelif "CI" in os.environ:\n    X = 2\nelse:\n    X = env("VAR")',
        'if not USE_S3:\n    X = env("VAR")',
    ],
)
def test_reads_on_the_side_production_takes_are_needed(tmp_path: Path, block: str) -> None:
    header = "import os\nimport environ\nenv = environ.Env()\n"
    header += "USE_S3 = env.bool('USE_S3', default=False)\nDEBUG = False\n"
    assert "VAR" in needs(project(tmp_path, header + block + "\nINSTALLED_APPS = []\n"))


def test_split_settings_included_under_a_condition_need_nothing(tmp_path: Path) -> None:
    # tabbycat: the list of files to include grows under environment conditions.
    root = project(
        tmp_path,
        "",
        {
            "proj/settings/__init__.py": """\
                import os
                from split_settings.tools import include
                parts = ["core.py"]
                if os.environ.get("ON_HEROKU"):
                    parts.append("heroku.py")
                include(*parts)
                """,
            "proj/settings/core.py": 'import os\nINSTALLED_APPS = []\nKEY = os.environ["CORE_KEY"]\n',
            "proj/settings/heroku.py": 'import os\nMAIL = os.environ["HEROKU_MAIL"]\n',
        },
    )
    (root / "proj/settings.py").unlink()
    assert set(needs(root)) == {"CORE_KEY"}


def test_an_example_named_only_in_a_comment_is_not_a_need(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "# copy configuration_example.py to configuration.py for local runs\nINSTALLED_APPS = []\n",
        {"proj/configuration_example.py": "DEBUG = True\n"},
    )
    facts = detect(LocalTree(root, Diagnostics()))
    assert facts.settings.example_modules == ()


@pytest.mark.parametrize(
    "expression",
    ["f\"proj.settings.{os.environ['DJANGO_ENV']}\"", '"proj.settings." + os.getenv("DJANGO_ENV")'],
)
def test_a_settings_module_named_by_a_variable_in_manage_py_gets_the_production_value(
    tmp_path: Path, expression: str
) -> None:
    manage = MANAGE.replace('"{module}"', expression.replace("{", "{{").replace("}", "}}"))
    root = project(
        tmp_path,
        "",
        {
            "manage.py": manage.format(),
            "proj/settings/__init__.py": "",
            "proj/settings/base.py": "INSTALLED_APPS = []\n",
            "proj/settings/production.py": "from .base import *\nDEBUG = False\n",
            "proj/settings/development.py": "from .base import *\nDEBUG = True\n",
        },
    )
    (root / "proj/settings.py").unlink()
    need = needs(root)["DJANGO_ENV"]
    assert (need.kind, need.form, need.file) == ("choice", "production", "manage.py")


@pytest.mark.parametrize(
    "line",
    [
        'X = env.db("DATABASE_URL", default="postgres:///styleguide")',  # Styleguide-Example
        'X = dj_database_url.config(default="postgresql://localhost/app")',
        'X = env("DATABASE_URL", default="mysql://root@localhost/app")',
    ],
)
def test_a_database_default_naming_a_server_is_in_the_contract(tmp_path: Path, line: str) -> None:
    header = "import environ, dj_database_url\nenv = environ.Env()\n"
    static = 'INSTALLED_APPS = ["django.contrib.staticfiles"]\nSTATIC_ROOT = "static"\n'
    root = project(tmp_path, header + line + "\n" + static)
    need = needs(root)["DATABASE_URL"]
    assert need.kind == "db_server" and "server URL" in need.why
    text = generate(root).files["Dockerfile"]
    # The build still needs no server and no driver; the contract names the server URL.
    assert "DATABASE_URL=sqlite:////tmp/build.sqlite3" in text
    assert "://USER:PASSWORD@HOST:" in run_command(generate(root).facts)


def test_an_example_left_empty_gets_build_placeholders_the_settings_accept(tmp_path: Path) -> None:
    # NetBox: configuration_example.py ships SECRET_KEY = '' and the settings refuse a key under
    # 50 characters; BASE_PATH = '' is a fine value and must stay as the example has it.
    root = project(
        tmp_path,
        """\
        from django.core.exceptions import ImproperlyConfigured
        from proj import configuration
        SECRET_KEY = getattr(configuration, "SECRET_KEY")
        ALLOWED_HOSTS = getattr(configuration, "ALLOWED_HOSTS")
        BASE_PATH = getattr(configuration, "BASE_PATH", "")
        if len(SECRET_KEY) < 50:
            raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters")
        if not ALLOWED_HOSTS:
            raise ImproperlyConfigured("ALLOWED_HOSTS must not be empty")
        INSTALLED_APPS = ["django.contrib.staticfiles"]
        STATIC_URL = "static/"
        STATIC_ROOT = "/tmp/static"
        """,
        {
            "proj/configuration_example.py": (
                "SECRET_KEY = ''\nALLOWED_HOSTS = []\nBASE_PATH = ''\nAPI_TOKEN = ''\n"
                "DATABASE = {'USER': ''}\n"
            ),
        },
    )
    facts = detect(LocalTree(root, Diagnostics()))
    [module] = facts.settings.example_modules
    assert module.blanks == (("SECRET_KEY", "str"), ("ALLOWED_HOSTS", "list"))
    result = generate(root)
    text = result.files["Dockerfile"]
    run = text[text.index("RUN cp /app/proj/configuration_example.py") :]
    run = run[: run.index("\n\n")]
    [printf] = [ln for ln in run.splitlines() if "printf" in ln]
    assert "BASE_PATH" not in printf and "API_TOKEN" not in printf
    # What the build's shell makes of that step: the copy the settings import is valid Python
    # whose last assignments win over the example's empty ones.
    (root / "proj/configuration.py").write_text(
        (root / "proj/configuration_example.py").read_text()
    )
    step = printf.strip().removeprefix("&& ").removesuffix(" \\")
    step = step.replace("/app/proj/configuration.py", str(root / "proj/configuration.py"))
    subprocess.run(["sh", "-c", step], check=True)
    namespace = {
        stmt.targets[0].id: ast.literal_eval(stmt.value)
        for stmt in ast.parse((root / "proj/configuration.py").read_text()).body
        if isinstance(stmt, ast.Assign)
    }
    assert len(namespace["SECRET_KEY"]) >= 50 and namespace["ALLOWED_HOSTS"] == ["localhost"]
    assert namespace["BASE_PATH"] == ""
    assert any("leaves SECRET_KEY, ALLOWED_HOSTS empty" in d.why for d in result.decisions)


SPLIT_INIT = """\
    import os
    from split_settings.tools import include
    parts = ["core.py"]
    if os.environ.get("GITHUB_CI"):
        parts.append("github.py")
    elif os.environ.get("IN_DOCKER", "") and bool(int(os.environ["IN_DOCKER"])):
        parts.append("docker.py")
    elif os.environ.get("ON_HEROKU"):
        parts.append("heroku.py")
    else:
        parts.append("local.py")
    include(*parts)
    """


def split_project(root: Path, init: str, files: dict[str, str]) -> Path:
    project(
        root,
        "",
        {
            "proj/settings/__init__.py": init,
            "proj/settings/core.py": 'INSTALLED_APPS = ["django.contrib.staticfiles"]\n'
            'STATIC_URL = "static/"\nSTATIC_ROOT = "/tmp/static"\n',
            **files,
        },
    )
    (root / "proj/settings.py").unlink()
    return root


def test_a_missing_default_settings_branch_selects_the_container_one(tmp_path: Path) -> None:
    # tabbycat: local.py is each developer's own (only local.example ships); docker.py exists.
    root = split_project(
        tmp_path,
        SPLIT_INIT,
        {
            "proj/settings/local.example": "DEBUG = True\n",
            "proj/settings/github.py": "DEBUG = False\n",
            "proj/settings/docker.py": 'import os\nHOST = os.environ["DOCKER_DB_HOST"]\n',
            "proj/settings/heroku.py": 'import os\nMAIL = os.environ["HEROKU_MAIL"]\n'
            'DATABASES = {"default": {"ENGINE": "django.db.backends.mysql"}}\n',
        },
    )
    found = needs(root)
    # The facts are the chosen branch's: heroku.py, never loaded by the image, is not read.
    facts = detect(LocalTree(root, Diagnostics()))
    assert facts.settings.database is None and "proj/settings/heroku.py" not in (
        facts.settings.settings_files
    )
    assert (found["IN_DOCKER"].kind, found["IN_DOCKER"].form) == ("choice", "1")
    assert "local.py" in found["IN_DOCKER"].why and found["IN_DOCKER"].line == 6
    # The branch the image takes is no longer conditional: what it reads is needed.
    assert "DOCKER_DB_HOST" in found and "HEROKU_MAIL" not in found
    result = generate(root)
    text = result.files["Dockerfile"]
    runtime = text.split("\nFROM ", 2)[-1]
    assert "    IN_DOCKER=1 \\" in runtime  # ENV of the runtime stage
    assert "IN_DOCKER=1" in next(ln for ln in text.splitlines() if "collectstatic --noinput" in ln)
    assert "-e IN_DOCKER" not in run_command(result.facts)
    assert any(d.why.startswith("ENV IN_DOCKER=1: it selects") for d in result.decisions)


@pytest.mark.parametrize(
    ("init", "files"),
    [
        # The default branch's module exists: nothing to choose.
        (SPLIT_INIT, {"proj/settings/local.py": "", "proj/settings/docker.py": ""}),
        # Only a CI branch exists besides the missing default: never taken.
        (SPLIT_INIT, {"proj/settings/github.py": ""}),
        # A star-import chain whose selector cannot be read as variable == constant.
        (
            "import os\nif os.environ.get('X') != 'no':\n    from .docker import *\n"
            "else:\n    from .local import *\n",
            {"proj/settings/docker.py": "INSTALLED_APPS = []\n"},
        ),
    ],
)
def test_no_settings_branch_is_chosen_without_a_reason(
    tmp_path: Path, init: str, files: dict[str, str]
) -> None:
    found = needs(split_project(tmp_path, init, files))
    assert not any(n.kind == "choice" for n in found.values()), found


def test_a_star_import_branch_is_chosen_by_the_value_it_compares(tmp_path: Path) -> None:
    init = """\
        import os
        from .core import *
        TARGET = os.environ.get("DEPLOY_TARGET", "local").lower()
        if TARGET == "container":
            from .container import *
        elif TARGET in ("dev", "develop"):
            from .dev import *
        else:
            from .local import *
        """
    root = split_project(
        tmp_path,
        init,
        {"proj/settings/container.py": "DEBUG = False\n", "proj/settings/dev.py": "DEBUG = True\n"},
    )
    need = needs(root)["DEPLOY_TARGET"]
    assert (need.kind, need.form) == ("choice", "container")


PAYMENTS = """\
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured


    class Client:
        def __init__(self):
            if not (settings.PAY_TOKEN or settings.PAY_ENDPOINT):
                raise ImproperlyConfigured("PAY credentials must be set")

        def charge(self):
            if not settings.PAY_WEBHOOK:
                raise ImproperlyConfigured("runs per request, not at import")


    def check():
        if settings.DEBUG:
            raise RuntimeError("a switch, not a missing value")
        if settings.PAY_REGION == "":
            raise ImproperlyConfigured("region")


    client = Client()
    check()
    """


def test_app_code_refusing_an_empty_setting_at_import_makes_its_variable_needed(
    tmp_path: Path,
) -> None:
    # krddevdays-backend: events/qtickets.py instantiates its API client at import, and the
    # client raises when the token the settings read with an empty default is empty.
    root = project(
        tmp_path,
        """\
        import os
        INSTALLED_APPS = ["django.contrib.staticfiles", "shop"]
        STATIC_URL = "static/"
        STATIC_ROOT = "/tmp/static"
        DEBUG = os.environ.get("DEBUG") == "True"
        PAY_TOKEN = os.environ.get("PAY_TOKEN", "")
        PAY_ENDPOINT = os.environ.get("PAY_ENDPOINT", "https://pay.example")
        PAY_WEBHOOK = os.environ.get("PAY_WEBHOOK", "")
        PAY_REGION = os.getenv("PAY_REGION")
        """,
        {
            "shop/__init__.py": "",
            "shop/payments.py": PAYMENTS,
            "shop/models.py": "from .payments import client\n",
            "shop/tests/test_pay.py": PAYMENTS.replace("PAY_", "TEST_PAY_"),
        },
    )
    found = needs(root)
    assert set(found) == {"PAY_TOKEN", "PAY_REGION"}, found
    token = found["PAY_TOKEN"]
    assert (token.file, token.line, token.kind) == ("shop/payments.py", 7, "str")
    assert "proj/settings.py:6" in token.why
    text = generate(root).files["Dockerfile"]
    line = next(ln for ln in text.splitlines() if "collectstatic --noinput" in ln)
    assert "PAY_TOKEN=build-" in line and "PAY_WEBHOOK" not in line
    # On the RUN lines only: never an ENV line (or an ENV block's continuation line).
    assert not any(ln.lstrip().startswith(("ENV PAY_", "PAY_")) for ln in text.splitlines())


@pytest.mark.parametrize(
    ("host", "named"), [("db", True), ("localhost", False), ("db.example.com", False)]
)
def test_a_database_named_by_a_compose_service_host_is_in_the_contract(
    tmp_path: Path, host: str, named: bool
) -> None:
    # tabbycat's docker.py: HOST "db", the service name of its docker-compose.yml.
    root = project(
        tmp_path,
        f"""\
        INSTALLED_APPS = ["django.contrib.staticfiles"]
        STATIC_URL = "static/"
        STATIC_ROOT = "/tmp/static"
        DATABASES = {{"default": {{
            "ENGINE": "django.db.backends.postgresql", "NAME": "app", "HOST": "{host}",
            "PORT": 5432,
        }}}}
        """,
    )
    result = generate(root)
    text = result.files["Dockerfile"]
    line = run_command(result.facts)
    if named:
        assert "#   host db: the settings connect to a postgresql server at db:5432" in text
        assert "--add-host db:host-gateway" in line
        assert any(d.fact == "runtime host" for d in result.decisions)
    else:
        assert "--add-host" not in line and "#   host " not in text


def test_environs_and_django_environ_methods_are_one_table(tmp_path: Path) -> None:
    # environs' dj_db_url is followed by the settings evaluator as by the needs (the database
    # comes from the environment, SQLite by default); read_env loads a file, it names no
    # variable.
    root = project(
        tmp_path,
        """
        from environ import Env
        from environs import Env as Environs

        Env.read_env(".env")
        env = Environs()
        DATABASES = {"default": env.dj_db_url("DATABASE_URL", default="sqlite:///db.sqlite3")}
        INSTALLED_APPS = []
        """,
    )
    settings = detect(LocalTree(root, Diagnostics())).settings
    assert (settings.database, settings.database_default) == ("from environment", "sqlite3")
    assert ".env" not in settings.env_vars
    assert "DATABASE_URL" in settings.env_vars


def test_a_mapping_get_is_never_a_need(tmp_path: Path) -> None:
    found = needs(
        project(tmp_path, 'import os\nenv = os.environ\nX = env.get("VAR")\nINSTALLED_APPS = []\n')
    )
    assert "VAR" not in found


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        # Made at start when unset: written under the source tree (read-only in the image).
        (
            """\
            import os
            SECRET_KEY = os.environ.get("SECRET_KEY")
            if not SECRET_KEY:
                os.makedirs("/app/.secrets", exist_ok=True)
                SECRET_KEY = open("/app/.secrets/key").read()
            """,
            {"SECRET_KEY"},
        ),
        ('import os\nSECRET_KEY = os.getenv("APP_SECRET_KEY") or None\n', {"APP_SECRET_KEY"}),
        (
            'import environ\nenv = environ.Env(DD_KEY=(str, ""))\nSECRET_KEY = env("DD_KEY")\n',
            {"DD_KEY"},
        ),
        ('import os\nSECRET_KEY = os.environ.get("SECRET_KEY", "dev-only")\n', set()),
        ('SECRET_KEY = "committed"\n', set()),
    ],
)
def test_a_secret_key_empty_when_unset_is_needed_at_start(
    tmp_path: Path, settings: str, expected: set[str]
) -> None:
    found = needs(project(tmp_path, settings))
    assert set(found) == expected
    for need in found.values():
        assert "Django refuses an empty SECRET_KEY" in need.why
