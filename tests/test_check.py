"""`django-dockerfile check`: drift of a generated Dockerfile, review of a hand-written one."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write_tree

from generator.check import EXIT_DRIFT, check
from generator.cli import main
from generator.core import generate, write_files
from generator.options import Options

MANAGE = """\
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{module}")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
"""
SETTINGS = """\
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "dev"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.staticfiles",
]
ROOT_URLCONF = "mysite.urls"
WSGI_APPLICATION = "mysite.wsgi.application"
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
"""
WSGI = """\
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
application = get_wsgi_application()
"""

# A hand-written Dockerfile that does everything the project below calls for.
GOOD = """\
ARG PYTHON_VERSION=3.12
FROM python:${PYTHON_VERSION}-slim AS build
RUN pip install --prefix=/install -r requirements.txt

FROM python:${PYTHON_VERSION}-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \\
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /install /usr/local
COPY . /app
WORKDIR /app
ENV DJANGO_SETTINGS_MODULE=mysite.settings
RUN python manage.py collectstatic --noinput
USER 10001
CMD ["gunicorn", "mysite.wsgi:application"]
"""


def project(tmp_path: Path, **overrides: str) -> Path:
    """A startproject-like tree: Django 5.2, gunicorn, Python 3.12, staticfiles with STATIC_ROOT."""
    files = {
        "manage.py": MANAGE.format(module="mysite.settings"),
        "mysite/__init__.py": "",
        "mysite/settings.py": SETTINGS,
        "mysite/urls.py": "urlpatterns = []\n",
        "mysite/wsgi.py": WSGI,
        "requirements.txt": "Django==5.2.1\ngunicorn==23.0.0\n",
        ".python-version": "3.12\n",
    }
    files.update(overrides)
    return write_tree(tmp_path / "project", {k: v for k, v in files.items() if v is not None})


def generated_project(tmp_path: Path, **overrides: str) -> Path:
    """The project with the Dockerfile and .dockerignore that `django-dockerfile PATH` writes."""
    root = project(tmp_path, **overrides)
    write_files(root, generate(root))
    return root


def run_check(root: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, str]:
    code = main(["check", str(root), *flags])
    out, err = capsys.readouterr()
    return code, out + err


# --- generated files: drift --------------------------------------------------------------------


def test_unchanged_generated_files_pass(tmp_path, capsys):
    root = generated_project(tmp_path)
    code, out = run_check(root, capsys)
    assert code == 0
    assert "match the project" in out
    result = check(root, Options())
    assert not result.drift and result.diffs == {} and result.findings == []
    assert not result.handwritten


def test_python_version_moved_is_drift_with_the_changed_lines(tmp_path, capsys):
    root = generated_project(tmp_path)
    (root / ".python-version").write_text("3.13\n")
    code, out = run_check(root, capsys)
    assert code == EXIT_DRIFT == 42
    assert "--- a/Dockerfile" in out and "+++ b/Dockerfile" in out
    assert "-ARG PYTHON_VERSION=3.12." in out
    assert "+ARG PYTHON_VERSION=3.13." in out
    assert "regenerate with `django-dockerfile" in out
    # The .dockerignore does not depend on the Python version: no diff for it.
    assert "a/.dockerignore" not in out


def test_new_dependency_needing_a_system_library_is_drift(tmp_path, capsys):
    root = generated_project(tmp_path)
    (root / "requirements.txt").write_text("Django==5.2.1\ngunicorn==23.0.0\npsycopg2==2.9.9\n")
    code, out = run_check(root, capsys)
    assert code == 42
    added = [line for line in out.splitlines() if line.startswith("+") and "libpq" in line]
    assert any("libpq5" in line for line in added), out
    assert any("libpq-dev" in line for line in added), out


def test_settings_module_changed_in_manage_py_is_drift(tmp_path, capsys):
    """The settings moved from mysite/settings.py to config/settings.py."""
    root = generated_project(tmp_path, **{"config/__init__.py": "", "config/settings.py": SETTINGS})
    (root / "manage.py").write_text(MANAGE.format(module="config.settings"))
    (root / "mysite/wsgi.py").write_text(WSGI.replace("mysite.settings", "config.settings"))
    code, out = run_check(root, capsys)
    assert code == 42
    assert "-    DJANGO_SETTINGS_MODULE=mysite.settings " in out
    assert "+    DJANGO_SETTINGS_MODULE=config.settings " in out


def test_refreshed_base_image_and_newer_tool_version_are_not_drift(tmp_path, capsys):
    """refresh moves the patch and pins a digest; a new tool release rewrites the header."""
    root = generated_project(tmp_path)
    path = root / "Dockerfile"
    text = path.read_text()
    digest = "@sha256:" + "ab" * 32
    lines = []
    for line in text.splitlines(keepends=True):
        if line.startswith("ARG PYTHON_VERSION=3.12."):
            line = "ARG PYTHON_VERSION=3.12.99\n"
        if line.startswith("FROM python:"):
            name, _, rest = line.partition(" AS ")
            line = f"{name}{digest} AS {rest}"
        lines.append(line.replace("django-dockerfile 0.1.0", "django-dockerfile 0.0.9"))
    path.write_text("".join(lines))
    assert "3.12.99" in path.read_text() and digest in path.read_text()

    code, out = run_check(root, capsys)
    assert code == 0, out
    assert "refresh maintains: not drift" in out

    # But a different Python minor in that same line is drift.
    path.write_text(
        path.read_text().replace("ARG PYTHON_VERSION=3.12.99", "ARG PYTHON_VERSION=3.11.9")
    )
    code, out = run_check(root, capsys)
    assert code == 42
    assert "-ARG PYTHON_VERSION=3.11.9" in out


def test_windows_line_endings_are_not_drift(tmp_path, capsys):
    root = generated_project(tmp_path)
    path = root / "Dockerfile"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    code, _ = run_check(root, capsys)
    assert code == 0


def test_missing_dockerfile_is_drift_with_advice(tmp_path, capsys):
    root = project(tmp_path)
    code, out = run_check(root, capsys)
    assert code == 42
    assert f"no Dockerfile: run `django-dockerfile {root}` to create one" in out
    result = check(root)
    assert result.drift and "Dockerfile" in result.missing
    assert result.diffs["Dockerfile"].startswith("--- /dev/null")


def test_missing_dockerignore_next_to_a_generated_dockerfile_is_drift(tmp_path, capsys):
    root = generated_project(tmp_path)
    (root / ".dockerignore").unlink()
    code, out = run_check(root, capsys)
    assert code == 42
    assert "no .dockerignore: run `django-dockerfile" in out


def test_other_dockerfile_path(tmp_path, capsys):
    root = project(tmp_path)
    options = Options(dockerfile="docker/Dockerfile.prod")
    write_files(root, generate(root, options))
    code, _ = run_check(root, capsys, "--dockerfile", "docker/Dockerfile.prod")
    assert code == 0
    code, out = run_check(root, capsys)  # the default name does not exist
    assert code == 42 and "no Dockerfile:" in out


def test_check_takes_the_same_option_flags_as_generate(tmp_path, capsys):
    root = project(tmp_path)
    flags = [
        "--profile=minimal",
        "--python-version=3.12",
        "--server=gunicorn",
        "--settings-module=mysite.settings",
        "--port=9000",
        "--apt-build=libpq-dev",
        "--apt-runtime=libpq5",
        "--env=FEATURE=on",
        "--base-variant=slim-bookworm",
        f"--pin-digest=sha256:{'a' * 64}",
    ]
    assert main(["generate", str(root), *flags]) == 0
    code, out = run_check(root, capsys, *flags)
    assert code == 0, out
    # Leaving a choice off compares with another Dockerfile.
    code, out = run_check(root, capsys, *flags[1:])
    assert code == EXIT_DRIFT, out


def test_not_django_exits_2_with_the_reason(tmp_path, capsys):
    root = write_tree(
        tmp_path / "flask", {"app.py": "from flask import Flask\n", "requirements.txt": "flask\n"}
    )
    code, out = run_check(root, capsys)
    assert code == 2
    assert "not a Django project" in out and "manage.py" in out
    assert not check(root).django


def test_help_documents_the_exit_status(capsys):
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    out = capsys.readouterr().out
    assert "42" in out and "drift" in out and "not a Django project" in out


# --- hand-written Dockerfiles: findings --------------------------------------------------------


def review(tmp_path: Path, dockerfile: str, capsys, **overrides: str) -> tuple[int, list[str]]:
    root = project(
        tmp_path,
        **{
            "requirements.txt": "Django==5.2.1\ngunicorn==23.0.0\npsycopg2==2.9.9\n",
            "Dockerfile": dockerfile,
            ".dockerignore": ".git\n",
            **overrides,
        },
    )
    code, out = run_check(root, capsys)
    return code, [line for line in out.splitlines() if line.startswith("Dockerfile:")]


def test_a_complete_hand_written_dockerfile_passes(tmp_path, capsys):
    code, findings = review(tmp_path, GOOD, capsys)
    assert findings == []
    assert code == 0
    result = check(tmp_path / "project")
    assert result.handwritten and not result.drift and result.diffs == {}


def test_hand_written_dockerfile_is_never_rewritten(tmp_path, capsys):
    bad = "FROM python:3.11\nCMD python manage.py runserver\n"
    review(tmp_path, bad, capsys)
    assert (tmp_path / "project" / "Dockerfile").read_text() == bad


def test_python_version_disagreeing_with_python_version_file(tmp_path, capsys):
    code, findings = review(
        tmp_path, GOOD.replace("PYTHON_VERSION=3.12", "PYTHON_VERSION=3.11"), capsys
    )
    assert code == 42
    assert findings == ["Dockerfile:1: uses Python 3.11 but .python-version:1 says 3.12"]


def test_python_version_outside_requires_python(tmp_path, capsys):
    code, findings = review(
        tmp_path,
        GOOD.replace("ARG PYTHON_VERSION=3.12\n", "\n").replace("${PYTHON_VERSION}", "3.10.4"),
        capsys,
        **{
            ".python-version": None,
            "pyproject.toml": '[project]\nname = "mysite"\nrequires-python = ">=3.11"\n',
        },
    )
    assert code == 42
    # Both stages use it: each FROM line to fix is named.
    assert findings == [
        "Dockerfile:2: uses Python 3.10 but pyproject.toml:3 requires Python >=3.11",
        "Dockerfile:5: uses Python 3.10 but pyproject.toml:3 requires Python >=3.11",
    ]


def test_missing_runtime_system_package(tmp_path, capsys):
    dockerfile = GOOD.replace(" libpq5 \\", " curl \\")
    code, findings = review(tmp_path, dockerfile, capsys)
    assert code == 42
    assert len(findings) == 1
    assert findings[0].startswith("Dockerfile:6: psycopg2 needs the system package libpq5")


def test_dev_package_in_the_final_stage_provides_the_library(tmp_path, capsys):
    dockerfile = GOOD.replace(" libpq5 \\", " libpq-dev \\")
    _, findings = review(tmp_path, dockerfile, capsys)
    assert findings == []


def test_collectstatic_missing(tmp_path, capsys):
    dockerfile = GOOD.replace("RUN python manage.py collectstatic --noinput\n", "")
    code, findings = review(tmp_path, dockerfile, capsys)
    assert code == 42
    assert len(findings) == 1
    assert findings[0].startswith("Dockerfile:5: nothing runs collectstatic")
    assert "STATIC_ROOT" in findings[0]


def test_entrypoint_script_that_collects_static_and_starts_gunicorn(tmp_path, capsys):
    dockerfile = GOOD.replace("RUN python manage.py collectstatic --noinput\n", "").replace(
        'CMD ["gunicorn", "mysite.wsgi:application"]', 'ENTRYPOINT ["/app/docker/start.sh"]'
    )
    script = "#!/bin/sh\npython manage.py collectstatic --noinput\nexec gunicorn mysite.wsgi\n"
    _, findings = review(tmp_path, dockerfile, capsys, **{"docker/start.sh": script})
    assert findings == []


def test_app_server_missing_from_cmd(tmp_path, capsys):
    dockerfile = GOOD.replace(
        'CMD ["gunicorn", "mysite.wsgi:application"]', 'CMD ["python", "serve.py"]'
    )
    code, findings = review(tmp_path, dockerfile, capsys)
    assert code == 42
    assert findings == [
        "Dockerfile:14: CMD/ENTRYPOINT does not start gunicorn (the project depends on it), "
        'e.g. CMD ["gunicorn", "mysite.wsgi:application"]'
    ]


def test_runserver_in_cmd(tmp_path, capsys):
    dockerfile = GOOD.replace(
        'CMD ["gunicorn", "mysite.wsgi:application"]', "CMD python manage.py runserver 0.0.0.0:8000"
    )
    _, findings = review(tmp_path, dockerfile, capsys)
    assert len(findings) == 1
    assert findings[0].startswith("Dockerfile:14: the image starts `manage.py runserver`")
    assert "gunicorn" in findings[0]


def test_running_as_root(tmp_path, capsys):
    _, findings = review(tmp_path, GOOD.replace("USER 10001\n", ""), capsys)
    assert len(findings) == 1
    assert findings[0].startswith("Dockerfile:5: the image runs as root")
    _, findings = review(tmp_path, GOOD.replace("USER 10001\n", "USER root\n"), capsys)
    assert len(findings) == 1
    assert findings[0].startswith("Dockerfile:13: USER root: the server runs as root")


def test_latest_tag(tmp_path, capsys):
    dockerfile = GOOD.replace(
        "FROM python:${PYTHON_VERSION}-slim AS build", "FROM python:latest AS build"
    )
    code, findings = review(tmp_path, dockerfile, capsys)
    assert code == 42
    assert len(findings) == 1
    assert findings[0].startswith("Dockerfile:2: FROM python:latest uses `latest`")
    assert "python:3.12-slim" in findings[0]
    _, findings = review(tmp_path, dockerfile.replace("python:latest", "python"), capsys)
    assert findings[0].startswith("Dockerfile:2: FROM python has no tag")


def test_settings_module_disagreeing_with_the_production_one(tmp_path, capsys):
    production = "from .base import *  # noqa\n\nDEBUG = False\n"
    overrides = {
        "manage.py": MANAGE.format(module="mysite.settings.dev"),
        "mysite/settings.py": None,
        "mysite/settings/__init__.py": "",
        "mysite/settings/base.py": SETTINGS.replace("parent.parent", "parent.parent.parent"),
        "mysite/settings/dev.py": "from .base import *  # noqa\n\nDEBUG = True\n",
        "mysite/settings/production.py": production,
    }
    dockerfile = GOOD.replace("=mysite.settings\n", "=mysite.settings.dev\n")
    code, findings = review(tmp_path, dockerfile, capsys, **overrides)
    assert code == 42
    assert findings == [
        "Dockerfile:11: DJANGO_SETTINGS_MODULE is mysite.settings.dev, but the production "
        "settings module is mysite.settings.production (mysite/settings/production.py)"
    ]
    # Not set at all: the image falls back to manage.py's development default.
    dockerfile = GOOD.replace("ENV DJANGO_SETTINGS_MODULE=mysite.settings\n", "")
    _, findings = review(tmp_path, dockerfile, capsys, **overrides)
    assert len(findings) == 1
    assert findings[0].startswith(
        "Dockerfile:5: DJANGO_SETTINGS_MODULE is not set, so the image uses manage.py's "
        "default, mysite.settings.dev"
    )


def test_cloud66_style_dockerfile_gets_every_finding(tmp_path, capsys):
    seed = (
        "FROM python:latest\n"
        "WORKDIR /app\n"
        "RUN apt-get update -qq && apt-get install -y git python3-pip build-essential\n"
        "COPY . /app\n"
        "RUN python3 -m pip install -r requirements.txt\n"
    )
    code, findings = review(tmp_path, seed, capsys)
    assert code == 42
    text = "\n".join(findings)
    for expected in (
        "Dockerfile:1: FROM python:latest uses `latest`",
        "Dockerfile:1: nothing runs collectstatic",
        "Dockerfile:1: the image runs as root",
        "Dockerfile:1: no CMD or ENTRYPOINT in the final stage, so the image does not start gunicorn",
        "Dockerfile:3: psycopg2 needs the system package libpq5",
    ):
        assert expected in text, text


def test_hand_written_dockerfile_without_dockerignore(tmp_path, capsys):
    root = project(tmp_path, Dockerfile=GOOD.replace(" libpq5 \\", " \\"))
    code, out = run_check(root, capsys)
    assert code == 42
    assert ".dockerignore: missing: the build context carries .git" in out
    assert f"run `django-dockerfile {root}`, which writes .dockerignore" in out
