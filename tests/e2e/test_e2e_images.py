"""Generate a Dockerfile for real projects, build it with podman, run it, and probe it as a user.

For every project: HTTP 200 on a page, the static file served (where whitenoise), the server runs
as UID 10001, the HEALTHCHECK passes, and `podman stop` ends it well before the 10 s kill.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import harness
import projects
import pytest
import standin
from tools import generate, runtime_contract

pytestmark = pytest.mark.e2e

UID = "10001"
PROMPT_STOP_SECONDS = 5.0  # podman stop -t 10: under ~5 s means SIGTERM reached the server


def build_and_probe(
    project: projects.Project,
    tag: str,
    images: list[str],
    containers: list[harness.Container],
    *,
    headers: dict[str, str] | None = None,
) -> harness.Response:
    """Generate, build and run PROJECT; assert what every image must do; return the page."""
    python, variant = project.python
    chosen = ("--python-version", python) if python else ()
    dockerfile = generate(project.root, *chosen, "--base-variant", variant)
    standin.provide_bases(dockerfile)
    images.append(tag)
    harness.build(project.root, tag)

    container = harness.run(tag, project.env)
    containers.append(container)
    harness.wait_ready(container)
    for command in filter(None, [project.release]):
        done = harness.exec_(container, *command, timeout=300)
        assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}"

    page = harness.get(container.url(project.page), headers=headers)
    assert page.status == 200, (
        f"GET {project.page} -> {page.status}:\n{page.body[:400]!r}\n{harness.logs(container)}"
    )
    if project.page_assets:
        # What a browser does next: fetch every asset the page references.
        refs = re.findall(r"""(?:src|href)=["'](/static/[^"']+)["']""", page.body.decode())
        assert len(refs) >= project.page_assets, f"page references {refs}:\n{page.body[:600]!r}"
        bodies = []
        for ref in refs:
            asset = harness.get(container.url(ref))
            assert asset.status == 200, (
                f"GET {ref} (referenced by {project.page}) -> {asset.status}"
            )
            bodies.append(asset.body)
        if project.asset_text:
            assert any(project.asset_text.encode() in body for body in bodies), (
                f"no asset of {refs} contains {project.asset_text!r}"
            )
    if project.static:
        static = harness.get(container.url(project.static))
        assert static.status == 200, f"GET {project.static} -> {static.status}"
        assert static.body.decode() == projects.STATIC_BODY
    for path, text in project.served_static:
        served = harness.get(container.url(path))
        assert served.status == 200 and text.encode() in served.body, (
            f"GET {path} -> {served.status}: it did not reach the image"
        )
    for path in project.built_static:
        built = harness.get(container.url(path))
        assert (built.status, built.body.decode()) == (200, projects.STATIC_BODY), (
            f"GET {path} -> {built.status}: the build step that writes it did not run"
        )
    for module in project.imports:
        done = harness.exec_(container, "python", "-c", f"import {module}")
        assert done.returncode == 0, f"import {module} failed at run time:\n{done.stderr}"

    uid = harness.exec_(container, "id", "-u")
    assert uid.stdout.strip() == UID, f"runs as UID {uid.stdout.strip()}, not {UID}"
    server_uid = harness.exec_(container, "sh", "-c", "stat -c %u /proc/1")
    assert server_uid.stdout.strip() == UID, "PID 1 (the server) is not the app user"

    healthy, output = harness.healthcheck(container)
    assert healthy, f"HEALTHCHECK failed: {output}"

    seconds = harness.stop(container)
    assert seconds < PROMPT_STOP_SECONDS, (
        f"podman stop took {seconds:.1f}s: SIGTERM did not reach the server\n"
        + harness.logs(container)
    )
    return page


MAKERS: dict[str, Callable[[Path], projects.Project]] = {
    "startproject-pip": projects.pip_startproject,
    "example-mysite": projects.example_project,
    "wagtail": projects.wagtail_project,
    "poetry-whitenoise": projects.poetry_project,
    "poetry-lock-by-poetry-1": projects.poetry1_lock_project,
    "uv-lock-subdir": projects.uv_subdir_project,
    "uv-symlinked-backend": projects.uv_symlinked_backend_project,
    "dependency-groups-only": projects.dependency_groups_project,
    "pdm": projects.pdm_project,
    "pipenv-lock-by-older-pipenv": projects.pipenv_old_lock_project,
    "pdm-python-3.8": projects.pdm_python38_project,
    "psycopg2-mysqlclient-from-source": projects.source_builds_project,
    "channels-asgi": projects.channels_project,
    "npm-frontend": projects.npm_frontend_project,
    "vite-pnpm-compressor": projects.vite_pnpm_compressor_project,
    "webpack-berry-and-gulp": projects.webpack_berry_and_gulp_project,
    "angular-src-ui": projects.angular_project,
    "committed-static-sqlite-subdir": projects.committed_static_sqlite_project,
}


@pytest.mark.parametrize("name", list(MAKERS))
def test_generated_image_builds_and_serves(
    name: str,
    tmp_path: Path,
    unique_tag: str,
    images: list[str],
    containers: list[harness.Container],
) -> None:
    project = MAKERS[name](tmp_path / name)
    build_and_probe(project, unique_tag, images, containers)


def test_translations_are_compiled_into_the_image(
    tmp_path: Path,
    unique_tag: str,
    images: list[str],
    containers: list[harness.Container],
) -> None:
    """A Pipenv project whose .po file is compiled at build: French visitors get French."""
    project = projects.pipenv_translations_project(tmp_path / "pipenv")
    page = build_and_probe(
        project, unique_tag, images, containers, headers={"Accept-Language": "fr"}
    )
    assert page.body.decode() == "Bonjour depuis le conteneur"


def test_settings_that_need_their_environment_start_with_the_printed_contract(
    tmp_path: Path,
    unique_tag: str,
    images: list[str],
    containers: list[harness.Container],
) -> None:
    """Issue 10, classes 5 and 6: env.bool("DEBUG") with no default and DATABASE_URL parsed by a
    PostgreSQL regex of the settings' own. The build passes only with placeholders of that type
    and form; the container runs with exactly the variables `detect --run-command` prints."""
    root = tmp_path / "env_required"
    shutil.copytree(Path(__file__).parents[1] / "fixtures" / "env_required", root)
    env = runtime_contract(root)
    assert set(env) == {"DEBUG", "DJANGO_SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}
    project = projects.Project(root, env=env)
    page = build_and_probe(project, unique_tag, images, containers, headers={"Host": "localhost"})
    assert page.body.decode() == "Hello from the container"


def test_old_compiled_pin_chooses_the_python_it_has_wheels_for(
    tmp_path: Path,
    unique_tag: str,
    images: list[str],
    containers: list[harness.Container],
) -> None:
    """No Python stated, psycopg2-binary 2.8.6 pinned: Python 3.9 is chosen, built and served."""
    project = projects.old_psycopg2_binary_project(tmp_path / "psycopg2-binary-2.8")
    page = build_and_probe(project, unique_tag, images, containers)
    dockerfile = (project.root / "Dockerfile").read_text()
    assert "ARG PYTHON_VERSION=3.9." in dockerfile
    # Installed from its wheel on linux/amd64; 2.8.6 has no aarch64 wheel, so the build stage
    # carries libpq-dev for linux/arm64 builds, and the final stage must not.
    assert "libpq-dev" not in dockerfile.split("AS runtime", 1)[1]
    assert page.body.decode().startswith("2.8.6")


def test_geodjango_collectstatic_and_page_load_gdal_and_geos(
    tmp_path: Path,
    unique_tag: str,
    images: list[str],
    containers: list[harness.Container],
) -> None:
    project = projects.geodjango_project(tmp_path / "geodjango")
    page = build_and_probe(project, unique_tag, images, containers)
    assert "collectstatic" in (project.root / "Dockerfile").read_text()
    assert page.body.decode().startswith("POINT (1 2) GDAL 3.")


def test_default_database_driver_declared_elsewhere_is_installed(
    tmp_path: Path,
    unique_tag: str,
    images: list[str],
    containers: list[harness.Container],
) -> None:
    """The driver only in requirements/postgres.txt: installed, and the backend loads it."""
    project = projects.driver_elsewhere_project(tmp_path / "driver-elsewhere")
    page = build_and_probe(project, unique_tag, images, containers)
    assert "requirements/postgres.txt" in (project.root / "Dockerfile").read_text()
    assert page.body.decode() == "postgresql psycopg"
