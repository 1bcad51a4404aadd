"""A collected STATIC_ROOT committed with its manifest is served as it is (no collectstatic).

Seen on a real project: the repository commits STATIC_ROOT with the `staticfiles.json` a Manifest
storage reads, built by a gulpfile that no package.json script runs, and its platform
configurations say DISABLE_COLLECTSTATIC=1. collectstatic in the image rewrote the manifest from
the sources it found and every page answered 500 "Missing staticfiles manifest entry".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import write_tree

from generator.core import generate
from generator.options import Options

MANAGE = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n"
MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
SETTINGS = """\
import os
BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WSGI_APPLICATION = 'shop.wsgi.application'
INSTALLED_APPS = ['django.contrib.staticfiles', 'shop']
STATIC_URL = 'static/'
STATIC_ROOT = os.path.join(BASE_DIR, 'static')
STORAGES = {{'staticfiles': {{'BACKEND': '{storage}'}}}}
"""
MANIFEST = json.dumps({"paths": {"shop/app.css": "shop/app.5e1f2c.css"}, "version": "1.1"})
PACKAGE = json.dumps({"name": "shop", "devDependencies": {"gulp": "^5.0.1", "sass": "^1.99"}})


def project(tmp_path: Path, storage: str = MANIFEST_STORAGE, **extra: str) -> Path:
    files = {
        "manage.py": MANAGE,
        "shop/__init__.py": "",
        "shop/settings.py": SETTINGS.format(storage=storage),
        "shop/wsgi.py": "application = None\n",
        "shop/static_src/app.scss": "body { color: red; }\n",
        "requirements.txt": "Django==5.2.1\ngunicorn==23.0.0\nwhitenoise==6.9.0\n",
        "static/staticfiles.json": MANIFEST,
        "static/shop/app.5e1f2c.css": "body{color:red}\n",
        "static/shop/app.css": "body{color:red}\n",
        "package.json": PACKAGE,
        "gulpfile.js": "const gulp = require('gulp');\nexports.build = () => "
        "gulp.src('shop/static_src/*.scss').pipe(gulp.dest('static'));\n",
    }
    files.update(extra)
    return write_tree(tmp_path, files)


def run(repo: Path):
    return generate(repo, Options(offline=True))


def test_the_committed_tree_is_kept_and_not_collected_again(tmp_path: Path) -> None:
    result = run(project(tmp_path))
    text, ignore = result.files["Dockerfile"], result.files[".dockerignore"]
    assert "collectstatic --noinput" not in text
    assert "# collectstatic is not run: STATIC_ROOT static/ is committed with its manifest" in text
    # The tree reaches the build context: .dockerignore must not drop it.
    assert "static" not in ignore.splitlines()
    said = [d for d in result.decisions if d.fact == "static"]
    assert said[0].file == "static/staticfiles.json"
    assert "Missing staticfiles manifest entry" in said[0].why and "(1 entry," in said[0].why


def test_the_unscripted_gulp_build_is_reported_as_skipped_with_the_reason(tmp_path: Path) -> None:
    result = run(project(tmp_path))
    (frontend,) = [d for d in result.decisions if d.fact == "frontend"]
    assert frontend.file == "gulpfile.js"
    assert "no script in package.json runs them" in frontend.why
    assert "STATIC_ROOT static/ is committed with its manifest" in frontend.why
    assert "AS assets" not in result.files["Dockerfile"]


def test_a_scripted_frontend_is_not_built_over_the_committed_tree(tmp_path: Path) -> None:
    package = {"name": "shop", "private": True, "scripts": {"build": "vite build"}}
    repo = project(
        tmp_path,
        **{
            "package.json": json.dumps(package),
            "package-lock.json": "{}",
            "vite.config.js": "export default { build: { outDir: 'shop/static/dist' } }\n",
        },
    )
    result = run(repo)
    assert not result.facts.frontends and "AS assets" not in result.files["Dockerfile"]
    (frontend,) = [d for d in result.decisions if d.fact == "frontend"]
    assert frontend.file == "package.json" and "script 'build': skipped" in frontend.why


@pytest.mark.parametrize(
    ("path", "text", "line"),
    [
        (".do/deploy.template.yaml", "envs:\n  - key: DISABLE_COLLECTSTATIC\n"
         "    scope: BUILD_TIME\n    type: GENERAL\n    value: \"1\"\n", 2),
        ("app.json", '{\n  "env": {\n    "DISABLE_COLLECTSTATIC": {"value": "1"}\n  }\n}\n', 3),
        ("app.json", '{"env": {"DISABLE_COLLECTSTATIC": "true"}}\n', 1),
        ("render.yaml", "envVars:\n  - key: DISABLE_COLLECTSTATIC\n    value: 1\n", 2),
        ("nixpacks.toml", '[variables]\nDISABLE_COLLECTSTATIC = "1"\n', 2),
        (".heroku/collectstatic_disabled", "", None),
    ],
)  # fmt: skip
def test_platform_configs_that_disable_collectstatic_are_cited(
    tmp_path: Path, path: str, text: str, line: int | None
) -> None:
    result = run(project(tmp_path, **{path: text}))
    (static,) = [d for d in result.decisions if d.fact == "static"]
    cited = f"{path}:{line}" if line else f"{path}:None"
    assert f"the project disables collectstatic ({cited})" in static.why


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # Another entry's value, not this one's.
        ("render.yaml", "envVars:\n  - key: DISABLE_COLLECTSTATIC\n  - key: DEBUG\n    value: 1\n"),
        ("nixpacks.toml", '[variables]\nDISABLE_COLLECTSTATIC = "0"\n'),
    ],
)
def test_a_false_or_foreign_value_does_not_count(tmp_path: Path, path: str, text: str) -> None:
    result = run(project(tmp_path, **{path: text}))
    (static,) = [d for d in result.decisions if d.fact == "static"]
    assert "disables collectstatic" not in static.why


def test_without_a_committed_manifest_collectstatic_runs_as_usual(tmp_path: Path) -> None:
    repo = project(tmp_path, **{"app.json": '{"env": {"DISABLE_COLLECTSTATIC": "1"}}'})
    (repo / "static/staticfiles.json").unlink()
    result = run(repo)
    assert "manage.py collectstatic --noinput" in result.files["Dockerfile"]
    assert "static" in result.files[".dockerignore"].splitlines()
    evidence = [e.why for e in result.facts.evidence if e.file == "app.json"]
    assert any("the image still runs collectstatic" in why for why in evidence)


def test_a_storage_that_reads_no_manifest_collects_over_the_tree(tmp_path: Path) -> None:
    repo = project(tmp_path, storage="django.contrib.staticfiles.storage.StaticFilesStorage")
    assert "manage.py collectstatic --noinput" in run(repo).files["Dockerfile"]


def test_a_file_that_is_no_manifest_is_named_and_collectstatic_runs(tmp_path: Path) -> None:
    repo = project(tmp_path, **{"static/staticfiles.json": "[1, 2]"})
    result = run(repo)
    assert "manage.py collectstatic --noinput" in result.files["Dockerfile"]
    warned = [w for w in result.facts.warnings if w.file == "static/staticfiles.json"]
    assert warned and "is not a staticfiles manifest" in warned[0].message


def test_the_minimal_profile_tells_the_platform_not_to_collect_over_the_tree(
    tmp_path: Path,
) -> None:
    result = generate(project(tmp_path), Options(offline=True, profile="minimal"))
    (said,) = [d.why for d in result.decisions if d.fact == "profile"]
    assert "STATIC_ROOT static/ is committed with its manifest (static/staticfiles.json)" in said
    assert "must not run collectstatic over it (set DISABLE_COLLECTSTATIC=1" in said
